/* scheduler_rules.c — the scheduler's pure decisions (scheduler_rules.h):
 * the aligned tick, the daily purge's due time and when a forgotten
 * session is auto-closed. No I/O. */
#include <string.h>
#include "scheduler_rules.h"

static const char *const modes[] = {"off", "shift_end", "hard_limit"};

int auto_close_of(const char *name)
{
    for (int i = 0; name != NULL && i < (int)(sizeof modes / sizeof modes[0]); i++)
        if (strcmp(name, modes[i]) == 0)
            return i;
    return -1;
}

const char *auto_close_name(int mode)
{
    return mode > 0 && mode < (int)(sizeof modes / sizeof modes[0]) ? modes[mode] : modes[0];
}

time_t auto_close_at(int mode, double after_hours, double hard_limit_hours, time_t time_in, time_t shift_end)
{
    time_t at;
    if (mode == AUTO_CLOSE_SHIFT_END && shift_end > 0)
        at = shift_end + (time_t)(after_hours * 3600);
    else if (mode == AUTO_CLOSE_SHIFT_END || mode == AUTO_CLOSE_HARD_LIMIT)
        at = time_in + (time_t)(hard_limit_hours * 3600);
    else
        return 0;
    return at < time_in ? time_in : at;
}

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
