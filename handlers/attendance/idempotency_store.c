/* idempotency_store.c — owns the table idempotency_keys
 * (sql/026_idempotency.sql): a key locked and read as the request's
 * transaction begins, its answer written once as it commits, and the
 * scheduler's deletion of expired keys (idempotency_store.h). */
#include <stdio.h>
#include <stdlib.h>
#include "db.h"
#include "idempotency_store.h"

/* A key's requests run one at a time: each takes the transaction lock
 * of a hash of (hotel, scope, key) before it reads the key (a collision
 * only serialises two keys), and keeps it until its commit or rollback.
 * Statements of their own, in one round trip with BEGIN: the read's
 * snapshot is taken once the lock is held, so it sees the answer of the
 * request that held it. */
static struct db_stmt st_lock = {
    "idem_lock",
    "SELECT pg_advisory_xact_lock(hashtextextended($2 || ' ' || $3, $1))",
    0,
};
/* The key's live answer, if any (an expired row is deleted: the key is
 * new again), and synchronous_commit as the session has it. */
static struct db_stmt st_kept = {
    "idem_kept",
    "WITH gone AS (DELETE FROM idempotency_keys WHERE hotel_id = $1 AND scope = $2 AND key = $3 "
    " AND expires_at <= now()) "
    "SELECT current_setting('synchronous_commit'), k.fingerprint, k.status, k.content_type, k.body, k.headers "
    "FROM (SELECT) one LEFT JOIN idempotency_keys k ON k.hotel_id = $1 AND k.scope = $2 AND k.key = $3 "
    "AND k.expires_at > now()",
    0,
};
/* The answer, the key's one write. The commit that follows waits for the
 * WAL flush (and a synchronous standby) as it would have before the work
 * ($9: synchronous_commit as read with the key), whatever the work set
 * for itself. A row there already was written without the lock (a worker
 * of the previous version, during an upgrade): the unique violation skips
 * the COMMIT behind it, and the work rolls back. */
static struct db_stmt st_keep = {
    "idem_keep",
    "INSERT INTO idempotency_keys (hotel_id, scope, key, fingerprint, expires_at, status, content_type, body, "
    "headers) SELECT $1::bigint, $2::text, $3::text, $4::text, now() + make_interval(secs => $5), $6::smallint, "
    "$7::text, $8::text, $10::text "
    "FROM (SELECT set_config('synchronous_commit', $9, true)) sc",
    0,
};
static struct db_stmt st_expire = {
    "idem_expire",
    "DELETE FROM idempotency_keys WHERE (hotel_id, scope, key) IN ("
    " SELECT hotel_id, scope, key FROM idempotency_keys WHERE expires_at <= now() "
    " ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)",
    0,
};

static void key_args(struct db_args *a, long long hotel_id, const char *scope, const char *key)
{
    db_args_init(a);
    db_arg_int(a, hotel_id);
    db_arg_str(a, scope);
    db_arg_str(a, key);
}

int idem_claim(long long hotel_id, const char *scope, const char *key, struct idem_kept *kept)
{
    struct db_args a;
    key_args(&a, hotel_id, scope, key);
    struct db_stmt *sts[] = {&st_lock, &st_kept};
    const struct db_args *as[] = {&a, &a};
    PGresult *r = db_begin_run(2, sts, as);     /* BEGIN with them: one round trip */
    if (r == NULL)
        return -1;
    if (PQntuples(r) != 1) {        /* cannot be: one row, joined or not */
        PQclear(r);
        return -1;
    }
    snprintf(kept->sync_commit, sizeof kept->sync_commit, "%s", PQgetvalue(r, 0, 0));
    if (PQgetisnull(r, 0, 2)) {     /* no answer: the key is this transaction's */
        PQclear(r);
        kept->r = NULL;
        return 1;
    }
    kept->r = r;
    kept->fingerprint = db_str(r, 0, 1);
    kept->status = (int)db_ll(r, 0, 2);
    kept->content_type = db_str(r, 0, 3);
    kept->body = db_str(r, 0, 4);
    kept->headers = db_str(r, 0, 5);
    return 0;
}

void idem_kept_free(struct idem_kept *kept)
{
    PQclear(kept->r);
    kept->r = NULL;
}

int idem_keep(long long hotel_id, const char *scope, const char *key, const char *fp, int window,
              const char *sync_commit, int status, const char *content_type, const char *body,
              const char *headers)
{
    struct db_args a;
    key_args(&a, hotel_id, scope, key);
    db_arg_str(&a, fp);
    db_arg_int(&a, window);
    db_arg_int(&a, status);
    db_arg_str(&a, content_type);
    db_arg_str(&a, body);
    db_arg_str(&a, sync_commit);
    db_arg_str(&a, headers);
    return db_exec_commit(&st_keep, &a) == 1 ? 0 : -1;    /* COMMIT with it: one round trip */
}

long idem_expire(int batch)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, batch);
    return db_exec(&st_expire, &a);
}
