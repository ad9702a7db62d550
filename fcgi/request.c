/* request.c — the one request parser: FastCGI parameters, the target
 * (path and query), the headers faceclock reads, and the body under a hard
 * size limit. */
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <fcgiapp.h>
#include "config.h"
#include "http.h"
#include "jsonx.h"
#include "request.h"
#include "response.h"
#include "validate.h"

int request_parse_target(struct request *req, const char *uri, const char **err)
{
    const char *q;
    size_t plen;

    if (uri == NULL || uri[0] != '/') {
        *err = "The request target must start with '/'.";
        return -1;
    }
    q = strchr(uri, '?');
    plen = q ? (size_t)(q - uri) : strlen(uri);
    if (plen > 2048) {
        *err = "The request path is too long.";
        return -1;
    }
    req->raw_path = pool_strndup(req->pool, uri, plen);
    req->path = http_unescape(req->pool, uri, plen, 0);
    if (req->path == NULL) {
        *err = "The request path has a malformed percent-escape.";
        return -1;
    }
    req->query_string = q ? pool_strdup(req->pool, q + 1) : "";
    req->nquery = http_parse_query(req->pool, req->query_string, req->query, REQ_MAX_QUERY);
    if (req->nquery < 0) {
        req->nquery = 0;
        *err = "The query string is malformed or has too many parameters.";
        return -1;
    }
    return 0;
}

/* The FastCGI parameters a request reads. They are found in one pass over
 * the environment (FCGX_GetParam would walk it once for each name): the
 * first of each name, as FCGX_GetParam finds it. */
#define FCGI_PARAM(name) {name, sizeof name - 1}
static const struct {
    const char *name;
    size_t len;
} fcgi_params[] = {
    FCGI_PARAM("REQUEST_METHOD"), FCGI_PARAM("REMOTE_ADDR"), FCGI_PARAM("HTTP_USER_AGENT"),
    FCGI_PARAM("CONTENT_TYPE"), FCGI_PARAM("HTTP_ACCEPT"), FCGI_PARAM("HTTP_AUTHORIZATION"),
    FCGI_PARAM("HTTP_X_API_KEY"), FCGI_PARAM("HTTP_COOKIE"), FCGI_PARAM("HTTP_X_CSRF_TOKEN"),
    FCGI_PARAM("HTTP_IDEMPOTENCY_KEY"), FCGI_PARAM("HTTP_X_WAL_POSITION"), FCGI_PARAM("HTTP_HOST"),
    FCGI_PARAM("REQUEST_SCHEME"),
    FCGI_PARAM("SSL_CLIENT_VERIFY"), FCGI_PARAM("SSL_CLIENT_SERIAL"), FCGI_PARAM("SSL_CLIENT_S_DN"),
    FCGI_PARAM("REQUEST_URI"), FCGI_PARAM("SCRIPT_NAME"), FCGI_PARAM("QUERY_STRING"),
    FCGI_PARAM("CONTENT_LENGTH"),
};
enum {
    FP_METHOD, FP_ADDR, FP_USER_AGENT, FP_CONTENT_TYPE, FP_ACCEPT, FP_AUTHORIZATION, FP_API_KEY,
    FP_COOKIE, FP_CSRF, FP_IDEMPOTENCY_KEY, FP_WAL_POSITION, FP_HOST, FP_SCHEME, FP_TLS_VERIFY, FP_TLS_SERIAL,
    FP_TLS_DN, FP_URI, FP_SCRIPT_NAME, FP_QUERY_STRING, FP_CONTENT_LENGTH, FP_COUNT
};
_Static_assert(sizeof fcgi_params / sizeof fcgi_params[0] == FP_COUNT, "a name for each FP_");

/* The values of fcgi_params in envp ("NAME=value" each, NULL-terminated),
 * copied into the pool; NULL where absent. */
static void read_params(struct pool *pool, char **envp, const char *v[FP_COUNT])
{
    const char *found[FP_COUNT] = {0};

    for (char **e = envp; e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL)
            continue;
        size_t n = (size_t)(eq - *e);
        for (int i = 0; i < FP_COUNT; i++)
            if (fcgi_params[i].len == n && found[i] == NULL && memcmp(fcgi_params[i].name, *e, n) == 0) {
                found[i] = eq + 1;
                break;
            }
    }
    for (int i = 0; i < FP_COUNT; i++)
        v[i] = found[i] != NULL ? pool_strdup(pool, found[i]) : NULL;
}

/* Read and discard what is left of the body so the connection stays in a
 * clean state after an early answer. */
static void drain_body(const struct request_source *src)
{
    char buf[8192];
    while (src->read(src->ctx, buf, (int)sizeof buf) > 0)
        ;
}

int request_parse_or_reply(struct request *req, const struct request_source *src, size_t max_body)
{
    const char *err, *cl;
    char **envp = src->envp;

    const char *v[FP_COUNT];
    read_params(req->pool, envp, v);
    req->method = v[FP_METHOD] != NULL ? v[FP_METHOD] : "GET";
    req->client_ip = v[FP_ADDR];
    req->user_agent = v[FP_USER_AGENT];
    req->content_type = v[FP_CONTENT_TYPE];
    req->accept = v[FP_ACCEPT];
    req->authorization = v[FP_AUTHORIZATION];
    req->api_key = v[FP_API_KEY];
    req->cookie = v[FP_COOKIE];
    req->csrf_token = v[FP_CSRF];
    req->idempotency_key = v[FP_IDEMPOTENCY_KEY];
    req->wal_position = v[FP_WAL_POSITION];
    req->host = v[FP_HOST];
    req->scheme = v[FP_SCHEME];
    req->tls_client_verify = v[FP_TLS_VERIFY];
    req->tls_client_serial = v[FP_TLS_SERIAL];
    req->tls_client_dn = v[FP_TLS_DN];

    const char *uri = v[FP_URI];
    if (uri == NULL) {
        /* fall back to SCRIPT_NAME + QUERY_STRING when REQUEST_URI is absent */
        const char *sn = v[FP_SCRIPT_NAME], *qs = v[FP_QUERY_STRING];
        uri = pool_printf(req->pool, "%s%s%s", sn ? sn : "/", qs && *qs ? "?" : "", qs ? qs : "");
    }
    if (request_parse_target(req, uri, &err) < 0) {
        const char *field = req->path ? "query" : "path";
        req->path = req->path ? req->path : "/";
        resp_invalid(req, field, "%s", err);
        return -1;
    }

    cl = v[FP_CONTENT_LENGTH];
    if (cl != NULL && *cl != '\0') {
        char *end;
        unsigned long long len = strtoull(cl, &end, 10);
        if (*end != '\0' || cl[0] == '-') {
            resp_invalid(req, "Content-Length", "Content-Length is not a number.");
            return -1;
        }
        if (len > max_body) {
            drain_body(src);
            resp_error(req, 413, "PAYLOAD_TOO_LARGE",
                       "The request body is larger than %zu bytes.", max_body);
            return -1;
        }
        if (len > 0) {
            char *body = pool_alloc(req->pool, (size_t)len + 1);
            int got = src->read(src->ctx, body, (int)len);
            if (got < 0 || (unsigned long long)got != len) {
                resp_error(req, 400, "INVALID_JSON", "The request body ended early.");
                return -1;
            }
            body[len] = '\0';
            req->body = body;
            req->body_len = (size_t)len;
        }
    }
    return 0;
}

static int fcgx_read(void *ctx, char *buf, int n)
{
    return FCGX_GetStr(buf, n, ((FCGX_Request *)ctx)->in);
}

int request_read_or_reply(struct request *req, size_t max_body)
{
    struct request_source src = {req->fcgx->envp, fcgx_read, req->fcgx};
    return request_parse_or_reply(req, &src, max_body);
}

const char *req_query(const struct request *req, const char *name)
{
    for (int i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, name) == 0)
            return req->query[i].val;
    return NULL;
}

const char *req_header(const struct request *req, const char *name)
{
    static const struct {
        const char *name;
        size_t off;
    } kept[] = {
        {"Idempotency-Key", offsetof(struct request, idempotency_key)},
        {"X-WAL-Position", offsetof(struct request, wal_position)},
        {"X-API-Key", offsetof(struct request, api_key)},
        {"X-CSRF-Token", offsetof(struct request, csrf_token)},
        {"User-Agent", offsetof(struct request, user_agent)},
        {"Accept", offsetof(struct request, accept)},
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (strcasecmp(kept[i].name, name) == 0)
            return *(const char *const *)((const char *)req + kept[i].off);
    return NULL;
}

const char *req_capture(const struct request *req, const char *name)
{
    for (int i = 0; i < req->ncaptures; i++)
        if (strcmp(req->captures[i].key, name) == 0)
            return req->captures[i].val;
    return NULL;
}

struct json_object *req_json_body_or_reply(struct request *req)
{
    return req_json_body_nums_or_reply(req, NULL, 0);
}

struct json_object *req_json_body_nums_or_reply(struct request *req, struct jx_numbers *nums, int nnums)
{
    if (req->json != NULL)
        return req->json;
    if (req->body == NULL || req->body_len == 0) {
        resp_error(req, 400, "INVALID_JSON", "The request body must be a JSON object.");
        return NULL;
    }
    /* a form or text/plain body is refused before it is read: a browser
     * sends those cross-site without asking (login CSRF) */
    if (!http_is_json_type(req->content_type)) {
        resp_error(req, 415, "UNSUPPORTED_MEDIA_TYPE", "The request body must be sent as Content-Type: application/json.");
        return NULL;
    }
    req->json = jx_parse_body_nums(req->body, req->body_len, nums, nnums, req->pool);
    if (req->json == NULL) {
        resp_error(req, 400, "INVALID_JSON", "The request body is not valid JSON.");
        return NULL;
    }
    if (!json_object_is_type(req->json, json_type_object)) {
        json_object_put(req->json);
        req->json = NULL;
        resp_error(req, 400, "INVALID_JSON", "The request body must be a JSON object.");
        return NULL;
    }
    return req->json;
}

int req_is_https(const struct request *req)
{
    return http_is_secure(g_config.tls, req->scheme);
}

int req_wants_csv(const struct request *req)
{
    const char *f = req_query(req, "format");
    if (f != NULL)
        return strcasecmp(f, "csv") == 0;
    return req->accept != NULL && strstr(req->accept, "text/csv") != NULL;
}

void request_end(struct request *req)
{
    if (req->json != NULL)
        json_object_put(req->json);
    req->json = NULL;
    pool_reset(req->pool);
}
