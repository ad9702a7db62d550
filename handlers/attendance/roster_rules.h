/* roster_rules.h — which rostered shift a scan belongs to (contract 5.5): a
 * shift's window is [start - clock_in_early_minutes, end] in the hotel's
 * local wall-clock time; end before start means it ends the next day.
 * Times are "local epoch" seconds: seconds since 1970-01-01 00:00 of the
 * hotel's wall clock (no time zone arithmetic here). Pure. */
#ifndef FC_ROSTER_H
#define FC_ROSTER_H

struct shift {
    long long id;
    int year, month, day;     /* the shift's date */
    int start_secs;           /* seconds after midnight */
    int end_secs;             /* <= start_secs: the next day */
};

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
long long days_from_civil(int year, int month, int day);

/* Local epoch seconds of a date and time of day. */
long long local_epoch(int year, int month, int day, int secs);

/* The shift's window in local epoch seconds. */
void roster_window(const struct shift *s, long early_minutes, long long *from, long long *to);

/* The shift's planned length in hours (overnight shifts included). */
double shift_planned_hours(const struct shift *s);

/* Index of the shift whose window contains local_now (inclusive at both
 * ends); when several do, the one whose start is nearest to now. -1 when
 * none. */
int roster_pick(const struct shift *shifts, int n, long long local_now, long early_minutes);

#endif
