/* scheduler_rules.h — the scheduler service's pure decisions
 * (scheduler_svc.c): when its next tick falls and whether the daily
 * retention purge is due; the auto-close of forgotten sessions. Times are seconds since the epoch. */
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

/* A hotel's auto-close of forgotten sessions (attendance_settings
 * auto_close, sql/016_scheduler.sql). */
enum auto_close { AUTO_CLOSE_OFF, AUTO_CLOSE_SHIFT_END, AUTO_CLOSE_HARD_LIMIT };

/* "off", "shift_end", "hard_limit" and back: -1 for another name (or
 * NULL), "off" for another value. */
int auto_close_of(const char *name);
const char *auto_close_name(int mode);

/* When an open session begun at time_in is closed by the scheduler: its
 * time_out, or 0 for never (mode off). shift_end: the rostered end
 * (shift_end; 0 when unrostered) plus after_hours, an unrostered session
 * at the hard limit; hard_limit: time_in plus hard_limit_hours. Never
 * before time_in. The session is closed once now reaches it. */
time_t auto_close_at(int mode, double after_hours, double hard_limit_hours, time_t time_in, time_t shift_end);

#endif
