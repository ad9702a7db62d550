/* response.c — the one response writer: status line and headers, JSON
 * bodies and errors (HTML error pages for page requests), HTML bodies,
 * redirects, lists with Link/X-Total-Count, streamed bodies, and a JSON
 * answer held back until its caller has committed what it says. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcgiapp.h>
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "page.h"
#include "db.h"
#include "response.h"
#include "validate.h"

/* over HTTPS: browsers use nothing else for the host for a year */
#define HSTS "Strict-Transport-Security: max-age=31536000\r\n"

void resp_header(struct request *req, const char *name, const char *value)
{
    if (req->headers_sent || req->nheaders >= REQ_MAX_HEADERS) {
        log_error("header %s dropped (sent=%d n=%d)", name, req->headers_sent, req->nheaders);
        return;
    }
    req->headers[req->nheaders++] = pool_printf(req->pool, "%s: %s", name, value);
}

static void out(struct request *req, const char *s, size_t n)
{
    if (req->fcgx != NULL && n > 0)
        FCGX_PutStr(s, (int)n, req->fcgx->out);
    req->bytes_out += n;
}

static void send_head(struct request *req, int status, const char *ctype, long long clen)
{
    char num[LL_TEXT_MAX];

    if (req->headers_sent || req->held) {
        log_error("second response for %s %s (status %d)", req->method, req->path, status);
        return;
    }
    req->status = status;
    req->headers_sent = 1;
    /* in pieces, not printf: the head of every answer */
    const char *text = http_status_text(status);
    out(req, "Status: ", 8);
    out(req, num, ll_text(num, status));
    out(req, " ", 1);
    out(req, text, strlen(text));
    out(req, "\r\n", 2);
    if (ctype != NULL) {
        out(req, "Content-Type: ", 14);
        out(req, ctype, strlen(ctype));
        out(req, "\r\n", 2);
    }
    if (clen >= 0) {
        out(req, "Content-Length: ", 16);
        out(req, num, ll_text(num, clen));
        out(req, "\r\n", 2);
    }
    out(req, "Cache-Control: no-store\r\n", 25);
    if (req_is_https(req))
        out(req, HSTS, sizeof HSTS - 1);
    for (int i = 0; i < req->nheaders; i++) {
        out(req, req->headers[i], strlen(req->headers[i]));
        out(req, "\r\n", 2);
    }
    const char *wal = db_written_position();
    if (wal != NULL) {
        /* what the caller's reads on a standby wait for (db.h db_read_begin) */
        static const char cookie[] = "\r\nSet-Cookie: fc_wal=", attrs[] = "; Path=/; Max-Age=600; HttpOnly; SameSite=Strict";
        out(req, "X-WAL-Position: ", 16);
        out(req, wal, strlen(wal));
        out(req, cookie, sizeof cookie - 1);
        out(req, wal, strlen(wal));
        out(req, attrs, sizeof attrs - 1);
        if (req_is_https(req))
            out(req, "; Secure", 8);
        out(req, "\r\n", 2);
    }
    out(req, "\r\n", 2);
    req->bytes_out = 0;
}

void resp_json(struct request *req, int status, struct json_object *body)
{
    char *s;
    size_t len;

    if (req->headers_sent || req->held) {
        log_error("second response for %s %s (status %d)", req->method, req->path, status);
        json_object_put(body);
        return;
    }
    if (body == NULL)
        body = json_object_new_object();
    s = jx_serialize(body, &len);
    resp_json_text(req, status, s, len);
    free(s);
    json_object_put(body);
}

void resp_json_text(struct request *req, int status, const char *s, size_t len)
{
    if (req->headers_sent || req->held) {
        log_error("second response for %s %s (status %d)", req->method, req->path, status);
        return;
    }
    if (req->hold) {
        req->held = 1;
        req->status = status;
        req->held_type = "application/json";
        req->held_body = pool_strndup(req->pool, s, len);
        req->held_len = len;
    } else {
        send_head(req, status, "application/json", (long long)len);
        out(req, s, len);
    }
}

void resp_body(struct request *req, int status, const char *content_type, const char *body, size_t len)
{
    if (req->headers_sent || req->held) {
        log_error("second response for %s %s (status %d)", req->method, req->path, status);
        return;
    }
    send_head(req, status, content_type, (long long)len);
    out(req, body, len);
}

void resp_hold(struct request *req)
{
    req->hold = 1;
    req->held_first_header = req->nheaders;
}

void resp_release(struct request *req)
{
    req->hold = 0;
    if (!req->held)
        return;
    req->held = 0;
    resp_body(req, req->status, req->held_type, req->held_body, req->held_len);
}

void resp_discard(struct request *req)
{
    req->hold = 0;
    req->held = 0;
    req->nheaders = req->held_first_header;
    req->error_code = NULL;
}

/* the request's path and query with offset and cursor replaced by name=val */
static const char *page_link(struct request *req, const char *name, const char *val, const char *rel)
{
    char *qs = "";
    for (int i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, "offset") != 0 && strcmp(req->query[i].key, "cursor") != 0)
            qs = http_query_append(req->pool, qs, req->query[i].key, req->query[i].val);
    qs = http_query_append(req->pool, qs, name, val);
    return pool_printf(req->pool, "<%s?%s>; rel=\"%s\"", req->raw_path, qs, rel);
}

/* X-Total-Count (and -Estimated) and Link of a list page */
static void list_headers(struct request *req, const struct page_links *k)
{
    char num[32];
    const char *link = NULL;

    snprintf(num, sizeof num, "%lld", k->total);
    resp_header(req, "X-Total-Count", num);
    if (k->estimated)
        resp_header(req, "X-Total-Count-Estimated", "true");
    if (k->next_offset >= 0) {
        snprintf(num, sizeof num, "%ld", k->next_offset);
        link = page_link(req, "offset", num, "next");
    } else if (k->next != NULL) {
        link = page_link(req, "cursor", k->next, "next");
    }
    if (k->prev != NULL) {
        const char *prev = page_link(req, "cursor", k->prev, "prev");
        link = link != NULL ? pool_printf(req->pool, "%s, %s", link, prev) : prev;
    }
    if (link != NULL)
        resp_header(req, "Link", link);
}

void resp_json_list(struct request *req, struct json_object *array, const struct page_links *k)
{
    list_headers(req, k);
    resp_json(req, 200, array);
}

void resp_json_list_text(struct request *req, const char *array, size_t len, const struct page_links *k)
{
    list_headers(req, k);
    resp_json_text(req, 200, array, len);
}

void resp_json_page(struct request *req, struct json_object *array,
                    long long total, long offset, long limit)
{
    struct page_links k = {.total = total, .next_offset = (long long)offset + limit < total ? offset + limit : -1};
    resp_json_list(req, array, &k);
}

void resp_html(struct request *req, int status, const char *body, size_t len)
{
    resp_body(req, status, "text/html; charset=utf-8", body, len);
}

void resp_redirect(struct request *req, int status, const char *location)
{
    resp_header(req, "Location", location);
    send_head(req, status, NULL, 0);
}

static void error_with(struct request *req, int status, const char *code,
                       const char *field, const char *msg)
{
    if (req->page) {
        req->error_code = code;
        page_error(req, status, code, field, msg);
        return;
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "code", json_object_new_string(code));
    json_object_object_add(o, "message", json_object_new_string(msg));
    if (field != NULL)
        json_object_object_add(o, "field", json_object_new_string(field));
    req->error_code = code;
    resp_json(req, status, o);
}

void resp_error(struct request *req, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_with(req, status, code, NULL, msg);
}

void resp_invalid(struct request *req, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_with(req, 400, "VALIDATION_ERROR", field, msg);
}

void resp_empty(struct request *req, int status)
{
    send_head(req, status, NULL, status == 204 ? -1 : 0);
}

void resp_stream_begin(struct request *req, int status, const char *content_type)
{
    send_head(req, status, content_type, -1);
}

int resp_write(struct request *req, const char *data, size_t len)
{
    if (!req->headers_sent)
        return -1;
    if (req->fcgx != NULL && len > 0 && FCGX_PutStr(data, (int)len, req->fcgx->out) < 0)
        return -1;
    req->bytes_out += len;
    return 0;
}

void resp_abort(struct request *req)
{
    if (req->fcgx != NULL && req->fcgx->ipcFd >= 0)
        shutdown(req->fcgx->ipcFd, SHUT_RDWR);
}

int resp_sent(const struct request *req)
{
    return req->headers_sent || req->held;
}
