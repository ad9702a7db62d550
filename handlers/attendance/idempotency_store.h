/* idempotency_store.h — idempotent requests' keys and kept answers in the
 * database (sql/026_idempotency.sql): claiming a key as the request's
 * transaction begins, keeping its answer as it commits, and deleting
 * expired keys. None of them answers the request; on a database failure
 * they return -1 and db_last_status() says why. */
#ifndef FC_IDEMPOTENCY_STORE_H
#define FC_IDEMPOTENCY_STORE_H

#include <libpq-fe.h>

/* The answer kept for a key (or, claimed, what the claim read). */
struct idem_kept {
    char sync_commit[32];          /* synchronous_commit before the work, for idem_keep */
    const char *fingerprint;       /* of the request that was answered */
    int status;
    const char *content_type;
    const char *body;
    const char *headers;           /* "Name: value" lines, '\n' between */
    PGresult *r;                   /* owns the strings: idem_kept_free() */
};

/* Begin the request's transaction and claim in it, in one round trip,
 * key (of scope, in the hotel): a key without a live answer (new, or its
 * window passed: the old row deleted) becomes this transaction's until
 * it ends, 1, with kept->sync_commit; nothing is written for it until
 * idem_keep(). A key another transaction holds is waited for (its commit
 * or rollback; lock_timeout), so a key's requests run one at a time. A
 * key already answered and not expired: 0 with its answer in *kept. -1
 * on a database failure. The caller ends the transaction: with
 * idem_keep() when 1, else db_rollback(). */
int idem_claim(long long hotel_id, const char *scope, const char *key, struct idem_kept *kept);

void idem_kept_free(struct idem_kept *kept);

/* Keep the answer of the claimed key (for a request with fingerprint fp,
 * window seconds from now), in the same transaction as the work it
 * reports, and commit that transaction (one round trip) with
 * synchronous_commit as the claim read it (sync_commit: a statement of
 * the work may have turned it off for itself). 0 once committed, or -1
 * (the caller then db_rollback()s). */
int idem_keep(long long hotel_id, const char *scope, const char *key, const char *fp, int window,
              const char *sync_commit, int status, const char *content_type, const char *body,
              const char *headers);

/* Delete up to batch expired keys (each statement its own transaction,
 * skipping rows a request holds). How many, or -1. */
long idem_expire(int batch);

#endif
