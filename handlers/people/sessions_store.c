/* sessions_store.c — owns sign-in's statements (sessions_store.h): the
 * failed-login counts behind 429 RATE_LIMITED (per user name and address,
 * and per address; sessions_rules.h judges them), the user a login names
 * (and its password re-hashed at today's cost), and users' session tokens. scripts/bench.sh replays "login_failures",
 * "login_user", "login_fail_clear" and "login_token_insert" for the login
 * benchmark. */
#include <stdio.h>
#include "attendance/action_audit_store.h"
#include "db.h"
#include "sessions_store.h"

static struct db_stmt st_failures = {
    "login_failures",
    "SELECT count(*) FILTER (WHERE scope = 'user'), "
    "COALESCE(floor(extract(epoch FROM now() - max(at) FILTER (WHERE scope = 'user')))::bigint, 0), "
    "count(*) FILTER (WHERE scope = 'ip' AND at > now() - make_interval(secs => $3)) "
    "FROM auth_failures WHERE at > now() - make_interval(secs => $4) "
    "AND ((scope = 'user' AND key = lower($1) AND addr = $2) OR (scope = 'ip' AND key = $2))",
    0,
};
static struct db_stmt st_fail_insert = {
    "login_fail_insert",
    "WITH old AS (DELETE FROM auth_failures WHERE at < now() - make_interval(secs => $3) "
    "AND ((scope = 'user' AND key = lower($1)) OR (scope = 'ip' AND key = $2))) "
    "INSERT INTO auth_failures (scope, key, addr) VALUES ('user', lower($1), $2), ('ip', $2, NULL)",
    0,
};
static struct db_stmt st_fail_clear = {
    "login_fail_clear",
    "DELETE FROM auth_failures WHERE scope = 'user' AND key = lower($1) AND addr = $2", 0,
};
static struct db_stmt st_user = {
    "login_user",
    "SELECT u.id, u.username, s.role, h.id, h.slug, u.staff_id, u.password_hash, s.is_active "
    "FROM users u JOIN staff s ON s.hotel_id = u.hotel_id AND s.id = u.staff_id "
    "JOIN hotels h ON h.id = u.hotel_id WHERE lower(u.username) = lower($1)",
    0,
};
static struct db_stmt st_rehash = {
    "login_rehash",
    "UPDATE users SET password_hash = $3, pms_password_mark = NULL, updated_at = now() "
    "WHERE id = $1 AND password_hash = $2",
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

int login_failures_count(const char *username, const char *ip, int window, struct login_failures *f)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, username);
    db_arg_str(&a, ip);
    db_arg_int(&a, window);
    db_arg_int(&a, LOGIN_FAILURE_MEMORY_S);
    PGresult *r = db_run(&st_failures, &a);
    if (r == NULL)
        return -1;
    f->user_addr = db_ll(r, 0, 0);
    f->since_last_s = db_ll(r, 0, 1);
    f->addr = db_ll(r, 0, 2);
    PQclear(r);
    return 0;
}

/* Commit the open transaction after a last audit row of a sign-in, or
 * roll it back. 0, or -1. */
static int commit_audited(const struct actor *who, long long hotel_id, const char *action, const char *target)
{
    if (action_audit_one(who, hotel_id, action, target, NULL, NULL) < 0 || db_commit() < 0) {
        db_rollback();
        return -1;
    }
    return 0;
}

int login_failure_add(const char *username, const char *ip, const struct login_user *u, const struct actor *who)
{
    struct db_args a;
    char target[80] = "";

    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_str(&a, username);
    db_arg_str(&a, ip);
    db_arg_int(&a, LOGIN_FAILURE_MEMORY_S);
    if (db_exec(&st_fail_insert, &a) < 0) {
        db_rollback();
        return -1;
    }
    /* a name nobody has is not kept: it may be a password typed in the wrong box */
    if (u->row != NULL)
        snprintf(target, sizeof target, "user:%s", PQgetvalue(u->row, 0, 1));
    return commit_audited(who, u->row != NULL ? db_ll(u->row, 0, 3) : 0, "session.sign_in_failed", target);
}

int login_failures_clear(const char *username, const char *ip)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, username);
    db_arg_str(&a, ip);
    return db_exec(&st_fail_clear, &a) < 0 ? -1 : 0;
}

int login_user_find(const char *username, struct login_user *u)
{
    struct db_args a;
    PGresult *r;

    u->row = NULL;
    u->password_hash = NULL;
    u->active = 0;
    db_args_init(&a);
    db_arg_str(&a, username);
    if ((r = db_run(&st_user, &a)) == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 0;
    }
    u->row = r;
    u->password_hash = PQgetvalue(r, 0, 6);
    u->active = db_bool(r, 0, 7);
    return 0;
}

int login_password_rehash(long long user_id, const char *old_hash, const char *new_hash)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, user_id);
    db_arg_str(&a, old_hash);
    db_arg_str(&a, new_hash);
    return db_exec(&st_rehash, &a) < 0 ? -1 : 0;
}

void login_user_free(struct login_user *u)
{
    PQclear(u->row);
    u->row = NULL;
    u->password_hash = NULL;
}

int session_token_insert(const char *digest, long long user_id, long long hotel_id, const char *ip, long ttl,
                         const struct actor *who, char *expires_at, size_t n)
{
    struct db_args a;
    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_str(&a, digest);
    db_arg_int(&a, user_id);
    db_arg_int(&a, hotel_id);
    db_arg_str(&a, ip);
    db_arg_int(&a, ttl);
    PGresult *r = db_run(&st_token_insert, &a);
    if (r == NULL) {
        db_rollback();
        return -1;
    }
    snprintf(expires_at, n, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return commit_audited(who, hotel_id, "session.signed_in", NULL);
}

int session_token_revoke(const char *digest, long long hotel_id, const struct actor *who)
{
    struct db_args a;
    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_str(&a, digest);
    if (db_exec(&st_token_revoke, &a) < 0) {
        db_rollback();
        return -1;
    }
    return commit_audited(who, hotel_id, "session.signed_out", NULL);
}
