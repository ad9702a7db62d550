/* enrollment.c — POST /api/enrollment/capture and GET
 * /api/enrollment/{employee_id} (contract 6, docs/iot.md). A capture is
 * validated whole first (poses, images, descriptors, then their
 * agreement), then the rules of register-face in its order (hotel,
 * department, consent); the mean descriptor becomes the face data, audited,
 * and the enrollment row keeps the front image's thumbnail, all in one
 * transaction. The tenant is the caller's hotel (route T_CALLER). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "b64_rules.h"
#include "capture_rules.h"
#include "crypto.h"
#include "db.h"
#include "device_rules.h"
#include "attendance/face_store.h"
#include "app/handlers.h"
#include "jpeg_rules.h"
#include "jsonx.h"
#include "response.h"
#include "validate.h"

#define IMAGE_MAX (512 * 1024)          /* bytes of one decoded image */
#define IMAGE_MIME "image/jpeg"
#define EMBEDDING_MODEL "face-api.js"

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
    "coalesce(e.embedding_model, '" EMBEDDING_MODEL "'), fc_ts(coalesce(e.enrolled_at, f.registered_at)) "
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

/* One validated capture, stored by pose. */
struct capture {
    int index;                          /* position in the request's array */
    float descriptor[DESCRIPTOR_DIM];
};

/* {"code", "message", "pose"[, "field"]}: an error about one pose. */
static void reply_pose(struct request *req, int status, const char *code, int pose,
                       const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void reply_pose(struct request *req, int status, const char *code, int pose,
                       const char *field, const char *fmt, ...)
{
    struct json_object *o = json_object_new_object();
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jx_add_str(o, "code", code);
    jx_add_str(o, "message", msg);
    if (field != NULL)
        jx_add_str(o, "field", field);
    jx_add_str(o, "pose", pose_name(pose));
    req->error_code = code;
    resp_json(req, status, o);
}

/* A string member without embedded NULs, or NULL. */
static const char *member_str(struct json_object *o, const char *key, size_t *len)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    *len = (size_t)json_object_get_string_len(v);
    return strlen(s) == *len ? s : NULL;
}

/* captures[i].imageData: a JPEG data URL of at most IMAGE_MAX bytes that
 * decodes. The front pose's thumbnail (a JPEG) goes to *thumb (pool
 * memory). 0, or -1 after answering. */
static int image_or_reply(struct request *req, struct json_object *item, int i, int pose,
                          const unsigned char **thumb, size_t *thumb_len)
{
    const char *field = pool_printf(req->pool, "captures[%d].imageData", i), *url, *b64;
    size_t url_len, b64_len, n;
    unsigned char *img, *t = NULL;
    int w, h, rc;

    url = member_str(item, "imageData", &url_len);
    if (url == NULL || (b64 = b64_data_url(url, IMAGE_MIME, &b64_len)) == NULL) {
        resp_invalid(req, field, "%s must be a data:image/jpeg;base64, URL.", field);
        return -1;
    }
    if (b64_decoded_size(b64, b64_len, &n) < 0) {
        resp_invalid(req, field, "%s is not valid base64.", field);
        return -1;
    }
    if (n > IMAGE_MAX) {
        reply_pose(req, 413, "PAYLOAD_TOO_LARGE", pose, field,
                   "The %s image is %zu bytes; at most %d bytes (512 KiB) per image.",
                   pose_name(pose), n, IMAGE_MAX);
        return -1;
    }
    img = pool_alloc(req->pool, n + 1);
    if (b64_decode(b64, b64_len, img, n, &n) != B64_OK) {
        resp_invalid(req, field, "%s is not valid base64.", field);
        return -1;
    }
    if (pose != POSE_FRONT) {
        rc = jpeg_check(img, n, &w, &h);
    } else if ((rc = jpeg_thumbnail(img, n, &t, thumb_len)) == JPEG_OK) {
        unsigned char *copy = pool_alloc(req->pool, *thumb_len);

        memcpy(copy, t, *thumb_len);
        jpeg_free(t);
        *thumb = copy;
    }
    if (rc == JPEG_TOO_LARGE) {
        resp_invalid(req, field, "%s (pose %s) is larger than %dx%d pixels.", field, pose_name(pose),
                     JPEG_MAX_SIDE, JPEG_MAX_SIDE);
        return -1;
    }
    if (rc != JPEG_OK) {
        resp_invalid(req, field, "%s (pose %s) is not a JPEG image.", field, pose_name(pose));
        return -1;
    }
    return 0;
}

/* The captures array, validated whole into caps (by pose), with the front
 * image's thumbnail. 0, or -1 after answering. */
static int captures_or_reply(struct request *req, struct json_object *arr,
                             struct capture caps[POSE_COUNT], const unsigned char **thumb,
                             size_t *thumb_len)
{
    struct json_object *item[POSE_COUNT];
    const char *names[POSE_COUNT];
    int slot[POSE_COUNT];
    struct pose_check pc;
    size_t len;

    for (int i = 0; i < POSE_COUNT; i++) {
        item[i] = json_object_array_get_idx(arr, (size_t)i);
        if (!json_object_is_type(item[i], json_type_object)) {
            const char *field = pool_printf(req->pool, "captures[%d]", i);
            resp_invalid(req, field, "%s must be an object {pose, imageData, descriptor}.", field);
            return -1;
        }
        names[i] = member_str(item[i], "pose", &len);
    }
    switch (capture_poses(names, POSE_COUNT, slot, &pc)) {
    case POSES_OK:
        break;
    case POSES_UNKNOWN:
        resp_invalid(req, pool_printf(req->pool, "captures[%d].pose", pc.index),
                     "captures[%d].pose must be one of front, left, right, up, down.", pc.index);
        return -1;
    case POSES_DUPLICATE:
        resp_invalid(req, pool_printf(req->pool, "captures[%d].pose", pc.index),
                     "Pose %s is captured twice (captures[%d].pose); pose %s is missing.",
                     pose_name(pc.pose), pc.index, pose_name(pc.missing));
        return -1;
    case POSES_MISSING:
        resp_invalid(req, "captures", "Pose %s is missing: capture front, left, right, up and down once each.",
                     pose_name(pc.pose));
        return -1;
    }

    /* in the request's order: each image, then its descriptor */
    for (int i = 0; i < POSE_COUNT; i++) {
        int pose = pose_parse(names[i]);
        struct json_object *desc = NULL;

        caps[pose].index = i;
        if (image_or_reply(req, item[i], i, pose, thumb, thumb_len) < 0)
            return -1;
        json_object_object_get_ex(item[i], "descriptor", &desc);
        if (descriptor_from_json(desc, caps[pose].descriptor) < 0) {
            reply_pose(req, 400, "INVALID_FACE_DATA", pose,
                       pool_printf(req->pool, "captures[%d].descriptor", i),
                       "The %s descriptor must be an array of exactly %d finite numbers.",
                       pose_name(pose), DESCRIPTOR_DIM);
            return -1;
        }
    }
    return 0;
}

void h_enrollment_capture(struct request *req)
{
    struct capture caps[POSE_COUNT];
    float d[POSE_COUNT][DESCRIPTOR_DIM], mean[DESCRIPTOR_DIM];
    const unsigned char *thumb = NULL;
    const char *code = arg_str(req, "userId");
    size_t thumb_len = 0;
    long long staff_id;
    int bad;
    double dist;
    struct db_args a;
    PGresult *r;
    /* consent is JSON true and nothing else; checked last (CONSENT_REQUIRED) */
    struct json_object *c = arg_json(req, "consent_given");
    int consent = json_object_is_type(c, json_type_boolean) && json_object_get_boolean(c);

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, code);
    if ((r = db_run(&st_staff, &a)) == NULL)
        goto db_fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        resp_error(req, 404, "NOT_FOUND", "No active staff member with employee id %s in this hotel.", code);
        return;
    }
    staff_id = db_ll(r, 0, 0);
    PQclear(r);

    if (captures_or_reply(req, arg_json(req, "captures"), caps, &thumb, &thumb_len) < 0)
        return;
    for (int p = 0; p < POSE_COUNT; p++)
        memcpy(d[p], caps[p].descriptor, sizeof d[p]);
    capture_mean(d, mean);
    if ((bad = capture_disagreeing(d, mean, &dist)) >= 0) {
        reply_pose(req, 422, "INCONSISTENT_CAPTURES", bad, NULL,
                   "The %s capture (captures[%d]) does not match the others: %.3f from their mean, at most %.1f.",
                   pose_name(bad), caps[bad].index, dist, CAPTURE_AGREEMENT);
        return;
    }

    /* the person may have departed since the lookup */
    long long audit_id;
    struct face_refusal why;
    struct face_change change = {req->tenant.id, staff_id, identity_of(req)->staff_id, req->client_ip,
                                 req->user_agent};
    switch (face_register(&change, mean, 0, consent, "enrollment", &audit_id, &why)) {
    case FACE_DONE:
        break;
    case FACE_NO_STAFF:
        resp_error(req, 404, "NOT_FOUND", "No active staff member with employee id %s in this hotel.", code);
        return;
    case FACE_REFUSED:
        resp_error(req, why.status, why.code, "%s", why.message);
        return;
    default:
        goto db_fail;
    }
    char *hex = pool_alloc(req->pool, 2 * thumb_len + 3);
    memcpy(hex, "\\x", 2);
    crypto_hex(thumb, thumb_len, hex + 2);
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, hex);
    db_arg_str(&a, EMBEDDING_MODEL);
    db_arg_int(&a, POSE_COUNT);
    if ((r = db_run(&st_upsert, &a)) == NULL)
        goto db_fail;
    const char *enrolled_at = pool_strdup(req->pool, db_str(r, 0, 0));
    PQclear(r);
    if (db_commit() < 0)
        goto db_fail;

    char *t64 = pool_alloc(req->pool, B64_ENCODED_LEN(thumb_len) + 1);
    char emb[B64_DESCRIPTOR_LEN + 1];
    b64_encode(thumb, thumb_len, t64);
    b64_descriptor(mean, emb);
    struct json_object *data = json_object_new_object(), *o = json_object_new_object();
    jx_add_str(data, "employee_id", code);
    jx_add_str(data, "enrollment_status", "pending");
    jx_add_str(data, "thumbnail", pool_printf(req->pool, "data:" IMAGE_MIME ";base64,%s", t64));
    jx_add_str(data, "embedding", emb);
    jx_add_str(data, "embedding_model", EMBEDDING_MODEL);
    jx_add_int(data, "embedding_dim", DESCRIPTOR_DIM);
    jx_add_int(data, "image_count", POSE_COUNT);
    jx_add_str(data, "enrolled_at", enrolled_at);
    jx_add_bool(o, "success", 1);
    jx_add_str(o, "message", "Enrollment complete");
    json_object_object_add(o, "data", data);
    resp_json(req, 201, o);
    return;
db_fail:
    db_fail_reply(req);
    db_rollback();
}

/* The thumbnail column (bytea as text) as a data URL (pool), or NULL. */
static const char *thumb_url(struct pool *p, const char *bytea)
{
    size_t n = 0;
    unsigned char *raw;
    char *url;

    if (bytea == NULL || (raw = PQunescapeBytea((const unsigned char *)bytea, &n)) == NULL)
        return NULL;
    static const char prefix[] = "data:" IMAGE_MIME ";base64,";
    url = pool_alloc(p, sizeof prefix + B64_ENCODED_LEN(n));     /* zeroed */
    memcpy(url, prefix, sizeof prefix - 1);
    b64_encode(raw, n, url + sizeof prefix - 1);
    PQfreemem(raw);
    return url;
}

void h_enrollment_get(struct request *req)
{
    const char *code = arg_str(req, "employee_id");
    struct json_object *o, *devices;
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_str(&a, code);
    if ((r = db_run(&st_status, &a)) == NULL)
        goto db_fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        resp_error(req, 404, "NOT_FOUND", "No staff member with employee id %s in this hotel.", code);
        return;
    }
    long long staff_id = db_ll(r, 0, 0);
    int has_face = db_bool(r, 0, 1);
    const char *status = has_face ? db_str(r, 0, 2) : "unenrolled";
    o = json_object_new_object();
    jx_add_str(o, "employee_id", code);
    /* face data registered at a kiosk has no enrollment row: pending */
    jx_add_str(o, "enrollment_status", status != NULL ? status : "pending");
    jx_add_str(o, "thumbnail", has_face ? thumb_url(req->pool, db_str(r, 0, 3)) : NULL);
    jx_add_str(o, "embedding_model", has_face ? db_str(r, 0, 4) : NULL);
    jx_add_str(o, "enrolled_at", has_face ? db_str(r, 0, 5) : NULL);
    PQclear(r);

    devices = json_object_new_array();
    json_object_object_add(o, "devices", devices);
    if (has_face) {
        db_args_init(&a);
        db_arg_int(&a, req->tenant.id);
        db_arg_int(&a, staff_id);
        if ((r = db_run(&st_devices, &a)) == NULL) {
            json_object_put(o);
            goto db_fail;
        }
        for (int i = 0; i < PQntuples(r); i++) {
            struct json_object *dv = json_object_new_object();
            jx_add_str(dv, "device_id", db_str(r, i, 0));
            jx_add_str(dv, "display_name", db_str(r, i, 1));
            /* connectivity by the rule the device list uses */
            enum device_status ds = device_status(db_bool(r, i, 2), !PQgetisnull(r, i, 3),
                                                  db_double(r, i, 3));
            jx_add_str(dv, "status", device_status_name(ds));
            jx_add_int(dv, "sync_version", db_ll(r, i, 4));
            json_object_array_add(devices, dv);
        }
        PQclear(r);
    }
    resp_json(req, 200, o);
    return;
db_fail:
    db_fail_reply(req);
}
