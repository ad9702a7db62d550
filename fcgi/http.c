/* http.c — pure HTTP text helpers: percent-decoding, query strings,
 * cookies, status texts. */
#include <string.h>
#include <strings.h>
#include "http.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *http_unescape(struct pool *p, const char *s, size_t n, int plus_is_space)
{
    char *out = pool_alloc(p, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return NULL;
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            *o++ = ' ';
        } else if (s[i] == '\0') {
            return NULL;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

int http_parse_query(struct pool *p, const char *qs, struct kv *out, int max)
{
    int n = 0;
    if (qs == NULL)
        return 0;
    while (*qs != '\0') {
        const char *amp = strchr(qs, '&');
        size_t len = amp ? (size_t)(amp - qs) : strlen(qs);
        if (len > 0) {
            const char *eq = memchr(qs, '=', len);
            size_t klen = eq ? (size_t)(eq - qs) : len;
            if (n >= max)
                return -1;
            out[n].key = http_unescape(p, qs, klen, 1);
            out[n].val = eq ? http_unescape(p, eq + 1, len - klen - 1, 1) : pool_strdup(p, "");
            if (out[n].key == NULL || out[n].val == NULL)
                return -1;
            n++;
        }
        qs += len;
        if (*qs == '&')
            qs++;
    }
    return n;
}

const char *http_cookie(struct pool *p, const char *header, const char *name)
{
    size_t nlen = strlen(name);
    const char *s = header;
    if (s == NULL)
        return NULL;
    while (*s != '\0') {
        while (*s == ' ' || *s == ';' || *s == '\t')
            s++;
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > nlen && strncmp(s, name, nlen) == 0 && s[nlen] == '=') {
            const char *v = s + nlen + 1;
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            return pool_strndup(p, v, vlen);
        }
        s += len;
    }
    return NULL;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

static char *escape(struct pool *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = pool_alloc(p, strlen(s) * 3 + 1), *o = out;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (unreserved(c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

char *http_query_append(struct pool *p, const char *qs, const char *name, const char *value)
{
    const char *sep = (qs == NULL || *qs == '\0') ? "" : "&";
    return pool_printf(p, "%s%s%s=%s", qs ? qs : "", sep, escape(p, name), escape(p, value));
}

const char *http_status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default:  return "Unknown";
    }
}

/* the log form of one byte into e; its length (1, 2 or 4) */
static size_t log_escape_byte(unsigned char c, char e[4])
{
    static const char hex[] = "0123456789abcdef";

    if (c < 0x20 || c == 0x7f) {
        e[0] = '\\';
        e[1] = 'x';
        e[2] = hex[c >> 4];
        e[3] = hex[c & 0xf];
        return 4;
    }
    if (c == '"' || c == '\\') {
        e[0] = '\\';
        e[1] = (char)c;
        return 2;
    }
    e[0] = (char)c;
    return 1;
}

char *http_log_escape(const char *s, char *out, size_t cap)
{
    size_t need = 1, room, o = 0, k;
    char e[4];

    for (const char *t = s; *t != '\0'; t++)
        need += log_escape_byte((unsigned char)*t, e);
    room = need <= cap ? need - 1 : cap - 4;     /* cut: keep room for "..." */
    for (; *s != '\0' && o + (k = log_escape_byte((unsigned char)*s, e)) <= room; s++) {
        memcpy(out + o, e, k);
        o += k;
    }
    if (need > cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

int http_is_json_type(const char *ct)
{
    static const char want[] = "application/json";
    size_t n = sizeof want - 1;

    if (ct == NULL)
        return 0;
    ct += strspn(ct, " \t");
    if (strncasecmp(ct, want, n) != 0)
        return 0;
    ct += n;
    ct += strspn(ct, " \t");
    return *ct == '\0' || *ct == ';';
}

int http_is_secure(int tls_setting, const char *scheme)
{
    return tls_setting || (scheme != NULL && strcmp(scheme, "https") == 0);
}
