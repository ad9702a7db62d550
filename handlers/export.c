/* export.c — owns the streamed CSV exports: one transaction that puts the
 * filters in place (set_config) and COPYs the rows straight to the client,
 * one row in memory at a time. */
#include <string.h>
#include <sys/socket.h>
#include <fcgiapp.h>
#include "export.h"
#include "log.h"
#include "response.h"

struct sink_ctx {
    struct request *req;
    const char *filename;
    long long rows;           /* lines written, the header included */
    int client_gone;          /* a write to the client failed */
};

/* One COPY row (ending in "\n") to the client, ending in "\r\n". The
 * status and headers go out with the first row, so that a failure before
 * it can still be a JSON error. */
static int sink(void *p, const char *buf, size_t n)
{
    struct sink_ctx *c = p;
    struct request *req = c->req;

    if (!resp_sent(req)) {
        resp_header(req, "Content-Disposition",
                    pool_printf(req->pool, "attachment; filename=\"%s\"", c->filename));
        resp_stream_begin(req, 200, "text/csv; charset=utf-8");
    }
    /* a newline inside a quoted field is data and stays as it is; only the
     * row's own terminator becomes CRLF */
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (resp_write(req, buf, n) < 0 || resp_write(req, "\r\n", 2) < 0) {
        c->client_gone = 1;
        return -1;
    }
    c->rows++;
    return 0;
}

/* After part of the body went out the status cannot change any more, and
 * ending the FastCGI request normally would hand the client a file that
 * looks complete. Cutting the connection to nginx instead makes nginx drop
 * the client's connection without the final chunk: a visible truncation. */
static void cut_connection(struct request *req)
{
    if (req->fcgx != NULL && req->fcgx->ipcFd >= 0)
        shutdown(req->fcgx->ipcFd, SHUT_RDWR);
}

void export_csv(struct request *req, struct db_stmt *set_stmt, const struct db_args *a,
                const char *copy_sql, const char *filename)
{
    struct sink_ctx c = {req, filename, 0, 0};
    PGresult *r;

    if (db_begin() < 0)
        goto fail;
    if ((r = db_run(set_stmt, a)) == NULL)
        goto fail;
    PQclear(r);
    if (db_copy_out(copy_sql, sink, &c) < 0)
        goto fail;
    if (db_commit() < 0) {
        /* every row is out; a read-only transaction has nothing to lose */
        log_warn("commit after export %s failed: %s", filename, db_last_message());
        db_rollback();
    }
    return;
fail:
    db_rollback();
    if (!resp_sent(req)) {
        db_fail_reply(req);
        return;
    }
    if (c.client_gone)
        log_info("export %s: the client went away after %lld lines", filename, c.rows);
    else
        log_error("export %s failed after %lld lines: %s", filename, c.rows, db_last_message());
    cut_connection(req);
}
