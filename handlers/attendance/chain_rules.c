/* chain_rules.c — the audit chain's check (chain_rules.h): recomputes
 * each row's hash from the previous one's and compares it, in constant
 * time, with the stored one. */
#include <limits.h>
#include <string.h>
#include "chain_rules.h"
#include "crypto.h"

void chain_start(struct chain_walk *w)
{
    memset(w, 0, sizeof *w);
}

/* 64 lowercase hex digits (encode(hash, 'hex')) into out; 0 or -1 */
static int unhex(const char *hex, unsigned char out[CHAIN_HASH_LEN])
{
    static const char digits[] = "0123456789abcdef";

    if (hex == NULL || strlen(hex) != 2 * CHAIN_HASH_LEN)
        return -1;
    for (int i = 0; i < 2 * CHAIN_HASH_LEN; i++) {
        const char *d = strchr(digits, hex[i]);
        if (hex[i] == '\0' || d == NULL)
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (unsigned char)((d - digits) << 4);
        else
            out[i / 2] |= (unsigned char)(d - digits);
    }
    return 0;
}

enum chain_fault chain_step(struct chain_walk *w, long long seq, const char *hash_hex,
                            const void *canonical, size_t len)
{
    unsigned char stored[CHAIN_HASH_LEN], want[CHAIN_HASH_LEN];

    if (w->seq == LLONG_MAX || seq != w->seq + 1)
        return CHAIN_GAP;
    if (unhex(hash_hex, stored) < 0)
        return CHAIN_BAD_HASH;
    crypto_sha256_2(w->hash, w->seq > 0 ? CHAIN_HASH_LEN : 0, canonical, len, want);
    if (!crypto_equal(want, stored, CHAIN_HASH_LEN))
        return CHAIN_MISMATCH;
    w->seq = seq;
    memcpy(w->hash, stored, CHAIN_HASH_LEN);
    return CHAIN_OK;
}

const char *chain_fault_text(enum chain_fault f)
{
    switch (f) {
    case CHAIN_OK:
        return "matches";
    case CHAIN_GAP:
        return "is not the next link of the chain (a row before it was removed, or its chain_seq changed)";
    case CHAIN_BAD_HASH:
        return "holds no valid hash";
    case CHAIN_MISMATCH:
        return "does not match its hash (the row, its hash or the row before it was changed)";
    }
    return "?";
}
