/* session.c — POST /api/auth/login, POST /api/auth/logout, GET
 * /api/auth/me (users: who they are; kiosks: which kiosk of which hotel,
 * so a kiosk page can check a key before keeping it). Wrong user and wrong
 * password get the same answer after the same work; repeated failures per
 * user name or address are slowed down with 429 RATE_LIMITED. Login and
 * a user's /me hand the session's CSRF token (fcgi/csrf.h) over in the
 * X-CSRF-Token response header, for clients that write with the cookie. */
#include <stdio.h>
#include <string.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "csrf.h"
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "log.h"
#include "response.h"
#include "validate.h"

static struct db_stmt st_failures = {
    "login_failures",
    "SELECT count(*) FILTER (WHERE scope = 'user'), count(*) FILTER (WHERE scope = 'ip') "
    "FROM auth_failures WHERE at > now() - make_interval(secs => $3) "
    "AND ((scope = 'user' AND key = lower($1)) OR (scope = 'ip' AND key = $2))",
    0,
};
static struct db_stmt st_fail_insert = {
    "login_fail_insert",
    "WITH old AS (DELETE FROM auth_failures WHERE at < now() - interval '1 day' "
    "AND scope = 'user' AND key = lower($1)) "
    "INSERT INTO auth_failures (scope, key) VALUES ('user', lower($1)), ('ip', $2)",
    0,
};
static struct db_stmt st_fail_clear = {
    "login_fail_clear", "DELETE FROM auth_failures WHERE scope = 'user' AND key = lower($1)", 0,
};
static struct db_stmt st_user = {
    "login_user",
    "SELECT u.id, u.username, s.role, h.id, h.slug, u.staff_id, u.password_hash, s.is_active "
    "FROM users u JOIN staff s ON s.hotel_id = u.hotel_id AND s.id = u.staff_id "
    "JOIN hotels h ON h.id = u.hotel_id WHERE lower(u.username) = lower($1)",
    0,
};
static struct db_stmt st_token_insert = {
    "login_token_insert",
    "INSERT INTO auth_tokens (token_hash, user_id, hotel_id, client_ip, expires_at) "
    "VALUES ($1, $2, $3, $4::inet, now() + make_interval(secs => $5)) RETURNING fc_ts(expires_at)",
    0,
};
static struct db_stmt st_token_revoke = {
    "logout_revoke",
    "UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
    0,
};

static struct db_stmt st_kiosk_me = {
    "me_kiosk",
    "SELECT k.name, h.slug, h.name FROM kiosks k JOIN hotels h ON h.id = k.hotel_id "
    "WHERE k.id = $1 AND k.hotel_id = $2",
    0,
};

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
    int https = req->scheme != NULL && strcmp(req->scheme, "https") == 0;
    resp_header(req, "Set-Cookie",
                pool_printf(req->pool, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
                            AUTH_COOKIE, token, max_age, https ? "; Secure" : ""));
}

/* 0 when the login may proceed; else answered (429 or 503). */
static int rate_check_or_reply(struct request *req, const char *username, const char *ip)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, username);
    db_arg_str(&a, ip);
    db_arg_int(&a, g_config.login_window);
    PGresult *r = db_run(&st_failures, &a);
    if (r == NULL) {
        db_fail_reply(req);
        return -1;
    }
    long long by_user = db_ll(r, 0, 0), by_ip = db_ll(r, 0, 1);
    PQclear(r);
    if (by_user >= g_config.login_max_failures || by_ip >= 10LL * g_config.login_max_failures) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", g_config.login_window);
        resp_header(req, "Retry-After", secs);
        resp_error(req, 429, "RATE_LIMITED", "Too many failed logins; try again later.");
        return -1;
    }
    return 0;
}

void h_login(struct request *req)
{
    const char *username = arg_str(req, "username"), *password = arg_str(req, "password");
    const char *ip = req->client_ip ? req->client_ip : "unknown";
    struct db_args a;
    PGresult *r;

    if (rate_check_or_reply(req, username, ip) < 0)
        return;

    db_args_init(&a);
    db_arg_str(&a, username);
    if ((r = db_run(&st_user, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    int found = PQntuples(r) == 1;
    int ok = crypto_verify_secret(password, found ? PQgetvalue(r, 0, 6) : auth_dummy_hash());
    ok = ok && found && db_bool(r, 0, 7);
    if (!ok) {
        PQclear(r);
        db_args_init(&a);
        db_arg_str(&a, username);
        db_arg_str(&a, ip);
        if (db_exec(&st_fail_insert, &a) < 0) {
            db_fail_reply(req);
            return;
        }
        log_info("failed login from %s", ip);
        resp_error(req, 401, "INVALID_CREDENTIALS", "The user name or password is wrong.");
        return;
    }

    const struct identity *c = identity_set_user(req, r, 0);
    PQclear(r);

    char token[65], digest[TOKEN_DIGEST_HEX];
    if (crypto_random_hex(token, 32) < 0) {
        resp_error(req, 500, "INTERNAL", "No randomness available.");
        return;
    }
    auth_token_digest(token, digest);
    db_args_init(&a);
    db_arg_str(&a, digest);
    db_arg_int(&a, c->user_id);
    db_arg_int(&a, c->hotel_id);
    db_arg_str(&a, req->client_ip);
    db_arg_int(&a, g_config.token_ttl);
    if ((r = db_run(&st_token_insert, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    snprintf(req->caller.expires_at, sizeof req->caller.expires_at, "%s", PQgetvalue(r, 0, 0));
    memcpy(req->caller.token_digest, digest, sizeof digest);
    PQclear(r);
    db_args_init(&a);
    db_arg_str(&a, username);
    db_exec(&st_fail_clear, &a);

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
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, req->caller.token_digest);
    if (db_exec(&st_token_revoke, &a) < 0) {
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
    struct db_args a;
    PGresult *res;

    db_args_init(&a);
    db_arg_int(&a, identity_of(req)->kiosk_id);
    db_arg_int(&a, identity_of(req)->hotel_id);
    if ((res = db_run(&st_kiosk_me, &a)) == NULL) {
        db_fail_reply(req);
        return;
    }
    if (PQntuples(res) != 1) {   /* revoked between the key check and here */
        PQclear(res);
        resp_error(req, 401, "UNAUTHENTICATED", "The credentials are invalid or have expired.");
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "kind", "kiosk");
    jx_add_int(o, "kiosk_id", identity_of(req)->kiosk_id);
    jx_add_str(o, "name", PQgetvalue(res, 0, 0));
    jx_add_str(o, "hotel", PQgetvalue(res, 0, 1));
    jx_add_str(o, "hotel_name", PQgetvalue(res, 0, 2));
    PQclear(res);
    resp_json(req, 200, o);
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
