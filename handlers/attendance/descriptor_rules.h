/* descriptor_rules.h — face descriptors: exactly 128 finite numbers (what
 * face-api.js / dlib compute in the kiosk browser). Pure. */
#ifndef FC_DESCRIPTOR_H
#define FC_DESCRIPTOR_H

#include <json-c/json.h>

#define DESCRIPTOR_DIM 128

/* A JSON array of exactly DESCRIPTOR_DIM finite numbers (ints or doubles,
 * each within ±1e6) into out. 0, or -1 for anything else (NULL, not an
 * array, wrong length, a non-number, NaN/Infinity, out of float range). */
int descriptor_from_json(struct json_object *v, float out[DESCRIPTOR_DIM]);

/* The descriptor as DESCRIPTOR_DIM little-endian float32s (what the
 * database seals and what an embedding is in base64). */
#define DESCRIPTOR_BYTES (DESCRIPTOR_DIM * 4)
void descriptor_to_le(const float d[DESCRIPTOR_DIM], unsigned char out[DESCRIPTOR_BYTES]);

/* 1 when descriptor_from_json would take v (a route's declared check). */
int descriptor_valid_json(struct json_object *v);

/* Euclidean distance between two descriptors. */
double descriptor_distance(const float *a, const float *b);

#endif
