/* safety_rules.h — the shift-safety flags of contract 5.5 from a
 * session's length and the hotel's thresholds, and the one way an answer
 * writes them. Pure. */
#ifndef FC_SAFETY_H
#define FC_SAFETY_H

#include <json-c/json.h>

struct safety_thresholds {
    double break_hours;       /* break_warning_hours */
    double overtime_hours;    /* overtime_warning_hours */
    double hard_hours;        /* hard_limit_hours */
    int enforce_limits;
};

struct safety_flags {
    double hours;             /* session length in hours, rounded to 2 decimals */
    int needs_break_warning;          /* hours >= break */
    int needs_long_session_warning;   /* hours >= overtime */
    int needs_hard_stop_warning;      /* hours >= hard */
    int overtime_threshold_reached;   /* past the shift's planned length; unrostered: >= overtime */
    int should_clock_out;             /* hard stop && enforce_limits */
};

/* Session hours from seconds, rounded half away from zero to 2 decimals. */
double safety_hours(double seconds);

/* planned_hours <= 0 means the session had no rostered shift. */
void safety_compute(double seconds, double planned_hours, const struct safety_thresholds *t,
                    struct safety_flags *f);

/* Add the flags to an answer o, as every answer that carries them writes
 * them (clock-in and clock-out 5.5, unrostered-confirm and force-log 5.6,
 * currently-clocked-in rows and long-session-ack 5.7):
 * "session_duration_hours" (2 decimals), "needs_break_warning",
 * "needs_long_session_warning", "needs_hard_stop_warning",
 * "overtime_threshold_reached", "should_clock_out". f NULL is a clock-in,
 * a session not yet under way: the hours are the integer 0 and every flag
 * false, as the contract writes them. */
void safety_flags_json(struct json_object *o, const struct safety_flags *f);

#endif
