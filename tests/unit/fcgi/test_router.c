/* test_router.c — the pure parts of fcgi/router.h: route_match (patterns
 * with {captures}, optional trailing slash, exact segment counts) and
 * access_allows (which grants a route's access bits admit; the
 * application's bits: tests/unit/app/test_access_rules.c). The path
 * given to route_match is already percent-decoded, so captures are the
 * segment text as it stands. */
#include <string.h>

#include "pool.h"
#include "router.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct pool *tp;

static void
setup(void)
{
    tp = pool_new();
}

static void
teardown(void)
{
    pool_free(tp);
    tp = NULL;
}

#define KIOSK "/api/staff/hotel/{hotel_slug}/kiosks/{kiosk_id}/"
#define MAXCAPS 4

/* ---- route_match --------------------------------------------------------- */

static const struct {
    const char *pattern, *path;
    int n;
    const char *kv[2 * MAXCAPS];
} match_ok[] = {
    { "/api/healthz", "/api/healthz", 0, { NULL } },
    { "/api/healthz", "/api/healthz/", 0, { NULL } },
    { "/api/healthz/", "/api/healthz", 0, { NULL } },
    { "/api/healthz/", "/api/healthz/", 0, { NULL } },
    { KIOSK, "/api/staff/hotel/grand/kiosks/12/", 2,
      { "hotel_slug", "grand", "kiosk_id", "12" } },
    { KIOSK, "/api/staff/hotel/grand/kiosks/12", 2,
      { "hotel_slug", "grand", "kiosk_id", "12" } },
    { "/api/staff/hotel/{hotel_slug}", "/api/staff/hotel/grand-hotel/", 1,
      { "hotel_slug", "grand-hotel" } },
    { "/api/staff/hotel/{hotel_slug}/", "/api/staff/hotel/grand-hotel", 1,
      { "hotel_slug", "grand-hotel" } },
    /* captures are raw segment text, not decoded again, not validated here */
    { "/api/x/{id}", "/api/x/a%20b", 1, { "id", "a%20b" } },
    { "/api/x/{id}", "/api/x/a b", 1, { "id", "a b" } },
    { "/api/x/{id}", "/api/x/Gr%C3%A9", 1, { "id", "Gr%C3%A9" } },
    { "/api/x/{id}", "/api/x/..", 1, { "id", ".." } },
    { "/{a}/{b}/{c}/{d}", "/1/2/3/4", 4, { "a", "1", "b", "2", "c", "3", "d", "4" } },
    { "/api/{a}/fixed/{b}", "/api/x/fixed/y", 2, { "a", "x", "b", "y" } },
};

static const struct { const char *pattern, *path; } match_bad[] = {
    { "/api/healthz", "/api/healthzz" },
    { "/api/healthz", "/api/health" },
    { "/api/healthz", "/api/healthz/x" },               /* extra segment */
    { "/api/healthz", "/api" },                         /* missing segment */
    { "/api/healthz", "/API/healthz" },                 /* case matters */
    { "/api/healthz", "" },
    { "/api/healthz", "api/healthz" },
    { "/api/healthz", "/api//healthz" },
    { "/api/healthz", "/api/healthz//" },
    { KIOSK, "/api/staff/hotel/grand/kiosks" },         /* missing capture */
    { KIOSK, "/api/staff/hotel/grand/kiosks/" },        /* empty capture */
    { KIOSK, "/api/staff/hotel//kiosks/12" },           /* empty capture */
    { KIOSK, "/api/staff/hotel/grand/kiosks/12/extra" },
    { KIOSK, "/api/staff/hotel/grand/kiosk/12" },
    { KIOSK, "/api/staff/hotel/grand/x/kiosks/12" },    /* capture spans no '/' */
    { "/api/x/{id}", "/api/x/1/2" },
    { "/api/x/{id}", "/api/x" },
    { "/api/x/{id}", "/api/x/" },
    { "/api/x/{id}", "/api/y/1" },
};

START_TEST(match_valid)
{
    struct kv caps[MAXCAPS];
    int n;

    memset(caps, 0, sizeof(caps));
    n = route_match(tp, match_ok[_i].pattern, match_ok[_i].path, caps, MAXCAPS);
    ck_assert_msg(n == match_ok[_i].n, "%s vs %s: %d", match_ok[_i].pattern,
                  match_ok[_i].path, n);
    for (int i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(caps[i].key);
        ck_assert_ptr_nonnull(caps[i].val);
        ck_assert_str_eq(caps[i].key, match_ok[_i].kv[2 * i]);
        ck_assert_str_eq(caps[i].val, match_ok[_i].kv[2 * i + 1]);
    }
}
END_TEST

START_TEST(match_invalid)
{
    struct kv caps[MAXCAPS];

    ck_assert_msg(route_match(tp, match_bad[_i].pattern, match_bad[_i].path, caps, MAXCAPS) == -1,
                  "%s vs \"%s\"", match_bad[_i].pattern, match_bad[_i].path);
}
END_TEST

START_TEST(match_too_many_captures)
{
    struct kv caps[2];

    ck_assert_int_eq(route_match(tp, "/{a}/{b}/{c}", "/1/2/3", caps, 2), -1);
    ck_assert_int_eq(route_match(tp, KIOSK, "/api/staff/hotel/grand/kiosks/12", caps, 1), -1);
    ck_assert_int_eq(route_match(tp, KIOSK, "/api/staff/hotel/grand/kiosks/12", caps, 2), 2);
}
END_TEST

/* ---- access_allows ------------------------------------------------------- */

#define G1 (1u << 1)    /* application bits, as an application would name them */
#define G2 (1u << 2)
#define G15 (1u << 15)

static const struct {
    unsigned access, grants;
    int allowed;
} access_vec[] = {
    /* public routes admit everyone, with or without grants */
    { A_PUBLIC, 0, 1 },
    { A_PUBLIC, G1, 1 },
    { A_PUBLIC | R_PAGE, 0, 1 },
    /* nothing else admits an anonymous caller */
    { G1, 0, 0 },
    { G1 | G2 | G15, 0, 0 },
    { R_PAGE | G1, 0, 0 },
    /* a bit the caller holds */
    { G1, G1, 1 },
    { G1 | G2, G2, 1 },
    { G15, G15, 1 },
    { G1 | R_PAGE, G1 | G2, 1 },
    /* and none it does not */
    { G1, G2, 0 },
    { G1 | G2, G15, 0 },
    { 0, G1 | G2 | G15, 0 },                         /* an empty set admits no one */
    /* a route's flag is not a grant, nor A_PUBLIC one */
    { R_PAGE, R_PAGE, 0 },
    { R_PAGE, ~0u & ~(unsigned)A_PUBLIC, 0 },
    { G1, A_PUBLIC, 0 },
};

START_TEST(access_table)
{
    struct caller c;

    memset(&c, 0, sizeof c);
    c.grants = access_vec[_i].grants;
    ck_assert_msg((access_allows(access_vec[_i].access, &c) != 0) == access_vec[_i].allowed,
                  "access 0x%x, grants 0x%x: want %d", access_vec[_i].access,
                  access_vec[_i].grants, access_vec[_i].allowed);
}
END_TEST

UNIT_SUITE(suite_router)
{
    Suite *s = suite_create("router");
    TCase *tc;

    tc = tcase_create("match");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, match_valid, 0, NELEM(match_ok));
    tcase_add_loop_test(tc, match_invalid, 0, NELEM(match_bad));
    tcase_add_test(tc, match_too_many_captures);
    suite_add_tcase(s, tc);

    tc = tcase_create("access");
    tcase_add_loop_test(tc, access_table, 0, NELEM(access_vec));
    suite_add_tcase(s, tc);

    return s;
}
