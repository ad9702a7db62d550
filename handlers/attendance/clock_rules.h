/* clock_rules.h — the decision of a kiosk scan (contract 5.5): from the
 * matched person's state, the hotel's settings and the time, what the
 * scan does. Pure: no I/O, no allocation; clock.c carries the decision
 * out. The rules it applies are settings_rules.h's (department allowed)
 * and roster_rules.h's (which shift a scan belongs to). */
#ifndef FC_CLOCK_RULES_H
#define FC_CLOCK_RULES_H

#include "roster_rules.h"
#include "settings_rules.h"

/* The matched person as the decision sees them. */
struct clock_person {
    long long department_id;      /* 0 = none */
    int open_session;             /* whether a session of theirs is open */
    double open_seconds;          /* since it began (now - its start) */
    const struct shift *shifts;   /* borrowed: their shifts near now (yesterday, today, tomorrow) */
    int nshifts;
};

enum clock_action {
    CLOCK_REFUSE_DEPARTMENT,      /* 403 FACE_DISABLED_FOR_DEPARTMENT */
    CLOCK_DUPLICATE_SCAN,         /* 409 ALREADY_CLOCKED_IN: the open session began moments ago */
    CLOCK_OUT,                    /* close the open session: 200 CLOCK_OUT */
    CLOCK_IN_ROSTERED,            /* open a session on shifts[shift]: 201 CLOCK_IN */
    CLOCK_ASK_CONFIRMATION,       /* no shift: 200 unrostered_detected with a confirmation token */
    CLOCK_IN_FORCED,              /* no shift, force_log with a reason: the force-log of 5.6 */
    CLOCK_REASON_MISSING,         /* no shift, force_log without a reason: 400 VALIDATION_ERROR */
};

struct clock_decision {
    enum clock_action action;
    int shift;                    /* CLOCK_IN_ROSTERED: the index in p->shifts; else -1 */
};

/* What a scan of p does at local_now (the hotel's wall clock in
 * local_epoch() seconds), given the scan's force_log and force_reason
 * (NULL when absent). In this order: the department must be allowed; an
 * open session closes, unless it began less than duplicate_scan_seconds
 * ago; else a shift whose window holds now opens a rostered session
 * (force_log or not); else force_log with a non-empty reason forces one,
 * without one it is refused, and without force_log the kiosk asks. */
struct clock_decision clock_decide(const struct clock_person *p, const struct attendance_settings *s,
                                   long long local_now, int force_log, const char *force_reason);

#endif
