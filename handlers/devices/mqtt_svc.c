/* mqtt_svc.c — the MQTT service (fcgi/app.h struct service, declared in
 * handlers/app/services.c; docs/iot.md "MQTT push"). Owns two things:
 *
 * - the broker's password_file and acl_file under FACECLOCK_STATE_DIR/mqtt/
 *   (mosquitto's own mechanisms): written from the device table
 *   (mqtt_store.h), each device's topic lines from its ACL tier
 *   (acl_rules.h) with the service's own user "faceclock", replaced
 *   atomically (a temporary file renamed) when their text changes, and the
 *   broker (its pid in mosquitto.pid there) sent SIGHUP: it re-reads them
 *   and drops the live session of a device that lost its credentials;
 * - the "sync now" messages: each pending row of mqtt_pushes (a hotel's
 *   sync_version moved) sent as {"version": N} with QoS 1 to each of the
 *   hotel's devices whose tier syncs (acl_rules.h) on
 *   faceclock/<hotel>/devices/<device_id>/sync, and marked sent only once the broker acknowledged every message of the
 *   batch: at least once; what a broker or service restart interrupted is
 *   sent again (the devices' poll catches up anyway);
 * - a device's own messages, from the same outbox (sql/024): its
 *   effective config version moved, {"version": N} on .../config; an
 *   action queued for it, {"id", "kind"} on .../actions; sent and marked
 *   the same way, a superseded version or an acknowledged action only
 *   marked.
 *
 * It LISTENs on faceclock_mqtt (sql/021_mqtt.sql): a notification only
 * wakes it; both jobs also run after every reconnection to PostgreSQL and
 * every 5 s. libmosquitto's own thread keeps the broker connection,
 * reconnecting with back-off (1 s doubling to 30 s). Without
 * FACECLOCK_MQTT_URL it idles. */
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/services.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "devices/mqtt_rules.h"
#include "devices/mqtt_store.h"
#include "log.h"

#define SWEEP_EVERY 5.0
#define SETTLE 2.0         /* seconds of quiet files before the reload that makes sure */
#define TRIM_EVERY 3600.0
#define KEEP_DAYS 7
#define BATCH_HOTELS 50
#define MAX_MSGS 2000          /* messages awaiting acknowledgement at once */
#define ACK_WAIT 5.0
#define SERVICE_USER "faceclock"

/* what the libmosquitto thread and this one share, under lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int connected;
static int awaiting[MAX_MSGS];  /* mids of the batch not yet acknowledged (0: done) */
static int nawaiting;

/* a growing text buffer, owned by its user and freed with free(t->s) */
struct text {
    char *s;
    size_t len, cap;
};

static int text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->s, cap);
        if (p == NULL)
            return -1;
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
    return 0;
}

struct files {
    struct text passwd, acl;
    int failed;
};

static int add_credential(void *ctx, const struct mqtt_credential *c)
{
    struct files *f = ctx;
    char user[MQTT_USER_MAX], line[512];
    int n;

    if (mqtt_username(user, sizeof user, c->slug, c->device_id) < 0)
        return 0;                       /* not a broker username: it polls */
    if ((n = mqtt_passwd_line(line, sizeof line, user, c->hash)) < 0)
        return 0;
    if (text_add(&f->passwd, line, (size_t)n) < 0)
        goto fail;
    if ((n = mqtt_acl_entry(line, sizeof line, c->tier, user, c->slug, c->device_id)) < 0)
        return 0;
    if (text_add(&f->acl, "\n", 1) < 0 || text_add(&f->acl, line, (size_t)n) < 0)
        goto fail;
    return 0;
fail:
    f->failed = 1;
    return -1;
}

/* Whether path holds exactly t. */
static int same_text(const char *path, const struct text *t)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char buf[4096];
    size_t off = 0, n;
    int same = 1;
    while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        same = off + n <= t->len && memcmp(t->s + off, buf, n) == 0;
        off += n;
    }
    fclose(f);
    return same && off == t->len;
}

/* t into path through path.tmp (mode 0640: the broker may read it through
 * its group, docs/operations.md) and a rename: 0 or -1 */
static int replace_file(const char *path, const struct text *t)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_warn("cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < t->len) {
        ssize_t w = write(fd, t->s + off, t->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off != t->len || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        log_warn("cannot replace %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* SIGHUP to the broker whose pid is in dir/mosquitto.pid (checked to be a
 * mosquitto: a recycled pid is left alone). 0, or -1 (none running). */
static int reload_broker(const char *dir)
{
    char path[512], comm[64] = "";
    snprintf(path, sizeof path, "%s/mosquitto.pid", dir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    if (pid <= 1)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    if ((f = fopen(path, "r")) != NULL) {
        if (fgets(comm, sizeof comm, f) == NULL)
            comm[0] = '\0';
        fclose(f);
    }
    if (strncmp(comm, "mosquitto", 9) != 0 || kill((pid_t)pid, SIGHUP) < 0)
        return -1;
    return 0;
}

/* The broker's files from the device table; the broker reloaded when they
 * changed. 1 changed (and the broker signalled), 0 unchanged, or -1
 * (database or disk: tried again at the next sweep). */
static int write_files(const char *own_hash)
{
    char dir[300], path[512], line[512];
    struct files f = {0};
    int rc = -1, n;

    snprintf(dir, sizeof dir, "%s/mqtt", g_config.state_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        log_warn("cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    static const char head[] = "# written by faceclock's mqtt service from the device table; edits are lost\n";
    if (text_add(&f.acl, head, sizeof head - 1) < 0 ||
        (n = mqtt_passwd_line(line, sizeof line, SERVICE_USER, own_hash)) < 0 ||
        text_add(&f.passwd, line, (size_t)n) < 0 ||
        (n = mqtt_acl_entry(line, sizeof line, TIER_SERVICE, SERVICE_USER, NULL, NULL)) < 0 ||
        text_add(&f.acl, line, (size_t)n) < 0)
        goto out;
    if (mqtt_store_each_credential(add_credential, &f) < 0 || f.failed)
        goto out;
    int changed = 0;
    snprintf(path, sizeof path, "%s/passwd", dir);
    if (!same_text(path, &f.passwd)) {
        if (replace_file(path, &f.passwd) < 0)
            goto out;
        changed = 1;
    }
    snprintf(path, sizeof path, "%s/acl", dir);
    if (!same_text(path, &f.acl)) {
        if (replace_file(path, &f.acl) < 0)
            goto out;
        changed = 1;
    }
    if (changed && reload_broker(dir) == 0)
        log_info("broker credentials updated and reloaded");
    rc = changed;
out:
    free(f.passwd.s);
    free(f.acl.s);
    return rc;
}

/* ---- the broker connection (callbacks run on libmosquitto's thread) ---- */

static void on_connect(struct mosquitto *m, void *ctx, int rc)
{
    (void)m;
    (void)ctx;
    pthread_mutex_lock(&lock);
    connected = rc == 0;
    pthread_mutex_unlock(&lock);
    if (rc == 0)
        log_info("connected to the MQTT broker");
    else
        log_warn("the MQTT broker refused the connection: %s", mosquitto_connack_string(rc));
}

static void on_disconnect(struct mosquitto *m, void *ctx, int rc)
{
    (void)m;
    (void)ctx;
    pthread_mutex_lock(&lock);
    connected = 0;
    pthread_mutex_unlock(&lock);
    if (rc != 0)
        log_warn("lost the MQTT broker (%s); reconnecting", mosquitto_strerror(rc));
}

static void on_publish(struct mosquitto *m, void *ctx, int mid)
{
    (void)m;
    (void)ctx;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nawaiting; i++)
        if (awaiting[i] == mid)
            awaiting[i] = 0;
    pthread_mutex_unlock(&lock);
}

static int is_connected(void)
{
    pthread_mutex_lock(&lock);
    int c = connected;
    pthread_mutex_unlock(&lock);
    return c;
}

/* ---- "sync now" ---- */

struct batch {
    struct mosquitto *m;
    volatile sig_atomic_t *stop;
    long long hotel[BATCH_HOTELS], through[BATCH_HOTELS];
    int nhotels;
    int failed;
};

static int all_acknowledged(void)
{
    pthread_mutex_lock(&lock);
    int left = 0;
    for (int i = 0; i < nawaiting; i++)
        left += awaiting[i] != 0;
    pthread_mutex_unlock(&lock);
    return left == 0;
}

static void nap(volatile sig_atomic_t *stop, double s)
{
    for (double t = 0; t < s && !*stop; t += 0.05)
        nanosleep(&(struct timespec){0, 50000000L}, NULL);
}

/* Wait up to ACK_WAIT for the broker to acknowledge every message sent:
 * 1 when it did, 0 when not (the batch is then tried again). */
static int acknowledged(volatile sig_atomic_t *stop)
{
    double until = now_monotonic() + ACK_WAIT;
    while (!all_acknowledged() && now_monotonic() < until && !*stop)
        nap(stop, 0.02);
    return all_acknowledged();
}

/* msg on topic with QoS 1, its mid awaited (all_acknowledged): 0, or -1
 * (the broker took too long with what was awaited, or the publish failed) */
static int publish_awaited(struct mosquitto *m, volatile sig_atomic_t *stop, const char *topic, const char *msg,
                           int n)
{
    pthread_mutex_lock(&lock);
    int full = nawaiting == MAX_MSGS;
    pthread_mutex_unlock(&lock);
    if (full) {                        /* a big hotel: this much acknowledged first */
        if (!acknowledged(stop))
            return -1;
        pthread_mutex_lock(&lock);
        nawaiting = 0;
        pthread_mutex_unlock(&lock);
    }
    /* the lock held across the publish: its acknowledgement (on_publish,
     * libmosquitto's thread) cannot come before its mid is awaited */
    int mid = 0;
    pthread_mutex_lock(&lock);
    int rc = mosquitto_publish(m, &mid, topic, n, msg, 1, false);
    if (rc == MOSQ_ERR_SUCCESS)
        awaiting[nawaiting++] = mid;
    pthread_mutex_unlock(&lock);
    return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static int publish_push(void *ctx, const struct mqtt_push *p)
{
    struct batch *b = ctx;
    if (b->nhotels == 0 || b->hotel[b->nhotels - 1] != p->hotel_id) {
        if (b->nhotels == BATCH_HOTELS)
            return -1;
        b->hotel[b->nhotels] = p->hotel_id;
        b->through[b->nhotels++] = p->through;
    }
    char topic[MQTT_TOPIC_MAX], msg[48];
    int n;
    if (p->device_id == NULL || mqtt_device_topic(topic, sizeof topic, p->slug, p->device_id, "sync") < 0 ||
        (n = mqtt_version_message(msg, sizeof msg, p->version)) < 0)
        return 0;                      /* no device to tell */
    if (!acl_route_allows(p->tier, "sync"))
        return 0;                      /* a tier that holds no descriptors (a display) */
    if (publish_awaited(b->m, b->stop, topic, msg, n) < 0) {
        b->failed = 1;
        return -1;
    }
    return 0;
}

/* Send the pending versions, a batch of hotels at a time, marking a batch
 * sent once the broker acknowledged all of it: 0, or -1 (not connected,
 * database, unacknowledged: tried again at the next sweep). */
static int send_pending(struct mosquitto *m, volatile sig_atomic_t *stop)
{
    static struct batch b;
    long long n;
    do {
        if (!is_connected())
            return -1;
        b.m = m;
        b.stop = stop;
        b.nhotels = 0;
        b.failed = 0;
        pthread_mutex_lock(&lock);
        nawaiting = 0;
        pthread_mutex_unlock(&lock);
        if ((n = mqtt_store_each_pending(BATCH_HOTELS, publish_push, &b)) < 0 || b.failed)
            return -1;
        if (!acknowledged(stop))
            return -1;
        for (int i = 0; i < b.nhotels; i++)
            if (mqtt_store_mark_sent(b.hotel[i], b.through[i]) < 0)
                return -1;
    } while (b.nhotels == BATCH_HOTELS && !*stop);
    return 0;
}

/* ---- a device's own messages: config and actions ---- */

#define DEVICE_BATCH 1000              /* rows at a time (under MAX_MSGS: one wait) */

struct device_batch {
    struct mosquitto *m;
    volatile sig_atomic_t *stop;
    struct text ids;                   /* the rows handed over, "{1,2,...}" */
    int rows, failed;
};

static int publish_device(void *ctx, const struct mqtt_device_push *p)
{
    struct device_batch *b = ctx;
    char num[32], topic[MQTT_TOPIC_MAX], msg[96];
    int n, config = strcmp(p->kind, "config") == 0;

    n = snprintf(num, sizeof num, "%s%lld", b->rows == 0 ? "{" : ",", p->id);
    if (text_add(&b->ids, num, (size_t)n) < 0) {
        b->failed = 1;
        return -1;
    }
    b->rows++;
    if (!p->send || mqtt_device_topic(topic, sizeof topic, p->slug, p->device_id, config ? "config" : "actions") < 0)
        return 0;                      /* nothing to send (only marked), or not a broker username: it polls */
    n = config ? mqtt_version_message(msg, sizeof msg, p->version)
               : mqtt_action_message(msg, sizeof msg, p->action_id, p->action);
    if (n < 0)
        return 0;
    if (publish_awaited(b->m, b->stop, topic, msg, n) < 0) {
        b->failed = 1;
        return -1;
    }
    return 0;
}

/* Send the pending config and action messages, DEVICE_BATCH rows at a
 * time, marking a batch sent once the broker acknowledged all of it: 0,
 * or -1 (tried again at the next sweep). */
static int send_device_pending(struct mosquitto *m, volatile sig_atomic_t *stop)
{
    struct device_batch b = {.m = m, .stop = stop};
    int rc = -1;
    do {
        if (!is_connected())
            break;
        b.rows = 0;
        b.failed = 0;
        b.ids.len = 0;
        pthread_mutex_lock(&lock);
        nawaiting = 0;
        pthread_mutex_unlock(&lock);
        if (mqtt_store_each_device_pending(DEVICE_BATCH, publish_device, &b) < 0 || b.failed ||
            !acknowledged(stop))
            break;
        if (b.rows > 0 && (text_add(&b.ids, "}", 1) < 0 || mqtt_store_mark_ids(b.ids.s) < 0))
            break;
        if (b.rows < DEVICE_BATCH)
            rc = 0;
    } while (rc < 0 && !*stop);
    free(b.ids.s);
    return rc;
}

static void on_note(void *ctx, const char *payload)
{
    (void)payload;
    *(int *)ctx = 1;
}

int mqtt_run(volatile sig_atomic_t *stop)
{
    char host[128];
    int port = 0;

    if (g_config.mqtt_url[0] == '\0') {
        log_info("FACECLOCK_MQTT_URL is not set: no MQTT push (devices poll)");
        while (!*stop)
            nap(stop, 1.0);
        return 0;
    }
    if (mqtt_url_parse(g_config.mqtt_url, host, sizeof host, &port) < 0 || g_config.mqtt_secret[0] == '\0') {
        log_error("FACECLOCK_MQTT_URL must be mqtt://host:port and FACECLOCK_MQTT_SECRET set: no MQTT push");
        while (!*stop)
            nap(stop, 1.0);
        return 0;
    }
    /* the service's own password hash: one salt for this process, so that
     * the files' text only changes with the device table */
    unsigned char salt[MQTT_SALT_BYTES];
    char own_hash[MQTT_PWHASH_MAX];
    if (crypto_random(salt, sizeof salt) < 0 || mqtt_password_hash(g_config.mqtt_secret, salt, own_hash) < 0) {
        log_error("cannot hash the MQTT password");
        return 70;
    }
    mosquitto_lib_init();
    char id[64];
    snprintf(id, sizeof id, "faceclock-svc-%ld", (long)getpid());
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    if (m == NULL) {
        log_error("mosquitto_new failed");
        return 70;
    }
    mosquitto_username_pw_set(m, SERVICE_USER, g_config.mqtt_secret);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_disconnect_callback_set(m, on_disconnect);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_reconnect_delay_set(m, 1, 30, true);
    int files_written = 0;
    unsigned seen = 0;
    int wake = 0;
    double next_sweep = 0, next_trim = now_monotonic() + 60;
    /* the files first: the broker may be waiting for the service's user */
    while (!*stop && !files_written) {
        files_written = write_files(own_hash) >= 0;
        if (!files_written)
            nap(stop, 1.0);
    }
    if (mosquitto_connect_async(m, host, port, 30) != MOSQ_ERR_SUCCESS)
        log_warn("MQTT broker %s:%d not reachable yet; retrying", host, port);
    if (mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) {
        log_error("mosquitto_loop_start failed");
        mosquitto_destroy(m);
        return 70;
    }
    int was_connected = 0;
    double settle_at = 0;
    while (!*stop) {
        if (seen == 0 && db_listen("faceclock_mqtt") < 0) {
            nap(stop, 1.0);
            continue;
        }
        if (seen != db_generation()) {
            log_info("listening on faceclock_mqtt; broker %s:%d", host, port);
            seen = db_generation();
            next_sweep = 0;
        }
        int now_connected = is_connected();
        if (now_connected && !was_connected)
            next_sweep = 0;             /* a (re)connection: send what waits */
        was_connected = now_connected;
        double now = now_monotonic();
        if (wake || now >= next_sweep) {
            wake = 0;
            next_sweep = now + SWEEP_EVERY;
            int written = write_files(own_hash);
            if (written > 0)
                settle_at = now + SETTLE;
            if (written < 0 ||
                (now_connected && (send_pending(m, stop) < 0 || send_device_pending(m, stop) < 0)))
                next_sweep = now + 1.0;
        }
        /* mosquitto drops a SIGHUP that arrives while it is still re-reading
         * the files (a burst of provisionings: seen at 10 000 devices, the
         * last five refused), and no later change would repair it: once the
         * files have been quiet for SETTLE seconds, one more reload */
        if (settle_at > 0 && now >= settle_at) {
            settle_at = 0;
            char dir[300];
            snprintf(dir, sizeof dir, "%s/mqtt", g_config.state_dir);
            (void)reload_broker(dir);
        }
        if (now >= next_trim) {
            long long n = mqtt_store_trim(KEEP_DAYS);
            next_trim = now + TRIM_EVERY;
            if (n > 0)
                log_info("trimmed %lld sent pushes older than %d days", n, KEEP_DAYS);
        }
        if (db_wait_notify(now_connected ? 1.0 : 0.25, on_note, &wake) < 0)
            nap(stop, 0.5);
    }
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return 0;
}
