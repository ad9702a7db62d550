/* descriptor_rules.h — face descriptors: exactly 128 finite numbers (what
 * face-api.js / dlib compute in the kiosk browser). Pure. */
#ifndef FC_DESCRIPTOR_H
#define FC_DESCRIPTOR_H

#include <stddef.h>
#include <json-c/json.h>

#define DESCRIPTOR_DIM 128

/* A JSON array of exactly DESCRIPTOR_DIM finite numbers (ints or doubles,
 * each within ±1e6) into out. 0, or -1 for anything else (NULL, not an
 * array, wrong length, a non-number, NaN/Infinity, out of float range). */
int descriptor_from_json(struct json_object *v, float out[DESCRIPTOR_DIM]);

/* The same rules for a list of n numbers (a route's PT_NUMBERS field,
 * arg_nums): exactly DESCRIPTOR_DIM, each finite and within ±1e6. 0, or
 * -1 (out untouched). descriptor_from_json reads its array into one. */
int descriptor_from_numbers(const double *x, size_t n, float out[DESCRIPTOR_DIM]);

/* The descriptor as DESCRIPTOR_DIM little-endian float32s (what the
 * database seals and what an embedding is in base64). */
#define DESCRIPTOR_BYTES (DESCRIPTOR_DIM * 4)
void descriptor_to_le(const float d[DESCRIPTOR_DIM], unsigned char out[DESCRIPTOR_BYTES]);

/* 1 when descriptor_from_numbers would take x (a route's declared check). */
int descriptor_valid_numbers(const double *x, size_t n);

/* Euclidean distance between two descriptors. */
double descriptor_distance(const float *a, const float *b);

#endif
