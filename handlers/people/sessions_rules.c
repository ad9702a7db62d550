/* sessions_rules.c — the login lockout (sessions_rules.h): how long a
 * user name stays locked out of an address, and how long an attempt
 * waits. Pure: the counts come from sessions_store.c. */
#include "sessions_rules.h"

long login_lockout_s(long long failures, int max, int window)
{
    if (max < 1 || window < 1 || failures < max)
        return 0;
    long lock = window;
    for (long long n = max; n < failures && lock < LOGIN_LOCKOUT_MAX_S; n++)
        lock *= 2;
    return lock < LOGIN_LOCKOUT_MAX_S ? lock : LOGIN_LOCKOUT_MAX_S;
}

long login_wait_s(const struct login_failures *f, int max, int window)
{
    long wait = 0;
    long lock = login_lockout_s(f->user_addr, max, window);
    if (lock > 0 && f->since_last_s < lock)
        wait = lock - (f->since_last_s > 0 ? (long)f->since_last_s : 0);
    if (max >= 1 && f->addr >= 10LL * max && wait < window)
        wait = window;
    return wait;
}
