/* idempotency_store.c — owns the table idempotency_keys
 * (sql/026_idempotency.sql): a key claimed in the request's transaction,
 * the answer kept with it, and the scheduler's deletion of expired keys
 * (idempotency_store.h). */
#include <stdio.h>
#include <stdlib.h>
#include "db.h"
#include "idempotency_store.h"

/* A new key, or an expired one taken over, is returned (ours); a live one
 * is only locked (the WHERE fails: no row returned). The insert waits for
 * a transaction that holds the same key. */
static struct db_stmt st_claim = {
    "idem_claim",
    "INSERT INTO idempotency_keys AS k (hotel_id, scope, key, fingerprint, expires_at) "
    "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) "
    "ON CONFLICT (hotel_id, scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = NULL, "
    "content_type = NULL, body = NULL, headers = '', expires_at = EXCLUDED.expires_at "
    "WHERE k.expires_at <= now() RETURNING current_setting('synchronous_commit')",
    0,
};
static struct db_stmt st_kept = {
    "idem_kept",
    "SELECT fingerprint, status, content_type, body, headers FROM idempotency_keys "
    "WHERE hotel_id = $1 AND scope = $2 AND key = $3 AND status IS NOT NULL",
    0,
};
/* the commit that follows waits for the WAL flush (and a synchronous
 * standby) as it would have before the work ($8: synchronous_commit as
 * the claim read it), whatever the work set for itself */
static struct db_stmt st_keep = {
    "idem_keep",
    "UPDATE idempotency_keys k SET status = $4, content_type = $5, body = $6, headers = $7 "
    "FROM (SELECT set_config('synchronous_commit', $8, true)) sc "
    "WHERE k.hotel_id = $1 AND k.scope = $2 AND k.key = $3",
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

int idem_claim(long long hotel_id, const char *scope, const char *key, const char *fp, int window,
               struct idem_kept *kept)
{
    struct db_args a;
    key_args(&a, hotel_id, scope, key);
    db_arg_str(&a, fp);
    db_arg_int(&a, window);
    PGresult *r = db_begin_run(&st_claim, &a);       /* BEGIN with it: one round trip */
    if (r == NULL)
        return -1;
    int ours = PQntuples(r) == 1;
    if (ours)
        snprintf(kept->sync_commit, sizeof kept->sync_commit, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (ours)
        return 1;
    key_args(&a, hotel_id, scope, key);
    if ((r = db_run(&st_kept, &a)) == NULL)
        return -1;
    if (PQntuples(r) != 1) {        /* cannot be: the row is locked, and answered */
        PQclear(r);
        return -1;
    }
    kept->r = r;
    kept->fingerprint = db_str(r, 0, 0);
    kept->status = (int)db_ll(r, 0, 1);
    kept->content_type = db_str(r, 0, 2);
    kept->body = db_str(r, 0, 3);
    kept->headers = db_str(r, 0, 4);
    return 0;
}

void idem_kept_free(struct idem_kept *kept)
{
    PQclear(kept->r);
    kept->r = NULL;
}

int idem_keep(long long hotel_id, const char *scope, const char *key, const char *sync_commit, int status,
              const char *content_type, const char *body, const char *headers)
{
    struct db_args a;
    key_args(&a, hotel_id, scope, key);
    db_arg_int(&a, status);
    db_arg_str(&a, content_type);
    db_arg_str(&a, body);
    db_arg_str(&a, headers);
    db_arg_str(&a, sync_commit);
    return db_exec_commit(&st_keep, &a) == 1 ? 0 : -1;    /* COMMIT with it: one round trip */
}

long idem_expire(int batch)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, batch);
    return db_exec(&st_expire, &a);
}
