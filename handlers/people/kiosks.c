/* kiosks.c — kiosk keys of a hotel (kiosks_store.c): create (the key is
 * shown once and stored only as a slow hash), list (a listing,
 * app/list_store.h), revoke. */
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "jsonx.h"
#include "kiosks_store.h"
#include "response.h"

void h_kiosks_create(struct request *req)
{
    const char *name = arg_str(req, "name");
    char key[AUTH_KEY_MAX], hash[AUTH_KEY_HASH_MAX];
    long long id;

    if (kiosk_next_id(&id) < 0) {
        db_fail_reply(req);
        return;
    }
    if (auth_new_key("kio", id, key, hash) < 0) {
        resp_error(req, 500, "INTERNAL", "Could not make a key.");
        return;
    }
    long long created_by = identity_of(req)->kind == CALLER_USER ? identity_of(req)->user_id : 0;
    struct actor who;
    actor_of(req, &who);
    struct json_object *o = kiosk_insert(req->tenant.id, id, name, hash, &who, created_by);
    if (o == NULL) {
        db_fail_reply(req);
        return;
    }
    jx_add_str(o, "api_key", key);
    resp_json(req, 201, o);
}

void h_kiosks_list(struct request *req)
{
    listing_reply(req, &kiosk_listing, NULL);
}

void h_kiosks_revoke(struct request *req)
{
    struct json_object *o;
    struct actor who;

    actor_of(req, &who);
    switch (kiosk_revoke(req->tenant.id, arg_int(req, "kiosk_id"), &who, &o)) {
    case 1:
        resp_json(req, 200, o);
        break;
    case 0:
        resp_error(req, 404, "NOT_FOUND", "No such kiosk.");
        break;
    default:
        db_fail_reply(req);
        break;
    }
}
