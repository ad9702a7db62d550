/* router.h — the route table type and the dispatcher.
 * Each route declares who may call it; the router has the application
 * identify the caller and resolve the tenant (fcgi/app.h), and enforces
 * the declaration before the handler runs, so no handler can forget the
 * check:
 *   unknown path -> 404 NOT_FOUND, known path wrong method -> 405,
 *   no/invalid credentials -> 401, another tenant's object -> 404 (the
 *   tenant resolver's answer), access not granted -> 403, a cookie write
 *   without its CSRF token -> 403 CSRF_FAILED (fcgi/csrf.h).
 * A page route (R_PAGE) answers the same errors as HTML pages, and an
 * unauthenticated request to it is sent to the login page (303) instead
 * of 401; so is any path under /dashboard/ that matches no route. */
#ifndef FC_ROUTER_H
#define FC_ROUTER_H

#include "request.h"

/* who may call, and the route's flags, in one word. Bits 1..15 are the
 * application's kinds of caller: a caller holds some of them (its
 * grants, set by the identify hook) and may call a route that names one. */
enum access {
    A_PUBLIC   = 1 << 0,    /* no credentials needed */
    A_APP_BITS = 0xfffe,    /* the application's bits, 1 << 1 .. 1 << 15 */

    /* not a caller: a flag of the route, kept in the same word */
    R_PAGE     = 1 << 16,   /* an HTML page of the dashboard (fcgi/page.h) */
};

/* how the tenant is found; the application's tenant resolver reads it */
enum tenant_rule {
    T_NONE = 0,             /* not about a tenant (login, healthz) */
    T_PATH,                 /* the tenant's slug is captured in the path; must exist */
    T_PATH_CREATE,          /* the same, but the platform operator may name a new one */
    T_CALLER,               /* the caller's own; the platform operator names one in the query */
};

/* where the reads a handler marks (db_read_begin(), db.h) may go */
enum route_reads {
    READS_PRIMARY = 0,      /* the primary, as every statement */
    READS_STANDBY,          /* a standby that has replayed what the caller wrote
                               (FACECLOCK_READ_DATABASE_URL), else the primary */
};

typedef void (*handler_fn)(struct request *req);

struct route {
    const char *method;
    const char *pattern;    /* "/api/t/{slug}/items/{item_id}/": {captures} */
    handler_fn handler;
    unsigned access;        /* enum access bits */
    enum tenant_rule tenant;
    const char *name;       /* label for logs and metrics, e.g. "items.create" */
    const char *src;        /* the file that handles it, under handlers/ */
    const struct param *params;   /* what it takes (params.h), {NULL}-terminated; NULL: nothing */
    const char *const *answers;   /* what the handler itself answers besides the router's own
                                     refusals: "201", "409 SOME_CODE"; NULL-terminated */
    const char *summary;    /* one line for the OpenAPI document */
    const char *scope;      /* NULL, or a finer permission within access the application
                               checks for the identified caller (app_scope_or_reply) */
    enum route_reads reads; /* READS_STANDBY: its marked reads may go to a standby */
};

/* Match path against pattern (trailing slash optional). Captures go to
 * caps (pool strings). Returns the number of captures, or -1. Pure. */
int route_match(struct pool *p, const char *pattern, const char *path,
                struct kv *caps, int maxcaps);

/* Find the route for method+path in table[0..n). Returns the route, or
 * NULL with *status 404 (no such path) or 405 (path known, method not). */
const struct route *route_find(struct pool *p, const struct route *table, int n,
                               const char *method, const char *path,
                               struct kv *caps, int *ncaps, int *status);

/* "GET, POST" — the methods table[0..n) has for path (pool string). */
const char *route_methods(struct pool *p, const struct route *table, int n, const char *path);

/* Whether a caller may use a route's access set: a public route, or one
 * naming an application bit the caller holds (ignores the tenant). Pure. */
int access_allows(unsigned access, const struct caller *c);

/* Whether a request is a page request: the route's R_PAGE flag, or with
 * no route (NULL) a path under /dashboard/. Pure. */
int route_is_page(const struct route *r, const char *path);

/* Route, authenticate, authorize and run the handler. Always answers. */
void router_dispatch(struct request *req);

#endif
