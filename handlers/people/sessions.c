/* sessions.c — POST /api/auth/login, POST /api/auth/logout, GET
 * /api/auth/me (users: who they are; kiosks: which kiosk of which hotel,
 * so a kiosk page can check a key before keeping it). Wrong user and wrong
 * password get the same answer after the same work; repeated failures of
 * a user name from one address lock it out of that address (for longer
 * each time), and many from one address lock the address out, with 429
 * RATE_LIMITED (sessions_rules.h). Login and
 * a user's /me hand the session's CSRF token (fcgi/csrf.h) over in the
 * X-CSRF-Token response header, for clients that write with the cookie.
 * A password hashed at a lower scrypt cost than today's is re-hashed at
 * today's when its login succeeds.
 * The statements are sessions_store.c's (a kiosk's, kiosks_store.c's). */
#include <stdio.h>
#include <string.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "csrf.h"
#include "db.h"
#include "app/handlers.h"
#include "attendance/action_audit_store.h"
#include "jsonx.h"
#include "kiosks_store.h"
#include "log.h"
#include "response.h"
#include "sessions_rules.h"
#include "sessions_store.h"

static struct json_object *user_json(const struct identity *c)
{
    struct json_object *u = json_object_new_object();
    jx_add_int(u, "id", c->user_id);
    jx_add_str(u, "username", c->username);
    jx_add_str(u, "role", role_name(c->role));
    jx_add_str(u, "hotel", c->hotel_slug);
    if (c->staff_id > 0)
        jx_add_int(u, "staff_id", c->staff_id);
    else
        json_object_object_add(u, "staff_id", NULL);
    return u;
}

/* X-CSRF-Token: the session's token, when there is a key to make it */
static void csrf_header(struct request *req)
{
    char tok[CSRF_TOKEN_HEX];
    if (csrf_token_of(&req->caller, tok) == 0)
        resp_header(req, "X-CSRF-Token", tok);
}

static void set_cookie(struct request *req, const char *token, long max_age)
{
    resp_header(req, "Set-Cookie",
                pool_printf(req->pool, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
                            AUTH_COOKIE, token, max_age, req_is_https(req) ? "; Secure" : ""));
}

/* 0 when the login may proceed; else answered (429 or 503). */
static int rate_check_or_reply(struct request *req, const char *username, const char *ip)
{
    struct login_failures f;
    if (login_failures_count(username, ip, g_config.login_window, &f) < 0) {
        db_fail_reply(req);
        return -1;
    }
    long wait = login_wait_s(&f, g_config.login_max_failures, g_config.login_window);
    if (wait > 0) {
        resp_header(req, "Retry-After", pool_printf(req->pool, "%ld", wait));
        resp_error(req, 429, "RATE_LIMITED", "Too many failed logins; try again later.");
        return -1;
    }
    return 0;
}

/* A login hashed at a lower cost than today's gets today's, now that the
 * password is at hand: best effort, the login goes on either way. */
static void rehash_if_cheap(const struct login_user *u, const char *password)
{
    char hash[CRYPTO_HASH_MAX];
    int cost = crypto_hash_cost(u->password_hash);
    if (cost < 0 || cost >= g_config.scrypt_log_n)
        return;
    if (crypto_hash_secret(password, g_config.scrypt_log_n, hash) < 0 ||
        login_password_rehash(db_ll(u->row, 0, 0), u->password_hash, hash) < 0)
        log_warn("login: could not re-hash a password of cost %d at %d", cost, g_config.scrypt_log_n);
}

void h_login(struct request *req)
{
    const char *username = arg_str(req, "username"), *password = arg_str(req, "password");
    const char *ip = req->client_ip ? req->client_ip : "unknown";
    struct login_user u;
    struct actor who;

    if (rate_check_or_reply(req, username, ip) < 0)
        return;
    if (login_user_find(username, &u) < 0) {
        db_fail_reply(req);
        return;
    }
    /* the same work for a user that is not there */
    int rc, ok = crypto_verify_secret(password, u.row != NULL ? u.password_hash : auth_dummy_hash());
    if (!(ok && u.row != NULL && u.active)) {
        actor_of(req, &who);                    /* anonymous */
        rc = login_failure_add(username, ip, &u, &who);
        login_user_free(&u);
        if (rc < 0) {
            db_fail_reply(req);
            return;
        }
        log_info("failed login from %s", ip);
        resp_error(req, 401, "INVALID_CREDENTIALS", "The user name or password is wrong.");
        return;
    }
    rehash_if_cheap(&u, password);
    const struct identity *c = identity_set_user(req, u.row, 0);
    login_user_free(&u);

    char token[65], digest[TOKEN_DIGEST_HEX];
    if (crypto_random_hex(token, 32) < 0) {
        resp_error(req, 500, "INTERNAL", "No randomness available.");
        return;
    }
    auth_token_digest(token, digest);
    actor_of(req, &who);                        /* the user now */
    if (session_token_insert(digest, c->user_id, c->hotel_id, req->client_ip, g_config.token_ttl, &who,
                             req->caller.expires_at, sizeof req->caller.expires_at) < 0) {
        db_fail_reply(req);
        return;
    }
    memcpy(req->caller.token_digest, digest, sizeof digest);
    login_failures_clear(username, ip);  /* best effort: failures also age out */

    struct json_object *o = json_object_new_object();
    jx_add_str(o, "token", token);
    jx_add_str(o, "expires_at", req->caller.expires_at);
    json_object_object_add(o, "user", user_json(c));
    snprintf(req->tenant.slug, sizeof req->tenant.slug, "%s", c->hotel_slug);
    set_cookie(req, token, g_config.token_ttl);
    csrf_header(req);
    resp_json(req, 200, o);
}

void h_logout(struct request *req)
{
    struct actor who;

    actor_of(req, &who);
    if (session_token_revoke(req->caller.token_digest, identity_of(req)->hotel_id, &who) < 0) {
        db_fail_reply(req);
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "message", "Logged out.");
    set_cookie(req, "", 0);
    resp_json(req, 200, o);
}

/* A kiosk: {"kind": "kiosk", "kiosk_id", "name", "hotel", "hotel_name"}. */
static void kiosk_me(struct request *req)
{
    const struct identity *k = identity_of(req);
    struct json_object *o = json_object_new_object();

    jx_add_str(o, "kind", "kiosk");
    jx_add_int(o, "kiosk_id", k->kiosk_id);
    int found = kiosk_describe(k->hotel_id, k->kiosk_id, o);
    if (found == 1) {
        resp_json(req, 200, o);
        return;
    }
    json_object_put(o);
    if (found < 0)
        db_fail_reply(req);
    else                         /* revoked between the key check and here */
        resp_error(req, 401, "UNAUTHENTICATED", "The credentials are invalid or have expired.");
}

void h_me(struct request *req)
{
    if (identity_of(req)->kind == CALLER_KIOSK) {
        kiosk_me(req);
        return;
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "user", user_json(identity_of(req)));
    jx_add_str(o, "expires_at", req->caller.expires_at);
    csrf_header(req);
    resp_json(req, 200, o);
}
