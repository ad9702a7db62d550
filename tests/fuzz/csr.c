/* tests/fuzz/csr.c — libFuzzer target: csr_check (handlers/devices/
 * csr_rules.c) on any bytes, as PEM, base64 or DER text for the device
 * "cam-001", into an exact-size heap buffer so ASan sees any byte written
 * past it. Asserts that a refusal says why and leaves no DER, that an
 * accepted request's DER is within the buffer and is itself accepted
 * again (as base64 of that DER) with the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/b64_rules.h"
#include "devices/csr_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    unsigned char *der = malloc(CSR_MAX_BYTES);
    size_t der_len = 12345;
    const char *why = NULL;

    memcpy(text, data, size);
    text[size] = '\0';
    if (csr_check(text, size, "cam-001", der, &der_len, &why) != 0) {
        if (why == NULL || *why == '\0' || der_len != 0)
            abort();
    } else {
        if (why != NULL || der_len == 0 || der_len > CSR_MAX_BYTES)
            abort();
        char *b64 = malloc(B64_ENCODED_LEN(der_len) + 1);
        unsigned char *again = malloc(CSR_MAX_BYTES);
        size_t n = b64_encode(der, der_len, b64), again_len = 0;
        if (n <= CSR_MAX_BYTES &&
            (csr_check(b64, n, "cam-001", again, &again_len, &why) != 0 || again_len != der_len ||
             memcmp(again, der, der_len) != 0))
            abort();
        free(again);
        free(b64);
    }
    free(der);
    free(text);
    return 0;
}
