/* sync_store.c — owns the statements of a device's sync (sync_store.h):
 * the state read, the full and incremental change lists (read row by row
 * in libpq's single-row mode, db_each_row, each addition's face data
 * unsealed and sent as base64) and the device row's mark. The change log
 * itself (face_changes) is written by sql/ triggers and push_store.c. */
#include <stdio.h>
#include <string.h>
#include "b64_rules.h"
#include "db.h"
#include "attendance/face_store.h"
#include "jsonx.h"
#include "log.h"
#include "sync_store.h"

/* The device's model, the hotel's version and kept history, now, how many
 * profiles the device holds (counted only when the version moved since
 * its last sync: sql/004_device_sync_total.sql), and what its row holds. */
static struct db_stmt st_state = {
    "sync_state",
    "SELECT d.model, h.sync_version, h.sync_floor, fc_ts(now()), "
    "CASE WHEN d.sync_version = h.sync_version AND d.sync_total IS NOT NULL THEN d.sync_total "
    "ELSE (SELECT count(*) FROM device_profiles p WHERE p.device_pk = d.id) END, "
    "d.sync_version, d.last_heartbeat_at IS NOT NULL, "
    "coalesce(extract(epoch FROM now() - d.last_heartbeat_at), 0)::float8 "
    "FROM devices d JOIN hotels h ON h.id = d.hotel_id "
    "WHERE d.id = $1 AND d.hotel_id = $2 AND d.deactivated_at IS NULL",
    0,
};
enum state_col { SC_MODEL, SC_CURRENT, SC_FLOOR, SC_NOW, SC_TOTAL, SC_STORED, SC_HAS_HB, SC_HB_AGE };

/* Rows of both queries, in enum row_col order: 'a' for an addition, 'r'
 * for a removal (employee code only). */
#define ADDITION_COLS \
    "'a', s.id, s.employee_code, f.descriptor_enc, s.first_name, s.last_name, " \
    "coalesce(e.embedding_model, 'face-api.js') "
#define ADDITION_FROM \
    "FROM device_profiles p JOIN staff s ON s.hotel_id = p.hotel_id AND s.id = p.staff_id " \
    "JOIN face_data f ON f.hotel_id = p.hotel_id AND f.staff_id = p.staff_id " \
    "LEFT JOIN enrollments e ON e.hotel_id = p.hotel_id AND e.staff_id = p.staff_id " \
    "WHERE p.device_pk = $1 AND p.hotel_id = $2 "
enum row_col { RC_KIND, RC_STAFF, RC_CODE, RC_FACE, RC_FIRST, RC_LAST, RC_MODEL };

/* since_version 0: every profile the device holds */
static struct db_stmt st_full = {
    "sync_full",
    "SELECT " ADDITION_COLS ADDITION_FROM "ORDER BY p.staff_id",
    0,
};
/* $3 = since_version. Additions: profiles the device holds that were
 * pushed to it, or whose face data was replaced, after since; removals:
 * people taken off it after since that it does not hold again. Both are
 * found through the change log's indexes, not by comparing sets. */
static struct db_stmt st_incremental = {
    "sync_incremental",
    "SELECT " ADDITION_COLS ADDITION_FROM "AND p.staff_id IN ("
    "  SELECT c.staff_id FROM face_changes c WHERE c.hotel_id = $2 AND c.device_pk = $1 "
    "  AND c.kind = 'push' AND c.version > $3 "
    "  UNION SELECT c.staff_id FROM face_changes c WHERE c.hotel_id = $2 AND c.device_pk IS NULL "
    "  AND c.kind = 'update' AND c.version > $3) "
    "UNION ALL "
    "SELECT 'r', NULL, r.employee_code, NULL, NULL, NULL, NULL FROM ("
    "  SELECT DISTINCT c.employee_code FROM face_changes c "
    "  WHERE c.hotel_id = $2 AND c.device_pk = $1 AND c.kind = 'remove' AND c.version > $3 "
    "  AND NOT EXISTS (SELECT 1 FROM device_profiles p "
    "                  WHERE p.device_pk = $1 AND p.staff_id = c.staff_id)) r "
    "ORDER BY 1, 2, 3",
    0,
};
/* $3: the version it is now at and $4 the profiles it holds there; NULL
 * to leave both */
static struct db_stmt st_seen = {
    "sync_device_seen",
    "UPDATE devices SET last_heartbeat_at = now(), sync_version = coalesce($3, sync_version), "
    "sync_total = CASE WHEN $3 IS NULL THEN sync_total ELSE $4::bigint END "
    "WHERE id = $1 AND hotel_id = $2",
    0,
};

int sync_device_load(struct pool *pool, long long device_pk, long long hotel_id, struct sync_device *d)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, hotel_id);
    if ((r = db_run(&st_state, &a)) == NULL)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        d->hotel.current = db_ll(r, 0, SC_CURRENT);
        d->hotel.floor = db_ll(r, 0, SC_FLOOR);
        d->hotel.device_model = pool_strdup(pool, PQgetvalue(r, 0, SC_MODEL));
        d->total = db_ll(r, 0, SC_TOTAL);
        d->now = pool_strdup(pool, PQgetvalue(r, 0, SC_NOW));
        d->stored = db_ll(r, 0, SC_STORED);
        d->has_heartbeat = db_bool(r, 0, SC_HAS_HB);
        d->heartbeat_age = db_double(r, 0, SC_HB_AGE);
    }
    PQclear(r);
    return found;
}

/* sync_changes() between db_each_row and its caller's row() */
struct changes {
    long long hotel_id;
    int (*row)(void *ctx, int removal, struct json_object *item);
    void *ctx;
    int bad_face;              /* face data that does not unseal */
};

/* Row i as the answer lists it, to the caller's row() (db_each_row
 * callback). 0, or -1 (row() stopped, or face data that does not unseal:
 * logged, ch->bad_face set). */
static int change_row(void *ctx, const PGresult *r, int i)
{
    struct changes *ch = ctx;
    struct json_object *o;
    int removal = *PQgetvalue(r, i, RC_KIND) == 'r';

    if (removal) {
        o = json_object_new_string(PQgetvalue(r, i, RC_CODE));
    } else {
        float d[DESCRIPTOR_DIM];
        char emb[B64_DESCRIPTOR_LEN + 1], name[1024];
        long long staff_id = db_ll(r, i, RC_STAFF);
        if (face_unseal(ch->hotel_id, staff_id, PQgetvalue(r, i, RC_FACE), d) < 0) {
            log_error("face data of staff %lld (hotel %lld) does not unseal", staff_id, ch->hotel_id);
            ch->bad_face = 1;
            return -1;
        }
        b64_descriptor(d, emb);
        memset(d, 0, sizeof d);
        const char *last = PQgetvalue(r, i, RC_LAST);
        snprintf(name, sizeof name, "%s%s%s", PQgetvalue(r, i, RC_FIRST), *last ? " " : "", last);
        o = json_object_new_object();
        jx_add_str(o, "user_id", PQgetvalue(r, i, RC_CODE));
        jx_add_str(o, "embedding", emb);
        jx_add_int(o, "dim", DESCRIPTOR_DIM);
        jx_add_str(o, "model", PQgetvalue(r, i, RC_MODEL));
        jx_add_str(o, "display_name", name);
    }
    int rc = ch->row(ch->ctx, removal, o);
    json_object_put(o);
    return rc;
}

int sync_changes(long long device_pk, long long hotel_id, long long since,
                 int (*row)(void *ctx, int removal, struct json_object *item), void *ctx)
{
    struct changes ch = {hotel_id, row, ctx, 0};
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, hotel_id);
    if (since > 0)
        db_arg_int(&a, since);
    if (db_each_row(since > 0 ? &st_incremental : &st_full, &a, change_row, &ch) >= 0)
        return 0;
    return ch.bad_face ? -2 : -1;
}

int sync_device_mark(long long device_pk, long long hotel_id, long long version, long long total)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, hotel_id);
    if (version >= 0) {
        db_arg_int(&a, version);
        db_arg_int(&a, total);
    } else {
        db_arg_null(&a);
        db_arg_null(&a);
    }
    return db_exec(&st_seen, &a) < 0 ? -1 : 0;
}
