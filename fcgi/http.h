/* http.h — pure HTTP text helpers: percent-decoding, query strings,
 * cookies, status texts, media types, log escaping. No I/O; unit-tested in tests/unit/test_http.c. */
#ifndef FC_HTTP_H
#define FC_HTTP_H

#include <stddef.h>
#include "pool.h"

struct kv {
    const char *key;
    const char *val;
};

/* Percent-decode s[0..n) into a new pool string ('+' becomes ' ' when
 * plus_is_space). Returns NULL for a malformed escape or a decoded NUL. */
char *http_unescape(struct pool *p, const char *s, size_t n, int plus_is_space);

/* Split a query string "a=1&b=x%20y" into decoded pairs (pool memory).
 * Returns the number of pairs, or -1 when an escape is malformed or there
 * are more than max pairs. */
int http_parse_query(struct pool *p, const char *qs, struct kv *out, int max);

/* Value of cookie `name` in a Cookie header, or NULL (pool memory). */
const char *http_cookie(struct pool *p, const char *header, const char *name);

/* Append "name=value" to a query string builder, percent-encoding value.
 * Returns a new pool string. */
char *http_query_append(struct pool *p, const char *qs, const char *name, const char *value);

const char *http_status_text(int status);

/* 1 when a Content-Type header names application/json (any case, spaces
 * around it, parameters such as "; charset=utf-8" after it), else 0 (NULL,
 * empty, text/plain, application/jsonx, ...). */
int http_is_json_type(const char *content_type);

/* 1 when the client reached the service over HTTPS: always when the
 * deployment says so (tls_setting, FACECLOCK_TLS=1: a TLS proxy in front
 * of nginx), else when the scheme nginx itself served the request with
 * (REQUEST_SCHEME, $scheme) is "https". Nothing a client sends (such as
 * X-Forwarded-Proto) counts. */
int http_is_secure(int tls_setting, const char *scheme);

/* s as it may appear inside a quoted log value: control bytes (below 0x20,
 * and 0x7f) as \xNN, '"' as \" and '\' as \\, other bytes as they are;
 * so a decoded "%0a" cannot start a forged line nor a quote end the value.
 * Written into out[0..cap) (cap >= 4), NUL-terminated; when it does not
 * fit, cut at a whole escape and ended with "...". Returns out. No
 * allocation, so a crash report may use it. */
char *http_log_escape(const char *s, char *out, size_t cap);

#endif
