/* router.c — route matching and the one authorization check every route
 * goes through before its handler runs; who the caller is and which
 * tenant the request is about, it asks the application (fcgi/app.h). */
#include <string.h>
#include "app.h"
#include "csrf.h"
#include "db.h"
#include "page.h"
#include "response.h"
#include "router.h"
#include "watchdog.h"

/* route_match's walk; with p NULL it only says whether the path matches
 * (a route that does not is the common case: nothing is copied for it) */
static int walk(struct pool *p, const char *pattern, const char *path, struct kv *caps, int maxcaps)
{
    const char *a = pattern, *b = path;
    int n = 0;

    while (*a != '\0') {
        if (*a == '{') {
            const char *close = strchr(a, '}');
            size_t seg = strcspn(b, "/");
            if (close == NULL || seg == 0 || n >= maxcaps)
                return -1;
            if (p != NULL) {
                caps[n].key = pool_strndup(p, a + 1, (size_t)(close - a - 1));
                caps[n].val = pool_strndup(p, b, seg);
            }
            n++;
            a = close + 1;
            b += seg;
            continue;
        }
        if (*a != *b) {
            /* a trailing slash is optional either way */
            if (*a == '/' && a[1] == '\0' && *b == '\0')
                return n;
            return -1;
        }
        a++;
        b++;
    }
    if (*b == '\0' || (b[0] == '/' && b[1] == '\0'))
        return n;
    return -1;
}

int route_match(struct pool *p, const char *pattern, const char *path,
                struct kv *caps, int maxcaps)
{
    return walk(NULL, pattern, path, caps, maxcaps) < 0 ? -1 : walk(p, pattern, path, caps, maxcaps);
}

const struct route *route_find(struct pool *p, const struct route *table, int n,
                               const char *method, const char *path,
                               struct kv *caps, int *ncaps, int *status)
{
    int path_known = 0;
    struct kv tmp[REQ_MAX_CAPTURES];

    for (int i = 0; i < n; i++) {
        int c = route_match(p, table[i].pattern, path, tmp, REQ_MAX_CAPTURES);
        if (c < 0)
            continue;
        path_known = 1;
        if (strcmp(table[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(table[i].method, "GET") == 0)) {
            memcpy(caps, tmp, sizeof(struct kv) * (size_t)c);
            *ncaps = c;
            return &table[i];
        }
    }
    *status = path_known ? 405 : 404;
    return NULL;
}

const char *route_methods(struct pool *p, const struct route *table, int n, const char *path)
{
    struct kv tmp[REQ_MAX_CAPTURES];
    char *list = "";
    for (int i = 0; i < n; i++)
        if (route_match(p, table[i].pattern, path, tmp, REQ_MAX_CAPTURES) >= 0 &&
            strstr(list, table[i].method) == NULL)
            list = pool_printf(p, "%s%s%s", list, *list ? ", " : "", table[i].method);
    return list;
}

int access_allows(unsigned access, const struct caller *c)
{
    return (access & A_PUBLIC) != 0 || (access & c->grants & A_APP_BITS) != 0;
}

int route_is_page(const struct route *r, const char *path)
{
    if (r != NULL)
        return (r->access & R_PAGE) != 0;
    return page_path(path);
}

void router_dispatch(struct request *req)
{
    int status = 404;
    const struct route *r = route_find(req->pool, app_routes, app_nroutes, req->method,
                                       req->path, req->captures, &req->ncaptures, &status);
    req->page = route_is_page(r, req->path);
    if (r == NULL) {
        if (status == 405) {
            resp_header(req, "Allow", route_methods(req->pool, app_routes, app_nroutes, req->path));
            resp_error(req, 405, "METHOD_NOT_ALLOWED", "%s is not allowed on %s.", req->method, req->path);
        } else {
            resp_error(req, 404, "NOT_FOUND", "There is nothing at %s.", req->path);
        }
        return;
    }
    req->route = r;
    watchdog_route((int)(r - app_routes));

    if (!(r->access & A_PUBLIC)) {
        enum auth_result res = app_identify(req);
        switch (res) {
        case AUTH_OK:
            break;
        case AUTH_DB_DOWN:
            db_fail_reply(req);
            return;
        case AUTH_NONE:
        case AUTH_INVALID:
            if (req->page) {
                resp_redirect(req, 303, page_login_location(req->pool, req->raw_path, req->query_string));
                return;
            }
            if (res == AUTH_NONE)
                resp_error(req, 401, "UNAUTHENTICATED", "Credentials are required.");
            else
                resp_error(req, 401, "UNAUTHENTICATED", "The credentials are invalid or have expired.");
            return;
        }
    }
    if (!csrf_request_ok(req)) {
        resp_error(req, 403, "CSRF_FAILED",
                   "A write with the session cookie needs the page's X-CSRF-Token header.");
        return;
    }
    if (app_tenant_or_reply(req) < 0)
        return;
    if (!access_allows(r->access, &req->caller)) {
        resp_error(req, 403, "FORBIDDEN", "Your role may not do this.");
        return;
    }
    if (r->scope != NULL && app_scope_or_reply(req) < 0)
        return;
    if (params_or_reply(req) < 0)
        return;
    r->handler(req);
}
