/* receipt_store.c — owns devices.applied_version / applied_at and the
 * revocations listing (receipt_store.h): a revocation is the group of
 * face_changes of kind 'remove' written for one person in one
 * transaction (one per device that held the face, all with that
 * transaction's created_at); a device in service still holds it while its
 * applied_version is below its own change's version. */
#include "db.h"
#include "receipt_store.h"

/* the hotel's version bounds what can have been applied */
static struct db_stmt st_record = {
    "receipt_record",
    "UPDATE devices d SET applied_version = $3, applied_at = now() FROM hotels h "
    "WHERE d.id = $1 AND d.hotel_id = $2 AND h.id = d.hotel_id AND $3 <= h.sync_version "
    "AND d.deactivated_at IS NULL",
    0,
};

int receipt_record(long long device_pk, long long hotel_id, long long applied)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, applied);
    long n = db_exec(&st_record, &a);
    return n < 0 ? -1 : n > 0;
}

/* $1 hotel, $2 pending (NULL any), $3 staff id (NULL anyone), $4 limit,
 * $5 offset. A change counts for a device registered before it and not
 * decommissioned by it (decommissioning logs what the device held as
 * removed, in the same transaction). */
#define REVOCATIONS                                                                                      \
    "WITH r AS (SELECT f.staff_id, f.employee_code, f.created_at, f.version, d.device_id, "             \
    "  d.applied_version, d.applied_at, "                                                               \
    "  (d.deactivated_at IS NULL AND d.applied_version < f.version) AS pending "                        \
    "  FROM face_changes f JOIN devices d ON d.id = f.device_pk "                                       \
    "  WHERE f.hotel_id = $1 AND f.kind = 'remove' AND ($3::bigint IS NULL OR f.staff_id = $3) "        \
    "  AND f.version > d.registered_version AND f.created_at IS DISTINCT FROM d.deactivated_at), "          \
    "g AS (SELECT staff_id, min(employee_code) AS employee_code, created_at, max(version) AS version, " \
    "  count(*) AS devices, count(*) FILTER (WHERE pending) AS pending_count, "                         \
    "  coalesce(json_agg(json_build_object('device_id', device_id, 'since', fc_ts(created_at), "        \
    "    'applied_version', applied_version, 'applied_at', fc_ts(applied_at)) ORDER BY device_id) "     \
    "    FILTER (WHERE pending), '[]') AS pending_devices "                                             \
    "  FROM r GROUP BY staff_id, created_at "                                                           \
    "  HAVING $2::bool IS NULL OR (count(*) FILTER (WHERE pending) > 0) = $2) "

enum { C_STAFF, C_CODE, C_AT, C_VERSION, C_DEVICES, C_PENDING, C_COMPLETE, C_PENDING_DEVICES, C_TOTAL };

static struct db_stmt st_list = {
    "revocations_list",
    REVOCATIONS
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM g) c LEFT JOIN LATERAL ("
    "SELECT staff_id, employee_code, fc_ts(created_at), version, devices, pending_count, pending_count = 0, "
    "pending_devices FROM g ORDER BY created_at DESC, staff_id LIMIT $4 OFFSET $5) p ON true",
    0,
};

static const struct db_json_col revocation_cols[] = {
    {"staff_id", C_STAFF, DBJ_INT},
    {"employee_id", C_CODE, DBJ_STR},
    {"revoked_at", C_AT, DBJ_STR},
    {"version", C_VERSION, DBJ_INT},
    {"devices", C_DEVICES, DBJ_INT},
    {"pending_count", C_PENDING, DBJ_INT},
    {"complete", C_COMPLETE, DBJ_BOOL},
    {"pending_devices", C_PENDING_DEVICES, DBJ_JSON},
    {NULL, 0, 0},
};

/* $2, $3 of the listing */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct revocation_filter *f = filter;

    if (f->pending < 0)
        db_arg_null(a);
    else
        db_arg_bool(a, f->pending);
    db_arg_id(a, f->staff_id);
}

const struct listing revocation_list = {
    .page = &st_list, .total_col = C_TOTAL, .id_col = C_STAFF, .bind = filter_args, .cols = revocation_cols,
};
