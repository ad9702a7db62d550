/* tests/fuzz/json.c — libFuzzer target: the strict JSON body parser
 * (fcgi/jsonx.c: json-c under our depth limit, strict mode and UTF-8
 * validation) and the typed field readers every route's body goes
 * through. What the parser accepts must serialize and parse back
 * (what an answer echoes is again a valid body), and jx_serialize (the
 * answers' writer) must write it byte for byte as json-c does, the body
 * parser's fast-path objects (jx_parse_body) too. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* jx_serialize(o) is json-c's text of o (resp_json's flags) */
static void same_text(struct json_object *o)
{
    size_t n, len;
    const char *want = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *got = jx_serialize(o, &n);
    if (n != len || memcmp(got, want, n) != 0 || got[n] != '\0')
        abort();
    free(got);
}

static const char *const keys[] = {"a", "id", "name", "descriptor", "metadata", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    struct json_object *o = jx_parse(text, size), *fast = jx_parse_body(text, size);
    same_text(o);
    if (fast != NULL)
        same_text(fast);
    json_object_put(fast);
    if (o != NULL) {
        size_t len;
        const char *out = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
        struct json_object *back = jx_parse(out, len);
        if (back == NULL)
            abort();
        json_object_put(back);
        if (json_object_is_type(o, json_type_object)) {
            for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
                const char *s = NULL, *why;
                long long id;
                long l;
                double d;
                int b;
                if (jx_string(o, keys[i], i & 1, 64, &s, &why) == 0 && s != NULL && strlen(s) > size)
                    abort();
                (void)jx_id(o, keys[i], JX_OPTIONAL, &id, &why);
                (void)jx_int(o, keys[i], JX_REQUIRED, -1000, 1000, &l, &why);
                if (jx_double(o, keys[i], JX_OPTIONAL, -1, 1, &d, &why) == 0 && jx_has(o, keys[i]) &&
                    !(d >= -1 && d <= 1))
                    abort();
                (void)jx_bool(o, keys[i], JX_OPTIONAL, &b, &why);
            }
        }
        json_object_put(o);
    }
    free(text);
    return 0;
}
