/* tenant_store.c — the tenant resolver (fcgi/app.h: app_tenant_or_reply):
 * which hotel a request is about, by its route's tenant rule — the
 * {hotel_slug} of the path, or the caller's own hotel (the system
 * administrator names one with ?hotel=slug) — and the rule that a
 * hotel-bound caller never sees another hotel (404, as if it did not
 * exist). */
#include <stdio.h>
#include <string.h>
#include "access.h"
#include "app.h"
#include "db.h"
#include "response.h"
#include "validate.h"

static struct db_stmt st_hotel_by_slug = {
    "tenant_hotel_by_slug", "SELECT id FROM hotels WHERE slug = $1", 0,
};

int app_tenant_or_reply(struct request *req)
{
    const struct route *r = req->route;
    const struct identity *who = identity_of(req);
    const char *slug = NULL;

    if (r->tenant == T_NONE)
        return 0;
    if (r->tenant == T_CALLER) {
        if (who->kind != CALLER_SYSADMIN) {
            req->tenant.id = who->hotel_id;
            snprintf(req->tenant.slug, sizeof req->tenant.slug, "%s", who->hotel_slug);
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
    snprintf(req->tenant.slug, sizeof req->tenant.slug, "%s", slug);

    /* a hotel-bound caller may only ever see its own hotel: 404 otherwise */
    if (who->kind != CALLER_SYSADMIN && who->kind != CALLER_NONE) {
        if (strcmp(slug, who->hotel_slug) != 0) {
            resp_error(req, 404, "NOT_FOUND", "No such hotel.");
            return -1;
        }
        req->tenant.id = who->hotel_id;
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
    req->tenant.id = PQntuples(res) == 1 ? db_ll(res, 0, 0) : 0;
    PQclear(res);
    if (req->tenant.id == 0 && !(r->tenant == T_PATH_CREATE && who->kind == CALLER_SYSADMIN)) {
        resp_error(req, 404, "NOT_FOUND", "No such hotel.");
        return -1;
    }
    return 0;
}
