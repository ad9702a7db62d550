/* sessions_store.h — sign-in in the database (sessions_store.c): failed
 * logins counted per user name from an address and per address, the user a login names, and
 * users' session tokens (stored as digests only). None of them answers
 * the request; on a database failure they return -1 and db_last_status()
 * says why. */
#ifndef FC_SESSIONS_STORE_H
#define FC_SESSIONS_STORE_H

#include <stddef.h>
#include <libpq-fe.h>
#include "sessions_rules.h"

/* The failed logins an attempt of username from ip is judged by
 * (sessions_rules.h; f->addr over the last window seconds). 0, or -1. */
int login_failures_count(const char *username, const char *ip, int window, struct login_failures *f);


/* Forget the user name's failed logins from the address (a login from
 * there succeeded; other addresses' stay). 0, or -1. */
int login_failures_clear(const char *username, const char *ip);

/* The user a login names (user names are matched in any case). */
struct login_user {
    PGresult *row;               /* owned (login_user_free()); NULL: no such user. Its
                                  * columns 0..5 are identity_set_user()'s (app/access.h) */
    const char *password_hash;   /* of row */
    int active;                  /* the staff member is active */
};

/* Find username's user into u. 0 (u->row NULL when there is none), or -1
 * (u then owns nothing). */
int login_user_find(const char *username, struct login_user *u);

void login_user_free(struct login_user *u);

/* Count one failed login against the user name from the address, and
 * against the address (and forget those of either older than
 * LOGIN_FAILURE_MEMORY_S); audited (session.sign_in_failed) as done by
 * who, in the hotel of u's user when the name is one (else in the
 * system's rows, without the name). 0, or -1. */
struct actor;
int login_failure_add(const char *username, const char *ip, const struct login_user *u, const struct actor *who);

/* Replace user_id's password hash old_hash by new_hash (the same password
 * at a higher cost), unless it changed meanwhile; the PMS mark of the old
 * hash goes with it (pms_rules.h). 0, or -1. */
int login_password_rehash(long long user_id, const char *old_hash, const char *new_hash);

/* Store a new session token of user_id (of hotel_id) by its digest, from
 * address ip (NULL: unknown), valid for ttl seconds, audited
 * (session.signed_in) as done by who; its expiry, RFC 3339, into
 * expires_at (n bytes). 0, or -1. */
int session_token_insert(const char *digest, long long user_id, long long hotel_id, const char *ip, long ttl,
                         const struct actor *who, char *expires_at, size_t n);

/* Revoke the session token with that digest (a revoked one stays so),
 * audited (session.signed_out) in hotel_id as done by who. 0, or -1. */
int session_token_revoke(const char *digest, long long hotel_id, const struct actor *who);

#endif
