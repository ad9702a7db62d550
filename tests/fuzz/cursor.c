/* tests/fuzz/cursor.c — libFuzzer target: the keyset cursor parser
 * (fcgi/cursor.c). Checks, by rules written apart from the code: a text
 * accepted is exactly 66 lowercase hex digits, and encoding what it
 * parsed to gives the same text back (so no two texts name one cursor,
 * and a forged text parses only if it carries the right tag); and any
 * cursor made from the input's bytes round-trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char key[32] = {1, 2, 3};
    char *text = malloc(size + 1), again[CURSOR_TEXT];
    struct cursor c;

    memcpy(text, data, size);
    text[size] = '\0';
    if (cursor_decode(key, "fuzz 1", text, &c) == 0) {
        if (strlen(text) != 2 * CURSOR_BYTES || strspn(text, "0123456789abcdef") != 2 * CURSOR_BYTES)
            abort();
        if (cursor_encode(key, "fuzz 1", &c, again) != 0 || strcmp(again, text) != 0)
            abort();
    }
    if (size >= 17) {
        struct cursor m = {data[0] & 1 ? CURSOR_NEXT : CURSOR_PREV, 0, 0}, back;
        memcpy(&m.ts_us, data + 1, 8);
        memcpy(&m.id, data + 9, 8);
        if (cursor_encode(key, "fuzz 1", &m, again) != 0 || cursor_decode(key, "fuzz 1", again, &back) != 0 ||
            back.dir != m.dir || back.ts_us != m.ts_us || back.id != m.id ||
            cursor_decode(key, "fuzz 2", again, &back) == 0)
            abort();
    }
    free(text);
    return 0;
}
