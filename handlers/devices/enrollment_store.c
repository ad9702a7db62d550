/* enrollment_store.c — owns the enrollments table and the reading of a
 * person's enrollment (enrollment_store.h): the statements, the
 * thumbnail's bytea both ways (sealed like the face data, by
 * attendance/face_store.c's sealed_hex and sealed_open), and the status
 * answer. The face data itself is attendance/face_store.c's. */
#include <string.h>
#include "attendance/face_store.h"
#include "b64_rules.h"
#include "db.h"
#include "device_rules.h"
#include "enrollment_store.h"
#include "jsonx.h"
#include "log.h"

static struct db_stmt st_staff = {
    "enr_staff",
    "SELECT id FROM staff WHERE hotel_id = $1 AND employee_code = $2 AND is_active", 0,
};
static struct db_stmt st_upsert = {
    "enr_upsert",
    "INSERT INTO enrollments AS e (hotel_id, staff_id, status, thumbnail, embedding_model, "
    "image_count, enrolled_at) VALUES ($1, $2, 'pending', $3::bytea, $4, $5, now()) "
    "ON CONFLICT (hotel_id, staff_id) DO UPDATE SET status = 'pending', "
    "thumbnail = EXCLUDED.thumbnail, embedding_model = EXCLUDED.embedding_model, "
    "image_count = EXCLUDED.image_count, enrolled_at = EXCLUDED.enrolled_at "
    "RETURNING fc_ts(e.enrolled_at)",
    0,
};
/* face data present?, enrollment row (status, thumbnail, model, time) */
static struct db_stmt st_status = {
    "enr_status",
    "SELECT s.id, f.staff_id IS NOT NULL, e.status, e.thumbnail, "
    "coalesce(e.embedding_model, '" ENROLLMENT_MODEL "'), fc_ts(coalesce(e.enrolled_at, f.registered_at)) "
    "FROM staff s LEFT JOIN face_data f ON f.hotel_id = s.hotel_id AND f.staff_id = s.id "
    "LEFT JOIN enrollments e ON e.hotel_id = s.hotel_id AND e.staff_id = s.id "
    "WHERE s.hotel_id = $1 AND s.employee_code = $2",
    0,
};
static struct db_stmt st_devices = {
    "enr_devices",
    "SELECT d.device_id, d.display_name, d.provisioned_at IS NOT NULL, "
    "extract(epoch FROM now() - d.last_heartbeat_at), d.sync_version "
    "FROM device_profiles p JOIN devices d ON d.id = p.device_pk "
    "WHERE p.hotel_id = $1 AND p.staff_id = $2 AND d.hotel_id = $1 AND d.deactivated_at IS NULL "
    "ORDER BY d.device_id",
    0,
};

int enrollment_staff(long long hotel_id, const char *code, long long *staff_id)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, code);
    if ((r = db_run(&st_staff, &a)) == NULL)
        return -1;
    int found = PQntuples(r) > 0;
    if (found)
        *staff_id = db_ll(r, 0, 0);
    PQclear(r);
    return found;
}

int enrollment_save(struct pool *pool, long long hotel_id, long long staff_id, const unsigned char *thumb,
                    size_t thumb_len, int image_count, const char **enrolled_at)
{
    struct db_args a;
    PGresult *r;
    char *hex = pool_alloc(pool, SEALED_HEX_SIZE(thumb_len));

    if (sealed_hex(SEALED_THUMB, hotel_id, staff_id, thumb, thumb_len, hex) < 0) {
        db_rollback();
        return -1;
    }
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, hex);
    db_arg_str(&a, ENROLLMENT_MODEL);
    db_arg_int(&a, image_count);
    if ((r = db_run(&st_upsert, &a)) == NULL) {
        db_rollback();
        return -1;
    }
    *enrolled_at = pool_strdup(pool, db_str(r, 0, 0));
    PQclear(r);
    if (db_commit() < 0) {
        db_rollback();
        return -1;
    }
    return 0;
}

const char *enrollment_thumb_url(struct pool *pool, const unsigned char *thumb, size_t thumb_len)
{
    static const char prefix[] = "data:" ENROLLMENT_IMAGE_MIME ";base64,";
    char *url = pool_alloc(pool, sizeof prefix + B64_ENCODED_LEN(thumb_len));

    memcpy(url, prefix, sizeof prefix - 1);
    b64_encode(thumb, thumb_len, url + sizeof prefix - 1);
    return url;
}

/* Staff member staff_id's thumbnail column (sealed bytea as text) as a
 * data URL (pool), or NULL (none, or it does not open: logged). */
static const char *thumb_column_url(struct pool *pool, long long hotel_id, long long staff_id,
                                    const char *bytea)
{
    size_t cap, n = 0;
    unsigned char *thumb;

    if (bytea == NULL)
        return NULL;
    cap = strlen(bytea) / 2;          /* "\\x" and two hex digits a byte: more than it holds */
    thumb = pool_alloc(pool, cap);
    if (sealed_open(SEALED_THUMB, hotel_id, staff_id, bytea, thumb, cap, &n, NULL) < 0) {
        log_error("the thumbnail of staff %lld (hotel %lld) does not unseal", staff_id, hotel_id);
        return NULL;
    }
    return enrollment_thumb_url(pool, thumb, n);
}

/* The active devices holding staff_id's profile, each with its
 * connectivity by the rule the device list uses, into the array devices.
 * 0 or -1. */
static int holders_json(long long hotel_id, long long staff_id, struct json_object *devices)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    if ((r = db_run(&st_devices, &a)) == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        struct json_object *dv = json_object_new_object();
        jx_add_str(dv, "device_id", db_str(r, i, 0));
        jx_add_str(dv, "display_name", db_str(r, i, 1));
        enum device_status ds = device_status(db_bool(r, i, 2), !PQgetisnull(r, i, 3), db_double(r, i, 3));
        jx_add_str(dv, "status", device_status_name(ds));
        jx_add_int(dv, "sync_version", db_ll(r, i, 4));
        json_object_array_add(devices, dv);
    }
    PQclear(r);
    return 0;
}

int enrollment_status(struct pool *pool, long long hotel_id, const char *code, struct json_object **status)
{
    struct json_object *o, *devices;
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, code);
    if ((r = db_run(&st_status, &a)) == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    long long staff_id = db_ll(r, 0, 0);
    int has_face = db_bool(r, 0, 1);
    const char *shown = has_face ? db_str(r, 0, 2) : "unenrolled";
    o = json_object_new_object();
    jx_add_str(o, "employee_id", code);
    /* face data registered at a kiosk has no enrollment row: pending */
    jx_add_str(o, "enrollment_status", shown != NULL ? shown : "pending");
    jx_add_str(o, "thumbnail", has_face ? thumb_column_url(pool, hotel_id, staff_id, db_str(r, 0, 3)) : NULL);
    jx_add_str(o, "embedding_model", has_face ? db_str(r, 0, 4) : NULL);
    jx_add_str(o, "enrolled_at", has_face ? db_str(r, 0, 5) : NULL);
    PQclear(r);

    devices = json_object_new_array();
    json_object_object_add(o, "devices", devices);
    if (has_face && holders_json(hotel_id, staff_id, devices) < 0) {
        json_object_put(o);
        return -1;
    }
    *status = o;
    return 1;
}
