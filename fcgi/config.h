/* config.h — the service configuration.
 * Read from the environment, then overridden by KEY=VALUE lines of the file
 * named by FACECLOCK_CONFIG (if set). The master re-reads it on SIGHUP and
 * the workers it forks afterwards see the new values. */
#ifndef FC_CONFIG_H
#define FC_CONFIG_H

#include <stddef.h>
#include "peers.h"
#include "seal.h"

#define ADMIN_KEY_MIN 32
/* scrypt cost of new password hashes: OWASP's figure (N = 2^17, r = 8,
 * p = 1: 128 MiB and about half a second per hash on one core) */
#define SCRYPT_LOG_N_DEFAULT 17

struct config {
    char socket[256];          /* FACECLOCK_SOCKET: unix path or host:port */
    char socket_group[64];     /* FACECLOCK_SOCKET_GROUP: group of the unix socket (mode
                                  0660); "" = the process's group once it runs */
    struct peer_list peers;    /* FACECLOCK_ALLOWED_PEERS: who may connect to a TCP
                                  socket (default 127.0.0.1,::1) */
    int workers;               /* FACECLOCK_WORKERS, default nproc */
    long max_requests;         /* FACECLOCK_MAX_REQUESTS: recycle after N (0 = never) */
    long list_count_cap;       /* FACECLOCK_LIST_COUNT_CAP: a list's X-Total-Count is exact up
                                  to this many rows, a lower bound past it (10000) */
    size_t max_body;           /* FACECLOCK_MAX_BODY bytes, default 1 MiB */
    char database_url[512];    /* DATABASE_URL (libpq conninfo or URI) */
    char read_database_url[512];  /* FACECLOCK_READ_DATABASE_URL: where the reads of routes
                                  declared READS_STANDBY may go ("" = the primary) */
    int read_max_lag;          /* FACECLOCK_READ_MAX_LAG seconds a standby's replay may lag
                                  before those reads go to the primary (default 5) */
    char admin_key[256];       /* FACECLOCK_ADMIN_KEY ("" = no admin key accepted; else at
                                  least ADMIN_KEY_MIN characters) */
    long token_ttl;            /* FACECLOCK_TOKEN_TTL seconds, default 43200 */
    int scrypt_log_n;          /* FACECLOCK_SCRYPT_LOG_N, default SCRYPT_LOG_N_DEFAULT (cost of
                                  new hashes; a login re-hashes a cheaper one) */
    char sql_dir[256];         /* FACECLOCK_SQL_DIR: migrations, default compiled-in */
    char templates_dir[256];   /* FACECLOCK_TEMPLATES: page templates, default compiled-in */
    char nchan_pub[256];       /* FACECLOCK_NCHAN_PUB: nginx's internal nchan publisher,
                                  a unix socket path ("" = live events are not published) */
    int login_max_failures;    /* FACECLOCK_LOGIN_MAX_FAILURES per user or IP per window */
    int login_window;          /* FACECLOCK_LOGIN_WINDOW seconds, default 900 */
    int sync_history_days;     /* FACECLOCK_SYNC_HISTORY_DAYS: change log kept by purge (90) */
    int scheduler_interval;    /* FACECLOCK_SCHEDULER_INTERVAL seconds between the scheduler
                                  service's ticks, aligned to it (60: each minute; 0 = off) */
    int idempotency_window;    /* FACECLOCK_IDEMPOTENCY_WINDOW seconds an idempotent request's
                                  answer is kept for its key's repeats (86400; 1..7 days) */
    int purge_at;              /* FACECLOCK_PURGE_AT "HH:MM" server time of the daily
                                  retention purge, in minutes after midnight (03:30) */
    char state_dir[256];       /* FACECLOCK_STATE_DIR: what the service keeps on disk, the
                                  devices' CA and its CRL (fcgi/ca.h); default var/state */
    char mqtt_url[256];        /* FACECLOCK_MQTT_URL: the MQTT broker the push service
                                  publishes to, "mqtt://host:port" ("" = no push:
                                  devices poll; the service idles) */
    char mqtt_secret[256];     /* FACECLOCK_MQTT_SECRET: the service's own broker password
                                  (user "faceclock"); its hash goes into the broker's
                                  password file under FACECLOCK_STATE_DIR/mqtt/ */
    int device_cert_days;      /* FACECLOCK_DEVICE_CERT_DAYS: a device certificate's life
                                  (1-365, default 30) */
    int request_deadline;      /* FACECLOCK_REQUEST_DEADLINE seconds per request, default 30 */
    /* Notifications (docs/operations.md "Notifications"): the SMTP relay
     * mail goes through (libcurl; "" = no mail is sent, each one fails
     * visibly), its sender, credentials and STARTTLS (0 never, 1 when
     * offered (default), 2 required); webhooks to loopback/link-local
     * addresses only with allow_private (tests, a local receiver); the
     * poll for due retries (seconds) and the back-off's scale (percent of
     * 30 s doubling to 30 min; tests make it small). */
    char smtp_url[512];        /* FACECLOCK_SMTP_URL: smtp://host:port or smtps://host:port */
    char smtp_from[256];       /* FACECLOCK_SMTP_FROM: the envelope and From: address */
    char smtp_user[256];       /* FACECLOCK_SMTP_USER ("" = no AUTH) */
    char smtp_password[256];   /* FACECLOCK_SMTP_PASSWORD: never logged */
    int smtp_starttls;         /* FACECLOCK_SMTP_STARTTLS 0..2, default 1 */
    int notify_allow_private;  /* FACECLOCK_NOTIFY_ALLOW_PRIVATE 0/1, default 0 */
    int notify_interval;       /* FACECLOCK_NOTIFY_INTERVAL seconds 0..300, default 5
                                  (0 = the notifier is off: deliveries wait) */
    int notify_backoff_scale;  /* FACECLOCK_NOTIFY_BACKOFF_SCALE percent 1..100, default 100 */
    int tls;                   /* FACECLOCK_TLS: 1 = clients reach the service over HTTPS
                                  (a TLS proxy in front): Secure cookie and HSTS on every
                                  answer; 0 (default) = as nginx's own scheme says */
    /* Biometric data at rest (seal.h): FACECLOCK_DATA_KEY (64 hex) seals
     * and opens, FACECLOCK_DATA_KEY_OLD (64 hex each, comma-separated, at
     * most SEAL_MAX_KEYS - 1) only open, until `faceclock rekey` re-sealed
     * everything under the current key. n == 0: no data key. */
    struct seal_ring data_keys;
    /* What kiosk and device key hashes, PMS password marks, CSRF and
     * confirmation tokens are keyed with (each through its own label):
     * FACECLOCK_KEY_HASH_KEY (64 hex), by default FACECLOCK_DATA_KEY, so
     * that rotating the data key need not void them (docs/operations.md,
     * "Biometric data at rest and rotating the data key"). Required when
     * FACECLOCK_DATA_KEY_OLD is set. */
    unsigned char hash_key[32];
    int has_hash_key;
    /* the settings as read, resolved into the two above by config_load */
    unsigned char data_key_in[32], hash_key_in[32];
    int has_data_key_in, has_hash_key_in;
    char data_key_old_in[8 * 65];
};

extern struct config g_config;

/* Fill g_config from the environment and the optional file.
 * Returns 0, or -1 with a message on stderr for an invalid value. */
int config_load(void);

#endif
