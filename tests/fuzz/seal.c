/* tests/fuzz/seal.c — libFuzzer target: the sealed record format
 * (fcgi/seal.c) under a ring of two fixed keys (the current and an old
 * one). Opening arbitrary bytes, as a keyed record or a legacy one, must
 * fail cleanly unless they are a real record; the input sealed as a
 * plaintext must open to itself, and not once one byte of it is changed.
 * Input: the first byte picks the legacy length (bit 0: the record's own
 * length, else none) and the byte to change; the rest is the record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char AAD[] = "fuzz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct seal_ring ring;
    unsigned char key[32];

    if (size < 1)
        return 0;
    if (ring.n == 0) {
        if (crypto_init() < 0)
            abort();
        memset(key, 0x11, sizeof key);
        seal_ring_add(&ring, key);
        memset(key, 0x22, sizeof key);
        seal_ring_add(&ring, key);
    }
    const unsigned char *in = data + 1;
    size_t n = size - 1, legacy = data[0] & 1 ? n : 0, got = 0;
    unsigned char *plain = malloc(n + 1);

    enum seal_form form = seal_form_of(in, n, legacy);
    const struct seal_key *k = seal_key_of(&ring, in, n);
    if (k != NULL && seal_form_of(in, n, 0) != SEAL_KEYED)
        abort();
    /* current: keyed (a legacy length is legacy) under the current key */
    if (seal_is_current(&ring, in, n, legacy) && (form != SEAL_KEYED || k != &ring.keys[0]))
        abort();
    if (seal_open(&ring, AAD, sizeof AAD, in, n, legacy, plain, n, &got) == 0) {
        size_t over = form == SEAL_KEYED ? SEAL_OVERHEAD : CRYPTO_SEAL_OVERHEAD;
        if (form == SEAL_CLEAR || got + over != n)
            abort();
        /* the same record under another aad does not open */
        if (seal_open(&ring, "x", 1, in, n, legacy, plain, n, &got) == 0)
            abort();
    }

    /* the input as a plaintext: sealed, it opens to itself */
    unsigned char *rec = malloc(n + SEAL_OVERHEAD), *back = malloc(n + 1);
    if (seal_record(&ring, AAD, sizeof AAD, in, n, rec) < 0)
        abort();
    if (!seal_is_current(&ring, rec, n + SEAL_OVERHEAD, 0) ||
        seal_open(&ring, AAD, sizeof AAD, rec, n + SEAL_OVERHEAD, 0, back, n, &got) < 0 ||
        got != n || memcmp(back, in, n) != 0)
        abort();
    rec[(data[0] >> 1) % (n + SEAL_OVERHEAD)] ^= 0x01;
    if (seal_open(&ring, AAD, sizeof AAD, rec, n + SEAL_OVERHEAD, 0, back, n, &got) == 0)
        abort();
    free(back);
    free(rec);
    free(plain);
    return 0;
}
