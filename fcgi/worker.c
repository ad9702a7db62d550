/* worker.c — one worker process: the FCGX_Accept_r loop and the life of
 * one request (parse, dispatch, the 500 safety net, rollback of a
 * forgotten transaction, log line, metrics). A crash inside a handler
 * still answers 500 INTERNAL before the worker exits to be respawned. */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <fcgiapp.h>
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "response.h"
#include "router.h"
#include "server.h"

static volatile sig_atomic_t stopping;
static sigjmp_buf crash_jmp;
static volatile sig_atomic_t in_request;

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

static void on_crash(int sig)
{
    if (in_request) {
        in_request = 0;
        siglongjmp(crash_jmp, sig);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_alarm(int sig)
{
    (void)sig;                          /* only to interrupt a draining accept() */
}

/* While waiting in accept() SIGTERM must interrupt it (no SA_RESTART);
 * while a request is read or answered it must not break the I/O. */
static void term_interrupts(int interrupts)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sa.sa_flags = interrupts ? 0 : SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    term_interrupts(1);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGINT, SIG_IGN);            /* the master decides */
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
}

static void log_request(const struct request *req, double dur)
{
    log_msg("info", "request", "method=%s path=\"%s\" route=%s status=%d dur_ms=%.2f hotel=%s caller=%d%s%s bytes=%zu",
            req->method ? req->method : "-", req->path ? req->path : "-",
            req->route ? req->route->name : "-", req->status, dur * 1000.0,
            req->hotel.slug[0] ? req->hotel.slug : "-", (int)req->caller.kind,
            req->error_code ? " code=" : "", req->error_code ? req->error_code : "",
            req->bytes_out);
}

/* Returns 0, or the signal number of a crash inside the handler. */
static int handle(FCGX_Request *fr, struct pool *pool)
{
    struct request req;
    int crashed;

    memset(&req, 0, sizeof req);
    req.fcgx = fr;
    req.pool = pool;
    req.t_start = now_monotonic();

    crashed = sigsetjmp(crash_jmp, 1);
    if (crashed == 0) {
        in_request = 1;
        if (request_read_or_reply(&req, g_config.max_body) == 0)
            router_dispatch(&req);
        in_request = 0;
    } else {
        log_error("signal %d in %s %s (route %s); answering 500 and exiting",
                  crashed, req.method, req.path, req.route ? req.route->name : "-");
    }
    if (!resp_sent(&req)) {
        if (!crashed)
            log_error("route %s returned without answering", req.route ? req.route->name : "-");
        resp_error(&req, 500, "INTERNAL", "An internal error occurred.");
    }
    if (db_in_transaction()) {
        log_error("route %s left a transaction open; rolled back", req.route ? req.route->name : "-");
        db_rollback();
    }
    double dur = now_monotonic() - req.t_start;
    metrics_observe(req.route ? (int)(req.route - app_routes) : -1, req.status, dur);
    log_request(&req, dur);
    request_end(&req);
    return crashed;
}

int worker_run(int listen_fd, int slot)
{
    FCGX_Request fr;
    long served = 0;

    log_init("worker");
    /* fixed thresholds: large blocks (a scrypt's 16 MiB) go back to the
     * system when freed, so an idle worker stays small */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
    install_signals();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        return 0;                       /* the master is already gone */
    if (crypto_init() < 0) {
        log_error("libgcrypt initialisation failed");
        return 70;
    }
    metrics_attach_slot(slot);
    db_init(g_config.database_url);
    if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        log_error("FCGX_Init failed");
        return 70;
    }
    struct pool *pool = pool_new();
    int rc = 0;

    for (;;) {
        if (stopping) {
            /* asked to stop: answer what already waits on the socket, then
             * leave; alarm() frees accept() if another worker took it */
            struct pollfd pfd = {listen_fd, POLLIN, 0};
            if (poll(&pfd, 1, 0) <= 0)
                break;
            alarm(1);
        }
        term_interrupts(1);
        int accepted = FCGX_Accept_r(&fr);
        alarm(0);
        if (accepted < 0) {
            if (stopping || errno == EINTR)
                continue;
            log_error("FCGX_Accept_r failed: %s", strerror(errno));
            rc = 70;
            break;
        }
        term_interrupts(0);
        int crashed = handle(&fr, pool);
        FCGX_Finish_r(&fr);
        if (crashed) {
            rc = 70;
            break;
        }
        if (g_config.max_requests > 0 && ++served >= g_config.max_requests)
            break;                      /* recycle: the master forks a fresh one */
    }
    FCGX_Free(&fr, 1);
    pool_free(pool);
    db_close();
    return rc;
}
