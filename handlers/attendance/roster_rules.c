/* roster_rules.c — owns the roster windows of contract 5.5: civil dates to
 * local-epoch seconds, a shift's [start − early, end] window (overnight
 * shifts end the next day), its planned length, and which shift a scan
 * belongs to. Hotel-local wall-clock seconds only; time zones are the
 * caller's. Pure. */
#include "roster_rules.h"

#define DAY_SECS 86400LL

/* Howard Hinnant's days_from_civil: eras of 400 years (146 097 days),
 * years starting on 1 March so that the leap day is the last of the year. */
long long
days_from_civil(int year, int month, int day)
{
    long long y = (long long)year - (month <= 2);
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;                                  /* [0, 399] */
    long long doy = (153LL * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;  /* [0, 365] */
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* [0, 146096] */

    return era * 146097 + doe - 719468;
}

long long
local_epoch(int year, int month, int day, int secs)
{
    return days_from_civil(year, month, day) * DAY_SECS + secs;
}

void
roster_window(const struct shift *s, long early_minutes, long long *from, long long *to)
{
    long long start = local_epoch(s->year, s->month, s->day, s->start_secs);
    long long end = local_epoch(s->year, s->month, s->day, s->end_secs);

    if (s->end_secs <= s->start_secs)
        end += DAY_SECS;
    *from = start - (long long)early_minutes * 60;
    *to = end;
}

double
shift_planned_hours(const struct shift *s)
{
    long long secs = (long long)s->end_secs - s->start_secs;

    if (secs <= 0)
        secs += DAY_SECS;
    return (double)secs / 3600.0;
}

int
roster_pick(const struct shift *shifts, int n, long long local_now, long early_minutes)
{
    int best = -1;
    long long best_gap = 0;
    int best_started = 0;

    for (int i = 0; i < n; i++) {
        long long from, to, start, gap;
        int started;

        roster_window(&shifts[i], early_minutes, &from, &to);
        if (local_now < from || local_now > to)
            continue;
        start = local_epoch(shifts[i].year, shifts[i].month, shifts[i].day, shifts[i].start_secs);
        gap = start > local_now ? start - local_now : local_now - start;
        started = start <= local_now;
        /* nearest start; at an equal distance the shift already under way;
         * then the first listed */
        if (best < 0 || gap < best_gap || (gap == best_gap && started && !best_started)) {
            best = i;
            best_gap = gap;
            best_started = started;
        }
    }
    return best;
}
