/* match_rules.c — owns 1:N matching (contract 5.2): the vectorised nearest-
 * neighbour scan over a face_set and the decision radius → minimum
 * confidence → ambiguity. Pure: no I/O, no allocation. */
#include <math.h>
#include <string.h>

#include "match_rules.h"

/* GCC vector extensions: plain SSE at the Makefile's -O2, no per-file
 * flags. A float sum is kept scalar unless written like this, because GCC
 * may not reorder float additions on its own. */
typedef float v4sf __attribute__((vector_size(16)));

#define LANES 4
#define NVEC (DESCRIPTOR_DIM / LANES)   /* 32 vectors per descriptor */
#define NACC 4                          /* independent accumulators */

_Static_assert(DESCRIPTOR_DIM % (LANES * NACC) == 0, "descriptor must split into NACC runs");

/* Squared distance of one 16-byte aligned row to the query (already in
 * vectors). Summation order differs from descriptor_distance, so the result
 * agrees with it to float rounding only; the winners are recomputed. */
static inline float
row_sqdist(const v4sf *q, const float *row)
{
    const float *p = __builtin_assume_aligned(row, 16);
    v4sf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};

    for (int j = 0; j < NVEC; j += NACC) {
        v4sf r0, r1, r2, r3, d0, d1, d2, d3;

        /* memcpy: an aligned load, and no aliasing question */
        memcpy(&r0, p + (j + 0) * LANES, sizeof(r0));
        memcpy(&r1, p + (j + 1) * LANES, sizeof(r1));
        memcpy(&r2, p + (j + 2) * LANES, sizeof(r2));
        memcpy(&r3, p + (j + 3) * LANES, sizeof(r3));
        d0 = q[j + 0] - r0;
        d1 = q[j + 1] - r1;
        d2 = q[j + 2] - r2;
        d3 = q[j + 3] - r3;
        a0 += d0 * d0;
        a1 += d1 * d1;
        a2 += d2 * d2;
        a3 += d3 * d3;
    }
    a0 = (a0 + a1) + (a2 + a3);
    return (a0[0] + a0[1]) + (a0[2] + a0[3]);
}

const char *match_outcome_name(enum match_outcome outcome)
{
    switch (outcome) {
    case MATCH_OK:
        return "recognised";
    case MATCH_NOT_RECOGNIZED:
        return "not_recognised";
    case MATCH_LOW_CONFIDENCE:
        return "low_confidence";
    case MATCH_AMBIGUOUS:
        return "ambiguous";
    }
    return "not_recognised";
}

double
match_confidence(double distance)
{
    double c = 1.0 - distance / 3.0;

    return c > 0.0 ? c : 0.0;
}

/* Thresholds are compared at single precision, the precision descriptors
 * are stored in: a decimal boundary such as 0.6 is not a float, and a
 * descriptor written as 0.6 must land on the same side whichever way its
 * floats rounded. */
static int
within(double x, double limit)
{
    return (float)x <= (float)limit;
}

int
match_confident(double confidence, double min_confidence)
{
    return (float)confidence >= (float)min_confidence;
}

enum match_outcome
match_scan(const float *query, const struct face_set *set, double min_confidence,
           struct match_result *r)
{
    v4sf q[NVEC];
    float best = INFINITY, second = INFINITY;
    int ib = -1, is = -1;

    r->staff_id = 0;
    r->distance = INFINITY;
    r->confidence = 0.0;
    r->runner_up_id = 0;
    r->runner_up_distance = INFINITY;
    if (set == NULL || set->n <= 0)
        return MATCH_NOT_RECOGNIZED;

    memcpy(q, query, sizeof(q));
    /* best: the nearest row; second: the nearest row of another staff
     * member than best's (rows are per staff member, but a repeated id
     * must not make a person ambiguous with themself). */
    for (int i = 0; i < set->n; i++) {
        float d = row_sqdist(q, set->vecs + (size_t)i * DESCRIPTOR_DIM);

        if (d < best) {
            if (ib >= 0 && set->ids[i] != set->ids[ib]) {
                second = best;
                is = ib;
            }
            best = d;
            ib = i;
        } else if (d < second && set->ids[i] != set->ids[ib]) {
            second = d;
            is = i;
        }
    }
    if (ib < 0)                 /* only NaN rows: nothing is near */
        return MATCH_NOT_RECOGNIZED;

    /* sqrt only for the winners, and in double */
    r->staff_id = set->ids[ib];
    r->distance = descriptor_distance(query, set->vecs + (size_t)ib * DESCRIPTOR_DIM);
    if (is >= 0) {
        r->runner_up_id = set->ids[is];
        r->runner_up_distance = descriptor_distance(query, set->vecs + (size_t)is * DESCRIPTOR_DIM);
        if (r->runner_up_distance < r->distance) {  /* a float near-tie ranked them the other way */
            long long id = r->staff_id;
            double d = r->distance;

            r->staff_id = r->runner_up_id;
            r->distance = r->runner_up_distance;
            r->runner_up_id = id;
            r->runner_up_distance = d;
        }
    }
    r->confidence = match_confidence(r->distance);

    if (!within(r->distance, MATCH_RADIUS))
        return MATCH_NOT_RECOGNIZED;
    if (!match_confident(r->confidence, min_confidence))
        return MATCH_LOW_CONFIDENCE;
    if (is >= 0 && within(r->runner_up_distance, MATCH_RADIUS) &&
        within(r->runner_up_distance - r->distance, MATCH_AMBIGUITY_MARGIN))
        return MATCH_AMBIGUOUS;
    return MATCH_OK;
}
