/* test_chain_rules.c — handlers/attendance/chain_rules.h: a chain made
 * here with SHA-256 walks clean; each kind of tampering (a row's bytes,
 * its stored hash, a removed, swapped or renumbered row, a hash that is
 * not 64 lowercase hex digits) is found at the first row it breaks and
 * leaves the walk there; the first row hashes after the empty string
 * (the known SHA-256 of "abc"). */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "attendance/chain_rules.h"
#include "unit.h"

#define NROWS 5
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct row {
    long long seq;
    char hash[2 * CHAIN_HASH_LEN + 1];
    char canon[64];
};

/* rows 1..NROWS of a hotel, chained as sql/009_audit_chain.sql chains them */
static void make_chain(struct row *r)
{
    unsigned char prev[CHAIN_HASH_LEN], h[CHAIN_HASH_LEN], buf[CHAIN_HASH_LEN + 64];

    for (int i = 0; i < NROWS; i++) {
        size_t n = 0;
        r[i].seq = i + 1;
        snprintf(r[i].canon, sizeof r[i].canon, "[%d, %d, \"REGISTERED\", \"%s\"]", i + 1, 40 + i,
                 i % 2 ? "caf\xc3\xa9" : "");
        if (i > 0) {
            memcpy(buf, prev, CHAIN_HASH_LEN);
            n = CHAIN_HASH_LEN;
        }
        memcpy(buf + n, r[i].canon, strlen(r[i].canon));
        crypto_sha256(buf, n + strlen(r[i].canon), h);
        crypto_hex(h, CHAIN_HASH_LEN, r[i].hash);
        memcpy(prev, h, CHAIN_HASH_LEN);
    }
}

/* Walk rows[0..n-1]; the index of the first fault (its kind in *f), or -1. */
static int walk(const struct row *r, int n, enum chain_fault *f)
{
    struct chain_walk w;

    chain_start(&w);
    for (int i = 0; i < n; i++) {
        struct chain_walk before = w;
        if ((*f = chain_step(&w, r[i].seq, r[i].hash, r[i].canon, strlen(r[i].canon))) != CHAIN_OK) {
            ck_assert_mem_eq(&before, &w, sizeof w);     /* a fault leaves the walk where it was */
            return i;
        }
        ck_assert_int_eq(w.seq, r[i].seq);
    }
    *f = CHAIN_OK;
    return -1;
}

enum tamper { T_NONE, T_BYTES, T_HASH, T_REMOVE, T_SWAP, T_RENUMBER, T_UPPER, T_SHORT, T_NOT_HEX };

static const struct {
    enum tamper how;
    int at;                 /* the row tampered with */
    int bad;                /* the row the walk stops at (-1: none) */
    enum chain_fault fault;
} tab[] = {
    {T_NONE, 0, -1, CHAIN_OK},
    {T_BYTES, 0, 0, CHAIN_MISMATCH},
    {T_BYTES, 2, 2, CHAIN_MISMATCH},
    {T_BYTES, NROWS - 1, NROWS - 1, CHAIN_MISMATCH},
    {T_HASH, 1, 1, CHAIN_MISMATCH},
    {T_HASH, NROWS - 1, NROWS - 1, CHAIN_MISMATCH},
    {T_REMOVE, 0, 0, CHAIN_GAP},              /* row 2 is now first: seq 2 after 0 */
    {T_REMOVE, 2, 2, CHAIN_GAP},              /* seq 4 after 2 */
    {T_SWAP, 1, 1, CHAIN_GAP},
    {T_RENUMBER, 2, 2, CHAIN_MISMATCH},       /* row 3 removed, the rest renumbered: 4 as 3 */
    {T_UPPER, 3, 3, CHAIN_BAD_HASH},
    {T_SHORT, 0, 0, CHAIN_BAD_HASH},
    {T_NOT_HEX, 4, 4, CHAIN_BAD_HASH},
};

START_TEST(tampering_found_at_its_row)
{
    struct row r[NROWS], t;
    int n = NROWS, at = tab[_i].at;
    enum chain_fault f;

    make_chain(r);
    switch (tab[_i].how) {
    case T_NONE:
        break;
    case T_BYTES:
        r[at].canon[1] ^= 1;
        break;
    case T_HASH:
        r[at].hash[10] = r[at].hash[10] == '0' ? '1' : '0';
        break;
    case T_REMOVE:
        memmove(&r[at], &r[at + 1], (size_t)(NROWS - at - 1) * sizeof r[0]);
        n--;
        break;
    case T_SWAP:
        t = r[at];
        r[at] = r[at + 1];
        r[at + 1] = t;
        break;
    case T_RENUMBER:
        memmove(&r[at], &r[at + 1], (size_t)(NROWS - at - 1) * sizeof r[0]);
        n--;
        for (int i = at; i < n; i++)
            r[i].seq = i + 1;
        break;
    case T_UPPER:
        for (char *c = r[at].hash; *c; c++)
            if (*c >= 'a' && *c <= 'f')
                *c = (char)(*c - 'a' + 'A');
        break;
    case T_SHORT:
        r[at].hash[2 * CHAIN_HASH_LEN - 1] = '\0';
        break;
    case T_NOT_HEX:
        r[at].hash[7] = 'g';
        break;
    }
    ck_assert_int_eq(walk(r, n, &f), tab[_i].bad);
    ck_assert_int_eq(f, tab[_i].fault);
    ck_assert_ptr_nonnull(chain_fault_text(f));
}
END_TEST

/* The first row hashes after the empty string: SHA-256("abc") (FIPS 180-2) */
START_TEST(first_row_hashes_its_bytes_alone)
{
    struct chain_walk w;

    chain_start(&w);
    ck_assert_int_eq(chain_step(&w, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                "abc", 3), CHAIN_OK);
    /* the next row is its own bytes after that hash, not after the empty string */
    ck_assert_int_eq(chain_step(&w, 2, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                "abc", 3), CHAIN_MISMATCH);
    ck_assert_int_eq(chain_step(&w, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                "abc", 3), CHAIN_GAP);
    ck_assert_int_eq(chain_step(&w, 2, NULL, "abc", 3), CHAIN_BAD_HASH);
    ck_assert_int_eq(w.seq, 1);
}
END_TEST

UNIT_SUITE(suite_chain_rules)
{
    Suite *s = suite_create("chain_rules");
    TCase *tc = tcase_create("chain");
    tcase_add_loop_test(tc, tampering_found_at_its_row, 0, NELEM(tab));
    tcase_add_test(tc, first_row_hashes_its_bytes_alone);
    suite_add_tcase(s, tc);
    return s;
}
