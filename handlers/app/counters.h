/* counters.h — the application's metric counters (indexes of app_counters,
 * fcgi/app.h) and its score histogram: counted by the rooms with
 * metrics_count / db_count / metrics_score, rendered by GET /metrics. */
#ifndef FC_COUNTERS_H
#define FC_COUNTERS_H

#include "attendance/match_rules.h"

enum app_counter_id {
    CTR_RECOGNISED,           /* faceclock_recognition_attempts_total, per hotel */
    CTR_NOT_RECOGNISED,
    CTR_LOW_CONFIDENCE,
    CTR_AMBIGUOUS,
    CTR_AUDIT_FACE,           /* faceclock_audit_rows_total */
    CTR_AUDIT_ACTION,
};

/* The counter of a scan's outcome. */
int counter_of_outcome(enum match_outcome outcome);

#endif
