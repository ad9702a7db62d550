/* config.c — g_config from the environment and the FACECLOCK_CONFIG file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

#ifndef FC_SQL_DIR
#define FC_SQL_DIR "sql"
#endif
#ifndef FC_TEMPLATE_DIR
#define FC_TEMPLATE_DIR "templates"
#endif

struct config g_config;

static int set_string(char *dst, size_t size, const char *name, const char *v)
{
    if (strlen(v) >= size) {
        fprintf(stderr, "faceclock: %s is too long (at most %zu characters)\n", name, size - 1);
        return -1;
    }
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

/* "HH:MM" (two digits each, 00:00 to 23:59) into minutes after midnight */
static int set_clock(int *dst, const char *name, const char *v)
{
    if (strlen(v) != 5 || !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) || v[2] != ':'
        || !isdigit((unsigned char)v[3]) || !isdigit((unsigned char)v[4])
        || (v[0] - '0') * 10 + (v[1] - '0') > 23 || (v[3] - '0') * 10 + (v[4] - '0') > 59) {
        fprintf(stderr, "faceclock: %s must be a time of day HH:MM from 00:00 to 23:59 (got \"%s\")\n", name, v);
        return -1;
    }
    *dst = ((v[0] - '0') * 10 + (v[1] - '0')) * 60 + (v[3] - '0') * 10 + (v[4] - '0');
    return 0;
}

static int set_long(long *dst, const char *name, const char *v, long min, long max)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "faceclock: %s must be a whole number from %ld to %ld (got \"%s\")\n",
                name, min, max, v);
        return -1;
    }
    *dst = n;
    return 0;
}

/* The operator's key opens every hotel: long enough not to be guessed
 * (nginx also limits guesses per address, docs/operations.md). */
static int set_admin_key(char *dst, size_t size, const char *v)
{
    if (v[0] != '\0' && strlen(v) < ADMIN_KEY_MIN) {
        fprintf(stderr, "faceclock: FACECLOCK_ADMIN_KEY is too short (%zu characters; at least %d, "
                "e.g. 64 hex digits from: od -An -tx1 -N32 /dev/urandom | tr -d ' \\n')\n",
                strlen(v), ADMIN_KEY_MIN);
        return -1;
    }
    return set_string(dst, size, "FACECLOCK_ADMIN_KEY", v);
}

static int set_peers(struct peer_list *dst, const char *v)
{
    if (peers_parse(v, dst) < 0) {
        fprintf(stderr, "faceclock: FACECLOCK_ALLOWED_PEERS must be a comma-separated list of "
                "at most %d IPv4 or IPv6 addresses (got \"%s\")\n", PEERS_MAX, v);
        return -1;
    }
    return 0;
}

/* 64 hex characters -> 32 bytes */
static int set_key(unsigned char *dst, int *has, const char *name, const char *v)
{
    if (strlen(v) != 64 || strspn(v, "0123456789abcdefABCDEF") != 64) {
        fprintf(stderr, "faceclock: %s must be 64 hexadecimal characters (32 bytes)\n", name);
        return -1;
    }
    for (int i = 0; i < 32; i++) {
        unsigned int b;
        sscanf(v + 2 * i, "%2x", &b);
        dst[i] = (unsigned char)b;
    }
    *has = 1;
    return 0;
}

/* Apply one setting; unknown names are ignored (the file may hold others). */
static int apply(const char *name, const char *v)
{
    struct config *c = &g_config;
    long n;

    if (strcmp(name, "FACECLOCK_SOCKET") == 0)
        return set_string(c->socket, sizeof c->socket, name, v);
    if (strcmp(name, "FACECLOCK_SOCKET_GROUP") == 0)
        return set_string(c->socket_group, sizeof c->socket_group, name, v);
    if (strcmp(name, "FACECLOCK_ALLOWED_PEERS") == 0)
        return set_peers(&c->peers, v);
    if (strcmp(name, "DATABASE_URL") == 0)
        return set_string(c->database_url, sizeof c->database_url, name, v);
    if (strcmp(name, "FACECLOCK_READ_DATABASE_URL") == 0)
        return set_string(c->read_database_url, sizeof c->read_database_url, name, v);
    if (strcmp(name, "FACECLOCK_ADMIN_KEY") == 0)
        return set_admin_key(c->admin_key, sizeof c->admin_key, v);
    if (strcmp(name, "FACECLOCK_SQL_DIR") == 0)
        return set_string(c->sql_dir, sizeof c->sql_dir, name, v);
    if (strcmp(name, "FACECLOCK_TEMPLATES") == 0)
        return set_string(c->templates_dir, sizeof c->templates_dir, name, v);
    if (strcmp(name, "FACECLOCK_NCHAN_PUB") == 0)
        return set_string(c->nchan_pub, sizeof c->nchan_pub, name, v);
    if (strcmp(name, "FACECLOCK_MQTT_URL") == 0)
        return set_string(c->mqtt_url, sizeof c->mqtt_url, name, v);
    if (strcmp(name, "FACECLOCK_MQTT_SECRET") == 0)
        return set_string(c->mqtt_secret, sizeof c->mqtt_secret, name, v);
    if (strcmp(name, "FACECLOCK_STATE_DIR") == 0)
        return set_string(c->state_dir, sizeof c->state_dir, name, v);
    if (strcmp(name, "FACECLOCK_DATA_KEY") == 0)
        return set_key(c->data_key_in, &c->has_data_key_in, name, v);
    if (strcmp(name, "FACECLOCK_DATA_KEY_OLD") == 0)
        return set_string(c->data_key_old_in, sizeof c->data_key_old_in, name, v);
    if (strcmp(name, "FACECLOCK_KEY_HASH_KEY") == 0)
        return set_key(c->hash_key_in, &c->has_hash_key_in, name, v);
    if (strcmp(name, "FACECLOCK_SMTP_URL") == 0) {
        if (*v != '\0' && strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0) {
            fprintf(stderr, "faceclock: FACECLOCK_SMTP_URL must begin smtp:// or smtps://\n");
            return -1;
        }
        return set_string(c->smtp_url, sizeof c->smtp_url, name, v);
    }
    if (strcmp(name, "FACECLOCK_SMTP_FROM") == 0)
        return set_string(c->smtp_from, sizeof c->smtp_from, name, v);
    if (strcmp(name, "FACECLOCK_SMTP_USER") == 0)
        return set_string(c->smtp_user, sizeof c->smtp_user, name, v);
    if (strcmp(name, "FACECLOCK_SMTP_PASSWORD") == 0)
        return set_string(c->smtp_password, sizeof c->smtp_password, name, v);
    if (strcmp(name, "FACECLOCK_SMTP_STARTTLS") == 0) {
        if (set_long(&n, name, v, 0, 2) < 0)
            return -1;
        c->smtp_starttls = (int)n;
    } else if (strcmp(name, "FACECLOCK_NOTIFY_ALLOW_PRIVATE") == 0) {
        if (set_long(&n, name, v, 0, 1) < 0)
            return -1;
        c->notify_allow_private = (int)n;
    } else if (strcmp(name, "FACECLOCK_NOTIFY_INTERVAL") == 0) {
        if (set_long(&n, name, v, 0, 300) < 0)
            return -1;
        c->notify_interval = (int)n;
    } else if (strcmp(name, "FACECLOCK_NOTIFY_BACKOFF_SCALE") == 0) {
        if (set_long(&n, name, v, 1, 100) < 0)
            return -1;
        c->notify_backoff_scale = (int)n;
    } else if (strcmp(name, "FACECLOCK_WORKERS") == 0) {
        if (set_long(&n, name, v, 1, 64) < 0)
            return -1;
        c->workers = (int)n;
    } else if (strcmp(name, "FACECLOCK_MAX_REQUESTS") == 0) {
        return set_long(&c->max_requests, name, v, 0, 1000000000L);
    } else if (strcmp(name, "FACECLOCK_LIST_COUNT_CAP") == 0) {
        return set_long(&c->list_count_cap, name, v, 1, 100000000L);
    } else if (strcmp(name, "FACECLOCK_MAX_BODY") == 0) {
        if (set_long(&n, name, v, 1024, 64L * 1024 * 1024) < 0)
            return -1;
        c->max_body = (size_t)n;
    } else if (strcmp(name, "FACECLOCK_TOKEN_TTL") == 0) {
        return set_long(&c->token_ttl, name, v, 60, 30L * 86400);
    } else if (strcmp(name, "FACECLOCK_SCRYPT_LOG_N") == 0) {
        if (set_long(&n, name, v, 10, 20) < 0)
            return -1;
        c->scrypt_log_n = (int)n;
    } else if (strcmp(name, "FACECLOCK_LOGIN_MAX_FAILURES") == 0) {
        if (set_long(&n, name, v, 1, 1000) < 0)
            return -1;
        c->login_max_failures = (int)n;
    } else if (strcmp(name, "FACECLOCK_SYNC_HISTORY_DAYS") == 0) {
        if (set_long(&n, name, v, 1, 36500) < 0)
            return -1;
        c->sync_history_days = (int)n;
    } else if (strcmp(name, "FACECLOCK_SCHEDULER_INTERVAL") == 0) {
        if (set_long(&n, name, v, 0, 86400) < 0)
            return -1;
        c->scheduler_interval = (int)n;
    } else if (strcmp(name, "FACECLOCK_IDEMPOTENCY_WINDOW") == 0) {
        if (set_long(&n, name, v, 1, 7L * 86400) < 0)
            return -1;
        c->idempotency_window = (int)n;
    } else if (strcmp(name, "FACECLOCK_PURGE_AT") == 0) {
        return set_clock(&c->purge_at, name, v);
    } else if (strcmp(name, "FACECLOCK_REQUEST_DEADLINE") == 0) {
        if (set_long(&n, name, v, 1, 3600) < 0)
            return -1;
        c->request_deadline = (int)n;
    } else if (strcmp(name, "FACECLOCK_DEVICE_CERT_DAYS") == 0) {
        if (set_long(&n, name, v, 1, 365) < 0)
            return -1;
        c->device_cert_days = (int)n;
    } else if (strcmp(name, "FACECLOCK_TLS") == 0) {
        if (set_long(&n, name, v, 0, 1) < 0)
            return -1;
        c->tls = (int)n;
    } else if (strcmp(name, "FACECLOCK_READ_MAX_LAG") == 0) {
        if (set_long(&n, name, v, 0, 3600) < 0)
            return -1;
        c->read_max_lag = (int)n;
    } else if (strcmp(name, "FACECLOCK_LOGIN_WINDOW") == 0) {
        if (set_long(&n, name, v, 1, 86400) < 0)
            return -1;
        c->login_window = (int)n;
    }
    return 0;
}

static const char *const names[] = {
    "FACECLOCK_SOCKET", "DATABASE_URL", "FACECLOCK_ADMIN_KEY", "FACECLOCK_SQL_DIR",
    "FACECLOCK_WORKERS", "FACECLOCK_MAX_REQUESTS", "FACECLOCK_MAX_BODY", "FACECLOCK_LIST_COUNT_CAP",
    "FACECLOCK_TOKEN_TTL", "FACECLOCK_SCRYPT_LOG_N", "FACECLOCK_LOGIN_MAX_FAILURES",
    "FACECLOCK_LOGIN_WINDOW", "FACECLOCK_DATA_KEY", "FACECLOCK_SYNC_HISTORY_DAYS",
    "FACECLOCK_TEMPLATES", "FACECLOCK_REQUEST_DEADLINE", "FACECLOCK_TLS", "FACECLOCK_SOCKET_GROUP",
    "FACECLOCK_ALLOWED_PEERS", "FACECLOCK_DATA_KEY_OLD", "FACECLOCK_KEY_HASH_KEY",
    "FACECLOCK_NCHAN_PUB", "FACECLOCK_SCHEDULER_INTERVAL", "FACECLOCK_PURGE_AT",
    "FACECLOCK_IDEMPOTENCY_WINDOW",
    "FACECLOCK_STATE_DIR", "FACECLOCK_DEVICE_CERT_DAYS",
    "FACECLOCK_SMTP_URL", "FACECLOCK_SMTP_FROM", "FACECLOCK_SMTP_USER", "FACECLOCK_SMTP_PASSWORD",
    "FACECLOCK_SMTP_STARTTLS", "FACECLOCK_NOTIFY_ALLOW_PRIVATE", "FACECLOCK_NOTIFY_INTERVAL",
    "FACECLOCK_NOTIFY_BACKOFF_SCALE",
    "FACECLOCK_MQTT_URL", "FACECLOCK_MQTT_SECRET",
    "FACECLOCK_READ_DATABASE_URL", "FACECLOCK_READ_MAX_LAG",
};

static int load_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int lineno = 0, rc = 0;

    if (f == NULL) {
        fprintf(stderr, "faceclock: cannot read FACECLOCK_CONFIG %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *s = line, *eq, *end;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '#' || *s == '\0')
            continue;
        end = s + strlen(s);
        while (end > s && isspace((unsigned char)end[-1]))
            *--end = '\0';
        eq = strchr(s, '=');
        if (eq == NULL) {
            fprintf(stderr, "faceclock: %s:%d: expected KEY=VALUE\n", path, lineno);
            rc = -1;
            continue;
        }
        *eq = '\0';
        if (apply(s, eq + 1) < 0)
            rc = -1;
    }
    fclose(f);
    return rc;
}

/* The data key ring (current key first, then the old keys) and the key
 * hashing key from the settings as read. 0 or -1 with a message. */
static int resolve_keys(struct config *c)
{
    const char *name = "FACECLOCK_DATA_KEY_OLD";
    int has_old = c->data_key_old_in[0] != '\0';

    if (c->has_data_key_in)
        seal_ring_add(&c->data_keys, c->data_key_in);
    if (has_old && !c->has_data_key_in) {
        fprintf(stderr, "faceclock: %s is set without FACECLOCK_DATA_KEY (the key to re-seal under)\n", name);
        return -1;
    }
    if (has_old && !c->has_hash_key_in) {
        fprintf(stderr, "faceclock: %s is set (a data key rotation) but FACECLOCK_KEY_HASH_KEY is not: "
                "kiosk and device keys, PMS password marks and CSRF tokens would all be voided; set "
                "FACECLOCK_KEY_HASH_KEY to the old data key to keep them (docs/operations.md)\n", name);
        return -1;
    }
    for (const char *s = c->data_key_old_in; has_old; s++) {
        char one[65];
        unsigned char key[32];
        int has = 0;
        size_t len = strcspn(s, ",");
        if (len != 64) {
            fprintf(stderr, "faceclock: %s must be keys of 64 hexadecimal characters, separated by "
                    "commas\n", name);
            return -1;
        }
        memcpy(one, s, 64);
        one[64] = '\0';
        if (set_key(key, &has, name, one) < 0)
            return -1;
        if (seal_ring_add(&c->data_keys, key) < 0) {
            fprintf(stderr, "faceclock: %s holds more than %d keys\n", name, SEAL_MAX_KEYS - 1);
            return -1;
        }
        s += len;
        if (*s == '\0')
            break;
    }
    if (c->has_hash_key_in || c->has_data_key_in) {
        memcpy(c->hash_key, c->has_hash_key_in ? c->hash_key_in : c->data_key_in, 32);
        c->has_hash_key = 1;
    }
    return 0;
}

int config_load(void)
{
    struct config *c = &g_config;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

    memset(c, 0, sizeof *c);
    snprintf(c->socket, sizeof c->socket, "%s", "var/run/faceclock.sock");
    snprintf(c->sql_dir, sizeof c->sql_dir, "%s", FC_SQL_DIR);
    snprintf(c->templates_dir, sizeof c->templates_dir, "%s", FC_TEMPLATE_DIR);
    snprintf(c->state_dir, sizeof c->state_dir, "%s", "var/state");
    c->device_cert_days = 30;
    c->workers = ncpu > 0 ? (ncpu > 64 ? 64 : (int)ncpu) : 2;
    c->max_requests = 100000;
    c->list_count_cap = 10000;
    c->max_body = 1024 * 1024;
    c->token_ttl = 12 * 3600;
    c->scrypt_log_n = SCRYPT_LOG_N_DEFAULT;
    c->login_max_failures = 5;
    c->login_window = 900;
    c->sync_history_days = 90;
    c->request_deadline = 30;
    c->read_max_lag = 5;
    c->scheduler_interval = 60;
    c->purge_at = 3 * 60 + 30;
    c->idempotency_window = 86400;
    snprintf(c->smtp_from, sizeof c->smtp_from, "%s", "faceclock@localhost");
    c->smtp_starttls = 1;
    c->notify_interval = 5;
    c->notify_backoff_scale = 100;
    peers_parse("127.0.0.1,::1", &c->peers);

    int rc = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v != NULL && *v != '\0' && apply(names[i], v) < 0)
            rc = -1;
    }
    const char *file = getenv("FACECLOCK_CONFIG");
    if (file != NULL && *file != '\0' && load_file(file) < 0)
        rc = -1;
    if (resolve_keys(c) < 0)
        rc = -1;
    return rc;
}
