/* seal.c — owns the sealed record format and the key ring (seal.h): a
 * key's id, which key opens a record, sealing under the current key. */
#include <string.h>
#include "seal.h"

void seal_key_id(const unsigned char key[32], unsigned char id[SEAL_KEY_ID_LEN])
{
    unsigned char mac[32];

    memset(mac, 0, sizeof mac);
    crypto_subkey(key, "faceclock key id", mac);
    memcpy(id, mac, SEAL_KEY_ID_LEN);
}

int seal_ring_add(struct seal_ring *ring, const unsigned char key[32])
{
    for (int i = 0; i < ring->n; i++)
        if (crypto_equal(ring->keys[i].key, key, 32))
            return 0;
    if (ring->n >= SEAL_MAX_KEYS)
        return -1;
    struct seal_key *k = &ring->keys[ring->n++];
    memcpy(k->key, key, 32);
    seal_key_id(key, k->id);
    return 0;
}

enum seal_form seal_form_of(const unsigned char *in, size_t n, size_t legacy_len)
{
    if (legacy_len > 0 && n == legacy_len)
        return SEAL_LEGACY;
    if (n >= SEAL_OVERHEAD && in[0] == SEAL_MAGIC0 && in[1] == SEAL_MAGIC1)
        return SEAL_KEYED;
    return SEAL_CLEAR;
}

const struct seal_key *seal_key_of(const struct seal_ring *ring, const unsigned char *in, size_t n)
{
    if (seal_form_of(in, n, 0) != SEAL_KEYED)
        return NULL;
    for (int i = 0; i < ring->n; i++)
        if (memcmp(ring->keys[i].id, in + 2, SEAL_KEY_ID_LEN) == 0)
            return &ring->keys[i];
    return NULL;
}

int seal_is_current(const struct seal_ring *ring, const unsigned char *in, size_t n, size_t legacy_len)
{
    return ring->n > 0 && seal_form_of(in, n, legacy_len) == SEAL_KEYED &&
           seal_key_of(ring, in, n) == &ring->keys[0];
}

int seal_current_header(const struct seal_ring *ring, unsigned char header[SEAL_HEADER_LEN])
{
    if (ring->n == 0)
        return -1;
    header[0] = SEAL_MAGIC0;
    header[1] = SEAL_MAGIC1;
    memcpy(header + 2, ring->keys[0].id, SEAL_KEY_ID_LEN);
    return 0;
}

int seal_record(const struct seal_ring *ring, const void *aad, size_t aadlen, const void *plain,
                size_t n, unsigned char *out)
{
    if (seal_current_header(ring, out) < 0)
        return -1;
    return crypto_seal(ring->keys[0].key, aad, aadlen, plain, n, out + SEAL_HEADER_LEN);
}

int seal_open(const struct seal_ring *ring, const void *aad, size_t aadlen, const unsigned char *in,
              size_t n, size_t legacy_len, void *plain, size_t cap, size_t *plain_len)
{
    switch (seal_form_of(in, n, legacy_len)) {
    case SEAL_KEYED: {
        const struct seal_key *k = seal_key_of(ring, in, n);
        size_t body = n - SEAL_HEADER_LEN;
        if (k == NULL || body - CRYPTO_SEAL_OVERHEAD > cap ||
            crypto_open(k->key, aad, aadlen, in + SEAL_HEADER_LEN, body, plain) < 0)
            return -1;
        *plain_len = body - CRYPTO_SEAL_OVERHEAD;
        return 0;
    }
    case SEAL_LEGACY:
        if (n - CRYPTO_SEAL_OVERHEAD > cap)
            return -1;
        for (int i = 0; i < ring->n; i++)
            if (crypto_open(ring->keys[i].key, aad, aadlen, in, n, plain) == 0) {
                *plain_len = n - CRYPTO_SEAL_OVERHEAD;
                return 0;
            }
        return -1;
    case SEAL_CLEAR:
        break;
    }
    return -1;
}
