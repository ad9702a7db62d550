/* kiosks_store.c — owns the kiosks' statements (kiosks_store.h): the id
 * sequence, the insert of a new kiosk (its key only as a slow hash), the
 * list, the revocation, and the kiosk with its hotel for GET
 * /api/auth/me; a kiosk row as JSON. */
#include <stdio.h>
#include "attendance/action_audit_store.h"
#include "db.h"
#include "jsonx.h"
#include "kiosks_store.h"

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
    "RETURNING " KIOSK_COLS ", revoked_at = now()",
    0,
};
static struct db_stmt st_kiosk_me = {
    "me_kiosk",
    "SELECT k.name, h.slug, h.name FROM kiosks k JOIN hotels h ON h.id = k.hotel_id "
    "WHERE k.id = $1 AND k.hotel_id = $2",
    0,
};

/* KIOSK_COLS of row i */
static const struct db_json_col kiosk_cols[] = {
    {"id", 0, DBJ_INT}, {"name", 1, DBJ_STR}, {"created_at", 2, DBJ_STR}, {"revoked_at", 3, DBJ_STR}, {NULL, 0, 0},
};

int kiosk_next_id(long long *id)
{
    PGresult *r = db_run(&st_next_id, NULL);
    if (r == NULL)
        return -1;
    *id = db_ll(r, 0, 0);
    PQclear(r);
    return 0;
}

/* The audit row of a kiosk's key (kiosk.created, kiosk.revoked): its
 * target and name from the kiosk's JSON o (borrowed). 0 or -1. */
static int audit_kiosk(const struct actor *who, long long hotel_id, const char *action, struct json_object *o)
{
    struct json_object *id = NULL, *name = NULL, *v = json_object_new_object();
    char target[32];

    json_object_object_get_ex(o, "id", &id);
    json_object_object_get_ex(o, "name", &name);
    snprintf(target, sizeof target, "kiosk:%lld", (long long)json_object_get_int64(id));
    json_object_object_add(v, "name", json_object_get(name));
    return action_audit_one(who, hotel_id, action, target, NULL, v);
}

struct json_object *kiosk_insert(long long hotel_id, long long id, const char *name, const char *key_hash,
                                 const struct actor *who, long long created_by)
{
    struct db_args a;
    PGresult *r;

    if (db_begin() < 0)
        return NULL;
    db_args_init(&a);
    db_arg_int(&a, id);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, name);
    db_arg_str(&a, key_hash);
    db_arg_id(&a, created_by);
    if ((r = db_run(&st_insert, &a)) == NULL) {
        db_rollback();
        return NULL;
    }
    struct json_object *o = db_row_object(kiosk_cols, r, 0);
    PQclear(r);
    if (audit_kiosk(who, hotel_id, "kiosk.created", o) < 0 || db_commit() < 0) {
        db_rollback();
        json_object_put(o);
        return NULL;
    }
    return o;
}

const struct listing kiosk_listing = {
    .page = &st_list, .total_col = 4, .id_col = 0, .cols = kiosk_cols,
};

int kiosk_rows(long long hotel_id, long limit, long offset, struct json_object **rows, long long *total)
{
    return listing_rows(&kiosk_listing, hotel_id, NULL, limit, offset, rows, total);
}

int kiosk_revoke(long long hotel_id, long long id, const struct actor *who, struct json_object **kiosk)
{
    struct db_args a;
    PGresult *r;

    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, id);
    if ((r = db_run(&st_revoke, &a)) == NULL) {
        db_rollback();
        return -1;
    }
    int found = PQntuples(r) == 1, first = found && db_bool(r, 0, 4);
    if (found)
        *kiosk = db_row_object(kiosk_cols, r, 0);
    PQclear(r);
    /* a repeated revocation changes nothing and is not audited again */
    if ((first && audit_kiosk(who, hotel_id, "kiosk.revoked", *kiosk) < 0) || db_commit() < 0) {
        db_rollback();
        if (found)
            json_object_put(*kiosk);
        return -1;
    }
    return found;
}

int kiosk_describe(long long hotel_id, long long id, struct json_object *o)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, id);
    db_arg_int(&a, hotel_id);
    if ((r = db_run(&st_kiosk_me, &a)) == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        jx_add_str(o, "name", PQgetvalue(r, 0, 0));
        jx_add_str(o, "hotel", PQgetvalue(r, 0, 1));
        jx_add_str(o, "hotel_name", PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    return found;
}
