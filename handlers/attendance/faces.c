/* faces.c — POST .../clock-logs/register-face/ and DELETE
 * .../clock-logs/revoke-face/{staff_id}/ (contract 5.3, 5.4): the rule
 * checks in the contract's order, the sealed face data and its audit row
 * in one transaction. */
#include <string.h>
#include "db.h"
#include "face_store.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "people/staff_rules.h"
#include "response.h"
#include "validate.h"

void h_register_face(struct request *req)
{
    float d[DESCRIPTOR_DIM];
    long long staff_id = arg_int(req, "staff_id");
    /* consent is JSON true and nothing else; whether it is missing is
     * decided last, in the contract's order (CONSENT_REQUIRED) */
    struct json_object *c = arg_json(req, "consent_given");
    int consent = json_object_is_type(c, json_type_boolean) && json_object_get_boolean(c);

    descriptor_from_json(arg_json(req, "descriptor"), d);   /* checked by the route */
    if (staff_id == 0)
        staff_id = identity_of(req)->staff_id;
    if (staff_id == 0) {
        resp_invalid(req, "staff_id", "staff_id is required.");
        return;
    }
    int self = identity_of(req)->kind == CALLER_USER && identity_of(req)->staff_id == staff_id;
    if (identity_of(req)->kind == CALLER_USER && identity_of(req)->role == ROLE_STAFF && !self) {
        resp_error(req, 403, "FORBIDDEN", "Staff may register only their own face.");
        return;
    }

    long long audit_id;
    int done = face_register(req, staff_id, pool_printf(req->pool, "%lld", staff_id), d, self, consent,
                             "kiosk", &audit_id);
    if (done == 0)
        return;
    if (done < 0 || db_commit() < 0)
        goto db_fail;

    struct json_object *o = json_object_new_object();
    jx_add_str(o, "message", "Face descriptor registered.");
    jx_add_int(o, "audit_log_id", audit_id);
    jx_add_int(o, "staff_id", staff_id);
    jx_add_bool(o, "has_registered_face", 1);
    resp_json(req, 201, o);
    return;
db_fail:
    db_fail_reply(req);
    db_rollback();
}

static struct db_stmt st_staff_name = {
    "face_staff_name",
    "SELECT first_name, last_name FROM staff WHERE hotel_id = $1 AND id = $2 FOR UPDATE", 0,
};

void h_revoke_face(struct request *req)
{
    const char *reason = arg_str(req, "reason");
    long long staff_id = arg_int(req, "staff_id");
    struct db_args a;
    PGresult *r;

    if (identity_of(req)->kind == CALLER_USER && identity_of(req)->role == ROLE_STAFF &&
        identity_of(req)->staff_id != staff_id) {
        resp_error(req, 403, "FORBIDDEN", "Staff may revoke only their own face data.");
        return;
    }

    if (face_tx_begin(req->tenant.id) < 0)
        goto db_fail;
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, staff_id);
    if ((r = db_run(&st_staff_name, &a)) == NULL)
        goto db_fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        db_rollback();
        resp_error(req, 404, "NOT_FOUND", "No staff member %lld in this hotel.", staff_id);
        return;
    }
    const char *name = staff_display_name(req->pool, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    PQclear(r);
    long long audit_id = face_store_revoke(req->tenant.id, staff_id, reason, identity_of(req)->staff_id,
                                           req->client_ip, req->user_agent);
    if (audit_id < 0)
        goto db_fail;
    if (audit_id == 0) {
        db_rollback();
        resp_error(req, 404, "NOT_FOUND", "%s has no face data.", name);
        return;
    }
    if (db_commit() < 0)
        goto db_fail;
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "message", pool_printf(req->pool, "Face data revoked for %s.", name));
    jx_add_int(o, "staff_id", staff_id);
    jx_add_bool(o, "has_registered_face", 0);
    jx_add_int(o, "audit_log_id", audit_id);
    resp_json(req, 200, o);
    return;
db_fail:
    db_fail_reply(req);
    db_rollback();
}
