/* pms.c — PUT .../pms-sync/ (contract 4): validate the document
 * (pms_rules.c), apply it in one transaction (pms_store.c), answer the
 * counts; a bad row rejects the whole document (400 naming the row). */
#include "app/handlers.h"
#include "db.h"
#include "log.h"
#include "pms_store.h"
#include "response.h"

void h_pms_sync(struct request *req)
{
    struct json_object *doc = req_json_body_or_reply(req);
    struct pms_error err;
    struct pms_result res;
    struct pms_actor actor = {.staff_id = identity_of(req)->staff_id};

    if (doc == NULL)
        return;
    actor_of(req, &actor.who);
    if (pms_validate(doc, &err) < 0) {
        resp_invalid(req, err.field, "%s", err.message);
        return;
    }
    switch (pms_apply(req->tenant.slug, identity_of(req)->kind == CALLER_SYSADMIN, doc, &actor, &res, &err)) {
    case PMS_OK:
        log_info("pms sync of %s: staff +%ld ~%ld, roster +%ld ~%ld", req->tenant.slug,
                 res.staff.created, res.staff.updated, res.roster.created, res.roster.updated);
        resp_json(req, 200, pms_result_json(req->tenant.slug, &res));
        break;
    case PMS_INVALID:
        resp_invalid(req, err.field, "%s", err.message);
        break;
    case PMS_NOT_FOUND:
        resp_error(req, 404, "NOT_FOUND", "No such hotel.");
        break;
    default:
        db_fail_reply(req);
        break;
    }
}
