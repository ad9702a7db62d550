/* jsonfast.h — the fast path of the request body parser: a small flat JSON
 * object (a scan: {"descriptor": [128 numbers], "force_log": false}) read
 * straight into the json-c objects jx_parse would build, without json-c's
 * character-at-a-time tokener and a copy of every number's text. Anything
 * it does not recognise it leaves to jx_parse, so a body is accepted or
 * refused, and reads, exactly as json-c reads it. A member the caller names
 * (a route's PT_NUMBERS field, params.h) it reads straight into doubles,
 * without a json-c object per number. */
#ifndef FC_JSONFAST_H
#define FC_JSONFAST_H

#include <stddef.h>
#include <json-c/json.h>

/* text[0..len) (text[len] the terminating NUL) as one JSON object whose
 * members are numbers, plain strings (printable ASCII, no escapes), true,
 * false, null or flat arrays of at most 512 numbers, with distinct keys.
 * Returns the object (the caller puts it) equal to jx_parse's, type for
 * type and bit for bit, serializing the same; or NULL when the text is
 * anything else (not necessarily malformed: ask jx_parse).
 * A double's text is borrowed from text, not copied (json-c copies it for
 * serializing): text must outlive the object. Such a double serializes
 * through a serializer of ours, which json_object_set_double would not
 * drop and json_object_deep_copy refuses: neither is done to a body. */
struct json_object *jx_parse_fast(const char *text, size_t len);

struct pool;

/* A member read as a list of numbers rather than as json-c objects. */
struct jx_numbers {
    const char *key;        /* the member's name (in) */
    const double *v;        /* its numbers, from the pool (out) */
    size_t n;               /* how many (out) */
    int found;              /* 1 when the member was read so (out) */
};

/* jx_parse_fast, but a member named in nums[0..nnums) whose value is a
 * flat array of numbers is left out of the object and read into its
 * entry instead: each number the double json_object_get_double reads
 * from json-c's item, bit for bit (an int as a double). An entry not
 * found (another value, or NULL returned) is in the object as before. */
struct json_object *jx_parse_fast_nums(const char *text, size_t len, struct jx_numbers *nums, int nnums,
                                       struct pool *pool);

/* 1 when a and b are the same JSON in the sense jx_parse_fast promises:
 * the same types, ints equal, doubles bit for bit, strings byte for byte,
 * members in the same order, and the same serialization. Its tests (unit
 * and fuzz) hold the fast path to jx_parse with it. */
int jx_same(struct json_object *a, struct json_object *b);

#endif
