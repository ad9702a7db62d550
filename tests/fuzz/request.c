/* tests/fuzz/request.c — libFuzzer target: one FastCGI request as libfcgi
 * hands it over, through everything that runs before the database is
 * asked: the parser (fcgi/request.c: parameters, target, query, body
 * under its size limit), the router's matching and path captures
 * (fcgi/router.c) and the declared-parameter checks (fcgi/params.c) of
 * the route table (handlers/app/routes.c), body validators included, and
 * the refusals they answer (a page's through the error template); and the
 * credential (X-API-Key, Authorization: Bearer, the session cookie) read
 * as the identify hook reads it before it asks the database (fcgi/auth.c).
 *
 * Input: one byte that picks the route for a request whose path matches
 * none (its captures taken from the path segment by segment, so every
 * route's parameters are reached); then the FastCGI parameters, one
 * "NAME=value" a line, up to an empty line; then the body, read through
 * the parser's body reader as libfcgi's stream would give it.
 *
 * Fails (abort) when bad input is answered with anything but a 4xx, when
 * a failed check answers nothing, or when a passed one answers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "crypto.h"
#include "page.h"
#include "params.h"
#include "request.h"
#include "response.h"
#include "router.h"

#define MAX_PARAMS 64
#define MAX_BODY (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct body {
    const char *p;
    size_t left;
};

static int read_body(void *ctx, char *buf, int n)
{
    struct body *b = ctx;
    size_t k = (size_t)n < b->left ? (size_t)n : b->left;
    memcpy(buf, b->p, k);
    b->p += k;
    b->left -= k;
    return (int)k;
}

/* The captures route r would take from path, segment by segment. */
static void bind_captures(struct request *req, const struct route *r)
{
    const char *pat = r->pattern, *path = req->path;

    req->ncaptures = 0;
    while (*pat != '\0' && req->ncaptures < REQ_MAX_CAPTURES) {
        pat += *pat == '/';
        path += *path == '/';
        size_t pn = strcspn(pat, "/"), vn = strcspn(path, "/");
        if (pn >= 2 && pat[0] == '{' && pat[pn - 1] == '}') {
            req->captures[req->ncaptures].key = pool_strndup(req->pool, pat + 1, pn - 2);
            req->captures[req->ncaptures++].val = pool_strndup(req->pool, path, vn);
        }
        pat += pn;
        path += vn;
    }
}

/* The credential, as handlers/app/identity_store.c reads it before it asks
 * the database: a key's row id, or a session token's digest. */
static void read_credential(struct request *req)
{
    char digest[TOKEN_DIGEST_HEX];
    long long id = 0;

    if (req->api_key != NULL && *req->api_key != '\0') {
        if ((auth_key_id(req->api_key, "kio", &id) == 0 || auth_key_id(req->api_key, "dev", &id) == 0) &&
            id <= 0)
            abort();
        (void)auth_admin_key(req->api_key);
    } else if (auth_session_token(req, digest) == AUTH_OK && strlen(digest) != TOKEN_DIGEST_HEX - 1) {
        abort();
    }
}

/* A refusal: answered, and with a 4xx. */
static void must_refuse(const struct request *req)
{
    if (!resp_sent(req) || req->status < 400 || req->status > 499)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pool *pool;
    char *envp[MAX_PARAMS + 1];
    int n = 0;

    if (size < 1)
        return 0;
    if (pool == NULL) {
        pool = pool_new();
        /* a page's refusals render the error template */
        if (crypto_init() < 0 || page_templates_load(FC_TEMPLATE_DIR) < 0)
            abort();
    }
    unsigned pick = data[0];
    /* a NUL-terminated copy, its lines cut in place */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *s = text, *end = text + size - 1;
    while (s < end && *s != '\n' && n < MAX_PARAMS) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        envp[n++] = s;
        if (nl == NULL) {
            s = end;
            break;
        }
        *nl = '\0';
        s = nl + 1;
    }
    envp[n] = NULL;
    if (s < end && *s == '\n')
        s++;                                    /* the empty line */
    struct body body = {s, (size_t)(end - s)};
    struct request_source src = {envp, read_body, &body};

    struct request req;
    memset(&req, 0, sizeof req);
    req.pool = pool;
    if (request_parse_or_reply(&req, &src, MAX_BODY) < 0) {
        must_refuse(&req);
    } else {
        int status = 404;
        const struct route *r = route_find(pool, app_routes, app_nroutes, req.method, req.path,
                                           req.captures, &req.ncaptures, &status);
        if (r == NULL) {
            if (status == 405)
                (void)route_methods(pool, app_routes, app_nroutes, req.path);
            r = &app_routes[pick % (unsigned)app_nroutes];
            bind_captures(&req, r);
        }
        req.route = r;
        req.page = route_is_page(r, req.path);
        read_credential(&req);
        if (req.page)
            (void)page_login_location(pool, req.raw_path, req.query_string);
        if (params_or_reply(&req) < 0)
            must_refuse(&req);
        else if (resp_sent(&req))
            abort();
    }
    request_end(&req);
    free(text);
    return 0;
}
