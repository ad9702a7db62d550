/* match_rules.h — 1:N matching of a scanned descriptor against a hotel's
 * registered descriptors (contract 5.2). Pure; the set is plain memory the
 * worker keeps (face_cache_store.c). Distances are computed with GCC vector
 * extensions, so a scan of 10 000 descriptors takes well under 0.5 ms. */
#ifndef FC_MATCH_H
#define FC_MATCH_H

#include "descriptor_rules.h"

#define MATCH_RADIUS 0.6            /* d > 0.6: not this person */
#define MATCH_AMBIGUITY_MARGIN 0.05 /* another person this close to the best: refuse */

/* n descriptors, row i of vecs (DESCRIPTOR_DIM floats, 16-byte aligned)
 * belonging to staff ids[i]; one row per staff member. */
struct face_set {
    int n;
    const long long *ids;
    const float *vecs;
};

enum match_outcome {
    MATCH_OK = 0,
    MATCH_NOT_RECOGNIZED,     /* nearest d > MATCH_RADIUS, or the set is empty: 404 */
    MATCH_LOW_CONFIDENCE,     /* confidence < the hotel's minimum: 403 */
    MATCH_AMBIGUOUS,          /* another person within the radius and the margin: 403 */
};

struct match_result {
    long long staff_id;       /* nearest (0 when the set is empty) */
    double distance;          /* in double from the stored floats; INFINITY when empty */
    double confidence;        /* max(0, 1 - d/3), not rounded */
    long long runner_up_id;   /* nearest other staff member, 0 if none */
    double runner_up_distance;  /* INFINITY if none */
};

/* The outcome's name in metrics and recognition_daily: "recognised",
 * "not_recognised", "low_confidence", "ambiguous". */
const char *match_outcome_name(enum match_outcome outcome);

/* confidence = max(0, 1 - d/3) */
double match_confidence(double distance);

/* Whether a confidence meets a minimum, compared as match_scan does (at
 * single precision). */
int match_confident(double confidence, double min_confidence);

/* Decide a scan: nearest by Euclidean distance, then the rules of 5.2 in
 * order: radius, minimum confidence, ambiguity. r is always filled.
 * The thresholds (radius, minimum confidence, margin) are compared at
 * single precision, the precision descriptors are kept in, so a decimal
 * boundary holds however the floats rounded: a descriptor 0.6 away is
 * recognised (its distance may read 0.60000002), 0.6000001 is not. */
enum match_outcome match_scan(const float *query, const struct face_set *set,
                              double min_confidence, struct match_result *r);

#endif
