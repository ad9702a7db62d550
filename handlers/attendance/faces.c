/* faces.c — POST .../clock-logs/register-face/ and DELETE
 * .../clock-logs/revoke-face/{staff_id}/ (contract 5.3, 5.4): who may
 * register or revoke whose face, then face_store.c's registration (the
 * rule checks in the contract's order, the sealed face data and its audit
 * row in one transaction) or revocation, and the answer. */
#include "db.h"
#include "face_store.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "response.h"

/* A change of staff_id's face data by the caller. */
static struct face_change change_of(const struct request *req, long long staff_id)
{
    return (struct face_change){req->tenant.id, staff_id, identity_of(req)->staff_id, req->client_ip,
                                req->user_agent};
}

void h_register_face(struct request *req)
{
    float d[DESCRIPTOR_DIM];
    long long staff_id = arg_int(req, "staff_id"), audit_id;
    struct face_refusal why;
    /* consent is JSON true and nothing else; whether it is missing is
     * decided last, in the contract's order (CONSENT_REQUIRED) */
    struct json_object *c = arg_json(req, "consent_given");
    int consent = json_object_is_type(c, json_type_boolean) && json_object_get_boolean(c);
    size_t n;
    const double *x = arg_nums(req, "descriptor", &n);

    descriptor_from_numbers(x, n, d);   /* checked by the route */
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

    struct face_change change = change_of(req, staff_id);
    switch (face_register(&change, d, self, consent, "kiosk", &audit_id, &why)) {
    case FACE_DONE:
        break;
    case FACE_NO_STAFF:
        resp_error(req, 404, "NOT_FOUND", "No active staff member %lld in this hotel.", staff_id);
        return;
    case FACE_REFUSED:
        resp_error(req, why.status, why.code, "%s", why.message);
        return;
    default:
        db_fail_reply(req);
        return;
    }
    if (db_commit() < 0) {
        db_fail_reply(req);
        db_rollback();
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "message", "Face descriptor registered.");
    jx_add_int(o, "audit_log_id", audit_id);
    jx_add_int(o, "staff_id", staff_id);
    jx_add_bool(o, "has_registered_face", 1);
    resp_json(req, 201, o);
}

void h_revoke_face(struct request *req)
{
    long long staff_id = arg_int(req, "staff_id"), audit_id;
    const char *name;

    if (identity_of(req)->kind == CALLER_USER && identity_of(req)->role == ROLE_STAFF &&
        identity_of(req)->staff_id != staff_id) {
        resp_error(req, 403, "FORBIDDEN", "Staff may revoke only their own face data.");
        return;
    }

    struct face_change change = change_of(req, staff_id);
    switch (face_revoke(&change, arg_str(req, "reason"), req->pool, &name, &audit_id)) {
    case FACE_DONE:
        break;
    case FACE_NO_STAFF:
        resp_error(req, 404, "NOT_FOUND", "No staff member %lld in this hotel.", staff_id);
        return;
    case FACE_NO_DATA:
        resp_error(req, 404, "NOT_FOUND", "%s has no face data.", name);
        return;
    default:
        db_fail_reply(req);
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "message", pool_printf(req->pool, "Face data revoked for %s.", name));
    jx_add_int(o, "staff_id", staff_id);
    jx_add_bool(o, "has_registered_face", 0);
    jx_add_int(o, "audit_log_id", audit_id);
    resp_json(req, 200, o);
}
