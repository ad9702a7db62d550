/* chain_rules.h — the audit chain checked in C (sql/009_audit_chain.sql
 * writes it): a hotel's rows in chain_seq order, each hash =
 * SHA-256(previous row's hash || its canonical bytes), the first after
 * the empty string. Pure: rows in, a verdict out; the database is
 * audit_verify_cmd.c's. */
#ifndef FC_CHAIN_RULES_H
#define FC_CHAIN_RULES_H

#include <stddef.h>

#define CHAIN_HASH_LEN 32

/* Where a walk along one hotel's chain has got to. */
struct chain_walk {
    long long seq;                          /* the last row's chain_seq; 0 before the first */
    unsigned char hash[CHAIN_HASH_LEN];     /* the last row's hash (unused before the first) */
};

/* What chain_step() found. */
enum chain_fault {
    CHAIN_OK = 0,
    CHAIN_GAP,          /* seq is not the one after the last row's: a row is missing or out of place */
    CHAIN_BAD_HASH,     /* the stored hash is not 64 lowercase hex digits */
    CHAIN_MISMATCH,     /* the hash does not cover this row after the last: this row, or its link, was changed */
};

/* A walk before a hotel's first row. */
void chain_start(struct chain_walk *w);

/* The next row of the walk: its chain_seq, its stored hash as hex and its
 * canonical bytes. CHAIN_OK moves the walk past it; any fault leaves the
 * walk where it was. */
enum chain_fault chain_step(struct chain_walk *w, long long seq, const char *hash_hex,
                            const void *canonical, size_t len);

/* A fault in words, for the report naming the row. */
const char *chain_fault_text(enum chain_fault f);

#endif
