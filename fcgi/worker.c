/* worker.c — one worker process: the accept loop (a TCP peer outside
 * FACECLOCK_ALLOWED_PEERS is refused before a byte is read), FCGX_Accept_r
 * and the life of one request (parse, dispatch, the 500 safety net, rollback of a
 * forgotten transaction, log line, metrics, the watchdog's board). A crash
 * (SIGSEGV, SIGBUS, SIGFPE) is not caught: the worker dies at once, with
 * the sanitizer's report when built with one, and the master logs the
 * route it was on and replaces it. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcgiapp.h>
#include "app.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "peers.h"
#include "response.h"
#include "server.h"
#include "watchdog.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

/* SIGTERM (stop after the current request) stays blocked except inside
 * the wait for a connection (wait_for_connection): reading a request,
 * running it and answering are never interrupted by it. Before, it could
 * land while FCGX_Accept_r() was reading a just-accepted request, and
 * libfcgi then dropped that connection unanswered. *waiting is the mask
 * to wait with. */
static void install_signals(sigset_t *waiting)
{
    struct sigaction sa;
    sigset_t term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, waiting);
    sigdelset(waiting, SIGTERM);
    signal(SIGINT, SIG_IGN);            /* the master decides */
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

/* The request's decoded path, escaped for a quoted log value (http.h). */
static const char *log_path(const struct request *req, char *buf, size_t cap)
{
    return req->path != NULL ? http_log_escape(req->path, buf, cap) : "-";
}

static void log_request(const struct request *req, double dur)
{
    char path[1024];

    log_msg("info", "request", "method=%s path=\"%s\" route=%s status=%d dur_ms=%.2f tenant=%s grants=0x%x%s%s bytes=%zu",
            req->method ? req->method : "-", log_path(req, path, sizeof path),
            req->route ? req->route->name : "-", req->status, dur * 1000.0,
            req->tenant.slug[0] ? req->tenant.slug : "-", req->caller.grants,
            req->error_code ? " code=" : "", req->error_code ? req->error_code : "",
            req->bytes_out);
}

/* 1 when a connection waits on the (non-blocking) listening socket, 0
 * when asked to stop and none waits, -1 on an error. */
static int wait_for_connection(int listen_fd, const sigset_t *waiting)
{
    for (;;) {
        struct pollfd pfd = {listen_fd, POLLIN, 0};
        struct timespec now = {0, 0};
        /* stopping: only what already waits (drained), else until one comes */
        int n = ppoll(&pfd, 1, stopping ? &now : NULL, waiting);
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* Accept one connection and have libfcgi read its request from it (a
 * connection already open, with keepConnection set, is not closed by
 * FCGX_Accept_r's finishing of the previous request). On a TCP socket the
 * peer must be in FACECLOCK_ALLOWED_PEERS: others are closed unread and
 * logged. FCGX_Accept_r's answer, or -errno (-EAGAIN: nothing to serve). */
static int accept_request(int listen_fd, FCGX_Request *fr)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    int fd = accept4(listen_fd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (sa.ss_family != AF_UNIX && !peers_allowed(&g_config.peers, (struct sockaddr *)&sa)) {
        char addr[INET6_ADDRSTRLEN] = "?";
        const void *a = sa.ss_family == AF_INET
            ? (const void *)&((struct sockaddr_in *)&sa)->sin_addr
            : (const void *)&((struct sockaddr_in6 *)&sa)->sin6_addr;
        inet_ntop(sa.ss_family, a, addr, sizeof addr);
        log_warn("refused a FastCGI connection from %s: not in FACECLOCK_ALLOWED_PEERS", addr);
        close(fd);
        return -EAGAIN;
    }
    fr->ipcFd = fd;
    fr->keepConnection = 1;
    return FCGX_Accept_r(fr);
}

static void handle(FCGX_Request *fr, struct pool *pool)
{
    struct request req;

    memset(&req, 0, sizeof req);
    req.fcgx = fr;
    req.pool = pool;
    req.t_start = now_monotonic();
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    db_set_deadline(watchdog_db_deadline(req.t_start, (double)wall.tv_sec + wall.tv_nsec / 1e9,
                                         FCGX_GetParam("FACECLOCK_REQUEST_START", fr->envp),
                                         g_config.request_deadline));

    if (request_read_or_reply(&req, g_config.max_body) == 0)
        router_dispatch(&req);
    if (!resp_sent(&req)) {
        log_error("route %s returned without answering", req.route ? req.route->name : "-");
        resp_error(&req, 500, "INTERNAL", "An internal error occurred.");
    }
    if (db_abandon())
        log_error("route %s left a transaction open; rolled back", req.route ? req.route->name : "-");
    double dur = now_monotonic() - req.t_start;
    metrics_observe(req.route ? (int)(req.route - app_routes) : -1, req.status, dur);
    log_request(&req, dur);
    request_end(&req);
    db_set_deadline(0);
}

/* Connect before the first request, so that a reload's new worker is
 * ready when the old one leaves; then tell whoever waits (ready_fd). A
 * database that is down is tried again by the first request. */
static void warm_up(int ready_fd)
{
    if (db_ping() < 0)
        log_warn("starting without a database connection");
    if (ready_fd >= 0) {
        char one = 1;
        while (write(ready_fd, &one, 1) < 0 && errno == EINTR)
            ;
        close(ready_fd);
    }
}

int worker_run(int listen_fd, int slot, int ready_fd)
{
    FCGX_Request fr;
    long served = 0;

    log_init("worker");
    /* fixed thresholds: large blocks (a scrypt's 16 MiB) go back to the
     * system when freed, so an idle worker stays small */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
    sigset_t waiting;
    install_signals(&waiting);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        return 0;                       /* the master is already gone */
    if (crypto_init() < 0) {
        log_error("libgcrypt initialisation failed");
        return 70;
    }
    metrics_attach_slot(slot);
    db_init(g_config.database_url);
    db_init_read(g_config.read_database_url);
    warm_up(ready_fd);
    /* several workers wait on one socket: whoever loses the race for a
     * connection gets EAGAIN from accept() and waits again */
    int fl = fcntl(listen_fd, F_GETFL);
    if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        log_error("FCGX_Init failed");
        return 70;
    }
    struct pool *pool = pool_new();
    int rc = 0;

    for (;;) {
        /* asked to stop: answer what already waits on the socket, then leave */
        int ready = wait_for_connection(listen_fd, &waiting);
        if (ready < 0) {
            log_error("poll on the FastCGI socket failed: %s", strerror(errno));
            rc = 70;
            break;
        }
        if (ready == 0)
            break;
        int accepted = accept_request(listen_fd, &fr);
        if (accepted < 0) {
            /* libfcgi answers -errno */
            if (accepted == -EAGAIN || accepted == -EWOULDBLOCK || accepted == -EINTR ||
                accepted == -ECONNABORTED)
                continue;               /* another worker took it */
            log_error("FCGX_Accept_r failed: %s", strerror(-accepted));
            rc = 70;
            break;
        }
        watchdog_begin();
        handle(&fr, pool);
        /* one request per connection, whatever the web server asked for:
         * nginx sets FCGI_KEEP_CONN (fastcgi_keep_conn on) only so that a
         * connection cut before FCGI_END_REQUEST (resp_abort()) reads as
         * an incomplete response; it pools no upstream connections */
        fr.keepConnection = 0;
        FCGX_Finish_r(&fr);             /* closes the connection (fr.ipcFd = -1) */
        watchdog_end();
        if (g_config.max_requests > 0 && ++served >= g_config.max_requests)
            break;                      /* recycle: the master forks a fresh one */
    }
    FCGX_Free(&fr, 1);
    pool_free(pool);
    db_close();
    return rc;
}
