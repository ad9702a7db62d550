/* tests/fuzz/b64.c — libFuzzer target: b64_decode (handlers/devices/
 * b64_rules.c) into an exact-size heap buffer, so ASan sees any byte
 * written or read past `cap`; and that what decodes encodes back to the
 * same text (strict base64 has one spelling). */
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
    enum b64_result rc = b64_decode(in, size - 1, out, cap, &n);
    size_t want;
    if (rc == B64_OK && n > cap)
        abort();
    /* the same verdict as b64_decoded_size, and strict: one spelling per
     * byte string, so what decodes encodes back to the very same text */
    if ((b64_decoded_size(in, size - 1, &want) == 0) != (rc != B64_INVALID))
        abort();
    if (rc == B64_OK) {
        char *again = malloc(B64_ENCODED_LEN(n) + 1);
        if (n != want || b64_encode(out, n, again) != size - 1 || memcmp(again, in, size - 1) != 0)
            abort();
        free(again);
    }
    free(out);
    free(in);
    return 0;
}
