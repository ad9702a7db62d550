/* db.h — the one database layer: a libpq connection per worker, statements
 * prepared once per connection, typed text parameters, transactions, and
 * reconnection. When PostgreSQL is down a call fails at once (no hang) and
 * the caller answers 503 UNAVAILABLE via db_fail_reply(); the next request
 * reconnects by itself. Parameter values are never logged. */
#ifndef FC_DB_H
#define FC_DB_H

#include <libpq-fe.h>
#include "request.h"

#define DB_MAXARGS 24

/* A statement: declared static (not const) in the module that uses it;
 * `id` is the db layer's number for it (0 until its first run), by which
 * each connection notes whether it is prepared there. */
struct db_stmt {
    const char *name;       /* unique across the program */
    const char *sql;        /* $1..$n placeholders */
    unsigned id;
};

/* Typed parameters, converted to text. Strings are borrowed, not copied:
 * they must outlive the call. */
struct db_args {
    const char *v[DB_MAXARGS];
    char num[DB_MAXARGS][32];
    int n;
};

void db_args_init(struct db_args *a);
void db_arg_str(struct db_args *a, const char *s);   /* NULL -> SQL NULL */
void db_arg_int(struct db_args *a, long long v);
void db_arg_double(struct db_args *a, double v);
void db_arg_bool(struct db_args *a, int v);
void db_arg_null(struct db_args *a);
void db_arg_id(struct db_args *a, long long id);      /* id > 0, else SQL NULL */

/* DB_TIMEOUT: the statement or a lock it waited for overran the request
 * deadline's timeouts (statement_timeout, lock_timeout). */
enum db_status { DB_OK = 0, DB_DOWN, DB_UNIQUE, DB_FOREIGN_KEY, DB_CHECK, DB_INVALID, DB_RETRY,
                 DB_TIMEOUT, DB_ERROR };

/* Pure. What a failed statement's SQLSTATE (NULL: no server answer, the
 * connection lost) means for the request: DB_DOWN for connection
 * failures, shutdowns and insufficient resources (class 53: the disk
 * full), DB_TIMEOUT for statement and lock timeouts, ... DB_ERROR for
 * anything else (a bug: 500). */
enum db_status db_classify_sqlstate(const char *sqlstate);

int db_init(const char *conninfo);   /* remember conninfo; connect lazily */
/* The read connection's conninfo (FACECLOCK_READ_DATABASE_URL; NULL or
 * "": none, every read goes to the primary). Connected lazily, by the
 * first db_read_begin(). */
int db_init_read(const char *conninfo);

/* Reads on a standby. A route declared READS_STANDBY (router.h) marks the
 * reads that may go there: between db_read_begin() and db_read_end() its
 * statements go to the read connection when that one is fit — a standby
 * that has replayed the caller's last write (the WAL position a write
 * answered, carried back in the X-WAL-Position header or the fc_wal
 * cookie; DB_AFTER_NOW: everything the primary has now, asked of it) and
 * whose replay lags less than FACECLOCK_READ_MAX_LAG — else to the
 * primary, as do all the others. Never an error for the caller: a read
 * connection that is down or behind means the primary. The choice is
 * answered in the response header X-Read-From ("standby", or "primary;
 * <why>"), when a read connection is configured. 1 when the reads go to
 * the standby, else 0. Inside a transaction, or for a route not declared
 * READS_STANDBY: the primary, always. */
enum db_after { DB_AFTER_CALLER, DB_AFTER_NOW };
int db_read_begin(struct request *req, enum db_after after);
/* Back to the primary; a transaction left open on the read connection is
 * rolled back. A no-op outside db_read_begin(). */
void db_read_end(void);

/* Pure. A WAL position "X/Y" (1 to 8 hex digits each, as PostgreSQL
 * writes an LSN) as a number: 0, or -1 when s is not one. */
int db_lsn_parse(const char *s, unsigned long long *lsn);

/* What a read server is, as db_read_begin() finds it. */
struct db_read_state {
    int in_recovery;                 /* pg_is_in_recovery(): a standby */
    int receiving;                   /* its WAL receiver runs (it follows a primary) */
    unsigned long long replayed;     /* pg_last_wal_replay_lsn() */
    double lag_s;                    /* replay behind what it received: seconds since the
                                        last replayed commit, 0 when nothing waits */
};
enum db_read_choice { DB_READ_STANDBY, DB_READ_SERVER_IS_PRIMARY, DB_READ_BEHIND,
                      DB_READ_LAGGING, DB_READ_DETACHED };
/* Pure. Whether reads that must see the WAL position `after` (0: any)
 * may go to the read server in state s with replay lag bound max_lag_s:
 * DB_READ_STANDBY or DB_READ_SERVER_IS_PRIMARY (the read URL reached a
 * primary: as good), else why not. */
enum db_read_choice db_read_decide(const struct db_read_state *s, unsigned long long after,
                                   double max_lag_s);

/* The WAL position the last commit of this unit of work reached on the
 * primary ("X/Y"), read in that COMMIT's own round trip when a read
 * connection is configured; NULL when none (fcgi/response.c answers it
 * as X-WAL-Position and the fc_wal cookie). Forgotten by db_abandon(). */
const char *db_written_position(void);
/* The monotonic instant (now_monotonic()) by which the current request
 * must have had its database answers (watchdog_db_deadline()); 0: none
 * (commands). A wait that reaches it drops the connection (what was sent
 * and not committed dies with it) and fails with DB_TIMEOUT: 503. */
void db_set_deadline(double mono_at);
void db_close(void);

/* Run a prepared statement. Returns a result the caller PQclear()s, or
 * NULL with db_last_status() telling why. Sent once: an idle connection
 * the server closed is replaced before sending; a connection lost after
 * sending fails the statement (DB_DOWN), never re-sends it. */
PGresult *db_run(struct db_stmt *st, const struct db_args *a);

/* db_run() of a statement whose parameters are $1 an id (a hotel's, say)
 * and $2 a text (a name within it): the commonest shape. */
PGresult *db_run_id_str(struct db_stmt *st, long long id, const char *text);

/* Run a statement for its effect; returns affected rows or -1. */
long db_exec(struct db_stmt *st, const struct db_args *a);

/* Plain SQL without parameters (migrations, BEGIN/COMMIT). */
int db_simple(const char *sql);

/* BEGIN; inside a transaction already (a wider unit of work that must
 * commit with it, e.g. an idempotent request's stored answer) a
 * SAVEPOINT instead, which db_commit() releases and db_rollback() rolls
 * back to: the caller's transaction code reads the same either way, and
 * what it commits becomes durable only with the outer COMMIT (and its
 * db_count()s count with the outer transaction's, even when the
 * savepoint is rolled back: an error path's audit count may be one too
 * many). */
int db_begin(void);
/* COMMIT the open transaction: 0 only when PostgreSQL answered the tag
 * COMMIT. No transaction (lost with its connection: DB_DOWN), an error,
 * or a transaction that had failed (the server answers ROLLBACK): -1. */
int db_commit(void);
/* Pure: did a COMMIT's result (status, PQcmdStatus tag) commit? */
int db_commit_ok(ExecStatusType status, const char *tag);
void db_rollback(void);              /* no-op when no transaction is open */
/* db_begin() then db_run() of each of n statements (at most
 * DB_BATCH_MAX) in one round trip (libpq's pipeline mode: still one
 * statement after the other, each with its own snapshot; inside a
 * transaction already, one by one): the last one's result, or NULL with
 * db_last_status() (a failed statement skips the rest). On NULL the
 * transaction is open if BEGIN went through, and its code db_rollback()s
 * it as after any failed statement of it. */
#define DB_BATCH_MAX 4
PGresult *db_begin_run(int n, struct db_stmt *const *sts, const struct db_args *const *as);
/* db_run() of each of n statements (at most DB_BATCH_MAX) in one round
 * trip, outside a transaction (pipeline mode as db_begin_run(): one after
 * the other, each with its own snapshot, a failed one skipping the rest;
 * inside a transaction, one by one): res[i] statement i's result, NULL
 * for one that did not run; the caller PQclear()s every res[i]. 0, or -1
 * with db_last_status() of the first failure. */
int db_run_all(int n, struct db_stmt *const *sts, const struct db_args *const *as, PGresult **res);
/* db_exec(st, a) then db_commit() in one round trip: st's affected rows
 * once committed, or -1 (st failed: the transaction is left for
 * db_rollback(); or the COMMIT did not commit, as db_commit()). */
long db_exec_commit(struct db_stmt *st, const struct db_args *a);
/* A transaction's connection lost (a restart, a failover): until its code
 * ends it with db_commit() (which fails) or db_rollback(), every
 * statement fails DB_DOWN — none reconnects to run outside it, where it
 * would commit on its own. */
/* The end of a unit of work (a request): a transaction its code left
 * open — lost with its connection or not — rolled back and forgotten. 1
 * when there was one. */
int db_abandon(void);
int db_in_transaction(void);
/* Add n to the application's counter (app.h: app_counters, not per
 * tenant) for rows written: when the transaction under way commits
 * (dropped if it rolls back), at once outside one. */
void db_count(int counter, unsigned long long n);

enum db_status db_last_status(void);
const char *db_last_constraint(void);   /* of the last failure, or "" */
const char *db_last_message(void);      /* server message of the last failure */

/* Answer the client for the last failure: 503 UNAVAILABLE when the
 * database is unreachable or did not answer in time, 409 CONFLICT for a unique violation, else a
 * logged 500 INTERNAL. */
void db_fail_reply(struct request *req);

/* Run one COPY ... TO STDOUT statement and hand every chunk to sink, in
 * constant memory (libpq gives one row per chunk; the chunk is freed after
 * sink returns). sql is plain text without parameters: the values a COPY
 * needs are put in place beforehand with set_config() through a prepared
 * statement in the same transaction, and read back with current_setting().
 * sink returns 0 to go on or -1 to stop: the COPY is then cancelled and
 * the rest discarded (inside a transaction, the caller rolls back).
 * Returns 0 when every row reached sink; -1 on a database failure
 * (db_last_status() / db_fail_reply() as for db_run) or when sink stopped
 * it (the caller knows that from its ctx). */
int db_copy_out(const char *sql, int (*sink)(void *ctx, const char *buf, size_t n), void *ctx);

/* Run a prepared statement and hand its rows to row() one by one, in
 * constant memory however many there are (libpq's single-row mode: row i
 * of result r, which is cleared after row() returns). The plan is the
 * prepared statement's, cached like db_run's. row() returns 0 to go on or
 * -1 to stop: the statement is then cancelled and the rest discarded.
 * Returns the number of rows handed over, or -1 on a database failure
 * (db_last_status() / db_fail_reply() as for db_run) or when row()
 * stopped it (the caller knows that from its ctx). Sent once, as by
 * db_run. */
long long db_each_row(struct db_stmt *st, const struct db_args *a,
                      int (*row)(void *ctx, const PGresult *r, int i), void *ctx);

int db_ping(void);                   /* 0 when SELECT 1 succeeds */

/* For a service that waits on the database: LISTEN on channel ([a-z0-9_])
 * now and on every later connection (re-issued when it reconnects; the
 * caller notices a new connection by db_generation() changing, and
 * catches up on what it missed meanwhile). 0, or -1 (not connected: the
 * next call tries again). */
int db_listen(const char *channel);
/* Wait up to timeout_s for notifications and hand each payload to fn.
 * Returns how many were handed over (0: none in time), or -1 when the
 * connection is down (the next call reconnects). */
int db_wait_notify(double timeout_s, void (*fn)(void *ctx, const char *payload), void *ctx);
unsigned db_generation(void);        /* bumped on every new connection */
PGconn *db_conn(void);               /* current connection or NULL */

/* Column helpers over a result row (NULL-safe). */
const char *db_str(const PGresult *r, int row, int col);    /* NULL for SQL NULL */
long long db_ll(const PGresult *r, int row, int col);       /* 0 for NULL */
double db_double(const PGresult *r, int row, int col);
int db_bool(const PGresult *r, int row, int col);           /* 't' -> 1 */

/* o[key] = the column as a JSON integer, or null for SQL NULL. */
void db_json_ll(struct json_object *o, const char *key, const PGresult *r, int row, int col);

/* $n..$n+3: a time range's from_date, from_ts, to_date, to_ts (text or NULL). */
void db_arg_time_range(struct db_args *a, const struct time_range *t);

/* A result row as a JSON object, declared: each member's key, its column
 * (counted from a base column) and how the column reads. */
enum db_json_type {
    DBJ_INT,            /* a JSON integer (0 for SQL NULL) */
    DBJ_INT_OR_NULL,    /* a JSON integer, or null */
    DBJ_STR,            /* a JSON string, or null */
    DBJ_BOOL,           /* true / false ('t') */
    DBJ_HOURS,          /* a number with 2 decimals */
    DBJ_JSON,           /* the column's JSON text (jsonb) as JSON */
};
struct db_json_col {
    const char *key;
    int col;
    enum db_json_type type;
};

/* Add row's columns base + cols[k].col to o as cols says ({NULL}-terminated). */
void db_json_cols(struct json_object *o, const PGresult *r, int row, int base, const struct db_json_col *cols);

/* A new object of row's columns (db_json_cols from column 0); ctx is the
 * {NULL}-terminated columns, so it serves as a db_row_json. */
struct json_object *db_row_object(const void *cols, const PGresult *r, int row);

/* Append row's columns (from column 0) as the JSON object db_row_object()
 * makes of them, written as resp_json() would write it — byte for byte,
 * by the same writers (jsonx.h struct jx_out) — but without making the
 * object: a list page of many rows (list_store.c) costs a fraction. */
struct jx_out;
void db_row_text(struct jx_out *o, const struct db_json_col *cols, const PGresult *r, int row);

/* One page of a list endpoint. The statement answers at least one row:
 * the count of every matching row in column total_col of row 0, and the
 * page's rows (left-joined to that count) with id_col NULL when the page
 * is empty. row() turns row i into its JSON object. Returns 0 with *rows
 * (a new array the caller owns) and *total, or -1 on a database failure
 * (db_last_status() / db_fail_reply() as for db_run). */
typedef struct json_object *(*db_row_json)(const void *ctx, const PGresult *r, int i);
int db_page_rows(struct db_stmt *st, const struct db_args *a, int total_col, int id_col,
                 db_row_json row, const void *ctx, struct json_object **rows, long long *total);

#endif
