/* counters.c — the application's metric families (fcgi/app.h:
 * app_counters, app_score): recognition attempts by outcome per hotel,
 * audit rows written by log, and the confidence histogram of scans.
 * (Gauges read from the database at each scrape, such as
 * faceclock_alerts, are health.c's.) */
#include "app.h"
#include "counters.h"

const struct app_counter app_counters[] = {
    [CTR_RECOGNISED] = {"faceclock_recognition_attempts_total",
                        "Face scans by outcome and hotel (the first 32 hotels seen by name, the rest as _other).",
                        "outcome=\"recognised\"", 1},
    [CTR_NOT_RECOGNISED] = {"faceclock_recognition_attempts_total", "", "outcome=\"not_recognised\"", 1},
    [CTR_LOW_CONFIDENCE] = {"faceclock_recognition_attempts_total", "", "outcome=\"low_confidence\"", 1},
    [CTR_AMBIGUOUS] = {"faceclock_recognition_attempts_total", "", "outcome=\"ambiguous\"", 1},
    [CTR_AUDIT_FACE] = {"faceclock_audit_rows_total", "Audit rows committed, by log.", "log=\"face\"", 0},
    [CTR_AUDIT_ACTION] = {"faceclock_audit_rows_total", "", "log=\"action\"", 0},
};
const int app_ncounters = (int)(sizeof app_counters / sizeof app_counters[0]);
const char app_tenant_label[] = "hotel";

/* confidence = 1 - d/3: the match radius 0.6 is 0.8, so the buckets are
 * fine above it */
static const double score_bounds[] = {0.5, 0.6, 0.7, 0.75, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 1};
const struct app_histogram app_score = {
    "faceclock_recognition_confidence",
    "Confidence of each scan's nearest registered face (scans against no registered face are not observed).",
    score_bounds, (int)(sizeof score_bounds / sizeof score_bounds[0]),
};

int counter_of_outcome(enum match_outcome outcome)
{
    switch (outcome) {
    case MATCH_OK:
        return CTR_RECOGNISED;
    case MATCH_NOT_RECOGNIZED:
        return CTR_NOT_RECOGNISED;
    case MATCH_LOW_CONFIDENCE:
        return CTR_LOW_CONFIDENCE;
    case MATCH_AMBIGUOUS:
        return CTR_AMBIGUOUS;
    }
    return CTR_NOT_RECOGNISED;
}
