/* db.c — the one database layer over libpq: a lazily (re)connected
 * connection per process, statements prepared once per connection,
 * transactions (their BEGIN or COMMIT pipelined with a statement: one
 * round trip for two), a batch of statements pipelined outside one,
 * failure classification and the 503/409/500 answers; result rows as
 * JSON of declared columns, as objects or as text.
 * A statement is sent once: an idle connection the server has closed is
 * noticed (and replaced) before anything is sent on it, and a statement
 * whose connection is lost after it was sent is never sent again (it may
 * have been applied), whether it reads or writes: the request gets 503.
 * No wait for the server outlasts the request's deadline (db_set_deadline):
 * past it the connection is dropped, uncommitted work with it, and the
 * request gets 503 before nginx gives up on it. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "http.h"
#include "router.h"
#include "jsonx.h"
#include "log.h"
#include "metrics.h"
#include "validate.h"
#include "config.h"
#include "response.h"
#include "watchdog.h"

/* One connection and everything that belongs to it: its conninfo, its
 * generation (bumped on every new connection), the statements prepared on
 * it (per statement number, the generation it was prepared in), its
 * transaction's depth: db_begin()s not yet ended by db_commit() /
 * db_rollback(), the transaction (1) and its savepoints, kept apart from
 * libpq's own state so that a transaction lost with its connection stays
 * open for its code (nothing of it may run on another connection, where
 * it would commit on its own: a failover, the rest of an idempotent
 * scan's work without its key). The primary link is every process's; the
 * read link exists only with FACECLOCK_READ_DATABASE_URL and is used
 * between db_read_begin() and db_read_end(). */
struct link {
    const char *name;                    /* for the log */
    char *conninfo;                      /* NULL: not configured */
    PGconn *conn;
    unsigned generation;
    double last_attempt;
    int gave_up;                         /* the last wait overran the deadline */
    int depth;
    char listen_sql[160];                /* db_listen(): "LISTEN ..." on every connection */
    unsigned *prepared;                  /* [statement number]: generation prepared in */
    unsigned nprepared;
};
static struct link links[2] = {{.name = "primary", .generation = 1}, {.name = "read", .generation = 1}};
static struct link *const primary = &links[0], *const reader = &links[1];
static struct link *cur = &links[0];     /* the link statements go to now */
static unsigned nstmts;                  /* statement numbers given (db_stmt.id) */
static char written_lsn[32];             /* this unit of work's last commit's WAL position */
static enum db_status last_status;
static char last_constraint[128];
static char last_message[256];
static double deadline;                  /* db_set_deadline(); 0: none */

void db_args_init(struct db_args *a)
{
    a->n = 0;
}

static void push(struct db_args *a, const char *v)
{
    if (a->n >= DB_MAXARGS) {
        log_error("too many SQL parameters");
        abort();
    }
    a->v[a->n++] = v;
}

void db_arg_str(struct db_args *a, const char *s) { push(a, s); }
void db_arg_null(struct db_args *a) { push(a, NULL); }
void db_arg_bool(struct db_args *a, int v) { push(a, v ? "t" : "f"); }

void db_arg_id(struct db_args *a, long long id)
{
    if (id > 0)
        db_arg_int(a, id);
    else
        db_arg_null(a);
}

void db_arg_int(struct db_args *a, long long v)
{
    ll_text(a->num[a->n < DB_MAXARGS ? a->n : 0], v);
    push(a, a->num[a->n]);
}

void db_arg_double(struct db_args *a, double v)
{
    snprintf(a->num[a->n < DB_MAXARGS ? a->n : 0], sizeof a->num[0], "%.17g", v);
    push(a, a->num[a->n]);
}

static int link_init(struct link *l, const char *info)
{
    free(l->conninfo);
    l->conninfo = info != NULL ? strdup(info) : NULL;
    return info == NULL || l->conninfo != NULL ? 0 : -1;
}

int db_init(const char *info)
{
    return link_init(primary, info ? info : "");
}

int db_init_read(const char *info)
{
    return link_init(reader, info != NULL && info[0] != '\0' ? info : NULL);
}

void db_close(void)
{
    for (int i = 0; i < 2; i++) {
        struct link *l = &links[i];
        if (l->conn != NULL)
            PQfinish(l->conn);
        l->conn = NULL;
        free(l->conninfo);
        l->conninfo = NULL;
        free(l->prepared);
        l->prepared = NULL;
        l->nprepared = 0;
    }
    cur = primary;
}

static void set_failure(enum db_status st, const PGresult *res)
{
    last_status = st;
    last_constraint[0] = '\0';
    last_message[0] = '\0';
    if (res != NULL) {
        const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        snprintf(last_constraint, sizeof last_constraint, "%s", c ? c : "");
        /* libpq's own errors (a lost connection) have no primary field */
        snprintf(last_message, sizeof last_message, "%s", m ? m : PQresultErrorMessage(res));
        last_message[strcspn(last_message, "\n")] = '\0';
    } else if (cur->conn != NULL) {
        snprintf(last_message, sizeof last_message, "%s", PQerrorMessage(cur->conn));
    } else if (cur->gave_up) {
        snprintf(last_message, sizeof last_message, "no answer within the request deadline");
    }
    if (st == DB_DOWN || st == DB_ERROR)
        metrics_db_error();
}

void db_set_deadline(double mono_at)
{
    deadline = mono_at;
}

/* The request's deadline passed with the database silent (frozen, or a
 * network that stopped answering): drop the connection, so that what was
 * sent and not committed dies with it and nothing lands after the client
 * has had its answer; the request gets 503 (DB_TIMEOUT). */
static void give_up(void)
{
    log_warn("no answer from the database within the request deadline; dropping the connection");
    PQfinish(cur->conn);
    cur->conn = NULL;
    cur->gave_up = 1;
    set_failure(DB_TIMEOUT, NULL);
}

/* Wait until the connection has input, no later than the deadline. 0, or
 * -1 when it passed (give_up() done). */
static int wait_readable(void)
{
    for (;;) {
        int ms = -1;
        if (deadline > 0) {
            double left = deadline - now_monotonic();
            if (left <= 0) {
                give_up();
                return -1;
            }
            ms = (int)(left * 1000) + 1;
        }
        struct pollfd pfd = {PQsocket(cur->conn), POLLIN, 0};
        int r = poll(&pfd, 1, ms);
        if (r > 0 || (r < 0 && errno != EINTR))
            return 0;       /* input, or a socket error PQconsumeInput will report */
    }
}

/* Until a result can be read without blocking. 0 or -1 (give_up() done). */
static int await_result(void)
{
    while (PQisBusy(cur->conn)) {
        if (wait_readable() < 0)
            return -1;
        if (!PQconsumeInput(cur->conn))
            return 0;       /* the connection is lost: PQgetResult says so */
    }
    return 0;
}

/* The results of what was just sent, kept as PQexec keeps them (the
 * last, or the first error; a COPY's start ends the wait), waiting no
 * longer than the deadline. NULL when sending failed or the deadline
 * passed. */
static PGresult *last_result(int sent)
{
    PGresult *keep = NULL, *r;

    if (!sent)
        return NULL;
    for (;;) {
        if (await_result() < 0) {
            PQclear(keep);
            return NULL;
        }
        if ((r = PQgetResult(cur->conn)) == NULL)
            break;
        if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
            PQclear(r);
            continue;
        }
        PQclear(keep);
        keep = r;
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_COPY_OUT || rs == PGRES_COPY_IN || rs == PGRES_COPY_BOTH)
            break;
    }
    return keep;
}

#define CONNECT_TIMEOUT_S 3.0
#define READ_RETRY_S 5.0

/* PQconnectdbParams, waiting no longer than CONNECT_TIMEOUT_S nor past
 * the request's deadline (libpq's connect_timeout holds only for its own
 * blocking loop). *late is set when the time ran out (the connection is
 * then finished and NULL returned). */
static PGconn *connect_bounded(const char *const *keys, const char *const *vals, int *late)
{
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    double until = now_monotonic() + CONNECT_TIMEOUT_S;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;

    if (c == NULL || PQstatus(c) == CONNECTION_BAD)
        return c;
    if (deadline > 0 && deadline < until)
        until = deadline;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        double left = until - now_monotonic();
        if (left <= 0) {
            PQfinish(c);
            *late = 1;
            return NULL;
        }
        struct pollfd pfd = {PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0};
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r > 0 || (r < 0 && errno != EINTR))
            st = PQconnectPoll(c);
    }
    return c;
}

/* Make sure there is a usable connection. 0 or -1 (database down). */
/* An idle connection (no transaction, nothing in flight) has nothing to
 * read unless the server is closing it (pg_terminate_backend, a restart,
 * idle timeouts): its farewell or the end of the stream. */
static int closed_by_server(void)
{
    if (PQtransactionStatus(cur->conn) != PQTRANS_IDLE)
        return 0;
    struct pollfd pfd = {PQsocket(cur->conn), POLLIN, 0};
    if (pfd.fd < 0)
        return 1;
    if (poll(&pfd, 1, 0) == 0)
        return 0;
    int read = PQconsumeInput(cur->conn);
    /* a listener's idle connection receives notifications: kept in
     * libpq's queue for db_wait_notify, the connection is not closed */
    if (cur->listen_sql[0] != '\0')
        return !read || PQstatus(cur->conn) != CONNECTION_OK;
    return 1;
}

static int ensure(void)
{
    cur->gave_up = 0;
    if (cur->conn != NULL && PQstatus(cur->conn) == CONNECTION_OK && !closed_by_server())
        return 0;
    if (cur->depth > 0) {                /* never reconnect under an open transaction */
        set_failure(DB_DOWN, NULL);
        snprintf(last_message, sizeof last_message, "the connection was lost inside a transaction");
        return -1;
    }
    if (cur->conn != NULL && PQstatus(cur->conn) == CONNECTION_OK) {
        log_info("the database closed this idle connection; reconnecting");
        cur->last_attempt = 0;
    }
    double now = now_monotonic();
    if (cur->conn != NULL) {
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    /* a read connection that failed is tried again after READ_RETRY_S:
     * meanwhile its reads go to the primary at no cost */
    if ((cur == reader && cur->conninfo == NULL) ||
        (now - cur->last_attempt < (cur == reader ? READ_RETRY_S : 0.2) && cur->last_attempt > 0)) {
        set_failure(DB_DOWN, NULL);
        return -1;
    }
    cur->last_attempt = now;
    /* the request deadline: no statement or lock wait outlasts it, a
     * transaction left idle (its worker hung) is ended by the server, and
     * a TCP peer that stops answering is given up */
    char options[160], user_timeout[24];
    long stmt_ms = watchdog_statement_ms(g_config.request_deadline);
    long deadline_ms = (long)g_config.request_deadline * 1000;
    snprintf(options, sizeof options, "-c statement_timeout=%ld -c lock_timeout=%ld "
             "-c idle_in_transaction_session_timeout=%ld", stmt_ms, stmt_ms, deadline_ms);
    snprintf(user_timeout, sizeof user_timeout, "%ld", deadline_ms);
    const char *keys[] = {"dbname", "connect_timeout", "options", "application_name", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "tcp_user_timeout", NULL};
    const char *vals[] = {cur->conninfo ? cur->conninfo : "", "3", options, cur == reader ? "faceclock-read" : "faceclock", "1",
                          "10", "5", "3", user_timeout, NULL};
    int late = 0;
    cur->conn = connect_bounded(keys, vals, &late);
    if (cur->conn == NULL || PQstatus(cur->conn) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", late ? "no answer to the connection within its time"
                                        : cur->conn ? PQerrorMessage(cur->conn) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        log_warn("%sdatabase unavailable: %s", cur == reader ? "read " : "", msg);
        if (cur->conn != NULL)
            PQfinish(cur->conn);
        cur->conn = NULL;
        set_failure(DB_DOWN, NULL);
        snprintf(last_message, sizeof last_message, "%s", msg);
        return -1;
    }
    cur->generation++;
    cur->last_attempt = 0;
    if (cur->listen_sql[0] != '\0') {
        PGresult *res = PQexec(cur->conn, cur->listen_sql);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            log_warn("%s failed: %s", cur->listen_sql, PQresultErrorMessage(res));
        PQclear(res);
        if (!ok) {
            PQfinish(cur->conn);
            cur->conn = NULL;
            set_failure(DB_DOWN, NULL);
            return -1;
        }
    }
    return 0;
}

unsigned db_generation(void)
{
    return primary->generation;
}

int db_listen(const char *channel)
{
    size_t n = strlen(channel);
    if (n == 0 || n > 63 || strspn(channel, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return -1;
    snprintf(cur->listen_sql, sizeof cur->listen_sql, "LISTEN %s", channel);
    if (cur->conn != NULL) {             /* the next ensure() connects and listens */
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    return ensure();
}

int db_wait_notify(double timeout_s, void (*fn)(void *ctx, const char *payload), void *ctx)
{
    if (ensure() < 0)
        return -1;
    int handed = 0;
    PGnotify *n;
    while ((n = PQnotifies(cur->conn)) != NULL) {
        fn(ctx, n->extra);
        PQfreemem(n);
        handed++;
    }
    if (handed > 0)
        return handed;
    struct pollfd pfd = {PQsocket(cur->conn), POLLIN, 0};
    int r = poll(&pfd, 1, (int)(timeout_s * 1000));
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    if (r == 0)
        return 0;
    if (!PQconsumeInput(cur->conn) || PQstatus(cur->conn) != CONNECTION_OK) {
        log_warn("the database connection was lost: %s", PQerrorMessage(cur->conn));
        PQfinish(cur->conn);
        cur->conn = NULL;
        set_failure(DB_DOWN, NULL);
        return -1;
    }
    while ((n = PQnotifies(cur->conn)) != NULL) {
        fn(ctx, n->extra);
        PQfreemem(n);
        handed++;
    }
    return handed;
}

enum db_status db_classify_sqlstate(const char *state)
{
    if (state == NULL)
        return DB_DOWN;             /* libpq's own failure: no server answer */
    if (strcmp(state, "23505") == 0)
        return DB_UNIQUE;
    if (strcmp(state, "23503") == 0)
        return DB_FOREIGN_KEY;
    if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0 || strcmp(state, "P0001") == 0)
        return DB_CHECK;
    if (strncmp(state, "22", 2) == 0)
        return DB_INVALID;
    if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0)
        return DB_RETRY;            /* deadlock / serialization: the client may retry */
    if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0)
        return DB_TIMEOUT;          /* statement_timeout / lock_timeout */
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
        strcmp(state, "57P03") == 0)
        return DB_DOWN;
    /* insufficient resources: disk full (53100), out of memory, too many
     * connections: the server is there but cannot take the write now */
    if (strncmp(state, "53", 2) == 0)
        return DB_DOWN;
    return DB_ERROR;
}

static enum db_status classify(const PGresult *res)
{
    if (cur->gave_up)
        return DB_TIMEOUT;
    if (cur->conn == NULL || PQstatus(cur->conn) != CONNECTION_OK)
        return DB_DOWN;
    return db_classify_sqlstate(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
}

/* Connect when needed and prepare st on this connection once. 0 or -1. */
static int ready(struct db_stmt *st)
{
    PGresult *res;

    if (ensure() < 0)
        return -1;
    if (st->id == 0)
        st->id = ++nstmts;
    if (st->id >= cur->nprepared) {
        unsigned n = st->id < 64 ? 128 : st->id * 2;
        unsigned *p = realloc(cur->prepared, n * sizeof *p);
        if (p == NULL) {
            log_error("out of memory for the prepared statements' list");
            abort();
        }
        memset(p + cur->nprepared, 0, (n - cur->nprepared) * sizeof *p);
        cur->prepared = p;
        cur->nprepared = n;
    }
    if (cur->prepared[st->id] != cur->generation) {
        res = last_result(PQsendPrepare(cur->conn, st->name, st->sql, 0, NULL));
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            /* preparing takes the tables' locks: it may time out too */
            enum db_status s = classify(res);
            if (s != DB_DOWN && s != DB_TIMEOUT)
                log_error("prepare %s failed: %s", st->name, PQresultErrorMessage(res));
            set_failure(s == DB_DOWN || s == DB_TIMEOUT ? s : DB_ERROR, res);
            PQclear(res);
            return -1;
        }
        PQclear(res);
        cur->prepared[st->id] = cur->generation;
    }
    return 0;
}

static PGresult *run_once(struct db_stmt *st, const struct db_args *a)
{
    PGresult *res;

    if (ready(st) < 0)
        return NULL;
    res = last_result(PQsendQueryPrepared(cur->conn, st->name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0));
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
        return res;
    enum db_status s = classify(res);
    set_failure(s, res);
    if (s == DB_ERROR)
        log_error("statement %s failed: %s", st->name, last_message);
    PQclear(res);
    return NULL;
}

PGresult *db_run(struct db_stmt *st, const struct db_args *a)
{
    PGresult *res = run_once(st, a);
    if (res == NULL && last_status == DB_DOWN && cur->conn != NULL && PQstatus(cur->conn) != CONNECTION_OK) {
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    return res;
}

PGresult *db_run_id_str(struct db_stmt *st, long long id, const char *text)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, id);
    db_arg_str(&a, text);
    return db_run(st, &a);
}

long db_exec(struct db_stmt *st, const struct db_args *a)
{
    PGresult *res = db_run(st, a);
    if (res == NULL)
        return -1;
    long n = atol(PQcmdTuples(res));
    PQclear(res);
    return n;
}

int db_simple(const char *sql)
{
    if (ensure() < 0)
        return -1;
    PGresult *res = last_result(PQsendQuery(cur->conn, sql));
    ExecStatusType rs = PQresultStatus(res);
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
        PQclear(res);
        return 0;
    }
    enum db_status s = classify(res);
    set_failure(s, res);
    if (s != DB_DOWN)
        log_error("SQL failed: %s", last_message);
    PQclear(res);
    return -1;
}

int db_in_transaction(void)
{
    return cur->conn != NULL && PQstatus(cur->conn) == CONNECTION_OK &&
           PQtransactionStatus(cur->conn) != PQTRANS_IDLE;
}

int db_begin(void)
{
    if (cur->depth > 0) {
        /* a caller's own transaction inside a wider one (db.h): a savepoint */
        char sql[32];
        snprintf(sql, sizeof sql, "SAVEPOINT fc_nest%d", cur->depth);
        if (db_simple(sql) < 0)
            return -1;
        cur->depth++;
        return 0;
    }
    metrics_pending_drop();
    if (db_simple("BEGIN") < 0)
        return -1;
    cur->depth = 1;
    return 0;
}

/* End the innermost savepoint: released (keep), or rolled back to and
 * released. 0, or -1 (the transaction had failed, or the connection). */
static int nested_end(int keep)
{
    char sql[80];
    int n = --cur->depth;
    if (keep)
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT fc_nest%d", n);
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT fc_nest%d; RELEASE SAVEPOINT fc_nest%d", n, n);
    return db_simple(sql);
}

int db_commit_ok(ExecStatusType status, const char *tag)
{
    /* a failed transaction's COMMIT "succeeds" with the tag ROLLBACK */
    return status == PGRES_COMMAND_OK && tag != NULL && strcmp(tag, "COMMIT") == 0;
}

/* The end of a COMMIT sent (res its result, NULL when none came): 0 only
 * when it committed; else -1 with the failure recorded (unless recorded
 * already), a lost connection dropped. Clears res. */
static int commit_result(PGresult *res, int recorded)
{
    ExecStatusType rs = PQresultStatus(res);
    if (db_commit_ok(rs, PQcmdStatus(res))) {
        PQclear(res);
        metrics_pending_commit();
        return 0;
    }
    metrics_pending_drop();
    if (rs == PGRES_COMMAND_OK) {
        log_error("COMMIT answered %s: the transaction had failed", PQcmdStatus(res));
        set_failure(DB_ERROR, NULL);
        snprintf(last_message, sizeof last_message, "the transaction had failed; COMMIT rolled it back");
    } else if (!recorded) {
        enum db_status st = classify(res);
        set_failure(st, res);
        if (st != DB_DOWN)
            log_error("COMMIT failed: %s", last_message);
    }
    PQclear(res);
    if (cur->conn != NULL && PQstatus(cur->conn) != CONNECTION_OK) {
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    return -1;
}

/* db_commit()'s refusal when there is no transaction to commit. -1. */
static int nothing_to_commit(void)
{
    /* lost with its connection (or never begun): nothing to commit */
    if (cur->conn == NULL || PQstatus(cur->conn) != CONNECTION_OK) {
        set_failure(DB_DOWN, NULL);
        snprintf(last_message, sizeof last_message, "the connection was lost before COMMIT");
    } else {
        log_error("COMMIT without a transaction");
        set_failure(DB_ERROR, NULL);
    }
    return -1;
}

/* One statement of a pipelined batch: plain SQL without parameters
 * (BEGIN, COMMIT), or a prepared statement with its arguments. */
struct batch_item {
    const char *sql;
    struct db_stmt *st;
    const struct db_args *a;
};
static int run_batch(const struct batch_item *items, int n, PGresult **res);

/* With a read connection, a commit on the primary asks, in its own round
 * trip, the WAL position it reached: what the caller's reads on a standby
 * must wait for (db_read_begin). Without one, nothing is asked. */
#define SQL_POSITION "SELECT pg_current_wal_lsn()::text"

static int wants_position(void)
{
    return cur == primary && reader->conninfo != NULL;
}

/* Keep the position a committed batch's SQL_POSITION answered (r: its
 * result, NULL when it did not commit). */
static void keep_position(const PGresult *r)
{
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(written_lsn, sizeof written_lsn, "%s", PQgetvalue(r, 0, 0));
}

const char *db_written_position(void)
{
    return written_lsn[0] != '\0' ? written_lsn : NULL;
}

int db_commit(void)
{
    if (cur->depth > 1)
        return nested_end(1);
    cur->depth = 0;
    if (!db_in_transaction())
        return nothing_to_commit();
    cur->gave_up = 0;
    if (!wants_position())
        return commit_result(last_result(PQsendQuery(cur->conn, "COMMIT")), 0);
    struct batch_item b[2] = {{"COMMIT", NULL, NULL}, {SQL_POSITION, NULL, NULL}};
    PGresult *res[2];
    int failed = run_batch(b, 2, res) < 0;
    int rc = commit_result(res[0], failed);
    keep_position(rc == 0 ? res[1] : NULL);
    PQclear(res[1]);
    return rc;
}

/* The next result of a pipeline, waiting no longer than the deadline:
 * NULL at the end of a statement's results, or when the wait ran out
 * (give_up(): cur->conn is then NULL). */
static PGresult *next_result(void)
{
    return await_result() < 0 ? NULL : PQgetResult(cur->conn);
}

/* Send items in one round trip (libpq's pipeline mode: they still run one
 * after the other, each its own statement with its own snapshot, and
 * after a failure the rest are skipped) and read their results: res[i]
 * item i's, NULL when none came. 0 when every item succeeded; else -1
 * with the first failure recorded (a lost connection, or a wait past the
 * deadline, leaves cur->conn NULL). The caller PQclear()s res[]. */
static int run_batch(const struct batch_item *items, int n, PGresult **res)
{
    int i, sent;

    for (i = 0; i < n; i++)
        res[i] = NULL;
    if (ensure() < 0)
        return -1;
    for (i = 0; i < n; i++)         /* preparing is a round trip of its own, once per connection */
        if (items[i].st != NULL && ready(items[i].st) < 0)
            return -1;
    sent = PQenterPipelineMode(cur->conn);
    for (i = 0; sent && i < n; i++)
        sent = items[i].st != NULL
             ? PQsendQueryPrepared(cur->conn, items[i].st->name, items[i].a ? items[i].a->n : 0,
                                   items[i].a ? items[i].a->v : NULL, NULL, NULL, 0)
             : PQsendQueryParams(cur->conn, items[i].sql, 0, NULL, NULL, NULL, NULL, 0);
    if (!sent || !PQpipelineSync(cur->conn)) {
        /* the connection is broken: what was sent dies with it */
        set_failure(DB_DOWN, NULL);
        PQfinish(cur->conn);
        cur->conn = NULL;
        return -1;
    }
    for (i = 0; i < n && cur->conn != NULL; i++) {
        PGresult *r;
        if ((res[i] = next_result()) == NULL)
            break;                  /* lost, or the deadline */
        while (cur->conn != NULL && (r = next_result()) != NULL)
            PQclear(r);             /* the statement's results end with NULL */
    }
    if (cur->conn != NULL && i == n) {
        PGresult *sync = next_result();
        int synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        PQclear(sync);
        if (!synced || !PQexitPipelineMode(cur->conn)) {
            if (PQstatus(cur->conn) == CONNECTION_OK)
                log_error("a pipelined batch did not end as sent: %s", PQerrorMessage(cur->conn));
            PQfinish(cur->conn);         /* out of step with the server: nothing more on it */
            cur->conn = NULL;
        }
    }
    for (i = 0; i < n; i++) {
        ExecStatusType rs = PQresultStatus(res[i]);
        if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
            continue;
        enum db_status s = classify(res[i]);
        set_failure(s, res[i]);
        if (s == DB_ERROR)
            log_error("statement %s failed: %s", items[i].st ? items[i].st->name : items[i].sql, last_message);
        break;
    }
    if (i < n && cur->conn != NULL && PQstatus(cur->conn) != CONNECTION_OK) {
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    return i < n ? -1 : 0;
}

int db_run_all(int n, struct db_stmt *const *sts, const struct db_args *const *as, PGresult **res)
{
    for (int i = 0; i < n && i < DB_BATCH_MAX; i++)
        res[i] = NULL;
    if (n < 1 || n > DB_BATCH_MAX) {
        log_error("db_run_all: %d statements (1 to %d)", n, DB_BATCH_MAX);
        set_failure(DB_ERROR, NULL);
        return -1;
    }
    if (cur->depth > 0) {
        for (int i = 0; i < n; i++)
            if ((res[i] = db_run(sts[i], as[i])) == NULL)
                return -1;
        return 0;
    }
    struct batch_item b[DB_BATCH_MAX];
    for (int i = 0; i < n; i++)
        b[i] = (struct batch_item){NULL, sts[i], as[i]};
    return run_batch(b, n, res);
}

PGresult *db_begin_run(int n, struct db_stmt *const *sts, const struct db_args *const *as)
{
    PGresult *r = NULL;
    if (cur->depth > 0) {
        if (db_begin() < 0)
            return NULL;
        for (int i = 0; i < n; i++) {
            PQclear(r);
            if ((r = db_run(sts[i], as[i])) == NULL)
                return NULL;
        }
        return r;
    }
    if (n < 1 || n > DB_BATCH_MAX) {
        log_error("db_begin_run: %d statements (1 to %d)", n, DB_BATCH_MAX);
        set_failure(DB_ERROR, NULL);
        return NULL;
    }
    metrics_pending_drop();
    struct batch_item b[DB_BATCH_MAX + 1] = {{"BEGIN", NULL, NULL}};
    PGresult *res[DB_BATCH_MAX + 1];
    for (int i = 0; i < n; i++)
        b[i + 1] = (struct batch_item){NULL, sts[i], as[i]};
    int rc = run_batch(b, n + 1, res);
    if (PQresultStatus(res[0]) == PGRES_COMMAND_OK)
        cur->depth = 1;                  /* begun: its code ends it, whatever became of the statements */
    for (int i = 0; i < n; i++)
        PQclear(res[i]);
    if (rc == 0)
        return res[n];
    PQclear(res[n]);
    return NULL;
}

long db_exec_commit(struct db_stmt *st, const struct db_args *a)
{
    if (cur->depth > 1) {
        long n = db_exec(st, a);
        return n < 0 || db_commit() < 0 ? -1 : n;
    }
    if (!db_in_transaction()) {
        cur->depth = 0;
        return nothing_to_commit();
    }
    cur->gave_up = 0;
    struct batch_item b[3] = {{NULL, st, a}, {"COMMIT", NULL, NULL}, {SQL_POSITION, NULL, NULL}};
    PGresult *res[3] = {NULL, NULL, NULL};      /* run_batch() fills only the n it sends */
    /* sent under the open transaction (depth): a connection found closed
     * fails it, never reconnects to run st on its own */
    int failed = run_batch(b, wants_position() ? 3 : 2, res) < 0;   /* recorded, COMMIT's failure too */
    cur->depth = 0;
    long n = PQresultStatus(res[0]) == PGRES_COMMAND_OK || PQresultStatus(res[0]) == PGRES_TUPLES_OK
           ? atol(PQcmdTuples(res[0])) : -1;
    PQclear(res[0]);
    if (n < 0) {                    /* st failed: COMMIT was skipped, the transaction stays for db_rollback() */
        PQclear(res[1]);
        PQclear(res[2]);
        metrics_pending_drop();
        return -1;
    }
    int rc = commit_result(res[1], failed);
    keep_position(rc == 0 ? res[2] : NULL);
    PQclear(res[2]);
    return rc < 0 ? -1 : n;
}

void db_count(int counter, unsigned long long n)
{
    if (db_in_transaction())
        metrics_pending(counter, n);
    else
        metrics_count(counter, NULL, n);
}

void db_rollback(void)
{
    if (cur->depth > 1) {
        if (db_in_transaction())
            (void)nested_end(0);
        else
            cur->depth--;
        return;
    }
    cur->depth = 0;
    metrics_pending_drop();
    if (db_in_transaction()) {
        PGresult *res = last_result(PQsendQuery(cur->conn, "ROLLBACK"));
        PQclear(res);
    }
}

/* db_abandon() of the current link. */
static int abandon_link(void)
{
    int open = cur->depth > 0 || db_in_transaction();
    cur->depth = cur->depth > 1 ? 1 : cur->depth;
    if (open)
        db_rollback();
    cur->depth = 0;
    return open;
}

int db_abandon(void)
{
    db_read_end();
    written_lsn[0] = '\0';
    return abandon_link();
}

/* ------------------------------------------------------------ reads on a standby */

int db_lsn_parse(const char *s, unsigned long long *lsn)
{
    unsigned long long part[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int n = 0;
        for (; n < 8 && s[n] != '\0'; n++) {
            char ch = s[n];
            int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                  : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (v < 0)
                break;
            part[k] = part[k] * 16 + (unsigned)v;
        }
        if (n == 0 || s[n] != (k == 0 ? '/' : '\0'))
            return -1;
        s += n + 1;
    }
    *lsn = part[0] << 32 | part[1];
    return 0;
}

enum db_read_choice db_read_decide(const struct db_read_state *s, unsigned long long after,
                                   double max_lag_s)
{
    if (!s->in_recovery)
        return DB_READ_SERVER_IS_PRIMARY;
    if (!s->receiving)
        return DB_READ_DETACHED;
    if (s->replayed < after)
        return DB_READ_BEHIND;
    if (s->lag_s > max_lag_s)
        return DB_READ_LAGGING;
    return DB_READ_STANDBY;
}

/* X-Read-From per choice, and "down" for a read connection that failed */
static const char *const read_from[] = {"standby", "primary-server", "primary; behind",
                                        "primary; lagging", "primary; detached"};

/* A read connection found on a primary (libpq's prefer-standby takes one
 * when no standby answers) is used, and dropped after this long to look
 * for a standby again. */
#define READ_REPROBE_S 10.0
#define READ_BEHIND_TRIES 4
#define READ_BEHIND_WAIT_MS 5
static double read_on_primary_since;

/* The WAL position the caller's reads must see: the primary's now
 * (DB_AFTER_NOW), or the one the caller carries back (X-WAL-Position,
 * else the fc_wal cookie; none: 0). A position that is not one: past
 * any standby's. 0, or -1 when the primary did not answer. */
static int read_after(struct request *req, enum db_after after, unsigned long long *lsn)
{
    static struct db_stmt position = {"db_wal_position", SQL_POSITION, 0};
    const char *carried = req->wal_position;

    *lsn = 0;
    if (after == DB_AFTER_NOW) {
        PGresult *r = db_run(&position, NULL);
        if (r == NULL)
            return -1;
        int ok = db_lsn_parse(PQgetvalue(r, 0, 0), lsn) == 0;
        PQclear(r);
        return ok ? 0 : -1;
    }
    if (carried == NULL)
        carried = http_cookie(req->pool, req->cookie, "fc_wal");
    if (carried != NULL && db_lsn_parse(carried, lsn) < 0)
        *lsn = ~0ULL;
    return 0;
}

int db_read_begin(struct request *req, enum db_after after)
{
    static struct db_stmt state = {"db_read_state",
        "SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM pg_stat_wal_receiver), "
        "coalesce(pg_last_wal_replay_lsn(), '0/0')::text, "
        "CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() "
        "THEN 0 ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8", 0};
    unsigned long long lsn;

    if (cur != primary || reader->conninfo == NULL || primary->depth > 0 ||
        req->route == NULL || req->route->reads != READS_STANDBY)
        return 0;
    if (read_after(req, after, &lsn) < 0)
        return 0;                       /* the primary's statements fail and answer for it */
    cur = reader;
    if (reader->conn != NULL && read_on_primary_since > 0 &&
        now_monotonic() - read_on_primary_since > READ_REPROBE_S) {
        PQfinish(reader->conn);         /* the next connection may find a standby again */
        reader->conn = NULL;
        reader->last_attempt = 0;
        read_on_primary_since = 0;
    }
    PGresult *r;
    const char *from = "primary; down";
    enum db_read_choice c = DB_READ_DETACHED;
    /* a standby a little behind the position gets a moment to replay it
     * (replay trails the flush the primary waited for by about a
     * millisecond): READ_BEHIND_TRIES looks, READ_BEHIND_WAIT_MS apart */
    int answered = 0;
    for (int tries = 1; (r = db_run(&state, NULL)) != NULL; tries++) {
        answered = 1;
        struct db_read_state s = {db_bool(r, 0, 0), db_bool(r, 0, 1), 0, db_double(r, 0, 3)};
        c = db_lsn_parse(PQgetvalue(r, 0, 2), &s.replayed) == 0
          ? db_read_decide(&s, lsn, g_config.read_max_lag) : DB_READ_DETACHED;
        PQclear(r);
        if (c != DB_READ_BEHIND || tries >= READ_BEHIND_TRIES)
            break;
        poll(NULL, 0, READ_BEHIND_WAIT_MS);
        answered = 0;
    }
    if (answered) {
        from = read_from[c];
        if (c == DB_READ_SERVER_IS_PRIMARY && read_on_primary_since == 0)
            read_on_primary_since = now_monotonic();
        else if (c != DB_READ_SERVER_IS_PRIMARY)
            read_on_primary_since = 0;
        if (c != DB_READ_STANDBY && c != DB_READ_SERVER_IS_PRIMARY)
            cur = primary;
    } else {
        cur = primary;
    }
    resp_header(req, "X-Read-From", from);
    return cur == reader;
}

void db_read_end(void)
{
    if (cur != reader)
        return;
    abandon_link();
    cur = primary;
}

enum db_status db_last_status(void) { return last_status; }
const char *db_last_constraint(void) { return last_constraint; }
const char *db_last_message(void) { return last_message; }

void db_fail_reply(struct request *req)
{
    switch (last_status) {
    case DB_DOWN:
        resp_error(req, 503, "UNAVAILABLE", "The database is unavailable; try again shortly.");
        break;
    case DB_UNIQUE:
        resp_error(req, 409, "CONFLICT", "That conflicts with an existing record.");
        break;
    case DB_TIMEOUT:
        log_warn("database timeout on %s %s: %s", req->method, req->path, last_message);
        resp_error(req, 503, "UNAVAILABLE", "The database did not answer in time; try again shortly.");
        break;
    case DB_RETRY:
        log_warn("concurrent change on %s %s: %s", req->method, req->path, last_message);
        resp_error(req, 409, "CONFLICT", "A concurrent change got in the way; try again.");
        break;
    default:
        log_error("database error on %s %s: %s", req->method, req->path, last_message);
        resp_error(req, 500, "INTERNAL", "An internal error occurred.");
        break;
    }
}

/* Ask the server to cancel the statement in flight. Best effort: when the
 * cancel fails the rest of the output is still read and discarded. */
static void cancel_running(void)
{
    char err[256];
    PGcancel *c = PQgetCancel(cur->conn);

    if (c == NULL)
        return;
    if (!PQcancel(c, err, sizeof err)) {
        err[strcspn(err, "\n")] = '\0';
        log_warn("cancel failed: %s", err);
    }
    PQfreeCancel(c);
}

int db_copy_out(const char *sql, int (*sink)(void *ctx, const char *buf, size_t n), void *ctx)
{
    PGresult *res;
    char *buf;
    int n, stopped = 0, rc = 0;

    if (ensure() < 0)
        return -1;
    res = last_result(PQsendQuery(cur->conn, sql));
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        enum db_status s = classify(res);
        set_failure(s, res);
        if (s != DB_DOWN)
            log_error("COPY failed: %s", last_message);
        PQclear(res);
        rc = -1;
        goto out;
    }
    PQclear(res);
    /* one row per chunk; after a stop the rest is drained unread */
    for (;;) {
        n = PQgetCopyData(cur->conn, &buf, 1);
        if (n == 0) {               /* no whole row yet */
            if (wait_readable() < 0) {
                rc = -1;
                goto out;
            }
            if (!PQconsumeInput(cur->conn))
                n = -2;
            else
                continue;
        }
        if (n < 0)
            break;
        if (!stopped && sink(ctx, buf, (size_t)n) != 0) {
            stopped = 1;
            cancel_running();
        }
        PQfreemem(buf);
    }
    /* n == -1: the COPY is over and its result follows; -2: failure */
    for (;;) {
        if (await_result() < 0) {
            rc = -1;
            goto out;
        }
        if ((res = PQgetResult(cur->conn)) == NULL)
            break;
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = -1;
            if (!stopped) {
                enum db_status s = classify(res);
                set_failure(s, res);
                if (s != DB_DOWN)
                    log_error("COPY failed: %s", last_message);
            }
        }
        PQclear(res);
    }
    if (n == -2 && rc == 0) {
        rc = -1;
        if (!stopped)
            set_failure(classify(NULL), NULL);
    }
    if (stopped) {
        /* not the database's failure: no error metric */
        rc = -1;
        last_status = DB_ERROR;
        last_constraint[0] = '\0';
        snprintf(last_message, sizeof last_message, "COPY stopped by its reader");
    }
out:
    if (rc < 0 && cur->conn != NULL && PQstatus(cur->conn) != CONNECTION_OK) {
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    return rc;
}

/* db_each_row's work. *rows counts the rows handed over, *stopped
 * tells that row() asked to stop. 0 or -1. */
static int each_row_once(struct db_stmt *st, const struct db_args *a,
                         int (*row)(void *ctx, const PGresult *r, int i), void *ctx,
                         long long *rows, int *stopped)
{
    PGresult *res;
    int rc = 0;

    if (ready(st) < 0)
        return -1;
    if (!PQsendQueryPrepared(cur->conn, st->name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0)) {
        set_failure(classify(NULL), NULL);
        rc = -1;
        goto out;
    }
    if (!PQsetSingleRowMode(cur->conn))
        log_warn("%s: single-row mode refused; the rows come in one result", st->name);
    /* a result per row, then a last one without rows (or the error);
     * after a stop the rest is drained unread */
    for (;;) {
        if (await_result() < 0) {
            rc = -1;
            break;
        }
        if ((res = PQgetResult(cur->conn)) == NULL)
            break;
        ExecStatusType rs = PQresultStatus(res);
        if (rs == PGRES_SINGLE_TUPLE || rs == PGRES_TUPLES_OK) {
            for (int i = 0; i < PQntuples(res) && !*stopped; i++) {
                if (row(ctx, res, i) != 0) {
                    *stopped = 1;
                    cancel_running();
                } else {
                    (*rows)++;
                }
            }
        } else if (rs != PGRES_COMMAND_OK && rc == 0 && !*stopped) {
            enum db_status s = classify(res);
            rc = -1;
            set_failure(s, res);
            if (s != DB_DOWN)
                log_error("statement %s failed: %s", st->name, last_message);
        }
        PQclear(res);
    }
    if (*stopped) {
        /* not the database's failure: no error metric */
        rc = -1;
        last_status = DB_ERROR;
        last_constraint[0] = '\0';
        snprintf(last_message, sizeof last_message, "rows of %s stopped by their reader", st->name);
    }
out:
    if (cur->conn != NULL && PQstatus(cur->conn) != CONNECTION_OK) {
        if (rc == 0)
            set_failure(DB_DOWN, NULL);
        rc = -1;
        PQfinish(cur->conn);
        cur->conn = NULL;
    }
    return rc;
}

long long db_each_row(struct db_stmt *st, const struct db_args *a,
                      int (*row)(void *ctx, const PGresult *r, int i), void *ctx)
{
    long long rows = 0;
    int stopped = 0;

    return each_row_once(st, a, row, ctx, &rows, &stopped) == 0 ? rows : -1;
}

int db_ping(void)
{
    static struct db_stmt ping = {"db_ping", "SELECT 1", 0};
    PGresult *res = db_run(&ping, NULL);
    if (res == NULL)
        return -1;
    PQclear(res);
    return 0;
}

PGconn *db_conn(void)
{
    return ensure() == 0 ? cur->conn : NULL;
}

const char *db_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

long long db_ll(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double db_double(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

int db_bool(const PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

void db_json_ll(struct json_object *o, const char *key, const PGresult *r, int row, int col)
{
    json_object_object_add(o, key, PQgetisnull(r, row, col) ? NULL
                                   : json_object_new_int64(db_ll(r, row, col)));
}

void db_arg_time_range(struct db_args *a, const struct time_range *t)
{
    db_arg_str(a, t->from_date);
    db_arg_str(a, t->from_ts);
    db_arg_str(a, t->to_date);
    db_arg_str(a, t->to_ts);
}

/* A column as a new JSON value (NULL: null) as cols' type reads it */
static struct json_object *col_value(const PGresult *r, int row, int col, enum db_json_type type)
{
    switch (type) {
    case DBJ_INT:
        return json_object_new_int64(db_ll(r, row, col));
    case DBJ_INT_OR_NULL:
        return PQgetisnull(r, row, col) ? NULL : json_object_new_int64(db_ll(r, row, col));
    case DBJ_STR:
        return PQgetisnull(r, row, col) ? NULL : json_object_new_string(PQgetvalue(r, row, col));
    case DBJ_BOOL:
        return json_object_new_boolean(db_bool(r, row, col));
    case DBJ_HOURS:
        return jx_rounded(db_double(r, row, col), 2);
    case DBJ_JSON: {
        /* text the database keeps as JSON, within the parser's limits
         * since it passed them on the way in */
        const char *t = db_str(r, row, col);
        return t ? jx_parse(t, strlen(t)) : NULL;
    }
    }
    return NULL;
}

void db_json_cols(struct json_object *o, const PGresult *r, int row, int base, const struct db_json_col *cols)
{
    for (const struct db_json_col *c = cols; c->key != NULL; c++)
        json_object_object_add(o, c->key, col_value(r, row, base + c->col, c->type));
}

void db_row_text(struct jx_out *o, const struct db_json_col *cols, const PGresult *r, int row)
{
    jx_put_raw(o, "{", 1);
    for (const struct db_json_col *c = cols; c->key != NULL; c++) {
        if (c != cols)
            jx_put_raw(o, ",", 1);
        jx_put_string(o, c->key, strlen(c->key));
        jx_put_raw(o, ":", 1);
        int null = PQgetisnull(r, row, c->col);
        if (null && (c->type == DBJ_INT_OR_NULL || c->type == DBJ_STR || c->type == DBJ_JSON)) {
            jx_put_raw(o, "null", 4);
        } else if (c->type == DBJ_STR) {
            jx_put_string(o, PQgetvalue(r, row, c->col), (size_t)PQgetlength(r, row, c->col));
        } else if (c->type == DBJ_INT || c->type == DBJ_INT_OR_NULL) {
            jx_put_ll(o, db_ll(r, row, c->col));
        } else if (c->type == DBJ_BOOL) {
            if (db_bool(r, row, c->col))
                jx_put_raw(o, "true", 4);
            else
                jx_put_raw(o, "false", 5);
        } else {
            struct json_object *v = col_value(r, row, c->col, c->type);
            jx_put_value(o, v);
            json_object_put(v);
        }
    }
    jx_put_raw(o, "}", 1);
}

struct json_object *db_row_object(const void *cols, const PGresult *r, int row)
{
    struct json_object *o = json_object_new_object();
    db_json_cols(o, r, row, 0, cols);
    return o;
}

int db_page_rows(struct db_stmt *st, const struct db_args *a, int total_col, int id_col,
                 db_row_json row, const void *ctx, struct json_object **rows, long long *total)
{
    PGresult *r = db_run(st, a);
    if (r == NULL)
        return -1;
    struct json_object *arr = json_object_new_array();
    *total = PQntuples(r) > 0 ? db_ll(r, 0, total_col) : 0;
    for (int i = 0; i < PQntuples(r); i++)
        if (!PQgetisnull(r, i, id_col))
            json_object_array_add(arr, row(ctx, r, i));
    PQclear(r);
    *rows = arr;
    return 0;
}
