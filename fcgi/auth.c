/* auth.c — who is calling: the system administrator key, a user's bearer
 * token (Authorization header or the fc_token cookie), a kiosk key or a
 * device key. Tokens are stored as SHA-256 digests (they are random, 256
 * bits); keys as scrypt hashes, with a per-worker cache of verified keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

static struct db_stmt st_token = {
    "auth_token",
    "SELECT u.id, u.username, s.role, h.id, h.slug, u.staff_id, fc_ts(t.expires_at) "
    "FROM auth_tokens t JOIN users u ON u.id = t.user_id "
    "JOIN staff s ON s.hotel_id = u.hotel_id AND s.id = u.staff_id "
    "JOIN hotels h ON h.id = u.hotel_id "
    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND s.is_active",
    0,
};

static struct db_stmt st_kiosk = {
    "auth_kiosk",
    "SELECT k.key_hash, h.id, h.slug FROM kiosks k JOIN hotels h ON h.id = k.hotel_id "
    "WHERE k.id = $1 AND k.revoked_at IS NULL",
    0,
};

static struct db_stmt st_device = {
    "auth_device",
    "SELECT d.key_hash, h.id, h.slug, d.device_id FROM devices d JOIN hotels h ON h.id = d.hotel_id "
    "WHERE d.id = $1 AND d.key_hash IS NOT NULL AND d.deactivated_at IS NULL",
    0,
};

int auth_role_from_name(const char *name)
{
    if (strcmp(name, "staff") == 0) return ROLE_STAFF;
    if (strcmp(name, "manager") == 0) return ROLE_MANAGER;
    if (strcmp(name, "hr") == 0) return ROLE_HR;
    if (strcmp(name, "admin") == 0) return ROLE_ADMIN;
    return 0;
}

const char *auth_role_name(int role)
{
    switch (role) {
    case ROLE_STAFF: return "staff";
    case ROLE_MANAGER: return "manager";
    case ROLE_HR: return "hr";
    case ROLE_ADMIN: return "admin";
    default: return "";
    }
}

void auth_user_from_row(struct caller *c, const PGresult *r, int row)
{
    c->kind = CALLER_USER;
    c->user_id = db_ll(r, row, 0);
    snprintf(c->username, sizeof c->username, "%s", PQgetvalue(r, row, 1));
    c->role = auth_role_from_name(PQgetvalue(r, row, 2));
    c->hotel_id = db_ll(r, row, 3);
    snprintf(c->hotel_slug, sizeof c->hotel_slug, "%s", PQgetvalue(r, row, 4));
    c->staff_id = db_ll(r, row, 5);
}

/* ---- verified-key cache (per worker) ---------------------------------- */

/* One slot per (kind, id) hash: 10 000 devices polling must not mean a
 * scrypt per poll. 4096 slots of ~210 bytes, touched only when used. */
#define KEY_CACHE 4096
struct key_entry {
    char prefix[8];
    long long id;
    char stored[CRYPTO_HASH_MAX];      /* the hash the key was verified against */
    unsigned char digest[32];          /* SHA-256 of the presented key */
};
static struct key_entry key_cache[KEY_CACHE];

static struct key_entry *key_slot(const char *prefix, long long id)
{
    unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ULL;
    h ^= (unsigned char)prefix[0];
    return &key_cache[(h >> 20) % KEY_CACHE];
}

/* 1 when key verifies against stored (from the cache or by scrypt). */
static int key_verified(const char *prefix, long long id, const char *key, const char *stored)
{
    unsigned char digest[32];
    struct key_entry *e = key_slot(prefix, id);

    crypto_sha256(key, strlen(key), digest);
    if (e->id == id && strcmp(e->prefix, prefix) == 0 && strcmp(e->stored, stored) == 0)
        return crypto_equal(e->digest, digest, sizeof digest);
    if (!crypto_verify_secret(key, stored))
        return 0;
    snprintf(e->prefix, sizeof e->prefix, "%s", prefix);
    e->id = id;
    snprintf(e->stored, sizeof e->stored, "%s", stored);
    memcpy(e->digest, digest, sizeof digest);
    return 1;
}

int auth_key_id(const char *key, const char *prefix, long long *id)
{
    size_t plen = strlen(prefix);
    char *end;
    if (strncmp(key, prefix, plen) != 0 || key[plen] != '_')
        return -1;
    const char *p = key + plen + 1;
    if (*p < '1' || *p > '9')
        return -1;
    long long v = strtoll(p, &end, 10);
    if (*end != '_' || v <= 0 || strlen(end + 1) != 64 || strspn(end + 1, "0123456789abcdef") != 64)
        return -1;
    *id = v;
    return 0;
}

int auth_new_key(const char *prefix, long long id, char *key, char *hash)
{
    char secret[65];
    if (crypto_random_hex(secret, 32) < 0)
        return -1;
    snprintf(key, AUTH_KEY_MAX, "%s_%lld_%s", prefix, id, secret);
    return crypto_hash_secret(key, g_config.scrypt_log_n, hash);
}

const char *auth_dummy_hash(void)
{
    static char hash[CRYPTO_HASH_MAX];
    if (hash[0] == '\0') {
        char secret[33];
        crypto_random_hex(secret, 16);
        crypto_hash_secret(secret, g_config.scrypt_log_n, hash);
    }
    return hash;
}

/* ---- the credential kinds --------------------------------------------- */

static enum auth_result fail_db(void)
{
    return db_last_status() == DB_DOWN ? AUTH_DB_DOWN : AUTH_INVALID;
}

static enum auth_result identify_token(struct request *req, const char *token)
{
    unsigned char digest[32];
    char hex[2 + 64 + 1] = "\\x";
    struct db_args a;
    PGresult *res;

    if (strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
        return AUTH_INVALID;
    crypto_sha256(token, 64, digest);
    crypto_hex(digest, 32, hex + 2);
    db_args_init(&a);
    db_arg_str(&a, hex);
    if ((res = db_run(&st_token, &a)) == NULL)
        return fail_db();
    if (PQntuples(res) != 1) {
        PQclear(res);
        return AUTH_INVALID;
    }
    struct caller *c = &req->caller;
    auth_user_from_row(c, res, 0);
    snprintf(c->expires_at, sizeof c->expires_at, "%s", PQgetvalue(res, 0, 6));
    memcpy(c->token_digest, hex, sizeof hex);
    PQclear(res);
    return AUTH_OK;
}

static enum auth_result identify_kiosk(struct request *req, const char *key)
{
    long long id;
    struct db_args a;
    PGresult *res;

    if (auth_key_id(key, "kio", &id) < 0)
        return AUTH_INVALID;
    db_args_init(&a);
    db_arg_int(&a, id);
    if ((res = db_run(&st_kiosk, &a)) == NULL)
        return fail_db();
    int ok = PQntuples(res) == 1 && key_verified("kio", id, key, PQgetvalue(res, 0, 0));
    if (ok) {
        req->caller.kind = CALLER_KIOSK;
        req->caller.kiosk_id = id;
        req->caller.hotel_id = db_ll(res, 0, 1);
        snprintf(req->caller.hotel_slug, sizeof req->caller.hotel_slug, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return ok ? AUTH_OK : AUTH_INVALID;
}

static enum auth_result identify_device(struct request *req, const char *key)
{
    long long id;
    struct db_args a;
    PGresult *res;

    if (auth_key_id(key, "dev", &id) < 0)
        return AUTH_INVALID;
    db_args_init(&a);
    db_arg_int(&a, id);
    if ((res = db_run(&st_device, &a)) == NULL)
        return fail_db();
    int ok = PQntuples(res) == 1 && key_verified("dev", id, key, PQgetvalue(res, 0, 0));
    if (ok) {
        req->caller.kind = CALLER_DEVICE;
        req->caller.device_id = id;
        req->caller.hotel_id = db_ll(res, 0, 1);
        snprintf(req->caller.hotel_slug, sizeof req->caller.hotel_slug, "%s", PQgetvalue(res, 0, 2));
        snprintf(req->caller.device_name, sizeof req->caller.device_name, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return ok ? AUTH_OK : AUTH_INVALID;
}

enum auth_result auth_identify(struct request *req)
{
    memset(&req->caller, 0, sizeof req->caller);

    if (req->api_key != NULL && *req->api_key != '\0') {
        if (strncmp(req->api_key, "kio_", 4) == 0)
            return identify_kiosk(req, req->api_key);
        if (strncmp(req->api_key, "dev_", 4) == 0)
            return identify_device(req, req->api_key);
        if (g_config.admin_key[0] != '\0' && crypto_str_equal(req->api_key, g_config.admin_key)) {
            req->caller.kind = CALLER_SYSADMIN;
            return AUTH_OK;
        }
        return AUTH_INVALID;
    }
    if (req->authorization != NULL && *req->authorization != '\0') {
        if (strncasecmp(req->authorization, "Bearer ", 7) != 0)
            return AUTH_INVALID;
        return identify_token(req, req->authorization + 7);
    }
    const char *cookie = http_cookie(req->pool, req->cookie, AUTH_COOKIE);
    if (cookie != NULL && *cookie != '\0') {
        enum auth_result r = identify_token(req, cookie);
        req->caller.via_cookie = 1;
        return r;
    }
    return AUTH_NONE;
}
