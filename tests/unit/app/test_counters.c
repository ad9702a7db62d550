/* test_counters.c — the application's metric families (handlers/app/
 * counters.c) and how the runtime counts them (fcgi/metrics.c): a scan's
 * outcome names its counter and its recognition_daily row; the tenant
 * label names the first METRICS_MAX_TENANTS tenants and counts every later
 * one as METRICS_OTHER_TENANT; a counter not per tenant ignores the
 * tenant; counts made inside a transaction land on commit only. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app/counters.h"
#include "metrics.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    enum match_outcome outcome;
    int counter;
    const char *name;
    const char *labels;
} outcome_tab[] = {
    {MATCH_OK, CTR_RECOGNISED, "recognised", "outcome=\"recognised\""},
    {MATCH_NOT_RECOGNIZED, CTR_NOT_RECOGNISED, "not_recognised", "outcome=\"not_recognised\""},
    {MATCH_LOW_CONFIDENCE, CTR_LOW_CONFIDENCE, "low_confidence", "outcome=\"low_confidence\""},
    {MATCH_AMBIGUOUS, CTR_AMBIGUOUS, "ambiguous", "outcome=\"ambiguous\""},
};

START_TEST(outcome_names)
{
    ck_assert_int_eq(counter_of_outcome(outcome_tab[_i].outcome), outcome_tab[_i].counter);
    ck_assert_str_eq(match_outcome_name(outcome_tab[_i].outcome), outcome_tab[_i].name);
    ck_assert_str_eq(app_counters[outcome_tab[_i].counter].labels, outcome_tab[_i].labels);
    ck_assert_int_eq(app_counters[outcome_tab[_i].counter].per_tenant, 1);
}
END_TEST

/* each family's entries are contiguous, the first has its help, and the
 * table fits the runtime's slots */
START_TEST(families_contiguous)
{
    ck_assert_int_le(app_ncounters, METRICS_MAX_COUNTERS);
    for (int i = 0; i < app_ncounters; i++) {
        int first = i == 0 || strcmp(app_counters[i].family, app_counters[i - 1].family) != 0;
        if (first)
            ck_assert_int_gt((int)strlen(app_counters[i].help), 0);
        for (int j = 0; j < i - 1; j++)
            if (strcmp(app_counters[j].family, app_counters[i].family) == 0)
                ck_assert_str_eq(app_counters[i - 1].family, app_counters[i].family);
    }
    for (int b = 1; b < app_score.nbounds; b++)
        ck_assert(app_score.bounds[b] > app_score.bounds[b - 1]);
    ck_assert(app_score.bounds[app_score.nbounds - 1] == 1.0);
}
END_TEST

static void ensure_metrics(void)
{
    static int ready;
    if (!ready) {
        ck_assert_int_eq(metrics_init(), 0);
        ready = 1;
    }
}

static struct tenant tenant_n(int n)
{
    struct tenant t = {1000 + n, ""};
    snprintf(t.slug, sizeof t.slug, "unit-hotel-%d", n);
    return t;
}

/* 40 tenants, tenant n counted n + 1 times (twice over, in two rounds):
 * the first 32 by name, the other 8 together */
START_TEST(tenant_label_bounded)
{
    enum { N = METRICS_MAX_TENANTS + 8 };
    ensure_metrics();
    unsigned long long other0 = metrics_counter_sum(CTR_AMBIGUOUS, METRICS_OTHER_TENANT), other_want = 0;
    for (int round = 0; round < 2; round++)
        for (int n = 0; n < N; n++) {
            struct tenant t = tenant_n(n);
            metrics_count(CTR_AMBIGUOUS, &t, (unsigned long long)n + 1);
        }
    for (int n = 0; n < N; n++) {
        struct tenant t = tenant_n(n);
        unsigned long long v = metrics_counter_sum(CTR_AMBIGUOUS, t.slug);
        if (n < METRICS_MAX_TENANTS) {
            ck_assert_uint_eq(v, 2ULL * (n + 1));
        } else {
            ck_assert_uint_eq(v, 0);
            other_want += 2ULL * (n + 1);
        }
    }
    ck_assert_uint_eq(metrics_counter_sum(CTR_AMBIGUOUS, METRICS_OTHER_TENANT) - other0, other_want);
    /* no tenant: the others */
    metrics_count(CTR_AMBIGUOUS, NULL, 5);
    ck_assert_uint_eq(metrics_counter_sum(CTR_AMBIGUOUS, METRICS_OTHER_TENANT) - other0, other_want + 5);
}
END_TEST

/* a counter not per tenant: the tenant does not matter, and does not
 * claim a name */
START_TEST(plain_counter)
{
    ensure_metrics();
    struct tenant t = {99999, "unit-plain"};
    unsigned long long v0 = metrics_counter_sum(CTR_AUDIT_FACE, NULL);
    metrics_count(CTR_AUDIT_FACE, &t, 3);
    metrics_count(CTR_AUDIT_FACE, NULL, 1);
    ck_assert_uint_eq(metrics_counter_sum(CTR_AUDIT_FACE, NULL) - v0, 4);
    ck_assert_uint_eq(metrics_counter_sum(CTR_RECOGNISED, "unit-plain"), 0);
}
END_TEST

/* pending counts: (adds, then commit or drop) → what lands */
static const struct {
    unsigned long long adds[3];
    int commit;
    unsigned long long want;
} pending_tab[] = {
    {{1, 0, 0}, 1, 1},
    {{2, 3, 4}, 1, 9},
    {{2, 3, 4}, 0, 0},
    {{0, 0, 0}, 1, 0},
};

START_TEST(pending_on_commit)
{
    ensure_metrics();
    unsigned long long v0 = metrics_counter_sum(CTR_AUDIT_ACTION, NULL);
    for (int k = 0; k < 3; k++)
        if (pending_tab[_i].adds[k] != 0)
            metrics_pending(CTR_AUDIT_ACTION, pending_tab[_i].adds[k]);
    ck_assert_uint_eq(metrics_counter_sum(CTR_AUDIT_ACTION, NULL) - v0, 0);
    if (pending_tab[_i].commit)
        metrics_pending_commit();
    else
        metrics_pending_drop();
    metrics_pending_commit();        /* nothing left over either way */
    ck_assert_uint_eq(metrics_counter_sum(CTR_AUDIT_ACTION, NULL) - v0, pending_tab[_i].want);
}
END_TEST

UNIT_SUITE(suite_counters)
{
    Suite *s = suite_create("counters");
    TCase *tc = tcase_create("families");
    tcase_add_loop_test(tc, outcome_names, 0, NELEM(outcome_tab));
    tcase_add_test(tc, families_contiguous);
    suite_add_tcase(s, tc);

    tc = tcase_create("runtime");
    tcase_add_test(tc, tenant_label_bounded);
    tcase_add_test(tc, plain_counter);
    tcase_add_loop_test(tc, pending_on_commit, 0, NELEM(pending_tab));
    suite_add_tcase(s, tc);
    return s;
}
