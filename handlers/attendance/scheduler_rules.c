/* scheduler_rules.c — the scheduler's pure decisions (scheduler_rules.h):
 * the aligned tick and the daily purge's due time. No I/O. */
#include "scheduler_rules.h"

time_t scheduler_next_tick(time_t now, int interval)
{
    if (interval <= 0)
        return now;
    return (now / interval + 1) * interval;
}

int scheduler_purge_due(time_t now, time_t last, time_t today_at)
{
    if (now - last >= PURGE_EVERY_S)
        return 1;
    return now >= today_at && last < today_at;
}
