/* watchdog.c — the board of busy workers (one entry per living worker, in
 * an anonymous shared map) and the master's kill of a worker past the
 * request deadline. The master owns an entry's pid and killed fields, the
 * worker its since and route fields; each field has a single writer. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "app.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "watchdog.h"

/* slots plus the workers retiring after a reload (master.c) */
#define WATCH_ENTRIES (METRICS_MAX_WORKERS * 3)

struct watch {
    pid_t pid;                  /* master: 0 free, -1 claimed for a fork */
    int killed;                 /* master: SIGKILL sent */
    long long since_us;         /* worker: monotonic µs the request was taken, 0 idle */
    int route;                  /* worker: app_routes index, -1 not routed yet */
};

static struct watch *board;
static struct watch *mine;

double watchdog_due_in(double busy_since, double now, double limit)
{
    if (busy_since <= 0)
        return WATCHDOG_IDLE;
    return busy_since + limit - now;
}

long watchdog_statement_ms(int deadline_s)
{
    long full = (long)deadline_s * 1000;
    return full - 1000 >= full / 2 ? full - 1000 : full / 2;
}

double watchdog_db_deadline(double now_mono, double now_wall, const char *sent, int deadline_s)
{
    double full = deadline_s, budget = full - 0.5 >= full / 2 ? full - 0.5 : full / 2, start = now_wall;
    if (sent != NULL && *sent != '\0') {
        char *end;
        errno = 0;
        double t = strtod(sent, &end);
        /* nginx and the worker share the host's clock: a start in the
         * future is a rounding (ms) or a step of the clock; one older than
         * the deadline plus an hour is not nginx's */
        if (errno == 0 && *end == '\0' && isfinite(t) && t > now_wall - full - 3600 && t <= now_wall + 1)
            start = t < now_wall ? t : now_wall;
    }
    return now_mono + (start + budget - now_wall);
}

int watchdog_init(void)
{
    void *p = mmap(NULL, sizeof(struct watch) * WATCH_ENTRIES, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    board = p;
    return 0;
}

int watchdog_claim(void)
{
    if (board == NULL)
        return -1;
    for (int e = 0; e < WATCH_ENTRIES; e++)
        if (board[e].pid == 0) {
            board[e].pid = -1;
            board[e].killed = 0;
            __atomic_store_n(&board[e].since_us, 0, __ATOMIC_RELAXED);
            __atomic_store_n(&board[e].route, -1, __ATOMIC_RELAXED);
            return e;
        }
    log_warn("no watchdog entry free: a worker runs without a deadline");
    return -1;
}

void watchdog_assign(int entry, pid_t pid)
{
    if (board != NULL && entry >= 0 && entry < WATCH_ENTRIES)
        board[entry].pid = pid > 0 ? pid : 0;
}

static const char *route_name(int r)
{
    return r >= 0 && r < app_nroutes ? app_routes[r].name : "-";
}

static double since_of(const struct watch *w)
{
    return (double)__atomic_load_n(&w->since_us, __ATOMIC_RELAXED) / 1e6;
}

void watchdog_release(pid_t pid, char *what, size_t size)
{
    what[0] = '\0';
    if (board == NULL || pid <= 0)
        return;
    for (int e = 0; e < WATCH_ENTRIES; e++)
        if (board[e].pid == pid) {
            double since = since_of(&board[e]);
            if (since > 0)
                snprintf(what, size, " on route %s for %.1fs",
                         route_name(__atomic_load_n(&board[e].route, __ATOMIC_RELAXED)),
                         now_monotonic() - since);
            board[e].pid = 0;
            return;
        }
}

double watchdog_check(double now)
{
    double limit = g_config.request_deadline + WATCHDOG_GRACE_S, next = WATCHDOG_IDLE;
    if (board == NULL)
        return next;
    for (int e = 0; e < WATCH_ENTRIES; e++) {
        struct watch *w = &board[e];
        if (w->pid <= 0 || w->killed)
            continue;
        double since = since_of(w);
        double due = watchdog_due_in(since, now, limit);
        if (due > 0) {
            if (due < next)
                next = due;
            continue;
        }
        log_warn("worker %d busy on route %s for %.1fs, past the %ds request deadline; killing it",
                 (int)w->pid, route_name(__atomic_load_n(&w->route, __ATOMIC_RELAXED)), now - since,
                 g_config.request_deadline);
        if (kill(w->pid, SIGKILL) < 0 && errno != ESRCH)
            log_error("kill %d: %s", (int)w->pid, strerror(errno));
        w->killed = 1;
    }
    return next;
}

void watchdog_attach(int entry)
{
    mine = board != NULL && entry >= 0 && entry < WATCH_ENTRIES ? &board[entry] : NULL;
}

void watchdog_begin(void)
{
    if (mine == NULL)
        return;
    __atomic_store_n(&mine->route, -1, __ATOMIC_RELAXED);
    long long us = (long long)(now_monotonic() * 1e6);
    __atomic_store_n(&mine->since_us, us > 0 ? us : 1, __ATOMIC_RELEASE);
}

void watchdog_route(int route_index)
{
    if (mine != NULL)
        __atomic_store_n(&mine->route, route_index, __ATOMIC_RELAXED);
}

void watchdog_end(void)
{
    if (mine != NULL)
        __atomic_store_n(&mine->since_us, 0, __ATOMIC_RELEASE);
}
