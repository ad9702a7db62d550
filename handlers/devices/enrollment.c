/* enrollment.c — POST /api/enrollment/capture and GET
 * /api/enrollment/{employee_id} (contract 6, docs/iot.md). A capture is
 * validated whole first (poses, images, descriptors, then their
 * agreement), then the rules of register-face in its order (hotel,
 * department, consent); the mean descriptor becomes the face data, audited,
 * and the enrollment row keeps the front image's thumbnail, all in one
 * transaction (attendance/face_store.c, enrollment_store.c). The tenant
 * is the caller's hotel (route T_CALLER). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "b64_rules.h"
#include "capture_rules.h"
#include "db.h"
#include "enrollment_store.h"
#include "attendance/face_store.h"
#include "app/handlers.h"
#include "jpeg_rules.h"
#include "jsonx.h"
#include "response.h"
#include "validate.h"

#define IMAGE_MAX (512 * 1024)          /* bytes of one decoded image */

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
    if (url == NULL || (b64 = b64_data_url(url, ENROLLMENT_IMAGE_MIME, &b64_len)) == NULL) {
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

static void no_staff_reply(struct request *req, const char *code)
{
    resp_error(req, 404, "NOT_FOUND", "No active staff member with employee id %s in this hotel.", code);
}

void h_enrollment_capture(struct request *req)
{
    struct capture caps[POSE_COUNT];
    float d[POSE_COUNT][DESCRIPTOR_DIM], mean[DESCRIPTOR_DIM];
    const unsigned char *thumb = NULL;
    const char *code = arg_str(req, "userId"), *enrolled_at;
    size_t thumb_len = 0;
    long long staff_id = 0, audit_id;
    int bad, found;
    double dist;
    /* consent is JSON true and nothing else; checked last (CONSENT_REQUIRED) */
    struct json_object *c = arg_json(req, "consent_given");
    int consent = json_object_is_type(c, json_type_boolean) && json_object_get_boolean(c);

    if ((found = enrollment_staff(req->tenant.id, code, &staff_id)) < 0)
        goto db_fail;
    if (found == 0) {
        no_staff_reply(req, code);
        return;
    }
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
    struct face_refusal why;
    struct face_change change = {req->tenant.id, staff_id, identity_of(req)->staff_id, req->client_ip,
                                 req->user_agent};
    switch (face_register(&change, mean, 0, consent, "enrollment", &audit_id, &why)) {
    case FACE_DONE:
        break;
    case FACE_NO_STAFF:
        no_staff_reply(req, code);
        return;
    case FACE_REFUSED:
        resp_error(req, why.status, why.code, "%s", why.message);
        return;
    default:
        goto db_fail;
    }
    if (enrollment_save(req->pool, req->tenant.id, staff_id, thumb, thumb_len, POSE_COUNT, &enrolled_at) < 0)
        goto db_fail;

    char emb[B64_DESCRIPTOR_LEN + 1];
    b64_descriptor(mean, emb);
    struct json_object *data = json_object_new_object(), *o = json_object_new_object();
    jx_add_str(data, "employee_id", code);
    jx_add_str(data, "enrollment_status", "pending");
    jx_add_str(data, "thumbnail", enrollment_thumb_url(req->pool, thumb, thumb_len));
    jx_add_str(data, "embedding", emb);
    jx_add_str(data, "embedding_model", ENROLLMENT_MODEL);
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

void h_enrollment_get(struct request *req)
{
    const char *code = arg_str(req, "employee_id");
    struct json_object *o = NULL;

    switch (enrollment_status(req->pool, req->tenant.id, code, &o)) {
    case 1:
        resp_json(req, 200, o);
        return;
    case 0:
        resp_error(req, 404, "NOT_FOUND", "No staff member with employee id %s in this hotel.", code);
        return;
    default:
        db_fail_reply(req);
    }
}
