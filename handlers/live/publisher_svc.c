/* publisher_svc.c — the publisher service (fcgi/app.h struct service,
 * declared in handlers/app/services.c): LISTENs on faceclock_events and
 * posts every committed event of the outbox (sql/013_events.sql) to
 * nginx's nchan publisher (FACECLOCK_NCHAN_PUB, a unix socket; libcurl),
 * on channel hotel:<slug> and, for clock.in/out at a kiosk, kiosk:<id>
 * too (one POST: nchan publishes one message to several channels).
 * What it has published is a cursor over transaction snapshots (PgQ's
 * technique, sql/029_event_cursor.sql): each round reads the events its
 * cursor did not see and the round's snapshot sees, and that snapshot
 * becomes the cursor — no write per event. A notification only wakes it:
 * the outbox is the truth, read on every wake-up, after every
 * reconnection to PostgreSQL and every 5 s, so nothing committed is lost
 * while it or the database was away. The cursor is kept here and saved
 * at most every SAVE_EVERY seconds (and when it stops): after a crash it
 * posts again at most that much (at least once: subscribers tell events
 * apart by "id"). Once an hour it trims published events older than
 * KEEP_DAYS. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "app/services.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "live/event_rules.h"
#include "live/event_store.h"

#define SWEEP_EVERY 5.0
#define SAVE_EVERY 1.0         /* the cursor saved at most this often */
#define BATCH 200
#define TRIM_EVERY 3600.0      /* published events are kept KEEP_DAYS */
#define KEEP_DAYS 7

static CURL *curl;

struct publisher {
    int wake;                  /* a notification of an outbox event came */
    int failed;                /* nchan refused or was unreachable */
    char *cursor;              /* the snapshot of the last round (pg_snapshot text), owned */
    unsigned cursor_gen;       /* the database connection it was read on (db_generation) */
    int unsaved;               /* a round since the last save read events */
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* POST body to the hotel's nchan channel and, with kiosk > 0, that
 * kiosk's too, in one request: 0, or -1. */
static int post(const char *slug, long long kiosk, const char *body)
{
    char path[128], url[160];
    if (event_channel_path(path, sizeof path, slug, kiosk) < 0) {
        log_warn("no channel for hotel %s", slug);
        return 0;                /* never publishable: not retried */
    }
    snprintf(url, sizeof url, "http://localhost%s", path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, g_config.nchan_pub);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (rc != CURLE_OK || status < 200 || status > 299) {
        log_warn("nchan publish to %s failed: %s (status %ld)", path,
                 rc != CURLE_OK ? curl_easy_strerror(rc) : "refused", status);
        return -1;
    }
    return 0;
}

static int publish_row(void *ctx, const struct event_row *e)
{
    struct publisher *p = ctx;
    if (post(e->slug, event_for_kiosk(e->type) ? e->kiosk_id : 0, e->message) < 0) {
        p->failed = 1;
        return -1;
    }
    return 0;
}

/* One round: publish the events the cursor has not seen, a page of BATCH
 * at a time, all under the snapshot of the round's first read, which
 * becomes the cursor once all are posted: 0, or -1 (database or nchan;
 * the cursor stays, and the next round posts the round's events again).
 * On a new connection the cursor is the saved one: after a crash,
 * PostgreSQL may hand out again the ids of transactions whose commit
 * never reached the disk (asynchronous commits), ids a snapshot kept here
 * could count as seen; the saved cursor's own commit was durable, so
 * every id it counts as seen is below those handed out after it. */
static int sweep(struct publisher *p)
{
    struct event_round round = {NULL, "", 0};
    long long n, total = 0;
    if (p->cursor != NULL && p->cursor_gen != db_generation()) {
        free(p->cursor);          /* a new connection: the server may have crashed (below) */
        p->cursor = NULL;
    }
    p->cursor_gen = db_generation();
    if (p->cursor == NULL && event_store_cursor_load("publisher", &p->cursor) < 0)
        return -1;
    p->failed = 0;
    do {
        n = event_store_each_new(p->cursor, &round, BATCH, publish_row, p);
        total += n;
    } while (n == BATCH && !p->failed && p->cursor_gen == db_generation());
    if (n < 0 || p->failed || p->cursor_gen != db_generation()) {
        free(round.upto);
        return -1;
    }
    free(p->cursor);
    p->cursor = round.upto;
    p->unsaved |= total > 0;
    return 0;
}

/* Save the cursor when a round read events since the last save: 0, or -1. */
static int save(struct publisher *p)
{
    if (!p->unsaved || p->cursor == NULL)
        return 0;
    if (event_store_cursor_save("publisher", p->cursor) < 0)
        return -1;
    p->unsaved = 0;
    return 0;
}

static void on_note(void *ctx, const char *payload)
{
    struct publisher *p = ctx;
    struct event_note note;
    if (event_note_parse(payload, strlen(payload), &note) < 0) {
        log_warn("ignoring a notification that is not an event (%zu bytes)", strlen(payload));
        return;
    }
    if (note.id > 0) {
        p->wake = 1;
        return;
    }
    if (!event_passthrough(&note))
        return;
    char slug[72];
    if (event_store_hotel_slug(note.hotel_id, slug, sizeof slug) == 1)
        post(slug, 0, payload);
}

static void nap(volatile sig_atomic_t *stop, double s)
{
    for (double t = 0; t < s && !*stop; t += 0.1)
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

int publisher_run(volatile sig_atomic_t *stop)
{
    if (g_config.nchan_pub[0] == '\0') {
        log_warn("FACECLOCK_NCHAN_PUB is not set: live events stay in the outbox");
        while (!*stop)
            nap(stop, 1.0);
        return 0;
    }
    if (curl_global_init(CURL_GLOBAL_NOTHING) != 0 || (curl = curl_easy_init()) == NULL) {
        log_error("libcurl initialisation failed");
        return 70;
    }
    static struct publisher p;
    unsigned seen = 0;
    double next_sweep = 0, next_save = 0, next_trim = now_monotonic() + 60;
    while (!*stop) {
        if (seen == 0 && db_listen("faceclock_events") < 0) {
            nap(stop, 1.0);
            continue;
        }
        if (seen != db_generation()) {   /* a new connection (it LISTENs too) */
            log_info("listening on faceclock_events; publishing to %s", g_config.nchan_pub);
            seen = db_generation();
            db_simple("SET plan_cache_mode = force_generic_plan");  /* event_new's: no planning per round */
            next_sweep = 0;               /* catch up on what came meanwhile */
        }
        double now = now_monotonic();
        if (p.wake || now >= next_sweep) {
            p.wake = 0;
            next_sweep = now + SWEEP_EVERY;
            if (sweep(&p) < 0) {
                nap(stop, 1.0);
                next_sweep = 0;
                continue;
            }
        }
        if (now >= next_save) {
            next_save = now + SAVE_EVERY;
            if (save(&p) < 0)
                log_warn("the publisher's cursor was not saved; trying again");
        }
        if (now >= next_trim) {
            long long n = event_store_trim(KEEP_DAYS);
            next_trim = now + TRIM_EVERY;
            if (n > 0)
                log_info("trimmed %lld published events older than %d days", n, KEEP_DAYS);
        }
        if (db_wait_notify(1.0, on_note, &p) < 0)
            nap(stop, 0.5);
    }
    if (save(&p) < 0)
        log_warn("the publisher's cursor was not saved at stop: its last rounds will be posted again");
    free(p.cursor);
    p.cursor = NULL;
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
}
