/* tests/fuzz/sessions.c — libFuzzer target: the login lockout
 * (handlers/people/sessions_rules.c) over any failure counts, ages and
 * configured max/window. Asserts sessions_rules.h: no lock below max
 * failures, window at max, doubling after, capped at LOGIN_LOCKOUT_MAX_S;
 * a lock never shrinks with more failures; the wait is never negative,
 * never longer than the lock or the window an address flood earns, and 0
 * when neither applies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "people/sessions_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t v[3];
    int32_t cfg[2];

    if (size < sizeof v + sizeof cfg)
        return 0;
    memcpy(v, data, sizeof v);
    memcpy(cfg, data + sizeof v, sizeof cfg);
    /* the configuration as config.c bounds it is positive; try any */
    int max = cfg[0], window = cfg[1];
    struct login_failures f = {v[0], v[1], v[2]};

    long lock = login_lockout_s(f.user_addr, max, window);
    if (max < 1 || window < 1 || f.user_addr < max) {
        if (lock != 0)
            abort();
    } else {
        long want = window < LOGIN_LOCKOUT_MAX_S ? window : LOGIN_LOCKOUT_MAX_S;
        if (lock < want || lock > LOGIN_LOCKOUT_MAX_S)
            abort();
        if (f.user_addr == max && lock != want)
            abort();
        if (f.user_addr < INT64_MAX && login_lockout_s(f.user_addr + 1, max, window) < lock)
            abort();
        if (lock < LOGIN_LOCKOUT_MAX_S && f.user_addr > max &&
            lock != 2 * login_lockout_s(f.user_addr - 1, max, window))
            abort();
    }

    long wait = login_wait_s(&f, max, window);
    int flood = max >= 1 && f.addr >= 10LL * max;
    if (wait < 0 || (wait > lock && !(flood && wait == window)))
        abort();
    if (lock == 0 && !flood && wait != 0)
        abort();
    if (flood && wait < window)
        abort();
    if (!flood && lock > 0 && f.since_last_s >= lock && wait != 0)
        abort();
    return 0;
}
