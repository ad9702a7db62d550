/* face_cache.h — each worker keeps the descriptors of the hotels it serves
 * in memory, unsealed, and reloads a hotel's set only when the hotel's
 * face_version (moved by a trigger on every face data or staff change)
 * differs from the one it loaded. A scan then costs no decryption and no
 * descriptor traffic. */
#ifndef FC_FACE_CACHE_H
#define FC_FACE_CACHE_H

#include "match.h"

/* The hotel's active staff descriptors as of `version`. Fills *set
 * (memory owned by the cache, valid until the next call). 0, or -1 on a
 * database failure. */
int face_cache_get(long long hotel_id, long long version, struct face_set *set);

/* The set this worker already holds for the hotel, whatever its version:
 * 1 with *version and *set filled, 0 when it holds none. No database. */
int face_cache_peek(long long hotel_id, long long *version, struct face_set *set);

#endif
