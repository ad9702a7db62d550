/* tests/fuzz/nchan_status.c — libFuzzer target: nchan's stub status text
 * as GET /metrics reads it (nchan_subscribers_parse,
 * handlers/live/nchan_rules.c) on any bytes, unterminated (the input is
 * copied into a buffer of exactly its size, so a read past it is caught).
 * Asserts that an accepted text has exactly one "subscribers: N" line
 * with N as found, and that the answer is the same when the text is read
 * with a line end added. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live/nchan_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    long long n = -1, again = -1;

    if (size > 0)
        memcpy(text, data, size);
    int rc = nchan_subscribers_parse(text, size, &n);
    if (rc != 0 && rc != -1)
        abort();
    if (rc == 0 && n < 0)
        abort();
    if (rc == 0) {
        /* the value is on a line of its own that says so */
        const char *p = text;
        int lines = 0;
        while (p < text + size) {
            const char *nl = memchr(p, '\n', (size_t)(text + size - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(text + size - p);
            if (l >= 12 && memcmp(p, "subscribers:", 12) == 0)
                lines++;
            p += l + 1;
        }
        if (lines != 1)
            abort();
    }
    /* a line end added changes nothing (unless the text ends in a \r, which
     * the added \n turns into a line end) */
    if (size == 0 || text[size - 1] != '\r') {
        text[size] = '\n';
        int rc2 = nchan_subscribers_parse(text, size + 1, &again);
        if (rc2 != rc || (rc == 0 && again != n))
            abort();
    }
    free(text);
    return 0;
}
