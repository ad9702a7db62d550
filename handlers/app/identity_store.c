/* identity_store.c — the identify hook (fcgi/app.h: app_identify): whose
 * credential a request presents — the system administrator's key, a
 * user's session token, a kiosk key or an edge-device key, or a device's
 * client certificate that nginx verified on the mTLS port — looked up in
 * the database, made into the caller's identity (access.h) and grants.
 * A hotel's device_auth setting says which of key and certificate its
 * devices may use (docs/iot.md "Certificates").
 * A kiosk or device key still stored with scrypt is re-hashed here on its
 * first success (auth.h). The generic parts (the admin key check, token
 * digests, key parsing and hashing) are the runtime's (fcgi/auth.c).
 * It owns the worker's kiosk cache: a kiosk found here is remembered (its
 * key hash, hotel) so that the scan, whose first statement reads the kiosk
 * as it is now anyway, needs no round trip of its own to identify it; the
 * key is still checked against the cached hash (keyed hash, constant-time
 * compare) and the scan confirms it (identity_kiosk_confirm_or_reply)
 * before it does anything, so a revoked or re-keyed kiosk is refused on
 * its next scan. */
#include <stdio.h>
#include <string.h>
#include "access.h"
#include "app.h"
#include "crypto.h"
#include "db.h"
#include "response.h"
#include "attendance/settings_rules.h"
#include "devices/acl_rules.h"
#include "devices/csr_rules.h"

const struct identity identity_none = {.kind = CALLER_NONE};

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
    "SELECT d.key_hash, h.id, h.slug, d.device_id, s.device_auth, d.tier FROM devices d JOIN hotels h ON h.id = d.hotel_id "
    "LEFT JOIN attendance_settings s ON s.hotel_id = h.id "
    "WHERE d.id = $1 AND d.key_hash IS NOT NULL AND d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR')",
    0,
};

/* a certificate the CA issued, neither revoked nor expired, of an active
 * provisioned device */
static struct db_stmt st_device_cert = {
    "auth_device_cert",
    "SELECT d.id, h.id, h.slug, d.device_id, s.device_auth, d.tier FROM device_certificates c "
    "JOIN devices d ON d.id = c.device_pk JOIN hotels h ON h.id = d.hotel_id "
    "LEFT JOIN attendance_settings s ON s.hotel_id = h.id "
    "WHERE c.serial = $1 AND c.revoked_at IS NULL AND c.not_after > now() "
    "AND d.key_hash IS NOT NULL AND d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR')",
    0,
};

/* A key that matched its scrypt hash gets its keyed hash instead (only if
 * the row still holds the hash it was checked against). */
static struct db_stmt st_kiosk_rehash = {
    "auth_kiosk_rehash", "UPDATE kiosks SET key_hash = $2 WHERE id = $1 AND key_hash = $3", 0,
};

static struct db_stmt st_device_rehash = {
    "auth_device_rehash", "UPDATE devices SET key_hash = $2 WHERE id = $1 AND key_hash = $3", 0,
};

/* ---- the kiosk cache -------------------------------------------------- */

#define KIOSK_CACHE 256         /* entries, by kiosk id; a collision evicts */

/* routes whose handler confirms a cached kiosk in its first statement */
static const char *const kiosk_confirming_routes[] = {"clock.face", NULL};

static struct kiosk_entry {
    long long id;               /* 0: empty */
    long long hotel_id;
    char hotel_slug[64];
    char key_hash[AUTH_KEY_HASH_MAX];
} kiosk_cache[KIOSK_CACHE];

static struct kiosk_entry *kiosk_slot(long long id)
{
    return &kiosk_cache[(unsigned long long)id % KIOSK_CACHE];
}

static int route_confirms_kiosk(const struct request *req)
{
    for (int i = 0; req->route != NULL && kiosk_confirming_routes[i] != NULL; i++)
        if (strcmp(req->route->name, kiosk_confirming_routes[i]) == 0)
            return 1;
    return 0;
}

static void kiosk_remember(long long id, long long hotel_id, const char *slug, const char *key_hash)
{
    struct kiosk_entry *e = kiosk_slot(id);
    if (strlen(slug) >= sizeof e->hotel_slug || strlen(key_hash) >= sizeof e->key_hash)
        return;
    e->id = id;
    e->hotel_id = hotel_id;
    snprintf(e->hotel_slug, sizeof e->hotel_slug, "%s", slug);
    snprintf(e->key_hash, sizeof e->key_hash, "%s", key_hash);
}

static void kiosk_forget(long long id)
{
    struct kiosk_entry *e = kiosk_slot(id);
    if (e->id == id)
        memset(e, 0, sizeof *e);
}

/* A new identity of that kind for req's caller, with its grants. */
static struct identity *identity_new(struct request *req, enum caller_kind kind, int role)
{
    struct identity *who = pool_alloc(req->pool, sizeof *who);
    who->kind = kind;
    who->role = role;
    req->caller.identity = who;
    req->caller.grants = access_grants(kind, role);
    return who;
}

struct identity *identity_set_user(struct request *req, const PGresult *r, int row)
{
    struct identity *who = identity_new(req, CALLER_USER, role_from_name(PQgetvalue(r, row, 2)));
    who->user_id = db_ll(r, row, 0);
    snprintf(who->username, sizeof who->username, "%s", PQgetvalue(r, row, 1));
    who->hotel_id = db_ll(r, row, 3);
    snprintf(who->hotel_slug, sizeof who->hotel_slug, "%s", PQgetvalue(r, row, 4));
    who->staff_id = db_ll(r, row, 5);
    return who;
}

static enum auth_result fail_db(void)
{
    enum db_status st = db_last_status();
    return st == DB_DOWN || st == DB_TIMEOUT ? AUTH_DB_DOWN : AUTH_INVALID;
}

/* the user whose session token has that digest (auth_session_token) */
static enum auth_result identify_user(struct request *req, const char *digest)
{
    struct db_args a;
    PGresult *res;

    db_args_init(&a);
    db_arg_str(&a, digest);
    if ((res = db_run(&st_token, &a)) == NULL)
        return fail_db();
    if (PQntuples(res) != 1) {
        PQclear(res);
        return AUTH_INVALID;
    }
    identity_set_user(req, res, 0);
    snprintf(req->caller.expires_at, sizeof req->caller.expires_at, "%s", PQgetvalue(res, 0, 6));
    snprintf(req->caller.token_digest, sizeof req->caller.token_digest, "%s", digest);
    PQclear(res);
    return AUTH_OK;
}

/* a kiosk key ("kio_<id>_<hex>") or a device key ("dev_<id>_<hex>") */
static enum auth_result identify_key(struct request *req, enum caller_kind kind)
{
    const char *prefix = kind == CALLER_KIOSK ? "kio" : "dev";
    long long id;
    struct db_args a;
    PGresult *res;

    if (auth_key_id(req->api_key, prefix, &id) < 0)
        return AUTH_INVALID;
    char rehash[AUTH_KEY_HASH_MAX];
    const struct kiosk_entry *e = kiosk_slot(id);
    if (kind == CALLER_KIOSK && e->id == id && route_confirms_kiosk(req) &&
        auth_key_check(req->api_key, e->key_hash, rehash) == AUTH_KEY_GOOD) {
        struct identity *who = identity_new(req, kind, 0);
        who->hotel_id = e->hotel_id;
        snprintf(who->hotel_slug, sizeof who->hotel_slug, "%s", e->hotel_slug);
        who->kiosk_id = id;
        who->kiosk_hash = pool_strdup(req->pool, e->key_hash);
        return AUTH_OK;
    }
    db_args_init(&a);
    db_arg_int(&a, id);
    if ((res = db_run(kind == CALLER_KIOSK ? &st_kiosk : &st_device, &a)) == NULL)
        return fail_db();
    enum auth_key_check check = PQntuples(res) == 1
        ? auth_key_check(req->api_key, PQgetvalue(res, 0, 0), rehash) : AUTH_KEY_BAD;
    int ok = check != AUTH_KEY_BAD;
    /* a hotel whose devices must use their certificate refuses the key */
    if (ok && kind == CALLER_DEVICE && device_auth_of(db_str(res, 0, 4)) == DEVICE_AUTH_CERT)
        ok = 0;
    if (check == AUTH_KEY_REHASH) {
        db_args_init(&a);
        db_arg_int(&a, id);
        db_arg_str(&a, rehash);
        db_arg_str(&a, PQgetvalue(res, 0, 0));
        if (db_exec(kind == CALLER_KIOSK ? &st_kiosk_rehash : &st_device_rehash, &a) < 0) {
            PQclear(res);
            return fail_db();
        }
    }
    if (ok) {
        struct identity *who = identity_new(req, kind, 0);
        who->hotel_id = db_ll(res, 0, 1);
        snprintf(who->hotel_slug, sizeof who->hotel_slug, "%s", PQgetvalue(res, 0, 2));
        if (kind == CALLER_KIOSK) {
            who->kiosk_id = id;
            kiosk_remember(id, who->hotel_id, who->hotel_slug,
                           check == AUTH_KEY_REHASH ? rehash : PQgetvalue(res, 0, 0));
        } else {
            who->device_id = id;
            snprintf(who->device_name, sizeof who->device_name, "%s", PQgetvalue(res, 0, 3));
            who->device_tier = device_tier_parse(PQgetvalue(res, 0, 5));
        }
    }
    PQclear(res);
    return ok ? AUTH_OK : AUTH_INVALID;
}

/* a device's client certificate, verified by nginx against the CA (and
 * its CRL): its serial must be one issued and still valid here, its
 * subject the device's, and its hotel must accept certificates */
static enum auth_result identify_cert(struct request *req)
{
    char serial[33];
    struct db_args a;
    PGresult *res;

    if (cert_serial_normal(req->tls_client_serial, serial) < 0)
        return AUTH_INVALID;
    db_args_init(&a);
    db_arg_str(&a, serial);
    if ((res = db_run(&st_device_cert, &a)) == NULL)
        return fail_db();
    int ok = PQntuples(res) == 1 && device_auth_of(db_str(res, 0, 4)) > DEVICE_AUTH_KEY &&
             cert_dn_is(req->tls_client_dn, PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 2));
    if (ok) {
        struct identity *who = identity_new(req, CALLER_DEVICE, 0);
        who->device_id = db_ll(res, 0, 0);
        who->hotel_id = db_ll(res, 0, 1);
        snprintf(who->hotel_slug, sizeof who->hotel_slug, "%s", PQgetvalue(res, 0, 2));
        snprintf(who->device_name, sizeof who->device_name, "%s", PQgetvalue(res, 0, 3));
        who->device_tier = device_tier_parse(PQgetvalue(res, 0, 5));
    }
    PQclear(res);
    return ok ? AUTH_OK : AUTH_INVALID;
}

int identity_kiosk_confirm_or_reply(struct request *req, const char *key_hash, const char *hotel_slug)
{
    struct identity *who = req->caller.identity;
    if (who == NULL || who->kind != CALLER_KIOSK || who->kiosk_hash == NULL)
        return 1;
    if (key_hash != NULL && hotel_slug != NULL && crypto_str_equal(key_hash, who->kiosk_hash) &&
        strcmp(hotel_slug, who->hotel_slug) == 0) {
        who->kiosk_hash = NULL;
        return 1;
    }
    kiosk_forget(who->kiosk_id);
    resp_error(req, 401, "UNAUTHENTICATED", "The credentials are invalid or have expired.");
    return 0;
}

enum auth_result app_identify(struct request *req)
{
    const char *key = req->api_key;

    /* a certificate nginx verified is looked at first; one that is not
     * accepted leaves a key beside it to be judged by its own rules */
    if (req->tls_client_verify != NULL && strcmp(req->tls_client_verify, "SUCCESS") == 0) {
        enum auth_result r = identify_cert(req);
        if (r != AUTH_INVALID || key == NULL || *key == '\0')
            return r;
    }

    if (key != NULL && *key != '\0') {
        if (strncmp(key, "kio_", 4) == 0)
            return identify_key(req, CALLER_KIOSK);
        if (strncmp(key, "dev_", 4) == 0)
            return identify_key(req, CALLER_DEVICE);
        if (auth_admin_key(key)) {
            identity_new(req, CALLER_SYSADMIN, 0);
            return AUTH_OK;
        }
        return AUTH_INVALID;
    }
    char digest[TOKEN_DIGEST_HEX];
    enum auth_result r = auth_session_token(req, digest);
    return r == AUTH_OK ? identify_user(req, digest) : r;
}
