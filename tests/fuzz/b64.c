/* tests/fuzz/b64.c — libFuzzer target: b64_decode (handlers/devices/
 * b64_rules.c) into an exact-size heap buffer, so ASan sees any byte
 * written or read past `cap`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/b64_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = data[0];          /* the first byte picks the buffer size */
    char *in = malloc(size);
    memcpy(in, data + 1, size - 1);
    in[size - 1] = '\0';
    unsigned char *out = malloc(cap ? cap : 1);
    size_t n = 0;
    if (b64_decode(in, size - 1, out, cap, &n) == B64_OK && n > cap)
        abort();
    free(out);
    free(in);
    return 0;
}
