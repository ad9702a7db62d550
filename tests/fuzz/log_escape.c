/* tests/fuzz/log_escape.c — libFuzzer target: http_log_escape
 * (fcgi/http.c) into an exact-size buffer (ASan sees a byte past cap),
 * against the rule written apart: each control byte (and 0x7f) as \xNN,
 * '"' as \" and '\' as \\, others as they are; when that fits in cap, the
 * output is exactly it; when not, the longest prefix of whole escapes that
 * leaves room for "..." and the NUL, then "...".
 * Input: the first byte picks cap (4 .. 259); the rest is the text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = (size_t)data[0] + 4;
    char *in = malloc(size);
    memcpy(in, data + 1, size - 1);
    in[size - 1] = '\0';

    /* the rule: full escaped text, and where each input byte's escape ends */
    size_t inlen = strlen(in), full_size = inlen * 4 + 1;
    char *full = malloc(full_size);
    size_t *ends = malloc((inlen + 1) * sizeof *ends), f = 0;
    for (size_t k = 0; k < inlen; k++) {
        unsigned char c = (unsigned char)in[k];
        if (c < 0x20 || c == 0x7f)
            f += (size_t)snprintf(full + f, full_size - f, "\\x%02x", c);
        else if (c == '"' || c == '\\')
            f += (size_t)snprintf(full + f, full_size - f, "\\%c", c);
        else
            full[f++] = (char)c;
        ends[k] = f;
    }
    full[f] = '\0';

    char *out = malloc(cap);
    http_log_escape(in, out, cap);
    if (f < cap) {
        if (strcmp(out, full) != 0)
            abort();
    } else {
        size_t keep = 0;
        for (size_t k = 0; k < inlen && ends[k] + 4 <= cap; k++)
            keep = ends[k];
        if (strlen(out) != keep + 3 || memcmp(out, full, keep) != 0 || strcmp(out + keep, "...") != 0)
            abort();
    }
    free(out);
    free(ends);
    free(full);
    free(in);
    return 0;
}
