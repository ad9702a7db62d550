/* router.c — route matching and the one authorization check every route
 * goes through before its handler runs. */
#include <string.h>
#include "auth.h"
#include "csrf.h"
#include "db.h"
#include "log.h"
#include "page.h"
#include "response.h"
#include "router.h"
#include "validate.h"

int route_match(struct pool *p, const char *pattern, const char *path,
                struct kv *caps, int maxcaps)
{
    const char *a = pattern, *b = path;
    int n = 0;

    while (*a != '\0') {
        if (*a == '{') {
            const char *close = strchr(a, '}');
            size_t seg = strcspn(b, "/");
            if (close == NULL || seg == 0 || n >= maxcaps)
                return -1;
            caps[n].key = pool_strndup(p, a + 1, (size_t)(close - a - 1));
            caps[n].val = pool_strndup(p, b, seg);
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
    if (access & A_PUBLIC)
        return 1;
    switch (c->kind) {
    case CALLER_SYSADMIN:
        return (access & A_SYSADMIN) != 0;
    case CALLER_KIOSK:
        return (access & A_KIOSK) != 0;
    case CALLER_DEVICE:
        return (access & A_DEVICE) != 0;
    case CALLER_USER:
        switch (c->role) {
        case ROLE_STAFF:   return (access & A_STAFF) != 0;
        case ROLE_MANAGER: return (access & A_MANAGER) != 0;
        case ROLE_HR:      return (access & A_HR) != 0;
        case ROLE_ADMIN:   return (access & A_ADMIN) != 0;
        default:           return 0;
        }
    default:
        return 0;
    }
}

int route_is_page(const struct route *r, const char *path)
{
    if (r != NULL)
        return (r->access & R_PAGE) != 0;
    return page_path(path);
}

static struct db_stmt st_hotel_by_slug = {
    "router_hotel_by_slug", "SELECT id FROM hotels WHERE slug = $1", 0,
};

/* Resolve req->hotel for the route's tenant rule. Returns 0, or answers
 * (404 / 400 / 503) and returns -1. */
static int resolve_hotel_or_reply(struct request *req)
{
    const struct route *r = req->route;
    const char *slug = NULL;

    if (r->tenant == T_NONE)
        return 0;
    if (r->tenant == T_CALLER) {
        if (req->caller.kind != CALLER_SYSADMIN) {
            req->hotel.id = req->caller.hotel_id;
            snprintf(req->hotel.slug, sizeof req->hotel.slug, "%s", req->caller.hotel_slug);
            return 0;
        }
        slug = req_query(req, "hotel");
        if (slug == NULL) {
            resp_invalid(req, "hotel", "The system administrator must name the hotel with ?hotel=slug.");
            return -1;
        }
    } else {
        slug = req_capture(req, "hotel_slug");
    }
    if (slug == NULL || !valid_slug(slug)) {
        resp_error(req, 404, "NOT_FOUND", "No such hotel.");
        return -1;
    }
    snprintf(req->hotel.slug, sizeof req->hotel.slug, "%s", slug);

    /* a hotel-bound caller may only ever see its own hotel: 404 otherwise */
    if (req->caller.kind != CALLER_SYSADMIN && req->caller.kind != CALLER_NONE) {
        if (strcmp(slug, req->caller.hotel_slug) != 0) {
            resp_error(req, 404, "NOT_FOUND", "No such hotel.");
            return -1;
        }
        req->hotel.id = req->caller.hotel_id;
        return 0;
    }

    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, slug);
    PGresult *res = db_run(&st_hotel_by_slug, &a);
    if (res == NULL) {
        db_fail_reply(req);
        return -1;
    }
    req->hotel.id = PQntuples(res) == 1 ? db_ll(res, 0, 0) : 0;
    PQclear(res);
    if (req->hotel.id == 0 && !(r->tenant == T_PATH_CREATE && req->caller.kind == CALLER_SYSADMIN)) {
        resp_error(req, 404, "NOT_FOUND", "No such hotel.");
        return -1;
    }
    return 0;
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

    if (!(r->access & A_PUBLIC)) {
        enum auth_result res = auth_identify(req);
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
    if (resolve_hotel_or_reply(req) < 0)
        return;
    if (!access_allows(r->access, &req->caller)) {
        resp_error(req, 403, "FORBIDDEN", "Your role may not do this.");
        return;
    }
    if (params_or_reply(req) < 0)
        return;
    r->handler(req);
}
