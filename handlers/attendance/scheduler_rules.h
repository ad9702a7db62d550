/* scheduler_rules.h — the scheduler service's pure decisions
 * (scheduler_svc.c): when its next tick falls and whether the daily
 * retention purge is due. Times are seconds since the epoch. */
#ifndef FC_SCHEDULER_RULES_H
#define FC_SCHEDULER_RULES_H

#include <time.h>

#define PURGE_EVERY_S 86400    /* the purge runs at least once a day */

/* The first multiple of interval (> 0) after now: ticks aligned to it
 * (to the minute for 60), whenever the service started. */
time_t scheduler_next_tick(time_t now, int interval);

/* Is the purge due at now, having last run at last, when today's
 * FACECLOCK_PURGE_AT (server time) falls at today_at? Yes once
 * today_at has passed and it has not run since, or when 24 h have passed
 * since it last ran (a day the service was down at that time). */
int scheduler_purge_due(time_t now, time_t last, time_t today_at);

#endif
