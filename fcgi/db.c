/* db.c — the one database layer over libpq: a lazily (re)connected
 * connection per process, statements prepared once per connection,
 * transactions (their BEGIN or COMMIT pipelined with a statement: one
 * round trip for two), failure classification and the 503/409/500 answers.
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
#include "jsonx.h"
#include "log.h"
#include "metrics.h"
#include "validate.h"
#include "config.h"
#include "response.h"
#include "watchdog.h"

static PGconn *conn;
static char *conninfo;
static unsigned generation = 1;          /* bumped on every new connection */
static double last_attempt;
static enum db_status last_status;
static char last_constraint[128];
static char last_message[256];
static double deadline;                  /* db_set_deadline(); 0: none */
static char listen_sql[160];             /* db_listen(): "LISTEN ..." on every connection */
static int gave_up;                      /* the last wait overran it */

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

int db_init(const char *info)
{
    free(conninfo);
    conninfo = strdup(info ? info : "");
    return conninfo ? 0 : -1;
}

void db_close(void)
{
    if (conn != NULL)
        PQfinish(conn);
    conn = NULL;
    free(conninfo);
    conninfo = NULL;
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
    } else if (conn != NULL) {
        snprintf(last_message, sizeof last_message, "%s", PQerrorMessage(conn));
    } else if (gave_up) {
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
    PQfinish(conn);
    conn = NULL;
    gave_up = 1;
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
        struct pollfd pfd = {PQsocket(conn), POLLIN, 0};
        int r = poll(&pfd, 1, ms);
        if (r > 0 || (r < 0 && errno != EINTR))
            return 0;       /* input, or a socket error PQconsumeInput will report */
    }
}

/* Until a result can be read without blocking. 0 or -1 (give_up() done). */
static int await_result(void)
{
    while (PQisBusy(conn)) {
        if (wait_readable() < 0)
            return -1;
        if (!PQconsumeInput(conn))
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
        if ((r = PQgetResult(conn)) == NULL)
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
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        return 0;
    struct pollfd pfd = {PQsocket(conn), POLLIN, 0};
    if (pfd.fd < 0)
        return 1;
    if (poll(&pfd, 1, 0) == 0)
        return 0;
    int read = PQconsumeInput(conn);
    /* a listener's idle connection receives notifications: kept in
     * libpq's queue for db_wait_notify, the connection is not closed */
    if (listen_sql[0] != '\0')
        return !read || PQstatus(conn) != CONNECTION_OK;
    return 1;
}

/* db_begin()s not yet ended by db_commit()/db_rollback(): the transaction
 * (1) and its savepoints. Kept apart from the connection's own state so
 * that a transaction lost with its connection stays open for its code:
 * nothing of it may run on another connection, where it would commit on
 * its own (a failover: the rest of an idempotent scan's work without its
 * key). */
static int depth;

static int ensure(void)
{
    gave_up = 0;
    if (conn != NULL && PQstatus(conn) == CONNECTION_OK && !closed_by_server())
        return 0;
    if (depth > 0) {                /* never reconnect under an open transaction */
        set_failure(DB_DOWN, NULL);
        snprintf(last_message, sizeof last_message, "the connection was lost inside a transaction");
        return -1;
    }
    if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
        log_info("the database closed this idle connection; reconnecting");
        last_attempt = 0;
    }
    double now = now_monotonic();
    if (conn != NULL) {
        PQfinish(conn);
        conn = NULL;
    }
    if (now - last_attempt < 0.2 && last_attempt > 0) {
        set_failure(DB_DOWN, NULL);
        return -1;
    }
    last_attempt = now;
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
    const char *vals[] = {conninfo ? conninfo : "", "3", options, "faceclock", "1",
                          "10", "5", "3", user_timeout, NULL};
    int late = 0;
    conn = connect_bounded(keys, vals, &late);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", late ? "no answer to the connection within its time"
                                        : conn ? PQerrorMessage(conn) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        log_warn("database unavailable: %s", msg);
        if (conn != NULL)
            PQfinish(conn);
        conn = NULL;
        set_failure(DB_DOWN, NULL);
        snprintf(last_message, sizeof last_message, "%s", msg);
        return -1;
    }
    generation++;
    last_attempt = 0;
    if (listen_sql[0] != '\0') {
        PGresult *res = PQexec(conn, listen_sql);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            log_warn("%s failed: %s", listen_sql, PQresultErrorMessage(res));
        PQclear(res);
        if (!ok) {
            PQfinish(conn);
            conn = NULL;
            set_failure(DB_DOWN, NULL);
            return -1;
        }
    }
    return 0;
}

unsigned db_generation(void)
{
    return generation;
}

int db_listen(const char *channel)
{
    size_t n = strlen(channel);
    if (n == 0 || n > 63 || strspn(channel, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return -1;
    snprintf(listen_sql, sizeof listen_sql, "LISTEN %s", channel);
    if (conn != NULL) {             /* the next ensure() connects and listens */
        PQfinish(conn);
        conn = NULL;
    }
    return ensure();
}

int db_wait_notify(double timeout_s, void (*fn)(void *ctx, const char *payload), void *ctx)
{
    if (ensure() < 0)
        return -1;
    int handed = 0;
    PGnotify *n;
    while ((n = PQnotifies(conn)) != NULL) {
        fn(ctx, n->extra);
        PQfreemem(n);
        handed++;
    }
    if (handed > 0)
        return handed;
    struct pollfd pfd = {PQsocket(conn), POLLIN, 0};
    int r = poll(&pfd, 1, (int)(timeout_s * 1000));
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    if (r == 0)
        return 0;
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
        log_warn("the database connection was lost: %s", PQerrorMessage(conn));
        PQfinish(conn);
        conn = NULL;
        set_failure(DB_DOWN, NULL);
        return -1;
    }
    while ((n = PQnotifies(conn)) != NULL) {
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
    if (gave_up)
        return DB_TIMEOUT;
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
        return DB_DOWN;
    return db_classify_sqlstate(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
}

/* Connect when needed and prepare st on this connection once. 0 or -1. */
static int ready(struct db_stmt *st)
{
    PGresult *res;

    if (ensure() < 0)
        return -1;
    if (st->gen != generation) {
        res = last_result(PQsendPrepare(conn, st->name, st->sql, 0, NULL));
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
        st->gen = generation;
    }
    return 0;
}

static PGresult *run_once(struct db_stmt *st, const struct db_args *a)
{
    PGresult *res;

    if (ready(st) < 0)
        return NULL;
    res = last_result(PQsendQueryPrepared(conn, st->name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0));
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
    if (res == NULL && last_status == DB_DOWN && conn != NULL && PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        conn = NULL;
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
    PGresult *res = last_result(PQsendQuery(conn, sql));
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
    return conn != NULL && PQstatus(conn) == CONNECTION_OK &&
           PQtransactionStatus(conn) != PQTRANS_IDLE;
}

int db_begin(void)
{
    if (depth > 0) {
        /* a caller's own transaction inside a wider one (db.h): a savepoint */
        char sql[32];
        snprintf(sql, sizeof sql, "SAVEPOINT fc_nest%d", depth);
        if (db_simple(sql) < 0)
            return -1;
        depth++;
        return 0;
    }
    metrics_pending_drop();
    if (db_simple("BEGIN") < 0)
        return -1;
    depth = 1;
    return 0;
}

/* End the innermost savepoint: released (keep), or rolled back to and
 * released. 0, or -1 (the transaction had failed, or the connection). */
static int nested_end(int keep)
{
    char sql[80];
    int n = --depth;
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
    if (conn != NULL && PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        conn = NULL;
    }
    return -1;
}

/* db_commit()'s refusal when there is no transaction to commit. -1. */
static int nothing_to_commit(void)
{
    /* lost with its connection (or never begun): nothing to commit */
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        set_failure(DB_DOWN, NULL);
        snprintf(last_message, sizeof last_message, "the connection was lost before COMMIT");
    } else {
        log_error("COMMIT without a transaction");
        set_failure(DB_ERROR, NULL);
    }
    return -1;
}

int db_commit(void)
{
    if (depth > 1)
        return nested_end(1);
    depth = 0;
    if (!db_in_transaction())
        return nothing_to_commit();
    gave_up = 0;
    return commit_result(last_result(PQsendQuery(conn, "COMMIT")), 0);
}

/* One statement of a pipelined batch: plain SQL without parameters
 * (BEGIN, COMMIT), or a prepared statement with its arguments. */
struct batch_item {
    const char *sql;
    struct db_stmt *st;
    const struct db_args *a;
};

/* The next result of a pipeline, waiting no longer than the deadline:
 * NULL at the end of a statement's results, or when the wait ran out
 * (give_up(): conn is then NULL). */
static PGresult *next_result(void)
{
    return await_result() < 0 ? NULL : PQgetResult(conn);
}

/* Send items in one round trip (libpq's pipeline mode: they still run one
 * after the other, each its own statement with its own snapshot, and
 * after a failure the rest are skipped) and read their results: res[i]
 * item i's, NULL when none came. 0 when every item succeeded; else -1
 * with the first failure recorded (a lost connection, or a wait past the
 * deadline, leaves conn NULL). The caller PQclear()s res[]. */
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
    sent = PQenterPipelineMode(conn);
    for (i = 0; sent && i < n; i++)
        sent = items[i].st != NULL
             ? PQsendQueryPrepared(conn, items[i].st->name, items[i].a ? items[i].a->n : 0,
                                   items[i].a ? items[i].a->v : NULL, NULL, NULL, 0)
             : PQsendQueryParams(conn, items[i].sql, 0, NULL, NULL, NULL, NULL, 0);
    if (!sent || !PQpipelineSync(conn)) {
        /* the connection is broken: what was sent dies with it */
        set_failure(DB_DOWN, NULL);
        PQfinish(conn);
        conn = NULL;
        return -1;
    }
    for (i = 0; i < n && conn != NULL; i++) {
        PGresult *r;
        if ((res[i] = next_result()) == NULL)
            break;                  /* lost, or the deadline */
        while (conn != NULL && (r = next_result()) != NULL)
            PQclear(r);             /* the statement's results end with NULL */
    }
    if (conn != NULL && i == n) {
        PGresult *sync = next_result();
        int synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        PQclear(sync);
        if (!synced || !PQexitPipelineMode(conn)) {
            if (PQstatus(conn) == CONNECTION_OK)
                log_error("a pipelined batch did not end as sent: %s", PQerrorMessage(conn));
            PQfinish(conn);         /* out of step with the server: nothing more on it */
            conn = NULL;
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
    if (i < n && conn != NULL && PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        conn = NULL;
    }
    return i < n ? -1 : 0;
}

PGresult *db_begin_run(int n, struct db_stmt *const *sts, const struct db_args *const *as)
{
    PGresult *r = NULL;
    if (depth > 0) {
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
        depth = 1;                  /* begun: its code ends it, whatever became of the statements */
    for (int i = 0; i < n; i++)
        PQclear(res[i]);
    if (rc == 0)
        return res[n];
    PQclear(res[n]);
    return NULL;
}

long db_exec_commit(struct db_stmt *st, const struct db_args *a)
{
    if (depth > 1) {
        long n = db_exec(st, a);
        return n < 0 || db_commit() < 0 ? -1 : n;
    }
    if (!db_in_transaction()) {
        depth = 0;
        return nothing_to_commit();
    }
    gave_up = 0;
    struct batch_item b[2] = {{NULL, st, a}, {"COMMIT", NULL, NULL}};
    PGresult *res[2];
    /* sent under the open transaction (depth): a connection found closed
     * fails it, never reconnects to run st on its own */
    int failed = run_batch(b, 2, res) < 0;       /* recorded, COMMIT's failure too */
    depth = 0;
    long n = PQresultStatus(res[0]) == PGRES_COMMAND_OK || PQresultStatus(res[0]) == PGRES_TUPLES_OK
           ? atol(PQcmdTuples(res[0])) : -1;
    PQclear(res[0]);
    if (n < 0) {                    /* st failed: COMMIT was skipped, the transaction stays for db_rollback() */
        PQclear(res[1]);
        metrics_pending_drop();
        return -1;
    }
    return commit_result(res[1], failed) < 0 ? -1 : n;
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
    if (depth > 1) {
        if (db_in_transaction())
            (void)nested_end(0);
        else
            depth--;
        return;
    }
    depth = 0;
    metrics_pending_drop();
    if (db_in_transaction()) {
        PGresult *res = last_result(PQsendQuery(conn, "ROLLBACK"));
        PQclear(res);
    }
}

int db_abandon(void)
{
    int open = depth > 0 || db_in_transaction();
    depth = depth > 1 ? 1 : depth;
    if (open)
        db_rollback();
    depth = 0;
    return open;
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
    PGcancel *c = PQgetCancel(conn);

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
    res = last_result(PQsendQuery(conn, sql));
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
        n = PQgetCopyData(conn, &buf, 1);
        if (n == 0) {               /* no whole row yet */
            if (wait_readable() < 0) {
                rc = -1;
                goto out;
            }
            if (!PQconsumeInput(conn))
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
        if ((res = PQgetResult(conn)) == NULL)
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
    if (rc < 0 && conn != NULL && PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        conn = NULL;
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
    if (!PQsendQueryPrepared(conn, st->name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0)) {
        set_failure(classify(NULL), NULL);
        rc = -1;
        goto out;
    }
    if (!PQsetSingleRowMode(conn))
        log_warn("%s: single-row mode refused; the rows come in one result", st->name);
    /* a result per row, then a last one without rows (or the error);
     * after a stop the rest is drained unread */
    for (;;) {
        if (await_result() < 0) {
            rc = -1;
            break;
        }
        if ((res = PQgetResult(conn)) == NULL)
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
    if (conn != NULL && PQstatus(conn) != CONNECTION_OK) {
        if (rc == 0)
            set_failure(DB_DOWN, NULL);
        rc = -1;
        PQfinish(conn);
        conn = NULL;
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
    return ensure() == 0 ? conn : NULL;
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

void db_json_cols(struct json_object *o, const PGresult *r, int row, int base, const struct db_json_col *cols)
{
    for (const struct db_json_col *c = cols; c->key != NULL; c++) {
        int col = base + c->col;
        switch (c->type) {
        case DBJ_INT:
            jx_add_int(o, c->key, db_ll(r, row, col));
            break;
        case DBJ_INT_OR_NULL:
            db_json_ll(o, c->key, r, row, col);
            break;
        case DBJ_STR:
            jx_add_str(o, c->key, db_str(r, row, col));
            break;
        case DBJ_BOOL:
            jx_add_bool(o, c->key, db_bool(r, row, col));
            break;
        case DBJ_HOURS:
            jx_add_double(o, c->key, db_double(r, row, col), 2);
            break;
        case DBJ_JSON: {
            /* text the database keeps as JSON, within the parser's limits
             * since it passed them on the way in */
            const char *t = db_str(r, row, col);
            json_object_object_add(o, c->key, t ? jx_parse(t, strlen(t)) : NULL);
            break;
        }
        }
    }
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
