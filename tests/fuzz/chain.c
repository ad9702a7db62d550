/* tests/fuzz/chain.c — libFuzzer target: the audit chain's check
 * (chain_step, handlers/attendance/chain_rules.c). The input's lines are
 * the canonical bytes of a hotel's rows (the canonical form itself is SQL,
 * fc_audit_canonical in sql/009_audit_chain.sql); the harness links them
 * as the database does, SHA-256(previous hash || row), and asserts the
 * walk accepts that chain, then that it names the first row whose bytes,
 * hash text or chain_seq the input's last bytes alter, and never moves
 * on a fault. Each line is also tried as a stored hash text: anything but
 * 64 lowercase hex digits is CHAIN_BAD_HASH. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/chain_rules.h"
#include "crypto.h"

#define MAXROWS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return crypto_init() == 0 ? 0 : -1;
}

static int lower_hex64(const char *s)
{
    size_t n = strlen(s);

    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *row[MAXROWS];
    size_t len[MAXROWS];
    char hex[MAXROWS][65];
    unsigned char h[32], prev[32];
    int n = 0;
    struct chain_walk w, before;

    if (size < 3)
        return 0;
    /* the last three bytes pick the tampering: what, which row, which byte */
    uint8_t what = data[size - 3] % 4, at = data[size - 2], pos = data[size - 1];
    size -= 3;

    for (size_t i = 0, start = 0; i <= size && n < MAXROWS; i++)
        if (i == size || data[i] == '\n') {
            row[n] = data + start;
            len[n] = i - start;
            n++;
            start = i + 1;
        }
    for (int i = 0; i < n; i++) {
        crypto_sha256_2(prev, i > 0 ? 32 : 0, row[i], len[i], h);
        crypto_hex(h, 32, hex[i]);
        memcpy(prev, h, 32);
    }

    /* the chain as written: accepted row by row */
    chain_start(&w);
    for (int i = 0; i < n; i++)
        if (chain_step(&w, i + 1, hex[i], row[i], len[i]) != CHAIN_OK || w.seq != i + 1)
            abort();

    /* altered at row k: the rows before pass, row k is the fault */
    int k = at % n;
    uint8_t *copy = malloc(len[k] + 1);
    memcpy(copy, row[k], len[k]);
    chain_start(&w);
    for (int i = 0; i < k; i++)
        if (chain_step(&w, i + 1, hex[i], row[i], len[i]) != CHAIN_OK)
            abort();
    before = w;
    enum chain_fault f, want;
    char bad[65];
    memcpy(bad, hex[k], sizeof bad);
    long long seq = k + 1;
    size_t clen = len[k];
    switch (what) {
    case 0:         /* one byte of the row changed, or a byte added */
        if (clen > 0)
            copy[pos % clen] ^= (uint8_t)(1 + pos / 64);
        else
            copy[clen++] = pos;
        want = CHAIN_MISMATCH;
        break;
    case 1:         /* another well-formed hash */
        bad[pos % 64] = bad[pos % 64] == '0' ? '1' : '0';
        want = CHAIN_MISMATCH;
        break;
    case 2:         /* a hash that is no lowercase hex */
        bad[pos % 64] = (char)(pos < 'g' ? 'G' + pos % 20 : pos);
        want = lower_hex64(bad) ? CHAIN_MISMATCH : CHAIN_BAD_HASH;
        if (strcmp(bad, hex[k]) == 0)
            want = CHAIN_OK;
        break;
    default:        /* a row missing or out of place */
        seq = pos % 2 ? k + 2 + pos : k;
        want = CHAIN_GAP;
        break;
    }
    f = chain_step(&w, seq, bad, copy, clen);
    if (f != want || (f != CHAIN_OK && memcmp(&w, &before, sizeof w) != 0))
        abort();
    if (chain_fault_text(f) == NULL)
        abort();
    free(copy);

    /* each line as a stored hash text */
    for (int i = 0; i < n; i++) {
        char *t = malloc(len[i] + 1);
        memcpy(t, row[i], len[i]);
        t[len[i]] = '\0';
        chain_start(&w);
        f = chain_step(&w, 1, t, "", 0);
        if (f == CHAIN_BAD_HASH ? lower_hex64(t) : !lower_hex64(t))
            abort();
        free(t);
    }
    return 0;
}
