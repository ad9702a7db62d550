/* test_lifecycle_rules.c — handlers/devices/lifecycle_rules.h against
 * docs/iot.md "Lifecycle": every (state, action) pair of the table with
 * where it leads or that it is refused (or gone), the names both ways,
 * the audit actions, and the admin actions each state offers. */
#include <string.h>

#include "devices/lifecycle_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define R (-1)          /* refused: 409 INVALID_TRANSITION */
#define G (-2)          /* gone: 404 */

/* want[from][action], in the enums' order:
 * ALLOCATE TOKEN PROVISION HEARTBEAT FAULT CLEAR_ERROR DISABLE ENABLE DECOMMISSION */
static const int want[LC_COUNT][LA_COUNT] = {
    [LC_UNALLOCATED]    = {LC_ALLOCATED, R, R, R, R, R, R, R, LC_DECOMMISSIONED},
    [LC_ALLOCATED]      = {LC_ALLOCATED, LC_PROVISIONING, R, R, R, R, LC_DISABLED, R, LC_DECOMMISSIONED},
    [LC_PROVISIONING]   = {R, LC_PROVISIONING, LC_PROVISIONED, R, R, R, LC_DISABLED, R, LC_DECOMMISSIONED},
    [LC_PROVISIONED]    = {R, LC_PROVISIONED, LC_PROVISIONED, LC_ACTIVE, LC_ERROR, R, LC_DISABLED, R,
                           LC_DECOMMISSIONED},
    [LC_ACTIVE]         = {R, LC_ACTIVE, LC_PROVISIONED, LC_ACTIVE, LC_ERROR, R, LC_DISABLED, R, LC_DECOMMISSIONED},
    [LC_ERROR]          = {R, LC_ERROR, LC_PROVISIONED, LC_ACTIVE, LC_ERROR, LC_ACTIVE, LC_DISABLED, R,
                           LC_DECOMMISSIONED},
    [LC_DISABLED]       = {R, R, R, R, R, R, R, LC_ALLOCATED, LC_DECOMMISSIONED},
    [LC_DECOMMISSIONED] = {G, G, G, G, G, G, G, G, G},
};

START_TEST(transition_table)
{
    enum lifecycle from = (enum lifecycle)(_i / LA_COUNT), to = LC_COUNT;
    enum lc_action a = (enum lc_action)(_i % LA_COUNT);
    int w = want[from][a];
    enum lc_verdict v = lifecycle_next(from, a, &to);

    if (w == R)
        ck_assert_msg(v == LC_REFUSED, "%s + %s: refused, got %d", lifecycle_name(from), lc_action_name(a), v);
    else if (w == G)
        ck_assert_msg(v == LC_GONE, "%s + %s: gone, got %d", lifecycle_name(from), lc_action_name(a), v);
    else
        ck_assert_msg(v == LC_OK && (int)to == w, "%s + %s: %s, got %d %s", lifecycle_name(from),
                      lc_action_name(a), lifecycle_name((enum lifecycle)w), v, v == LC_OK ? lifecycle_name(to) : "");
}
END_TEST

START_TEST(out_of_range)
{
    enum lifecycle to = LC_ACTIVE;
    ck_assert_int_eq(lifecycle_next(LC_COUNT, LA_TOKEN, &to), LC_GONE);
    ck_assert_int_eq(lifecycle_next(LC_ACTIVE, LA_COUNT, &to), LC_GONE);
    ck_assert_int_eq(to, LC_ACTIVE);
    ck_assert_ptr_null(lifecycle_name(LC_COUNT));
    ck_assert_ptr_null(lc_action_name(LA_COUNT));
    ck_assert_ptr_null(lc_action_audit(LA_COUNT));
}
END_TEST

static const struct {
    const char *name;
    int ok;
    enum lifecycle want;
} parse_cases[] = {
    {"UNALLOCATED", 1, LC_UNALLOCATED}, {"ALLOCATED", 1, LC_ALLOCATED}, {"PROVISIONING", 1, LC_PROVISIONING},
    {"PROVISIONED", 1, LC_PROVISIONED}, {"ACTIVE", 1, LC_ACTIVE}, {"ERROR", 1, LC_ERROR},
    {"DISABLED", 1, LC_DISABLED}, {"DECOMMISSIONED", 1, LC_DECOMMISSIONED},
    {"OFFLINE", 1, LC_ACTIVE},          /* an older row's stored connectivity */
    {"active", 0, 0}, {"", 0, 0}, {"DISABLED ", 0, 0}, {NULL, 0, 0},
};

START_TEST(parse_table)
{
    enum lifecycle got = LC_COUNT;
    int rc = lifecycle_parse(parse_cases[_i].name, &got);
    if (!parse_cases[_i].ok) {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(got, LC_COUNT);
        return;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(got, parse_cases[_i].want);
}
END_TEST

START_TEST(names_round_trip)
{
    enum lifecycle got;
    ck_assert_int_eq(lifecycle_parse(lifecycle_name((enum lifecycle)_i), &got), 0);
    ck_assert_int_eq(got, _i);
}
END_TEST

static const struct {
    enum lc_action a;
    const char *name, *audit;
} action_cases[] = {
    {LA_ALLOCATE, "allocate", "device.allocated"},
    {LA_TOKEN, "provisioning-token", "device.token_issued"},
    {LA_PROVISION, "provision", "device.provisioned"},
    {LA_HEARTBEAT, "heartbeat", NULL},
    {LA_FAULT, "fault", NULL},
    {LA_CLEAR_ERROR, "clear-error", "device.error_cleared"},
    {LA_DISABLE, "disable", "device.disabled"},
    {LA_ENABLE, "enable", "device.enabled"},
    {LA_DECOMMISSION, "deactivate", "device.deactivated"},
};

START_TEST(action_names)
{
    ck_assert_str_eq(lc_action_name(action_cases[_i].a), action_cases[_i].name);
    if (action_cases[_i].audit == NULL)
        ck_assert_ptr_null(lc_action_audit(action_cases[_i].a));
    else
        ck_assert_str_eq(lc_action_audit(action_cases[_i].a), action_cases[_i].audit);
}
END_TEST

static const struct {
    enum lifecycle s;
    const char *want;       /* the array, serialized */
} offer_cases[] = {
    {LC_UNALLOCATED, "[ \"allocate\", \"deactivate\" ]"},
    {LC_ALLOCATED, "[ \"allocate\", \"provisioning-token\", \"disable\", \"deactivate\" ]"},
    {LC_PROVISIONING, "[ \"provisioning-token\", \"disable\", \"deactivate\" ]"},
    {LC_PROVISIONED, "[ \"provisioning-token\", \"disable\", \"deactivate\" ]"},
    {LC_ACTIVE, "[ \"provisioning-token\", \"disable\", \"deactivate\" ]"},
    {LC_ERROR, "[ \"provisioning-token\", \"clear-error\", \"disable\", \"deactivate\" ]"},
    {LC_DISABLED, "[ \"enable\", \"deactivate\" ]"},
    {LC_DECOMMISSIONED, "[ ]"},
};

START_TEST(admin_actions)
{
    struct json_object *arr = lifecycle_admin_actions(offer_cases[_i].s);
    ck_assert_str_eq(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_SPACED), offer_cases[_i].want);
    json_object_put(arr);
}
END_TEST

START_TEST(at_registration)
{
    ck_assert_int_eq(lifecycle_at_registration(1, 1), LC_PROVISIONING);
    ck_assert_int_eq(lifecycle_at_registration(1, 0), LC_PROVISIONING);     /* the contract's register */
    ck_assert_int_eq(lifecycle_at_registration(0, 1), LC_ALLOCATED);
    ck_assert_int_eq(lifecycle_at_registration(0, 0), LC_UNALLOCATED);
}
END_TEST

/* the latest acknowledged actions, newest first: 1 failed, 0 done */
static const struct {
    int failed[5], n, fault;
} fault_cases[] = {
    {{0}, 0, 0},
    {{1}, 1, 0},
    {{1, 1}, 2, 0},                 /* fewer than LC_FAILED_ACTIONS: not yet */
    {{1, 1, 1}, 3, 1},
    {{1, 1, 1, 0, 0}, 5, 1},        /* older successes do not matter */
    {{0, 1, 1, 1}, 4, 0},           /* the newest one done: no fault */
    {{1, 0, 1, 1}, 4, 0},
    {{1, 1, 0}, 3, 0},
};

START_TEST(actions_fault)
{
    ck_assert_int_eq(lifecycle_actions_fault(fault_cases[_i].failed, fault_cases[_i].n), fault_cases[_i].fault);
}
END_TEST

UNIT_SUITE(suite_lifecycle_rules)
{
    Suite *s = suite_create("lifecycle_rules");
    TCase *tc = tcase_create("transitions");

    tcase_add_loop_test(tc, transition_table, 0, LC_COUNT * LA_COUNT);
    tcase_add_test(tc, out_of_range);
    tcase_add_test(tc, at_registration);
    tcase_add_loop_test(tc, actions_fault, 0, NELEM(fault_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_loop_test(tc, parse_table, 0, NELEM(parse_cases));
    tcase_add_loop_test(tc, names_round_trip, 0, LC_COUNT);
    tcase_add_loop_test(tc, action_names, 0, NELEM(action_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("admin_actions");
    tcase_add_loop_test(tc, admin_actions, 0, NELEM(offer_cases));
    suite_add_tcase(s, tc);
    return s;
}
