/* tests/fuzz/jsonfast.c — libFuzzer target, differential: the body
 * parser's fast path (fcgi/jsonfast.c) against json-c (jx_parse) on any
 * text. Whatever the fast path takes, json-c takes too, into the same
 * object (jx_same: types, ints, doubles bit for bit, strings, member
 * order, serialization); jx_parse_body accepts and refuses exactly what
 * jx_parse does; and a descriptor reads alike through both. With
 * "descriptor" read as a list of numbers (jx_parse_fast_nums, a route's
 * PT_NUMBERS field), the fast path takes the same texts, the rest of the
 * object is json-c's, the list is json-c's items bit for bit, and the
 * descriptor it makes (descriptor_from_numbers) is json-c's parse +
 * descriptor_from_json exactly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/descriptor_rules.h"
#include "jsonfast.h"
#include "jsonx.h"
#include "pool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the list reading of text against json-c's object c (taken: the
 * member is deleted from it); took: whether the plain fast path took it */
static void numbers_check(const char *text, size_t size, struct json_object *c, int took)
{
    static struct pool *pool;
    struct jx_numbers nums[] = {{.key = "descriptor"}};
    struct json_object *vc = NULL;

    if (pool == NULL)
        pool = pool_new();
    struct json_object *f = jx_parse_fast_nums(text, size, nums, 1, pool);
    if ((f != NULL) != took || (f == NULL && nums[0].found))
        abort();
    if (f != NULL && nums[0].found) {
        if (!json_object_object_get_ex(c, "descriptor", &vc) || !json_object_is_type(vc, json_type_array) ||
            json_object_array_length(vc) != nums[0].n)
            abort();
        for (size_t i = 0; i < nums[0].n; i++) {
            double y = json_object_get_double(json_object_array_get_idx(vc, i));
            if (memcmp(&y, &nums[0].v[i], sizeof y) != 0)
                abort();
        }
        float dn[DESCRIPTOR_DIM], dc[DESCRIPTOR_DIM];
        memset(dn, 0x5a, sizeof dn);
        memset(dc, 0x5a, sizeof dc);
        int rn = descriptor_from_numbers(nums[0].v, nums[0].n, dn), rc = descriptor_from_json(vc, dc);
        if (rn != rc || memcmp(dn, dc, sizeof dn) != 0)
            abort();
        json_object_object_del(c, "descriptor");
    }
    if (f != NULL && !jx_same(f, c))
        abort();
    json_object_put(f);
    pool_reset(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    struct json_object *f = jx_parse_fast(text, size), *c = jx_parse(text, size), *b = jx_parse_body(text, size);
    if (f != NULL && (c == NULL || !jx_same(f, c)))
        abort();
    if ((b == NULL) != (c == NULL) || (b != NULL && !jx_same(b, c)))
        abort();
    if (f != NULL) {
        struct json_object *vf = NULL, *vc = NULL;
        float df[DESCRIPTOR_DIM], dc[DESCRIPTOR_DIM];
        json_object_object_get_ex(f, "descriptor", &vf);
        json_object_object_get_ex(c, "descriptor", &vc);
        int rf = descriptor_from_json(vf, df), rc = descriptor_from_json(vc, dc);
        if (rf != rc || (rf == 0 && memcmp(df, dc, sizeof df) != 0))
            abort();
    }
    numbers_check(text, size, c, f != NULL);
    json_object_put(f);
    json_object_put(c);
    json_object_put(b);
    free(text);
    return 0;
}
