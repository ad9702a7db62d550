/* scheduler_svc.c — the scheduler service (fcgi/app.h struct service,
 * declared in handlers/app/services.c): the time-driven work in one
 * place. Every FACECLOCK_SCHEDULER_INTERVAL seconds (60, aligned: each
 * minute; 0 turns it off) it evaluates the alerts of every hotel as
 * `faceclock alerts-tick` does (alert_tick_hotels), and once a day, at
 * FACECLOCK_PURGE_AT server time or 24 h after its last run (the row of
 * scheduler_runs, sql/016_scheduler.sql), runs the retention purge as
 * `faceclock purge` does (purge_run), by system:scheduler, its record in
 * the same transaction. Each tick
 * also makes the audit logs' partitions of the months ahead
 * (fc_audit_partitions_ahead, sql/027_audit_partitions.sql), closes the
 * forgotten sessions of hotels whose auto_close is on (auto_close_due,
 * auto_close_store.c), and deletes expired idempotency keys in batches
 * (idem_expire, idempotency_store.c). Only one
 * scheduler works however many masters share the database: it holds a
 * session advisory lock (SCHEDULER_LOCK) while it works, and another
 * waits for it, trying every second; a new connection (the old one lost,
 * its lock with it) takes the lock again first. Decisions are
 * scheduler_rules.c's. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "app/services.h"
#include "alert_store.h"
#include "auto_close_store.h"
#include "config.h"
#include "db.h"
#include "idempotency_store.h"
#include "log.h"
#include "purge_store.h"
#include "scheduler_rules.h"

#define SCHEDULER_LOCK 0x6663736368656475LL   /* "fcschedu" */
#define SCHEDULER_ACTOR "system:scheduler"

static struct db_stmt st_lock = {
    "scheduler_lock", "SELECT pg_try_advisory_lock($1::bigint)", 0,
};

static struct db_stmt st_last = {
    "scheduler_last_purge",
    "SELECT extract(epoch FROM last_run)::bigint FROM scheduler_runs WHERE job = 'purge'", 0,
};

/* no row yet (a new installation): the day starts counting now */
static struct db_stmt st_start = {
    "scheduler_start_purge",
    "INSERT INTO scheduler_runs (job, last_run) VALUES ('purge', now()) ON CONFLICT (job) DO NOTHING", 0,
};

/* the audit logs' monthly partitions, this month's and the next three
 * (sql/027_audit_partitions.sql); 0 when they all exist */
static struct db_stmt st_partitions = {
    "scheduler_audit_partitions", "SELECT fc_audit_partitions_ahead()", 0,
};

/* 1 when this process holds the lock, 0 when another does, -1 (db) */
static int take_lock(void)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, SCHEDULER_LOCK);
    PGresult *r = db_run(&st_lock, &a);
    if (r == NULL)
        return -1;
    int held = db_bool(r, 0, 0);
    PQclear(r);
    return held;
}

/* today's FACECLOCK_PURGE_AT, server time */
static time_t purge_today(time_t now)
{
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = g_config.purge_at / 60;
    tm.tm_min = g_config.purge_at % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

static void purge_when_due(time_t now)
{
    struct db_args a;
    db_args_init(&a);
    PGresult *r = db_run(&st_last, &a);
    if (r == NULL)
        return;
    int known = PQntuples(r) == 1;
    time_t last = known ? (time_t)db_ll(r, 0, 0) : 0;
    PQclear(r);
    if (!known) {
        if ((r = db_run(&st_start, &a)) != NULL)
            PQclear(r);
        return;
    }
    if (!scheduler_purge_due(now, last, purge_today(now)))
        return;
    struct actor who;
    struct purge_count n;
    const char *step = "";
    actor_system(&who, SCHEDULER_ACTOR);
    who.user_agent = "faceclock scheduler";
    /* the run and its record in one transaction: a scheduler killed
     * half way leaves both undone, and the next tick runs it once */
    if (purge_run(&who, NULL, 1, &n, &step) < 0) {
        log_warn("purge: database failure %s: %s", step, db_last_message());
        return;
    }
    log_info("purge ran: %lld face data, %lld auth_tokens, %lld auth_failures, "
             "%lld used_confirmation_tokens removed",
             n.face_data, n.auth_tokens, n.auth_failures, n.confirmation_tokens);
}

/* Expired idempotency keys, deleted IDEM_BATCH at a time (short
 * statements: scans keep claiming keys meanwhile), at most IDEM_BATCHES
 * per tick; what is left waits for the next. */
#define IDEM_BATCH 5000
#define IDEM_BATCHES 20

static void expire_keys(void)
{
    long total = 0, n = IDEM_BATCH;
    for (int i = 0; i < IDEM_BATCHES && n == IDEM_BATCH; i++) {
        if ((n = idem_expire(IDEM_BATCH)) < 0) {
            log_warn("idempotency keys: database failure: %s", db_last_message());
            return;
        }
        total += n;
    }
    if (total > 0)
        log_info("idempotency keys: %ld expired removed", total);
}

static void tick(time_t now)
{
    struct actor who;
    actor_system(&who, SCHEDULER_ACTOR);
    who.user_agent = "faceclock scheduler";
    long closed = auto_close_due(now, &who);      /* first: a closed session raises nothing */
    if (closed < 0)
        log_warn("auto-close: database failure: %s", db_last_message());
    else if (closed > 0)
        log_info("auto-close: %ld forgotten session(s) closed", closed);

    struct alert_tick_count n = {0, 0};
    int hotels = alert_tick_hotels(NULL, &n);
    if (hotels < 0)
        log_warn("alerts: database failure: %s", db_last_message());
    else if (n.raised > 0 || n.resolved > 0)
        log_info("alerts: %d hotel(s), %ld raised, %ld resolved", hotels, n.raised, n.resolved);
    purge_when_due(now);
    expire_keys();

    struct db_args a;
    db_args_init(&a);
    PGresult *r = db_run(&st_partitions, &a);
    if (r == NULL)
        log_warn("audit partitions: database failure: %s", db_last_message());
    else if (db_ll(r, 0, 0) > 0)
        log_info("audit partitions: %lld made", db_ll(r, 0, 0));
    if (r != NULL)
        PQclear(r);
}

static void nap(volatile sig_atomic_t *stop, double s)
{
    for (double t = 0; t < s && !*stop; t += 0.1)
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

int scheduler_run(volatile sig_atomic_t *stop)
{
    int interval = g_config.scheduler_interval;
    unsigned held = 0;          /* the connection's generation holding the lock */
    int waiting = 0;
    time_t next = 0;

    if (interval == 0) {
        log_info("FACECLOCK_SCHEDULER_INTERVAL is 0: the scheduler is off");
        while (!*stop)
            nap(stop, 1.0);
        return 0;
    }
    while (!*stop) {
        if (held == 0 || held != db_generation()) {
            int got = take_lock();
            if (got != 1) {
                if (got == 0 && !waiting)
                    log_info("another scheduler holds the lock: waiting for it");
                waiting = 1;
                held = 0;
                nap(stop, 1.0);
                continue;
            }
            held = db_generation();
            waiting = 0;
            log_info("scheduler: every %d s, the purge daily at %02d:%02d", interval,
                     g_config.purge_at / 60, g_config.purge_at % 60);
        }
        time_t now = time(NULL);
        if (now >= next) {
            if (next != 0)
                tick(now);
            next = scheduler_next_tick(now, interval);
        }
        nap(stop, next - now < 1 ? (double)(next - now) : 1.0);
    }
    return 0;
}
