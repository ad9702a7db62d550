/* export_store.c — owns the streamed CSV exports: one read-only
 * repeatable-read transaction that puts the filters in place (set_config),
 * sends its X-… columns as response headers, and COPYs the rows straight
 * to the client, one row in memory at a time, exactly as many as its
 * X-Export-Rows header promised or the transfer is cut; on a standby when
 * the route declares READS_STANDBY (fcgi/db.h db_read_begin). */
#include <stdlib.h>
#include <string.h>
#include "export_store.h"
#include "log.h"
#include "response.h"

struct sink_ctx {
    struct request *req;
    const char *filename;
    char *header;             /* the CSV header line, held until a row follows */
    size_t header_len;
    long long rows;           /* data rows written */
    long long promised;       /* X-Export-Rows, -1 until the set-up query gave it */
    int client_gone;          /* a write to the client failed */
};

/* One line (ending in "\n") to the client, ending in "\r\n" (RFC 4180; a
 * newline inside a quoted field is data and stays as it is). */
static int write_line(struct sink_ctx *c, const char *buf, size_t n)
{
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (resp_write(c->req, buf, n) < 0 || resp_write(c->req, "\r\n", 2) < 0) {
        c->client_gone = 1;
        return -1;
    }
    return 0;
}

/* Status, headers and the CSV header line. */
static int begin(struct sink_ctx *c)
{
    struct request *req = c->req;

    resp_header(req, "Content-Disposition",
                pool_printf(req->pool, "attachment; filename=\"%s\"", c->filename));
    resp_stream_begin(req, 200, "text/csv; charset=utf-8");
    return c->header != NULL ? write_line(c, c->header, c->header_len) : 0;
}

/* COPY's first chunk is its header line, sent at once, before the rows are
 * even sorted. It is held back until the first data row exists, so that a
 * failure while PostgreSQL prepares the rows (a timeout, a cancel) is
 * still an ordinary JSON error. */
static int sink(void *p, const char *buf, size_t n)
{
    struct sink_ctx *c = p;

    if (c->header == NULL && !resp_sent(c->req)) {
        c->header = pool_strndup(c->req->pool, buf, n);
        c->header_len = n;
        return 0;
    }
    if (!resp_sent(c->req) && begin(c) < 0)
        return -1;
    if (write_line(c, buf, n) < 0)
        return -1;
    c->rows++;
    return 0;
}

/* export_csv() on the connection chosen for it */
static void export_on(struct request *req, struct db_stmt *set_stmt, const struct db_args *a,
                      const char *copy_sql, const char *filename)
{
    struct sink_ctx c = {req, filename, NULL, 0, 0, -1, 0};
    PGresult *r;

    if (db_begin() < 0)
        goto fail;
    /* one snapshot for the settings' row and the rows copied */
    if (db_simple("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY") < 0)
        goto fail;
    if ((r = db_run(set_stmt, a)) == NULL)
        goto fail;
    for (int i = 0; i < PQnfields(r) && PQntuples(r) == 1; i++) {
        if (strncmp(PQfname(r, i), "X-", 2) != 0 || PQgetisnull(r, 0, i))
            continue;
        resp_header(req, pool_strdup(req->pool, PQfname(r, i)), pool_strdup(req->pool, PQgetvalue(r, 0, i)));
        if (strcmp(PQfname(r, i), "X-Export-Rows") == 0)
            c.promised = strtoll(PQgetvalue(r, 0, i), NULL, 10);
    }
    PQclear(r);
    if (c.promised < 0) {
        log_error("export %s: its set-up query gives no X-Export-Rows (SQL_EXPORT_ROWS)", filename);
        db_rollback();
        resp_error(req, 500, "INTERNAL", "An internal error occurred.");
        return;
    }
    if (db_copy_out(copy_sql, sink, &c) < 0)
        goto fail;
    if (c.rows != c.promised) {
        log_error("export %s: %lld rows sent, X-Export-Rows promised %lld", filename, c.rows, c.promised);
        db_rollback();
        if (resp_sent(req))
            resp_abort(req);
        else
            resp_error(req, 500, "INTERNAL", "An internal error occurred.");
        return;
    }
    if (db_commit() < 0) {
        /* every row is out; a read-only transaction has nothing to lose */
        log_warn("commit after export %s failed: %s", filename, db_last_message());
        db_rollback();
    }
    if (!resp_sent(req))
        begin(&c);                      /* no rows: the header line alone */
    return;
fail:
    db_rollback();
    if (!resp_sent(req)) {
        db_fail_reply(req);
        return;
    }
    if (c.client_gone)
        log_info("export %s: the client went away after %lld rows", filename, c.rows);
    else
        log_error("export %s failed after %lld rows: %s", filename, c.rows, db_last_message());
    resp_abort(req);
}

void export_csv(struct request *req, struct db_stmt *set_stmt, const struct db_args *a,
                const char *copy_sql, const char *filename)
{
    /* on a standby when the route allows it and the standby has what the
     * caller wrote (db_read_begin); its snapshot is as whole as the primary's */
    db_read_begin(req, DB_AFTER_CALLER);
    export_on(req, set_stmt, a, copy_sql, filename);
    db_read_end();
}
