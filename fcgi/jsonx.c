/* jsonx.c — typed readers for fields of parsed JSON objects, the strict
 * JSON parser, and small builders for answers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonfast.h"
#include "jsonx.h"
#include "validate.h"

#define JX_MAX_DEPTH 32

struct json_object *jx_parse(const char *text, size_t len)
{
    struct json_tokener *tok;
    struct json_object *o;

    /* text[len] is the terminating NUL: handing it to the tokener lets a
     * bare number at the very end finish; a NUL inside is refused */
    if (len > (size_t)0x7ffffffe || text[len] != '\0' || memchr(text, '\0', len) != NULL)
        return NULL;
    if ((tok = json_tokener_new_ex(JX_MAX_DEPTH)) == NULL)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, text, (int)len + 1);
    if (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) < len) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

struct json_object *jx_parse_body_nums(const char *text, size_t len, struct jx_numbers *nums, int nnums,
                                       struct pool *pool)
{
    struct json_object *o = jx_parse_fast_nums(text, len, nums, nnums, pool);
    return o != NULL ? o : jx_parse(text, len);
}

struct json_object *jx_parse_body(const char *text, size_t len)
{
    return jx_parse_body_nums(text, len, NULL, 0, NULL);
}

int jx_has(struct json_object *o, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(o, key, &v) && v != NULL;
}

/* Fetch key as a value of type t (json_type_double: any number): 1 found;
 * 0 when absent or null (*rc 0, or -1 with *why when it is required) or
 * of another type (*rc -1, *why = type_why). */
static int get(struct json_object *o, const char *key, int required, json_type t, const char *type_why,
               struct json_object **v, const char **why, int *rc)
{
    *v = NULL;
    if (!json_object_object_get_ex(o, key, v) || *v == NULL) {
        *rc = required ? -1 : 0;
        if (required)
            *why = "is required";
        return 0;
    }
    json_type got = json_object_get_type(*v);
    if (got != t && !(t == json_type_double && got == json_type_int)) {
        *rc = -1;
        *why = type_why;
        return 0;
    }
    return 1;
}

int jx_string(struct json_object *o, const char *key, int required, size_t max_chars,
              const char **out, const char **why)
{
    struct json_object *v;
    int rc;
    if (!get(o, key, required, json_type_string, "must be a string", &v, why, &rc))
        return rc;
    const char *s = json_object_get_string(v);
    if ((size_t)json_object_get_string_len(v) != strlen(s)) {
        *why = "must not contain NUL characters";
        return -1;
    }
    if (!valid_text(s, max_chars)) {
        *why = "is too long or contains control characters";
        return -1;
    }
    *out = s;
    return 0;
}

int jx_id(struct json_object *o, const char *key, int required, long long *out,
          const char **why)
{
    struct json_object *v;
    int rc;
    if (!get(o, key, required, json_type_int, "must be a positive whole number", &v, why, &rc))
        return rc;
    int64_t n = json_object_get_int64(v);
    if (n < 1 || n > (1LL << 53)) {
        *why = "must be a positive whole number";
        return -1;
    }
    *out = n;
    return 0;
}

int jx_int(struct json_object *o, const char *key, int required, long min, long max,
           long *out, const char **why)
{
    struct json_object *v;
    int rc;
    if (!get(o, key, required, json_type_int, "must be a whole number", &v, why, &rc))
        return rc;
    int64_t n = json_object_get_int64(v);
    /* json-c clamps what does not fit: past INT64_MAX it reads as a larger
     * uint64, below INT64_MIN as INT64_MIN. Refuse both. */
    if (n == INT64_MIN || json_object_get_uint64(v) > (uint64_t)INT64_MAX || n < min || n > max) {
        *why = "is out of range";
        return -1;
    }
    *out = (long)n;
    return 0;
}

int jx_double(struct json_object *o, const char *key, int required, double min,
              double max, double *out, const char **why)
{
    struct json_object *v;
    int rc;
    if (!get(o, key, required, json_type_double, "must be a number", &v, why, &rc))
        return rc;
    double d = json_object_get_double(v);
    if (!isfinite(d) || d < min || d > max) {
        *why = "is out of range";
        return -1;
    }
    *out = d;
    return 0;
}

int jx_bool(struct json_object *o, const char *key, int required, int *out, const char **why)
{
    struct json_object *v;
    int rc;
    if (!get(o, key, required, json_type_boolean, "must be true or false", &v, why, &rc))
        return rc;
    *out = json_object_get_boolean(v);
    return 0;
}

void jx_add_str(struct json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

void jx_add_int(struct json_object *o, const char *key, long long v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

void jx_add_bool(struct json_object *o, const char *key, int v)
{
    json_object_object_add(o, key, json_object_new_boolean(v));
}

struct json_object *jx_rounded(double v, int decimals)
{
    double scale = pow(10, decimals);
    double r = round(v * scale) / scale;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, r);
    return json_object_new_double_s(r, buf);
}

void jx_add_double(struct json_object *o, const char *key, double v, int decimals)
{
    json_object_object_add(o, key, jx_rounded(v, decimals));
}

void jx_add_number(struct json_object *o, const char *key, double v)
{
    char buf[32];
    /* the fewest significant digits, from 15, that read back as v: 0.85
     * stays 0.85, and two different values never print alike */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* keep it a JSON number with a decimal point or exponent, like 6.0 */
    if (strspn(buf, "-0123456789") == strlen(buf))
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ".0");
    json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

/* One side of jx_diff: each member of a that b lacks or holds otherwise. */
static int diff_side(struct json_object *a, struct json_object *b, struct json_object *a_out,
                     struct json_object *b_out)
{
    int n = 0;
    json_object_object_foreach(a, key, va) {
        struct json_object *vb = NULL;
        int in_b = json_object_object_get_ex(b, key, &vb);
        if (in_b && json_object_equal(va, vb))
            continue;
        if (json_object_object_get_ex(a_out, key, NULL))
            continue;           /* seen from the other side */
        json_object_object_add(a_out, key, json_object_get(va));
        json_object_object_add(b_out, key, in_b ? json_object_get(vb) : NULL);
        n++;
    }
    return n;
}

int jx_diff(struct json_object *before, struct json_object *after, struct json_object **old_out,
            struct json_object **new_out)
{
    *old_out = json_object_new_object();
    *new_out = json_object_new_object();
    return diff_side(before, after, *old_out, *new_out) + diff_side(after, before, *new_out, *old_out);
}

/* ---- serializing (jx_serialize) ---------------------------------------- */

#define JX_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* room for n more bytes (and a NUL) */
static void reserve(struct jx_out *o, size_t n)
{
    if (o->cap - o->len > n)
        return;
    size_t cap = o->cap * 2 > o->len + n + 1 ? o->cap * 2 : o->len + n + 1;
    char *b = realloc(o->buf, cap);
    if (b == NULL)
        abort();            /* as the request pool does */
    o->buf = b;
    o->cap = cap;
}

void jx_put_raw(struct jx_out *o, const char *s, size_t n)
{
    reserve(o, n);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* a string as json-c escapes it: '"', '\\', the five named controls, the
 * other controls as \u00xx; '/' (NOSLASHESCAPE) and bytes >= 0x20 as they are */
void jx_put_string(struct jx_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    reserve(o, 6 * n + 2);
    char *w = o->buf + o->len;
    *w++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *w++ = (char)c;
            continue;
        }
        *w++ = '\\';
        switch (c) {
        case '"':  *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\b': *w++ = 'b'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        case '\t': *w++ = 't'; break;
        case '\f': *w++ = 'f'; break;
        default:
            memcpy(w, "u00", 3);
            w[3] = hex[c >> 4];
            w[4] = hex[c & 15];
            w += 5;
        }
    }
    *w++ = '"';
    o->len = (size_t)(w - o->buf);
}

void jx_put_ll(struct jx_out *o, long long v)
{
    char b[LL_TEXT_MAX];
    jx_put_raw(o, b, ll_text(b, v));
}

/* a whole number as json-c writes it: an int64 (ll_text), or a uint64
 * past INT64_MAX (rare: json-c's own text) */
static void put_int(struct jx_out *o, struct json_object *v)
{
    int64_t i = json_object_get_int64(v);

    if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX) {
        size_t n;
        const char *t = json_object_to_json_string_length(v, JX_FLAGS, &n);
        if (t == NULL)
            abort();
        jx_put_raw(o, t, n);
        return;
    }
    jx_put_ll(o, i);
}

void jx_put_value(struct jx_out *o, struct json_object *v)
{
    size_t n;
    const char *t;

    switch (json_object_get_type(v)) {
    case json_type_null:
        jx_put_raw(o, "null", 4);
        break;
    case json_type_boolean:
        if (json_object_get_boolean(v))
            jx_put_raw(o, "true", 4);
        else
            jx_put_raw(o, "false", 5);
        break;
    case json_type_int:
        put_int(o, v);
        break;
    case json_type_double:
        t = json_object_to_json_string_length(v, JX_FLAGS, &n);
        if (t == NULL)
            abort();
        jx_put_raw(o, t, n);
        break;
    case json_type_string:
        jx_put_string(o, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        break;
    case json_type_array:
        n = json_object_array_length(v);
        jx_put_raw(o, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                jx_put_raw(o, ",", 1);
            jx_put_value(o, json_object_array_get_idx(v, i));
        }
        jx_put_raw(o, "]", 1);
        break;
    case json_type_object: {
        int first = 1;
        jx_put_raw(o, "{", 1);
        json_object_object_foreach(v, key, val) {
            if (!first)
                jx_put_raw(o, ",", 1);
            first = 0;
            jx_put_string(o, key, strlen(key));
            jx_put_raw(o, ":", 1);
            jx_put_value(o, val);
        }
        jx_put_raw(o, "}", 1);
        break;
    }
    }
}

char *jx_serialize(struct json_object *o, size_t *len)
{
    struct jx_out out = {NULL, 0, 0};

    reserve(&out, 1024);        /* an answer's usual size: no growing */
    jx_put_value(&out, o);
    jx_put_raw(&out, "", 1);       /* the NUL */
    *len = out.len - 1;
    return out.buf;
}
