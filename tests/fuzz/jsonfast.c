/* tests/fuzz/jsonfast.c — libFuzzer target, differential: the body
 * parser's fast path (fcgi/jsonfast.c) against json-c (jx_parse) on any
 * text. Whatever the fast path takes, json-c takes too, into the same
 * object (jx_same: types, ints, doubles bit for bit, strings, member
 * order, serialization); jx_parse_body accepts and refuses exactly what
 * jx_parse does; and a descriptor reads alike through both. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/descriptor_rules.h"
#include "jsonfast.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    json_object_put(f);
    json_object_put(c);
    json_object_put(b);
    free(text);
    return 0;
}
