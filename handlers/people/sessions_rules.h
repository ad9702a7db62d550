/* sessions_rules.h — how long a failed login makes the next one wait
 * (sessions.c answers 429 RATE_LIMITED with that Retry-After). Failures
 * against a user name count per address, so a stranger's flood from one
 * address never locks the user out of another: after max failures from
 * an address the name is locked out of it for window seconds, and each
 * further failure there (once the lock is over) doubles the lock, up to
 * LOGIN_LOCKOUT_MAX_S. An address failing 10 × max times within a window,
 * over any user names, waits a window. Pure. */
#ifndef FC_SESSIONS_RULES_H
#define FC_SESSIONS_RULES_H

#define LOGIN_LOCKOUT_MAX_S   86400L         /* the longest lock: a day */
#define LOGIN_FAILURE_MEMORY_S (7 * 86400L)  /* how long a failure counts (unless a
                                              * login from that address succeeds) */

/* The failed logins a login attempt is judged by (sessions_store.h). */
struct login_failures {
    long long user_addr;         /* of this user name from this address, in the
                                  * last LOGIN_FAILURE_MEMORY_S */
    long long since_last_s;      /* seconds since the last of those (whole, rounded down) */
    long long addr;              /* of this address, any user name, in the last window */
};

/* The lock after a user name's failures-th failure from one address:
 * 0 below max, window at max, doubled per failure after that, at most
 * LOGIN_LOCKOUT_MAX_S. */
long login_lockout_s(long long failures, int max, int window);

/* Seconds the attempt must wait (its Retry-After), 0 when it may go on. */
long login_wait_s(const struct login_failures *f, int max, int window);

#endif
