/* test_match.c — handlers/attendance/match_rules.h against contract 5.2: a table of
 * hand-built sets (exact match, the 0.6 radius, the minimum confidence,
 * ambiguity on both sides of the 0.05 margin and of the radius, the rule
 * order, empty and single sets, repeated ids) with every result field, the
 * confidence formula, and match_scan against a brute-force double-precision
 * reference on random sets. Hand-built descriptors are zero but for one or
 * two components, so a distance is exactly a float written in the table. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/match_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MAXE 4

/* ---- hand-built sets ----------------------------------------------------- */

struct entry {
    long long id;
    int k1;               /* component set to v1 (the query is all zero) */
    float v1;
    int k2;               /* a second one, when v2 != 0 */
    float v2;
};

static const struct {
    const char *name;
    double min_conf;
    int n;
    struct entry e[MAXE];
    enum match_outcome want;
    long long staff;      /* expected nearest, 0: none */
    double dist;          /* expected distance (as floats add up) */
    long long runner;     /* expected runner-up, 0: none */
} tab[] = {
    {"empty set", 0.85, 0, {{0}}, MATCH_NOT_RECOGNIZED, 0, INFINITY, 0},
    {"single, exact", 0.85, 1, {{7, 0, 0, 0, 0}}, MATCH_OK, 7, 0, 0},
    {"single, exact, min 1", 1.0, 1, {{7, 0, 0, 0, 0}}, MATCH_OK, 7, 0, 0},
    {"single, 0.0001 away, min 1", 1.0, 1, {{7, 3, 0.0001f, 0, 0}}, MATCH_LOW_CONFIDENCE, 7, 0.0001, 0},

    /* radius: 0.6 is recognised, 0.6000001 is not (min 0.5: confidence aside) */
    {"radius 0.6", 0.5, 1, {{9, 0, 0.6f, 0, 0}}, MATCH_OK, 9, 0.6, 0},
    {"radius -0.6", 0.5, 1, {{9, 127, -0.6f, 0, 0}}, MATCH_OK, 9, 0.6, 0},
    {"radius 0.36+0.48", 0.5, 1, {{9, 1, 0.36f, 2, 0.48f}}, MATCH_OK, 9, 0.6, 0},
    {"radius 0.6000001", 0.5, 1, {{9, 0, 0.6000001f, 0, 0}}, MATCH_NOT_RECOGNIZED, 9, 0.6000001, 0},
    {"radius 0.6000001, min 0", 0.0, 1, {{9, 0, 0.6000001f, 0, 0}}, MATCH_NOT_RECOGNIZED, 9, 0.6000001, 0},
    {"far away", 0.0, 1, {{9, 0, 2.5f, 0, 0}}, MATCH_NOT_RECOGNIZED, 9, 2.5, 0},
    {"beyond confidence 0", 0.0, 1, {{9, 0, 4.0f, 0, 0}}, MATCH_NOT_RECOGNIZED, 9, 4.0, 0},

    /* minimum confidence: the default 0.85 accepts d <= 0.45 */
    {"0.45 at 0.85", 0.85, 1, {{4, 5, 0.45f, 0, 0}}, MATCH_OK, 4, 0.45, 0},
    {"0.27+0.36 at 0.85", 0.85, 1, {{4, 5, 0.27f, 6, 0.36f}}, MATCH_OK, 4, 0.45, 0},
    {"0.4500001 at 0.85", 0.85, 1, {{4, 5, 0.4500001f, 0, 0}}, MATCH_LOW_CONFIDENCE, 4, 0.4500001, 0},
    {"0.6 at 0.85: past the radius check", 0.85, 1, {{4, 5, 0.6f, 0, 0}}, MATCH_LOW_CONFIDENCE, 4, 0.6, 0},
    {"0.3 at 0.9", 0.9, 1, {{4, 5, 0.3f, 0, 0}}, MATCH_OK, 4, 0.3, 0},
    /* confidence is a third as fine as distance: 0.3000001 still reads 0.9 */
    {"0.3000001 at 0.9", 0.9, 1, {{4, 5, 0.3000001f, 0, 0}}, MATCH_OK, 4, 0.3000001, 0},
    {"0.3000003 at 0.9", 0.9, 1, {{4, 5, 0.3000003f, 0, 0}}, MATCH_LOW_CONFIDENCE, 4, 0.3000003, 0},
    {"0.59 at 0", 0.0, 1, {{4, 5, 0.59f, 0, 0}}, MATCH_OK, 4, 0.59, 0},

    /* ambiguity: another person within 0.6 and within 0.05 of the nearest */
    {"margin 0.05", 0.85, 2, {{1, 0, 0.3f, 0, 0}, {2, 1, 0.35f, 0, 0}}, MATCH_AMBIGUOUS, 1, 0.3, 2},
    {"margin 0.0500001", 0.85, 2, {{1, 0, 0.3f, 0, 0}, {2, 1, 0.3500001f, 0, 0}}, MATCH_OK, 1, 0.3, 2},
    {"margin 0.04", 0.85, 2, {{2, 1, 0.34f, 0, 0}, {1, 0, 0.3f, 0, 0}}, MATCH_AMBIGUOUS, 1, 0.3, 2},
    {"margin 0.2", 0.85, 2, {{1, 0, 0.1f, 0, 0}, {2, 1, 0.3f, 0, 0}}, MATCH_OK, 1, 0.1, 2},
    {"a tie", 0.85, 2, {{1, 0, 0.2f, 0, 0}, {2, 1, 0.2f, 0, 0}}, MATCH_AMBIGUOUS, 1, 0.2, 2},
    {"a tie, other order", 0.85, 2, {{2, 1, 0.2f, 0, 0}, {1, 0, 0.2f, 0, 0}}, MATCH_AMBIGUOUS, 2, 0.2, 1},
    {"twin at 0.6", 0.0, 2, {{1, 0, 0.56f, 0, 0}, {2, 1, 0.6f, 0, 0}}, MATCH_AMBIGUOUS, 1, 0.56, 2},
    {"twin at 0.6000001", 0.0, 2, {{1, 0, 0.56f, 0, 0}, {2, 1, 0.6000001f, 0, 0}}, MATCH_OK, 1, 0.56, 2},
    {"twin at 0.62", 0.0, 2, {{1, 0, 0.58f, 0, 0}, {2, 1, 0.62f, 0, 0}}, MATCH_OK, 1, 0.58, 2},

    /* the order: radius, then confidence, then ambiguity */
    {"radius before confidence", 0.99, 2, {{1, 0, 0.7f, 0, 0}, {2, 1, 0.71f, 0, 0}}, MATCH_NOT_RECOGNIZED, 1, 0.7, 2},
    {"confidence before ambiguity", 0.85, 2, {{1, 0, 0.5f, 0, 0}, {2, 1, 0.52f, 0, 0}}, MATCH_LOW_CONFIDENCE, 1, 0.5, 2},

    /* the runner-up is the nearest other person, whatever the row order */
    {"three, nearest in the middle", 0.85, 3,
     {{3, 0, 0.9f, 0, 0}, {1, 1, 0.2f, 0, 0}, {2, 2, 0.5f, 0, 0}}, MATCH_OK, 1, 0.2, 2},
    {"runner-up first", 0.85, 3,
     {{2, 2, 0.5f, 0, 0}, {3, 0, 0.9f, 0, 0}, {1, 1, 0.2f, 0, 0}}, MATCH_OK, 1, 0.2, 2},
    {"a repeated id is not ambiguous", 0.85, 2,
     {{5, 0, 0.3f, 0, 0}, {5, 1, 0.31f, 0, 0}}, MATCH_OK, 5, 0.3, 0},
    {"repeated id, nearest row last", 0.85, 3,
     {{1, 0, 0.5f, 0, 0}, {2, 1, 0.4f, 0, 0}, {2, 2, 0.1f, 0, 0}}, MATCH_OK, 2, 0.1, 1},
    {"repeated id, then a twin", 0.85, 4,
     {{2, 1, 0.4f, 0, 0}, {2, 2, 0.1f, 0, 0}, {1, 0, 0.5f, 0, 0}, {3, 3, 0.12f, 0, 0}},
     MATCH_AMBIGUOUS, 2, 0.1, 3},
};

START_TEST(scan_table)
{
    static _Alignas(16) float vecs[MAXE][DESCRIPTOR_DIM];
    static _Alignas(16) float query[DESCRIPTOR_DIM];
    long long ids[MAXE];
    struct face_set set = {tab[_i].n, ids, &vecs[0][0]};
    struct match_result r;
    enum match_outcome got;

    memset(vecs, 0, sizeof(vecs));
    memset(query, 0, sizeof(query));
    for (int i = 0; i < tab[_i].n; i++) {
        ids[i] = tab[_i].e[i].id;
        vecs[i][tab[_i].e[i].k1] = tab[_i].e[i].v1;
        if (tab[_i].e[i].v2 != 0.0f)
            vecs[i][tab[_i].e[i].k2] = tab[_i].e[i].v2;
    }
    memset(&r, 0x5a, sizeof(r));
    got = match_scan(query, &set, tab[_i].min_conf, &r);
    ck_assert_msg(got == tab[_i].want, "%s: outcome %d, want %d (d %.9g, runner %lld at %.9g)",
                  tab[_i].name, got, tab[_i].want, r.distance, r.runner_up_id,
                  r.runner_up_distance);
    ck_assert_msg(r.staff_id == tab[_i].staff, "%s: staff %lld", tab[_i].name, r.staff_id);
    ck_assert_msg(r.runner_up_id == tab[_i].runner, "%s: runner-up %lld", tab[_i].name,
                  r.runner_up_id);
    if (tab[_i].staff == 0) {
        ck_assert(isinf(r.distance));
        ck_assert_double_eq(r.confidence, 0.0);
    } else {
        ck_assert_double_eq_tol(r.distance, tab[_i].dist, 1e-7);
        ck_assert_double_eq(r.confidence, match_confidence(r.distance));
    }
    if (tab[_i].runner == 0)
        ck_assert(isinf(r.runner_up_distance));
    else
        ck_assert_double_ge(r.runner_up_distance, r.distance);
}
END_TEST

START_TEST(scan_null_set)
{
    float query[DESCRIPTOR_DIM] = {0};
    struct match_result r;

    ck_assert_int_eq(match_scan(query, NULL, 0.85, &r), MATCH_NOT_RECOGNIZED);
    ck_assert_int_eq(r.staff_id, 0);
}
END_TEST

/* ---- confidence ---------------------------------------------------------- */

static const struct {
    double d, want;
} conf_tab[] = {
    {0.0, 1.0}, {0.3, 0.9}, {0.45, 0.85}, {0.6, 0.8}, {1.5, 0.5}, {3.0, 0.0}, {3.5, 0.0}, {100, 0.0},
};

START_TEST(confidence)
{
    ck_assert_double_eq_tol(match_confidence(conf_tab[_i].d), conf_tab[_i].want, 1e-12);
    ck_assert_double_ge(match_confidence(conf_tab[_i].d), 0.0);
}
END_TEST

/* ---- against a brute-force reference ------------------------------------- */

struct rng {
    uint64_t s;
};

static double
uniform(struct rng *g)        /* [0, 1) */
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return (double)((g->s * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

/* fill v with a descriptor d away from src in a random direction */
static void
near(struct rng *g, const float *src, double d, float *v)
{
    double dir[DESCRIPTOR_DIM], norm = 0.0;

    for (int k = 0; k < DESCRIPTOR_DIM; k++) {
        dir[k] = uniform(g) - 0.5;
        norm += dir[k] * dir[k];
    }
    norm = sqrt(norm);
    for (int k = 0; k < DESCRIPTOR_DIM; k++)
        v[k] = (float)(src[k] + d * dir[k] / norm);
}

/* contract 5.2 in double, one row at a time, nothing clever */
static enum match_outcome
reference(const float *q, const struct face_set *set, double min_conf, struct match_result *r)
{
    double dist[4096];
    int ib = -1, is = -1;

    ck_assert_int_le(set->n, NELEM(dist));
    for (int i = 0; i < set->n; i++) {
        double s = 0.0;

        for (int k = 0; k < DESCRIPTOR_DIM; k++) {
            double d = (double)q[k] - (double)set->vecs[(size_t)i * DESCRIPTOR_DIM + k];

            s += d * d;
        }
        dist[i] = sqrt(s);
        if (ib < 0 || dist[i] < dist[ib])
            ib = i;
    }
    for (int i = 0; i < set->n; i++)
        if (set->ids[i] != set->ids[ib] && (is < 0 || dist[i] < dist[is]))
            is = i;
    r->staff_id = set->ids[ib];
    r->distance = dist[ib];
    r->confidence = fmax(0.0, 1.0 - dist[ib] / 3.0);
    r->runner_up_id = is >= 0 ? set->ids[is] : 0;
    r->runner_up_distance = is >= 0 ? dist[is] : INFINITY;
    if (r->distance > MATCH_RADIUS)
        return MATCH_NOT_RECOGNIZED;
    if (r->confidence < min_conf)
        return MATCH_LOW_CONFIDENCE;
    if (is >= 0 && r->runner_up_distance <= MATCH_RADIUS &&
        r->runner_up_distance - r->distance <= MATCH_AMBIGUITY_MARGIN)
        return MATCH_AMBIGUOUS;
    return MATCH_OK;
}

/* x within 1e-5 of a threshold: float and double may honestly disagree */
static int
near_edge(double x, double edge)
{
    return fabs(x - edge) < 1e-5;
}

static const struct {
    int n;                /* descriptors in the set */
    int nq;               /* queries */
    double min_conf;
    uint64_t seed;
} rand_tab[] = {
    {1, 50, 0.85, 1},
    {2, 50, 0.0, 2},
    {7, 100, 0.85, 3},
    {100, 200, 0.85, 4},
    {1000, 200, 0.85, 5},
    {1000, 200, 0.0, 6},
    {4096, 100, 0.9, 7},
};

START_TEST(against_reference)
{
    int n = rand_tab[_i].n, nq = rand_tab[_i].nq;
    float *vecs = aligned_alloc(16, (size_t)n * DESCRIPTOR_DIM * sizeof(float));
    long long *ids = malloc((size_t)n * sizeof(*ids));
    _Alignas(16) float q[DESCRIPTOR_DIM];
    struct rng g = {rand_tab[_i].seed * 0x9e3779b97f4a7c15ULL};
    struct face_set set = {n, ids, vecs};
    int *twins = malloc((size_t)n * sizeof(*twins));
    int seen[4] = {0}, ntwins = 0;

    ck_assert(vecs != NULL && ids != NULL && twins != NULL);
    for (int i = 0; i < n; i++) {
        ids[i] = 1000 + i;
        /* one in ten a look-alike of an earlier person, 0.05 to 0.6 away */
        if (i > 0 && uniform(&g) < 0.1) {
            near(&g, vecs + (size_t)(uint64_t)(uniform(&g) * i) * DESCRIPTOR_DIM,
                 0.05 + 0.55 * uniform(&g), vecs + (size_t)i * DESCRIPTOR_DIM);
            twins[ntwins++] = i;
        } else
            for (int k = 0; k < DESCRIPTOR_DIM; k++)
                vecs[(size_t)i * DESCRIPTOR_DIM + k] = (float)(uniform(&g) - 0.5) * 0.5f;
    }
    for (int j = 0; j < nq; j++) {
        struct match_result r, want;
        enum match_outcome got, wo;
        int tie, edge;

        /* a re-photographed face 0 to 0.8 away from someone, a face close
         * to a look-alike, or a stranger */
        if (ntwins > 0 && uniform(&g) < 0.3)
            near(&g, vecs + (size_t)twins[(int)(uniform(&g) * ntwins)] * DESCRIPTOR_DIM,
                 0.3 * uniform(&g), q);
        else if (uniform(&g) < 0.9)
            near(&g, vecs + (size_t)(uint64_t)(uniform(&g) * n) * DESCRIPTOR_DIM,
                 0.8 * uniform(&g), q);
        else
            for (int k = 0; k < DESCRIPTOR_DIM; k++)
                q[k] = (float)(uniform(&g) - 0.5) * 0.5f;
        got = match_scan(q, &set, rand_tab[_i].min_conf, &r);
        wo = reference(q, &set, rand_tab[_i].min_conf, &want);
        seen[wo]++;

        /* a near-tie may rank the other way at float precision */
        tie = want.runner_up_id != 0 && want.runner_up_distance - want.distance < 1e-5;
        if (!tie) {
            ck_assert_msg(r.staff_id == want.staff_id, "query %d: %lld, reference %lld", j,
                          r.staff_id, want.staff_id);
            ck_assert_msg(r.runner_up_id == want.runner_up_id, "query %d: runner-up %lld, reference %lld",
                          j, r.runner_up_id, want.runner_up_id);
        }
        ck_assert_double_eq_tol(r.distance, want.distance, tie ? 1e-5 : 1e-9);
        ck_assert_double_eq_tol(r.confidence, want.confidence, tie ? 1e-5 : 1e-9);
        if (want.runner_up_id != 0)
            ck_assert_double_eq_tol(r.runner_up_distance, want.runner_up_distance, tie ? 1e-5 : 1e-9);
        edge = near_edge(want.distance, MATCH_RADIUS) ||
               near_edge(want.confidence, rand_tab[_i].min_conf) ||
               near_edge(want.runner_up_distance, MATCH_RADIUS) ||
               near_edge(want.runner_up_distance - want.distance, MATCH_AMBIGUITY_MARGIN);
        if (!edge)
            ck_assert_msg(got == wo, "query %d: outcome %d, reference %d (d %.9g, runner %.9g)", j,
                          got, wo, want.distance, want.runner_up_distance);
    }
    /* the sets exercise more than one rule (below 0.8 the radius decides) */
    if (n >= 100)
        ck_assert_msg(seen[MATCH_OK] > 0 && seen[MATCH_NOT_RECOGNIZED] > 0 && seen[MATCH_AMBIGUOUS] > 0 &&
                      (seen[MATCH_LOW_CONFIDENCE] > 0 || rand_tab[_i].min_conf < 0.8),
                      "outcomes ok %d, not recognised %d, low %d, ambiguous %d", seen[0], seen[1],
                      seen[2], seen[3]);
    free(vecs);
    free(ids);
    free(twins);
}
END_TEST

UNIT_SUITE(suite_match)
{
    Suite *s = suite_create("match");
    TCase *tc;

    tc = tcase_create("scan");
    tcase_add_loop_test(tc, scan_table, 0, NELEM(tab));
    tcase_add_test(tc, scan_null_set);
    suite_add_tcase(s, tc);

    tc = tcase_create("confidence");
    tcase_add_loop_test(tc, confidence, 0, NELEM(conf_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("reference");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, against_reference, 0, NELEM(rand_tab));
    suite_add_tcase(s, tc);

    return s;
}
