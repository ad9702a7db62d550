/* crypto.h — everything secret-related, through libgcrypt: random bytes,
 * SHA-256, HMAC-SHA-256, salted slow password/key hashes (scrypt) in a
 * self-describing string, constant-time comparison, hex. */
#ifndef FC_CRYPTO_H
#define FC_CRYPTO_H

#include <stddef.h>

int crypto_init(void);                       /* once per process; 0 or -1 */

int crypto_random(void *buf, size_t n);      /* strong random; 0 or -1 */

/* n random bytes as 2n lowercase hex chars into out (size >= 2n+1). */
int crypto_random_hex(char *out, size_t nbytes);

void crypto_sha256(const void *data, size_t n, unsigned char out[32]);
/* SHA-256 of a (an bytes) followed by b (bn bytes), without joining them. */
void crypto_sha256_2(const void *a, size_t an, const void *b, size_t bn, unsigned char out[32]);
int crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
                       size_t n, unsigned char out[32]);

/* The same under a 32-byte key used again and again (a process's key
 * hashing key): the keyed state is kept (one per process, keyed anew when
 * another key comes), so a MAC costs the hashing, not the set-up (a
 * third of a kiosk scan's key check). 0 or -1. */
int crypto_hmac_sha256_kept(const unsigned char key[32], const void *data, size_t n,
                            unsigned char out[32]);

/* The key for one use, named by label, derived from a 32-byte base key:
 * HMAC-SHA-256(base, label). Every key the server derives from its
 * configured keys is made here. 0 or -1. */
int crypto_subkey(const unsigned char base[32], const char *label, unsigned char out[32]);

/* Constant-time equality of two buffers of the same length n. */
int crypto_equal(const void *a, const void *b, size_t n);

/* Constant-time equality of two NUL-terminated strings (time depends only
 * on the lengths, never on where they differ). */
int crypto_str_equal(const char *a, const char *b);

/* Hash a secret with scrypt (N = 2^log_n, r = 8, p = 1, 16-byte random
 * salt, 32-byte key) into out as "$scrypt$ln=14,r=8,p=1$<salt hex>$<hash hex>".
 * out must hold CRYPTO_HASH_MAX bytes. Returns 0 or -1. */
#define CRYPTO_HASH_MAX 160
int crypto_hash_secret(const char *secret, int log_n, char *out);

/* Verify secret against a string made by crypto_hash_secret (its own
 * parameters are used). 1 = match, 0 = no match or malformed. */
int crypto_verify_secret(const char *secret, const char *hash);

/* The cost (log2 N) a hash string of crypto_hash_secret was made with,
 * or -1 when it is not one. */
int crypto_hash_cost(const char *hash);

void crypto_hex(const unsigned char *in, size_t n, char *out);   /* out: 2n+1 */

/* AES-256-GCM with a fresh random 96-bit nonce: out (n +
 * CRYPTO_SEAL_OVERHEAD bytes) = nonce || ciphertext || tag; aad is
 * authenticated, not stored. key is 32 bytes. 0 or -1. */
#define CRYPTO_SEAL_OVERHEAD 28
int crypto_seal(const unsigned char *key, const void *aad, size_t aadlen,
                const void *plain, size_t n, unsigned char *out);

/* The reverse: in holds n bytes from crypto_seal; plain gets n -
 * CRYPTO_SEAL_OVERHEAD bytes. -1 (and plain zeroed) when the key, aad or
 * data do not match. */
int crypto_open(const unsigned char *key, const void *aad, size_t aadlen,
                const unsigned char *in, size_t n, void *plain);

#endif
