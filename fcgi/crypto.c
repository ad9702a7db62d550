/* crypto.c — everything secret-related, through libgcrypt (crypto.h):
 * library initialisation, strong random bytes, SHA-256, HMAC-SHA-256,
 * scrypt password/key hashes in a self-describing string, constant-time
 * comparison and hex.
 *
 * Hash strings look like "$scrypt$ln=14,r=8,p=1$<32 hex salt>$<64 hex key>".
 * libgcrypt fixes scrypt's block size r at 8 for GCRY_KDF_SCRYPT and takes
 * N through `subalgo` and p through `iterations`; r is still written out so
 * the string says everything needed to check it elsewhere.
 *
 * Nothing here logs: no secret, salt or derived key ever reaches log.c, and
 * derived keys are wiped from the stack after use. */
#include "crypto.h"

#include <stdio.h>
#include <string.h>

#include <gcrypt.h>

#include "log.h"

#define SALT_LEN   16
#define KEY_LEN    32
#define LOG_N_MIN  1            /* scrypt needs N >= 2 */
#define LOG_N_MAX  20           /* N = 2^20 with r = 8 is already 1 GiB */
#define P_MAX      4
#define HASH_PREFIX "$scrypt$ln="

static int initialised;

/* Ask the compiler not to drop a clearing store to a dead buffer. */
static void
wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;

    while (n-- > 0)
        *v++ = 0;
}

int
crypto_init(void)
{
    if (initialised)
        return 0;
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
        initialised = 1;        /* someone in this process did it already */
        return 0;
    }
    if (gcry_check_version(GCRYPT_VERSION) == NULL) {
        log_error("libgcrypt is older than the %s this was built with", GCRYPT_VERSION);
        return -1;
    }
    /* Secure memory would need mlock (privileges, RLIMIT_MEMLOCK) and buys
     * little here: the secrets arrive in ordinary request buffers anyway.
     * Disabling it also silences its warnings for unprivileged workers. */
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    initialised = 1;
    return 0;
}

int
crypto_random(void *buf, size_t n)
{
    if (crypto_init() == -1)
        return -1;
    gcry_randomize(buf, n, GCRY_STRONG_RANDOM);
    return 0;
}

int
crypto_random_hex(char *out, size_t nbytes)
{
    unsigned char chunk[32];

    out[0] = '\0';
    while (nbytes > 0) {
        size_t n = nbytes < sizeof(chunk) ? nbytes : sizeof(chunk);

        if (crypto_random(chunk, n) == -1) {
            wipe(chunk, sizeof(chunk));
            return -1;
        }
        crypto_hex(chunk, n, out);
        out += 2 * n;
        nbytes -= n;
    }
    wipe(chunk, sizeof(chunk));
    return 0;
}

void
crypto_sha256(const void *data, size_t n, unsigned char out[32])
{
    (void)crypto_init();
    gcry_md_hash_buffer(GCRY_MD_SHA256, out, data, n);
}

void
crypto_sha256_2(const void *a, size_t an, const void *b, size_t bn, unsigned char out[32])
{
    gcry_buffer_t iov[2] = {
        {.size = an, .len = an, .data = (void *)a},
        {.size = bn, .len = bn, .data = (void *)b},
    };

    (void)crypto_init();
    gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, 2);
}

int
crypto_subkey(const unsigned char base[32], const char *label, unsigned char out[32])
{
    return crypto_hmac_sha256(base, 32, label, strlen(label), out) == 0 ? 0 : -1;
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                   unsigned char out[32])
{
    gcry_md_hd_t h = NULL;
    const unsigned char *mac;
    gcry_error_t e;
    int rc = -1;

    if (crypto_init() == -1)
        return -1;
    if ((e = gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC)) != 0) {
        log_error("gcry_md_open: %s", gcry_strerror(e));
        goto err;
    }
    if ((e = gcry_md_setkey(h, key, keylen)) != 0) {
        log_error("gcry_md_setkey: %s", gcry_strerror(e));
        goto err;
    }
    gcry_md_write(h, data, n);
    if ((mac = gcry_md_read(h, GCRY_MD_SHA256)) == NULL)
        goto err;
    memcpy(out, mac, 32);
    rc = 0;
err:
    gcry_md_close(h);           /* NULL is fine */
    return rc;
}

int
crypto_hmac_sha256_kept(const unsigned char key[32], const void *data, size_t n, unsigned char out[32])
{
    static gcry_md_hd_t h;
    static unsigned char kept[32];
    const unsigned char *mac;
    gcry_error_t e;

    if (crypto_init() == -1)
        return -1;
    if (h != NULL && crypto_equal(kept, key, 32)) {
        gcry_md_reset(h);       /* back to the keyed state */
    } else {
        gcry_md_close(h);
        h = NULL;
        if ((e = gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC)) != 0 ||
            (e = gcry_md_setkey(h, key, 32)) != 0) {
            log_error("gcry_md_open/setkey: %s", gcry_strerror(e));
            gcry_md_close(h);
            h = NULL;
            return -1;
        }
        memcpy(kept, key, 32);
    }
    gcry_md_write(h, data, n);
    if ((mac = gcry_md_read(h, GCRY_MD_SHA256)) == NULL)
        return -1;
    memcpy(out, mac, 32);
    return 0;
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char diff = 0;

    for (size_t i = 0; i < n; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

int
crypto_str_equal(const char *a, const char *b)
{
    const volatile unsigned char *x = (const unsigned char *)a;
    const volatile unsigned char *y = (const unsigned char *)b;
    size_t la, lb;
    unsigned char diff = 0;

    if (a == NULL || b == NULL)
        return 0;
    la = strlen(a);
    lb = strlen(b);
    /* Walk all of a; past the end of b compare against NUL. The branch
     * depends on the lengths only, never on the bytes. */
    for (size_t i = 0; i < la; i++)
        diff |= x[i] ^ (i < lb ? y[i] : 0);
    return (diff == 0) & (la == lb);
}

void
crypto_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

/* Exactly 2n lowercase hex digits at s into out[n]; 0 or -1. */
static int
unhex(const char *s, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v;

        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (unsigned char)(v << 4);
        else
            out[i / 2] |= (unsigned char)v;
    }
    return 0;
}

static int
scrypt(const char *secret, int log_n, int p, const unsigned char salt[SALT_LEN],
       unsigned char key[KEY_LEN])
{
    gpg_error_t e;

    if (crypto_init() == -1)
        return -1;
    e = gcry_kdf_derive(secret, strlen(secret), GCRY_KDF_SCRYPT, 1 << log_n,
                        salt, SALT_LEN, (unsigned long)p, KEY_LEN, key);
    if (e != 0) {
        log_error("gcry_kdf_derive(scrypt, ln=%d, p=%d): %s", log_n, p, gcry_strerror(e));
        return -1;
    }
    return 0;
}

int
crypto_hash_secret(const char *secret, int log_n, char *out)
{
    unsigned char salt[SALT_LEN], key[KEY_LEN];
    char salt_hex[2 * SALT_LEN + 1], key_hex[2 * KEY_LEN + 1];
    int n, rc = -1;

    out[0] = '\0';
    if (secret == NULL || secret[0] == '\0' || log_n < LOG_N_MIN || log_n > LOG_N_MAX)
        return -1;
    if (crypto_random(salt, sizeof(salt)) == -1 ||
        scrypt(secret, log_n, 1, salt, key) == -1)
        goto err;
    crypto_hex(salt, sizeof(salt), salt_hex);
    crypto_hex(key, sizeof(key), key_hex);
    n = snprintf(out, CRYPTO_HASH_MAX, HASH_PREFIX "%d,r=8,p=1$%s$%s",
                 log_n, salt_hex, key_hex);
    if (n < 0 || n >= CRYPTO_HASH_MAX) {
        out[0] = '\0';
        goto err;
    }
    rc = 0;
err:
    wipe(key, sizeof(key));
    wipe(key_hex, sizeof(key_hex));
    return rc;
}

/* Parse "$scrypt$ln=<1..20>,r=8,p=<1..4>$<32 hex>$<64 hex>" exactly. */
static int
parse_hash(const char *h, int *log_n, int *p, unsigned char salt[SALT_LEN],
           unsigned char key[KEY_LEN])
{
    size_t plen = strlen(HASH_PREFIX);
    int ln = 0;

    if (strncmp(h, HASH_PREFIX, plen) != 0)
        return -1;
    h += plen;
    if (*h < '1' || *h > '9')           /* no leading zero, no sign */
        return -1;
    for (int i = 0; i < 2 && *h >= '0' && *h <= '9'; i++, h++)
        ln = ln * 10 + (*h - '0');
    if (ln < LOG_N_MIN || ln > LOG_N_MAX)
        return -1;
    if (strncmp(h, ",r=8,p=", 7) != 0)
        return -1;
    h += 7;
    if (h[0] < '1' || h[0] > '0' + P_MAX || h[1] != '$')
        return -1;
    *p = h[0] - '0';
    h += 2;
    if (strnlen(h, 2 * SALT_LEN + 1) < 2 * SALT_LEN + 1 || unhex(h, salt, SALT_LEN) == -1 ||
        h[2 * SALT_LEN] != '$')
        return -1;
    h += 2 * SALT_LEN + 1;
    if (strlen(h) != 2 * KEY_LEN || unhex(h, key, KEY_LEN) == -1)
        return -1;
    *log_n = ln;
    return 0;
}

int
crypto_hash_cost(const char *hash)
{
    unsigned char salt[SALT_LEN], key[KEY_LEN];
    int log_n, p;

    if (hash == NULL || parse_hash(hash, &log_n, &p, salt, key) == -1)
        return -1;
    wipe(key, sizeof(key));
    return log_n;
}

int
crypto_verify_secret(const char *secret, const char *hash)
{
    unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
    int log_n, p, ok = 0;

    if (secret == NULL || hash == NULL || secret[0] == '\0')
        return 0;
    if (parse_hash(hash, &log_n, &p, salt, want) == -1)
        return 0;
    if (scrypt(secret, log_n, p, salt, got) == 0)
        ok = crypto_equal(got, want, KEY_LEN);
    wipe(got, sizeof(got));
    wipe(want, sizeof(want));
    return ok;
}

/*
 * AES-256-GCM sealing of small records (face descriptors at rest).
 * Layout: nonce (12) || ciphertext (n) || tag (16). The aad binds a
 * record to where it belongs, so rows cannot be swapped.
 */
static int
gcm_open_handle(gcry_cipher_hd_t *h, const unsigned char *key, const unsigned char *nonce,
                const void *aad, size_t aadlen)
{
    if (gcry_cipher_open(h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0) != 0)
        return -1;
    if (gcry_cipher_setkey(*h, key, 32) != 0 || gcry_cipher_setiv(*h, nonce, 12) != 0 ||
        gcry_cipher_authenticate(*h, aad, aadlen) != 0) {
        gcry_cipher_close(*h);
        return -1;
    }
    return 0;
}

int
crypto_seal(const unsigned char *key, const void *aad, size_t aadlen,
            const void *plain, size_t n, unsigned char *out)
{
    gcry_cipher_hd_t h;
    int rc = -1;

    if (crypto_init() == -1 || crypto_random(out, 12) == -1)
        return -1;
    if (gcm_open_handle(&h, key, out, aad, aadlen) == -1)
        return -1;
    if (gcry_cipher_encrypt(h, out + 12, n, plain, n) == 0 &&
        gcry_cipher_gettag(h, out + 12 + n, 16) == 0)
        rc = 0;
    gcry_cipher_close(h);
    return rc;
}

int
crypto_open(const unsigned char *key, const void *aad, size_t aadlen,
            const unsigned char *in, size_t n, void *plain)
{
    gcry_cipher_hd_t h;
    int rc = -1;

    if (n < CRYPTO_SEAL_OVERHEAD || crypto_init() == -1)
        return -1;
    n -= CRYPTO_SEAL_OVERHEAD;
    if (gcm_open_handle(&h, key, in, aad, aadlen) == -1)
        return -1;
    if (gcry_cipher_decrypt(h, plain, n, in + 12, n) == 0 &&
        gcry_cipher_checktag(h, in + 12 + n, 16) == 0)
        rc = 0;
    gcry_cipher_close(h);
    if (rc == -1)
        memset(plain, 0, n);
    return rc;
}
