/* test_capture_rules.c — handlers/devices/capture_rules.h: pose sets accepted in
 * any order, unknown / repeated / missing poses reported with the capture
 * and the pose concerned, the mean of five descriptors, and the agreement
 * boundary (0.6 from the mean agrees, 0.61 does not) for every pose. */
#include <math.h>
#include <string.h>

#include "devices/capture_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

START_TEST(names)
{
    static const char *const want[POSE_COUNT] = {"front", "left", "right", "up", "down"};

    for (int p = 0; p < POSE_COUNT; p++) {
        ck_assert_str_eq(pose_name(p), want[p]);
        ck_assert_int_eq(pose_parse(want[p]), p);
    }
    ck_assert_ptr_null(pose_name(-1));
    ck_assert_ptr_null(pose_name(POSE_COUNT));
    ck_assert_int_eq(pose_parse("Front"), -1);
    ck_assert_int_eq(pose_parse("front "), -1);
    ck_assert_int_eq(pose_parse(""), -1);
    ck_assert_int_eq(pose_parse(NULL), -1);
}
END_TEST

/* ---- pose sets -------------------------------------------------------------- */

#define N5 5
static const struct {
    const char *name;
    int n;
    const char *poses[N5];
    enum pose_problem want;
    int index, pose, missing;   /* as struct pose_check reports them */
} set_tab[] = {
    {"canonical", 5, {"front", "left", "right", "up", "down"}, POSES_OK, -1, -1, -1},
    {"reversed", 5, {"down", "up", "right", "left", "front"}, POSES_OK, -1, -1, -1},
    {"shuffled", 5, {"up", "front", "down", "left", "right"}, POSES_OK, -1, -1, -1},
    {"unknown first", 5, {"side", "left", "right", "up", "down"}, POSES_UNKNOWN, 0, -1, -1},
    {"unknown last", 5, {"front", "left", "right", "up", "DOWN"}, POSES_UNKNOWN, 4, -1, -1},
    {"not a string", 5, {"front", NULL, "right", "up", "down"}, POSES_UNKNOWN, 1, -1, -1},
    {"empty name", 5, {"front", "left", "", "up", "down"}, POSES_UNKNOWN, 2, -1, -1},
    {"unknown before duplicate", 5, {"front", "front", "right", "x", "down"}, POSES_UNKNOWN, 3, -1, -1},
    {"duplicate front", 5, {"front", "front", "right", "up", "down"}, POSES_DUPLICATE, 1, POSE_FRONT, POSE_LEFT},
    {"duplicate down", 5, {"down", "left", "right", "up", "down"}, POSES_DUPLICATE, 4, POSE_DOWN, POSE_FRONT},
    {"two duplicates", 5, {"up", "up", "left", "left", "down"}, POSES_DUPLICATE, 1, POSE_UP, POSE_FRONT},
    {"four poses: up missing", 4, {"front", "left", "right", "down"}, POSES_MISSING, -1, POSE_UP, -1},
    {"none", 0, {NULL}, POSES_MISSING, -1, POSE_FRONT, -1},
};

START_TEST(pose_sets)
{
    int slot[POSE_COUNT];
    struct pose_check c;
    const char *name = set_tab[_i].name;

    ck_assert_msg(capture_poses(set_tab[_i].poses, set_tab[_i].n, slot, &c) == set_tab[_i].want,
                  "%s: problem %d", name, c.problem);
    ck_assert_int_eq(c.problem, set_tab[_i].want);
    ck_assert_msg(c.index == set_tab[_i].index, "%s: index %d", name, c.index);
    ck_assert_msg(c.pose == set_tab[_i].pose, "%s: pose %d", name, c.pose);
    ck_assert_msg(c.missing == set_tab[_i].missing, "%s: missing %d", name, c.missing);
    if (set_tab[_i].want == POSES_OK)
        for (int p = 0; p < POSE_COUNT; p++)
            ck_assert_str_eq(set_tab[_i].poses[slot[p]], pose_name(p));
}
END_TEST

/* ---- the mean ----------------------------------------------------------------- */

START_TEST(mean)
{
    float d[POSE_COUNT][DESCRIPTOR_DIM], m[DESCRIPTOR_DIM];

    /* pose p, item k: p + k/100, so the mean is 2 + k/100 */
    for (int p = 0; p < POSE_COUNT; p++)
        for (int k = 0; k < DESCRIPTOR_DIM; k++)
            d[p][k] = (float)(p + k / 100.0);
    capture_mean(d, m);
    for (int k = 0; k < DESCRIPTOR_DIM; k++) {
        double want = ((double)d[0][k] + d[1][k] + d[2][k] + d[3][k] + d[4][k]) / 5.0;

        ck_assert_msg(m[k] == (float)want, "mean[%d] = %.9g, want %.9g", k, (double)m[k], want);
        ck_assert_float_eq_tol(m[k], 2.0f + k / 100.0f, 1e-5f);
    }
}
END_TEST

/* ---- agreement ------------------------------------------------------------------- */

/* A face-like base descriptor (multiples of 1/64, exact in float); on
 * item 4, where the base is 0, pose `odd` gets 4b and every other pose -b
 * with b = (float)(t / 4). The mean is then exactly the base, the odd pose
 * exactly 4b = (float)t from it (scaling by 4 commutes with rounding), the
 * others b: the boundary is tested at the precision descriptors have. */
static const struct {
    const char *name;
    int odd;                /* -1: none */
    double t;
    int want;               /* pose named, -1: all agree */
} agree_tab[] = {
    {"identical", -1, 0, -1},
    {"front at 0.3", POSE_FRONT, 0.3, -1},
    {"front at 0.6", POSE_FRONT, 0.6, -1},
    {"front at 0.61", POSE_FRONT, 0.61, POSE_FRONT},
    {"left at 0.6", POSE_LEFT, 0.6, -1},
    {"left at 0.61", POSE_LEFT, 0.61, POSE_LEFT},
    {"right at 0.6", POSE_RIGHT, 0.6, -1},
    {"right at 0.61", POSE_RIGHT, 0.61, POSE_RIGHT},
    {"up at 0.6", POSE_UP, 0.6, -1},
    {"up at 0.61", POSE_UP, 0.61, POSE_UP},
    {"down at 0.6", POSE_DOWN, 0.6, -1},
    {"down at 0.61", POSE_DOWN, 0.61, POSE_DOWN},
    {"down at 0.6000001", POSE_DOWN, 0.6000001, POSE_DOWN},
    {"down far away", POSE_DOWN, 2.0, POSE_DOWN},
};

START_TEST(agreement)
{
    float d[POSE_COUNT][DESCRIPTOR_DIM], m[DESCRIPTOR_DIM];
    double dist = -1, t = agree_tab[_i].t;
    int odd = agree_tab[_i].odd, got;

    for (int p = 0; p < POSE_COUNT; p++) {
        for (int k = 0; k < DESCRIPTOR_DIM; k++)
            d[p][k] = (float)(((k * 7) % 19 - 9) / 64.0);
        ck_assert(d[p][4] == 0.0f);
        if (odd >= 0)
            d[p][4] = p == odd ? 4 * (float)(t / 4) : -(float)(t / 4);
    }
    capture_mean(d, m);
    got = capture_disagreeing(d, m, &dist);
    ck_assert_msg(got == agree_tab[_i].want, "%s: pose %d named (distance %.9g)", agree_tab[_i].name,
                  got, dist);
    ck_assert_msg(fabs(dist - t) < 1e-5, "%s: distance %.9g, want %.9g", agree_tab[_i].name, dist, t);
}
END_TEST

START_TEST(first_named)
{
    float d[POSE_COUNT][DESCRIPTOR_DIM], m[DESCRIPTOR_DIM];
    double dist;

    /* left and down both 1.0 from a zero mean: left comes first */
    memset(d, 0, sizeof d);
    d[POSE_LEFT][0] = 1.0f;
    d[POSE_DOWN][0] = -1.0f;
    capture_mean(d, m);
    ck_assert_int_eq(capture_disagreeing(d, m, &dist), POSE_LEFT);
    ck_assert_double_eq_tol(dist, 1.0, 1e-9);
}
END_TEST

UNIT_SUITE(suite_capture_rules)
{
    Suite *s = suite_create("capture_rules");
    TCase *tc;

    tc = tcase_create("poses");
    tcase_add_test(tc, names);
    tcase_add_loop_test(tc, pose_sets, 0, NELEM(set_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("descriptors");
    tcase_add_test(tc, mean);
    tcase_add_loop_test(tc, agreement, 0, NELEM(agree_tab));
    tcase_add_test(tc, first_named);
    suite_add_tcase(s, tc);

    return s;
}
