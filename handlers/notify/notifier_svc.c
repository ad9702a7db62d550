/* notifier_svc.c — the notifier service (fcgi/app.h struct service,
 * declared in handlers/app/services.c): every FANOUT_EVERY seconds queues
 * the deliveries of the events its snapshot cursor has not seen
 * (notify_fanout, sql/029_event_cursor.sql; the cursor kept here, saved
 * at most every SAVE_EVERY seconds: a round read again after a crash
 * queues nothing twice); LISTENs on faceclock_notify (the "send a test"
 * route), and on every wake-up, a fan-out that queued some,
 * every reconnection and every FACECLOCK_NOTIFY_INTERVAL seconds delivers
 * every due row of notification_deliveries, one at a time, each claimed
 * with FOR UPDATE SKIP LOCKED in a transaction that marks it: a webhook
 * is a signed POST (libcurl; notify_rules.c signs), an email a plain-text
 * mail through the SMTP relay (FACECLOCK_SMTP_*). A delivery is marked
 * sent only after the receiver's 2xx or the relay's 250; a crash before
 * the mark rolls the claim back and it is delivered again (at least once:
 * receivers dedupe by event id). A failure is kept in the log
 * (last_error) and tried again after notify_backoff_ms until it is dead.
 * Unless FACECLOCK_NOTIFY_ALLOW_PRIVATE=1, a webhook whose name resolves
 * to a loopback or link-local address is not connected to. Secrets and
 * the relay's password are never logged. FACECLOCK_NOTIFY_INTERVAL=0
 * turns it off (it idles, with no database connection). */
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "app/services.h"
#include "config.h"
#include "db.h"
#include "live/event_store.h"
#include "log.h"
#include "notify/notify_store.h"

#define FANOUT_EVERY 0.5        /* the events' deliveries queued this often */
#define SAVE_EVERY 1.0          /* the cursor saved at most this often */

static CURL *curl;

/* what a delivery attempt came to */
struct outcome {
    int sent;
    long status;                /* HTTP status or SMTP code; 0 none */
    char error[256];
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* libcurl's socket: refused for an address a webhook may not reach */
static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
    int *refused = ctx;
    (void)purpose;
    const void *addr = NULL;
    if (a->family == AF_INET)
        addr = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
    else if (a->family == AF_INET6)
        addr = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
    if (addr != NULL && notify_addr_private(a->family, addr)) {
        *refused = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static void curl_failed(struct outcome *o, CURLcode rc, const char *detail)
{
    snprintf(o->error, sizeof o->error, "%s%s%s", curl_easy_strerror(rc), detail[0] ? ": " : "", detail);
}

static void webhook(const struct notify_job *j, struct outcome *o)
{
    char sig[NOTIFY_SIGNATURE_SIZE], h_id[64], h_ts[64], h_sig[128], h_type[96], errbuf[CURL_ERROR_SIZE] = "";
    long long ts = (long long)time(NULL);
    int refused = 0;

    if (j->secret[0] == '\0') {
        snprintf(o->error, sizeof o->error, "the endpoint's secret does not open under the data key");
        return;
    }
    if (notify_signature(j->secret, ts, j->body, sig) < 0) {
        snprintf(o->error, sizeof o->error, "signing failed");
        return;
    }
    snprintf(h_id, sizeof h_id, "X-Faceclock-Event-Id: %lld", j->event_id);
    snprintf(h_ts, sizeof h_ts, "X-Faceclock-Timestamp: %lld", ts);
    snprintf(h_sig, sizeof h_sig, "X-Faceclock-Signature: %s", sig);
    snprintf(h_type, sizeof h_type, "X-Faceclock-Event-Type: %s", j->type);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "User-Agent: faceclock-notifier");
    h = curl_slist_append(h, h_id);
    h = curl_slist_append(h, h_ts);
    h = curl_slist_append(h, h_sig);
    h = curl_slist_append(h, h_type);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, j->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (!g_config.notify_allow_private) {
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &refused);
    }
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &o->status);
    curl_slist_free_all(h);
    if (refused)
        snprintf(o->error, sizeof o->error, "refused: the host resolves to a loopback or link-local address");
    else if (rc != CURLE_OK)
        curl_failed(o, rc, errbuf);
    else if (o->status < 200 || o->status > 299)
        snprintf(o->error, sizeof o->error, "the receiver answered HTTP %ld", o->status);
    else
        o->sent = 1;
}

struct mail_src {
    const char *p;
    size_t left;
};

static size_t mail_read(char *buf, size_t size, size_t n, void *ctx)
{
    struct mail_src *m = ctx;
    size_t k = size * n < m->left ? size * n : m->left;
    memcpy(buf, m->p, k);
    m->p += k;
    m->left -= k;
    return k;
}

static void email(const struct notify_job *j, struct outcome *o)
{
    char date[64], from[300], to[300], errbuf[CURL_ERROR_SIZE] = "";
    time_t now = time(NULL);
    struct tm tm;

    if (g_config.smtp_url[0] == '\0') {
        snprintf(o->error, sizeof o->error, "FACECLOCK_SMTP_URL is not set: no mail is sent");
        return;
    }
    if (!notify_email_valid(j->address)) {
        snprintf(o->error, sizeof o->error, "the endpoint's address is not an email address");
        return;
    }
    if (!notify_email_valid(g_config.smtp_from)) {
        snprintf(o->error, sizeof o->error, "FACECLOCK_SMTP_FROM is not an email address");
        return;
    }
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char *text = notify_mail_text(g_config.smtp_from, j->address, j->slug, j->type, j->event_id, j->created_at,
                                  j->data, date);
    if (text == NULL) {
        snprintf(o->error, sizeof o->error, "the mail could not be written");
        return;
    }
    struct mail_src src = {text, strlen(text)};
    snprintf(from, sizeof from, "<%s>", g_config.smtp_from);
    snprintf(to, sizeof to, "<%s>", j->address);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, g_config.smtp_url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, mail_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &src);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, g_config.smtp_starttls == 2   ? (long)CURLUSESSL_ALL
                                            : g_config.smtp_starttls == 1 ? (long)CURLUSESSL_TRY
                                                                          : (long)CURLUSESSL_NONE);
    if (g_config.smtp_user[0] != '\0') {
        curl_easy_setopt(curl, CURLOPT_USERNAME, g_config.smtp_user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, g_config.smtp_password);
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &o->status);
    curl_slist_free_all(rcpt);
    free(text);
    if (rc != CURLE_OK)
        curl_failed(o, rc, errbuf);
    else
        o->sent = 1;
}

/* Deliver every due row. 0, or -1 on a database failure. */
static int drain(volatile sig_atomic_t *stop)
{
    struct notify_job j;
    int rc = 0;

    while (!*stop && (rc = notify_job_claim(&j)) == 1) {
        struct outcome o = {0, 0, ""};
        if (strcmp(j.kind, "webhook") == 0)
            webhook(&j, &o);
        else
            email(&j, &o);
        int attempts = j.attempts + 1, dead = !o.sent && notify_is_dead(attempts);
        long long delay = notify_backoff_ms(attempts, g_config.notify_backoff_scale);
        if (!o.sent)
            log_warn("notification %lld (event %lld, endpoint %lld, %s) attempt %d failed%s: %s", j.id,
                     j.event_id, j.endpoint_id, j.kind, attempts, dead ? ", given up" : "", o.error);
        if (notify_job_done(&j, o.sent, o.status, o.error, delay, dead) < 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

static void on_note(void *ctx, const char *payload)
{
    (void)payload;
    *(int *)ctx = 1;
}

/* the fan-out's cursor (pg_snapshot text), owned; saved when unsaved;
 * read on connection cursor_gen (db_generation) */
static char *cursor;
static int unsaved;
static unsigned cursor_gen;

/* Queue the deliveries of the events the cursor has not seen, and move
 * it: 0 (*wake set when some were queued), or -1 (db). On a new
 * connection the cursor is the saved one, as the publisher's
 * (live/publisher_svc.c: after a crash, ids of transactions whose commit
 * was lost may be handed out again). */
static int fan_out(int *wake)
{
    char *upto = NULL;
    if (cursor != NULL && cursor_gen != db_generation()) {
        free(cursor);
        cursor = NULL;
    }
    cursor_gen = db_generation();
    if (cursor == NULL && event_store_cursor_load("notifier", &cursor) < 0)
        return -1;
    long long n = notify_fanout(cursor, &upto);
    if (n < 0)
        return -1;
    if (cursor_gen != db_generation()) {
        free(upto);
        return -1;
    }
    if (strcmp(upto, cursor) != 0) {
        free(cursor);
        cursor = upto;
        unsaved = 1;
    } else {
        free(upto);
    }
    if (n > 0)
        *wake = 1;
    return 0;
}

static void save(void)
{
    if (unsaved && cursor != NULL && event_store_cursor_save("notifier", cursor) == 0)
        unsaved = 0;
}

static void nap(volatile sig_atomic_t *stop, double s)
{
    for (double t = 0; t < s && !*stop; t += 0.1)
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

int notifier_run(volatile sig_atomic_t *stop)
{
    if (g_config.notify_interval == 0) {
        log_info("FACECLOCK_NOTIFY_INTERVAL is 0: the notifier is off, deliveries wait in the outbox");
        while (!*stop)
            nap(stop, 1.0);
        return 0;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (curl = curl_easy_init()) == NULL) {
        log_error("libcurl initialisation failed");
        return 70;
    }
    unsigned seen = 0;
    int wake = 0;
    double next_poll = 0, next_fanout = 0, next_save = 0;
    while (!*stop) {
        if (seen == 0 && db_listen("faceclock_notify") < 0) {
            nap(stop, 1.0);
            continue;
        }
        if (seen != db_generation()) {
            log_info("listening on faceclock_notify; due deliveries every %d s; mail via %s",
                     g_config.notify_interval, g_config.smtp_url[0] ? "the SMTP relay" : "nothing (no FACECLOCK_SMTP_URL)");
            seen = db_generation();
            db_simple("SET plan_cache_mode = force_generic_plan");  /* notify_fanout's: no planning per round */
            next_poll = 0;
        }
        double now = now_monotonic();
        if (now >= next_fanout) {
            next_fanout = now + FANOUT_EVERY;
            if (fan_out(&wake) < 0) {
                nap(stop, 1.0);
                continue;
            }
        }
        if (now >= next_save) {
            next_save = now + SAVE_EVERY;
            save();
        }
        if (wake || now >= next_poll) {
            wake = 0;
            next_poll = now + g_config.notify_interval;
            if (drain(stop) < 0) {
                nap(stop, 1.0);
                next_poll = 0;
                continue;
            }
        }
        if (db_wait_notify(FANOUT_EVERY, on_note, &wake) < 0)
            nap(stop, 0.5);
    }
    save();
    free(cursor);
    cursor = NULL;
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
}
