/* clock_rules.c — owns the decision tree of a kiosk scan (contract 5.5):
 * department, duplicate scan, clock-out, rostered, unrostered, forced.
 * Pure. */
#include "clock_rules.h"

struct clock_decision clock_decide(const struct clock_person *p, const struct attendance_settings *s,
                                   long long local_now, int force_log, const char *force_reason)
{
    struct clock_decision d = {CLOCK_REFUSE_DEPARTMENT, -1};

    if (!settings_department_allowed(s, p->department_id))
        return d;
    if (p->open_session) {
        d.action = p->open_seconds < (double)s->duplicate_scan_seconds ? CLOCK_DUPLICATE_SCAN : CLOCK_OUT;
        return d;
    }
    d.shift = roster_pick(p->shifts, p->nshifts, local_now, s->clock_in_early_minutes);
    if (d.shift >= 0)
        d.action = CLOCK_IN_ROSTERED;
    else if (!force_log)
        d.action = CLOCK_ASK_CONFIRMATION;
    else if (force_reason == NULL || *force_reason == '\0')
        d.action = CLOCK_REASON_MISSING;
    else
        d.action = CLOCK_IN_FORCED;
    return d;
}
