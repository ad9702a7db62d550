/* seal.h — sealed records under a key ring (seal.c). A record is
 * SEAL_MAGIC (2 bytes), the id of the key that sealed it (4 bytes), then
 * AES-256-GCM's nonce || ciphertext || tag (crypto_seal). The ring holds
 * the current key, which seals, and the old keys, which only open; a key
 * is found by its id, a fingerprint of the key itself (so no id is ever
 * configured). Records made before key ids ("legacy": nonce || ciphertext
 * || tag, with no header) open under any key of the ring; a caller whose
 * records were once stored in clear is told so (SEAL_CLEAR). The parsing
 * and the choice of key are pure and unit-tested. */
#ifndef FC_SEAL_H
#define FC_SEAL_H

#include <stddef.h>
#include "crypto.h"

#define SEAL_MAGIC0 0xFC
#define SEAL_MAGIC1 0x01               /* the format's version */
#define SEAL_KEY_ID_LEN 4
#define SEAL_HEADER_LEN (2 + SEAL_KEY_ID_LEN)
#define SEAL_OVERHEAD (SEAL_HEADER_LEN + CRYPTO_SEAL_OVERHEAD)
#define SEAL_MAX_KEYS 4                /* the current key and up to 3 old ones */

struct seal_key {
    unsigned char key[32];
    unsigned char id[SEAL_KEY_ID_LEN];
};

/* keys[0] is the current key; n == 0: no key, nothing seals or opens */
struct seal_ring {
    struct seal_key keys[SEAL_MAX_KEYS];
    int n;
};

/* A key's id: the first bytes of HMAC-SHA-256(key, "faceclock key id"). */
void seal_key_id(const unsigned char key[32], unsigned char id[SEAL_KEY_ID_LEN]);

/* Add key to the ring (the first added is the current one); a key
 * already in it is not added twice. 0, or -1 when the ring is full. */
int seal_ring_add(struct seal_ring *ring, const unsigned char key[32]);

enum seal_form {
    SEAL_KEYED,     /* header, then a sealed body */
    SEAL_LEGACY,    /* exactly legacy_len bytes of nonce || ciphertext || tag */
    SEAL_CLEAR,     /* neither: what a caller once stored unsealed */
};

/* What the n stored bytes at in are. legacy_len: the length of the
 * caller's legacy sealed records (0: it has none). */
enum seal_form seal_form_of(const unsigned char *in, size_t n, size_t legacy_len);

/* The ring's key that sealed the keyed record in[0..n), or NULL (not a
 * keyed record, or a key the ring does not hold). */
const struct seal_key *seal_key_of(const struct seal_ring *ring, const unsigned char *in, size_t n);

/* 1 when in[0..n) is keyed under the ring's current key (nothing to
 * re-seal), else 0: also for a legacy record (exactly legacy_len bytes, as
 * seal_form_of) whose nonce happens to begin like the current header. */
int seal_is_current(const struct seal_ring *ring, const unsigned char *in, size_t n, size_t legacy_len);

/* The header records sealed under the ring's current key begin with
 * (SEAL_HEADER_LEN bytes). -1 when the ring is empty. */
int seal_current_header(const struct seal_ring *ring, unsigned char header[SEAL_HEADER_LEN]);

/* Seal plain[0..n) under the current key, aad authenticated: out gets n +
 * SEAL_OVERHEAD bytes. 0, or -1 (no key, libgcrypt). */
int seal_record(const struct seal_ring *ring, const void *aad, size_t aadlen, const void *plain,
                size_t n, unsigned char *out);

/* Open a keyed (under its key) or legacy (under each key in turn) record
 * in[0..n): plain (cap bytes) gets *plain_len bytes. -1 when no key of the
 * ring opens it, aad does not match, it is clear or plain is too small. */
int seal_open(const struct seal_ring *ring, const void *aad, size_t aadlen, const unsigned char *in,
              size_t n, size_t legacy_len, void *plain, size_t cap, size_t *plain_len);

#endif
