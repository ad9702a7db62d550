/* safety_rules.c — owns the shift-safety flags of contract 5.5 (break,
 * long session, hard stop, overtime, should-clock-out) from a session's
 * length and the hotel's thresholds, and their JSON in every answer that
 * carries them. Pure. */
#include <math.h>
#include <string.h>

#include "jsonx.h"
#include "safety_rules.h"

double
safety_hours(double seconds)
{
    if (!isfinite(seconds))
        return 0.0;
    /* hundredths of an hour are seconds / 36: dividing once keeps a
     * half (21582 s = 599.5) exact, where seconds / 3600 * 100 would give
     * 599.4999… and round down. round() goes half away from zero. */
    return round(seconds / 36.0) / 100.0;
}

void
safety_compute(double seconds, double planned_hours, const struct safety_thresholds *t,
               struct safety_flags *f)
{
    double h = safety_hours(seconds);

    memset(f, 0, sizeof(*f));
    f->hours = h;
    f->needs_break_warning = h >= t->break_hours;
    f->needs_long_session_warning = h >= t->overtime_hours;
    f->needs_hard_stop_warning = h >= t->hard_hours;
    f->overtime_threshold_reached = planned_hours > 0.0 ? h > planned_hours
                                                        : h >= t->overtime_hours;
    f->should_clock_out = f->needs_hard_stop_warning && t->enforce_limits;
}

void
safety_flags_json(struct json_object *o, const struct safety_flags *f)
{
    static const struct safety_flags none;

    if (f == NULL) {
        jx_add_int(o, "session_duration_hours", 0);
        f = &none;
    } else {
        jx_add_double(o, "session_duration_hours", f->hours, 2);
    }
    jx_add_bool(o, "needs_break_warning", f->needs_break_warning);
    jx_add_bool(o, "needs_long_session_warning", f->needs_long_session_warning);
    jx_add_bool(o, "needs_hard_stop_warning", f->needs_hard_stop_warning);
    jx_add_bool(o, "overtime_threshold_reached", f->overtime_threshold_reached);
    jx_add_bool(o, "should_clock_out", f->should_clock_out);
}
