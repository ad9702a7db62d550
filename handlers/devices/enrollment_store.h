/* enrollment_store.h — a person's enrollment in the database
 * (enrollment_store.c): who is enrolled by employee code, the enrollment
 * row a capture leaves (status, the front image's thumbnail, the model),
 * and the enrollment status with the devices holding the profile. None
 * of them answers the request: on a database failure they return -1 and
 * the caller answers with db_fail_reply(). */
#ifndef FC_ENROLLMENT_STORE_H
#define FC_ENROLLMENT_STORE_H

#include <stddef.h>
#include <json-c/json.h>
#include "pool.h"

#define ENROLLMENT_MODEL "face-api.js"     /* of every descriptor, stored or sent */
#define ENROLLMENT_IMAGE_MIME "image/jpeg" /* of the captures and the thumbnail */

/* The hotel's active staff member with employee code code. 1 with
 * *staff_id; 0 when there is none; -1. */
int enrollment_staff(long long hotel_id, const char *code, long long *staff_id);

/* Record staff_id's enrollment (pending, thumb[0..thumb_len) as its
 * thumbnail, image_count images) in the face transaction face_register()
 * left open, and commit it. 0 with *enrolled_at (pool), or -1 (rolled
 * back). */
int enrollment_save(struct pool *pool, long long hotel_id, long long staff_id, const unsigned char *thumb,
                    size_t thumb_len, int image_count, const char **enrolled_at);

/* A thumbnail as the answers carry it: a data:image/jpeg;base64, URL
 * (pool). */
const char *enrollment_thumb_url(struct pool *pool, const unsigned char *thumb, size_t thumb_len);

/* The enrollment of the hotel's staff member with employee code code as
 * GET /api/enrollment/{employee_id} answers it (docs/iot.md): status,
 * thumbnail, model, time and the active devices holding the profile,
 * each with its connectivity. 1 with *status (caller owns); 0 when there
 * is no such staff member; -1. */
int enrollment_status(struct pool *pool, long long hotel_id, const char *code, struct json_object **status);

#endif
