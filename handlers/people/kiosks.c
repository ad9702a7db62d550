/* kiosks.c — kiosk keys of a hotel: create (the key is shown once and
 * stored only as a slow hash), list (a listing, app/list_store.h),
 * revoke. */
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "app/list_store.h"
#include "app/listings.h"
#include "response.h"
#include "validate.h"

#define KIOSK_COLS "id, name, fc_ts(created_at), fc_ts(revoked_at)"

static struct db_stmt st_next_id = {"kiosk_next_id", "SELECT nextval('kiosks_id_seq')", 0};
static struct db_stmt st_insert = {
    "kiosk_insert",
    "INSERT INTO kiosks (id, hotel_id, name, key_hash, created_by) VALUES ($1, $2, $3, $4, $5) "
    "RETURNING " KIOSK_COLS,
    0,
};
static struct db_stmt st_list = {
    "kiosk_list",
    "SELECT k.*, c.total FROM (SELECT count(*) AS total FROM kiosks WHERE hotel_id = $1) c "
    "LEFT JOIN LATERAL (SELECT " KIOSK_COLS " FROM kiosks WHERE hotel_id = $1 "
    "ORDER BY id LIMIT $2 OFFSET $3) k ON true",
    0,
};
static struct db_stmt st_revoke = {
    "kiosk_revoke",
    "UPDATE kiosks SET revoked_at = coalesce(revoked_at, now()) WHERE hotel_id = $1 AND id = $2 "
    "RETURNING " KIOSK_COLS,
    0,
};

static struct json_object *kiosk_json(const PGresult *r, int row)
{
    struct json_object *o = json_object_new_object();
    jx_add_int(o, "id", db_ll(r, row, 0));
    jx_add_str(o, "name", db_str(r, row, 1));
    jx_add_str(o, "created_at", db_str(r, row, 2));
    jx_add_str(o, "revoked_at", db_str(r, row, 3));
    return o;
}

void h_kiosks_create(struct request *req)
{
    const char *name = arg_str(req, "name");
    char key[AUTH_KEY_MAX], hash[CRYPTO_HASH_MAX];
    struct db_args a;
    PGresult *r;

    if ((r = db_run(&st_next_id, NULL)) == NULL) {
        db_fail_reply(req);
        return;
    }
    long long id = db_ll(r, 0, 0);
    PQclear(r);
    if (auth_new_key("kio", id, key, hash) < 0) {
        resp_error(req, 500, "INTERNAL", "Could not make a key.");
        return;
    }
    db_args_init(&a);
    db_arg_int(&a, id);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, name);
    db_arg_str(&a, hash);
    if (identity_of(req)->kind == CALLER_USER)
        db_arg_int(&a, identity_of(req)->user_id);
    else
        db_arg_null(&a);
    if ((r = db_run(&st_insert, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    struct json_object *o = kiosk_json(r, 0);
    PQclear(r);
    jx_add_str(o, "api_key", key);
    resp_json(req, 201, o);
}

static struct json_object *kiosk_row_json(const void *filter, const PGresult *r, int i)
{
    (void)filter;
    return kiosk_json(r, i);
}

static const struct listing kiosk_listing = {
    .page = &st_list, .total_col = 4, .id_col = 0, .row = kiosk_row_json,
};

int kiosk_rows(long long hotel_id, long limit, long offset,
               struct json_object **rows, long long *total)
{
    return listing_rows(&kiosk_listing, hotel_id, NULL, limit, offset, rows, total);
}

void h_kiosks_list(struct request *req)
{
    listing_reply(req, &kiosk_listing, NULL);
}

void h_kiosks_revoke(struct request *req)
{
    long long id = arg_int(req, "kiosk_id");
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, id);
    if ((r = db_run(&st_revoke, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        resp_error(req, 404, "NOT_FOUND", "No such kiosk.");
        return;
    }
    struct json_object *o = kiosk_json(r, 0);
    PQclear(r);
    resp_json(req, 200, o);
}
