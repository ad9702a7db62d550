/* test_sync_rules.c — handlers/devices/sync_rules.h against docs/iot.md: the kind
 * of sync answer for since_version on both sides of the kept history
 * (sync_floor) and of the hotel's version, with and without a model (same,
 * different, empty); the versions reported and recorded; when the device
 * row is written (version moved, heartbeat on both sides of
 * SYNC_MARK_SECONDS); a push target's error in the documented order;
 * new_status and message of a push. */
#include <string.h>
#include "devices/sync_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- sync_decide ---------------------------------------------------------- */

static const struct {
    const char *name;
    long long since, floor, current;
    const char *model, *device_model;
    enum sync_kind kind;
    long long store;          /* expected store_version */
} sync_tab[] = {
    {"fresh hotel, full", 0, 0, 0, NULL, "face-api.js", SYNC_FULL, 0},
    {"full sync", 0, 0, 848, NULL, "face-api.js", SYNC_FULL, 848},
    {"full sync behind a trimmed history is still a full sync", 0, 500, 848, NULL, "face-api.js",
     SYNC_FULL, 848},
    {"full sync, same model", 0, 0, 848, "face-api.js", "face-api.js", SYNC_FULL, 848},
    {"full sync, other model", 0, 0, 848, "ArcFace", "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"model compared exactly", 0, 0, 848, "Face-API.js", "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"empty model is no model", 847, 0, 848, "", "face-api.js", SYNC_INCREMENTAL, 848},
    {"incremental", 847, 0, 848, NULL, "face-api.js", SYNC_INCREMENTAL, 848},
    {"incremental, same model", 1, 0, 848, "face-api.js", "face-api.js", SYNC_INCREMENTAL, 848},
    {"incremental, other model", 847, 0, 848, "ArcFace", "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"up to date", 848, 0, 848, NULL, "face-api.js", SYNC_UP_TO_DATE, 848},
    {"up to date, other model", 848, 0, 848, "ArcFace", "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"ahead of the hotel", 849, 0, 848, NULL, "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"far ahead", 1000000, 0, 5, NULL, "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"one below the floor", 499, 500, 848, NULL, "face-api.js", SYNC_REQUIRE_FULL, -1},
    {"at the floor", 500, 500, 848, NULL, "face-api.js", SYNC_INCREMENTAL, 848},
    {"just above the floor", 501, 500, 848, NULL, "face-api.js", SYNC_INCREMENTAL, 848},
    {"floor at the current version, up to date", 848, 848, 848, NULL, "face-api.js",
     SYNC_UP_TO_DATE, 848},
    {"floor at the current version, behind", 847, 848, 848, NULL, "face-api.js",
     SYNC_REQUIRE_FULL, -1},
    {"device without a model, model asked", 848, 0, 848, "face-api.js", NULL, SYNC_REQUIRE_FULL, -1},
    {"device without a model, none asked", 848, 0, 848, NULL, NULL, SYNC_UP_TO_DATE, 848},
};

START_TEST(sync_kinds)
{
    struct sync_state s = {sync_tab[_i].current, sync_tab[_i].floor, sync_tab[_i].device_model};
    struct sync_plan p;

    memset(&p, 0x5a, sizeof p);
    sync_decide(sync_tab[_i].since, sync_tab[_i].model, &s, &p);
    ck_assert_msg(p.kind == sync_tab[_i].kind, "%s: kind %d, want %d", sync_tab[_i].name, p.kind,
                  sync_tab[_i].kind);
    ck_assert_msg(p.report_version == sync_tab[_i].current, "%s: reports %lld", sync_tab[_i].name,
                  p.report_version);
    ck_assert_msg(p.store_version == sync_tab[_i].store, "%s: stores %lld, want %lld",
                  sync_tab[_i].name, p.store_version, sync_tab[_i].store);
}
END_TEST

/* ---- sync_should_mark ------------------------------------------------------ */

static const struct {
    const char *name;
    long long store, stored;  /* plan's store_version, devices.sync_version */
    int has_heartbeat;
    double age;
    int mark;
} mark_tab[] = {
    {"version moves", 848, 847, 1, 0.5, 1},
    {"first sync", 848, 0, 0, 0, 1},
    {"same version, fresh heartbeat", 848, 848, 1, 0.5, 0},
    {"same version, heartbeat just under the interval", 848, 848, 1, 9.999, 0},
    {"same version, heartbeat at the interval", 848, 848, 1, 10.0, 1},
    {"same version, old heartbeat", 848, 848, 1, 300, 1},
    {"same version, no heartbeat", 848, 848, 0, 0, 1},
    {"same version, heartbeat in the future", 848, 848, 1, -5, 0},
    {"full sync required, fresh heartbeat", -1, 800, 1, 1, 0},
    {"full sync required, old heartbeat", -1, 800, 1, 11, 1},
    {"full sync required, no heartbeat", -1, 0, 0, 0, 1},
    {"version moves back (database restored)", 5, 848, 1, 0, 1},
};

START_TEST(marks)
{
    struct sync_plan p = {SYNC_UP_TO_DATE, 848, mark_tab[_i].store};
    ck_assert_msg(sync_should_mark(&p, mark_tab[_i].stored, mark_tab[_i].has_heartbeat, mark_tab[_i].age) ==
                      mark_tab[_i].mark,
                  "%s", mark_tab[_i].name);
}
END_TEST

/* ---- push targets ----------------------------------------------------------- */

static const struct {
    struct push_target t;
    const char *error;        /* NULL: success */
} target_tab[] = {
    {{1, 1, DEVICE_ONLINE, 1}, NULL},
    {{0, 0, DEVICE_PROVISIONING, 1}, "Device not found"},
    {{0, 1, DEVICE_ONLINE, 1}, "Device not found"},
    {{0, 1, DEVICE_ONLINE, 0}, "Device not found"},
    {{1, 0, DEVICE_ONLINE, 1}, "Device does not support face recognition"},
    {{1, 0, DEVICE_PROVISIONING, 1}, "Device does not support face recognition"},
    {{1, 0, DEVICE_ONLINE, 0}, "Device does not support face recognition"},
    {{1, 1, DEVICE_ONLINE, 0}, "Device's tier holds no profiles"},
    {{1, 1, DEVICE_PROVISIONING, 0}, "Device's tier holds no profiles"},
    {{1, 1, DEVICE_OFFLINE, 0}, "Device's tier holds no profiles"},
    {{1, 1, DEVICE_PROVISIONING, 1}, "Device not provisioned"},
    {{1, 1, DEVICE_OFFLINE, 1}, "Device offline"},
};

START_TEST(target_errors)
{
    const char *got = push_target_error(&target_tab[_i].t);
    const char *want = target_tab[_i].error;
    if (want == NULL)
        ck_assert_ptr_null(got);
    else
        ck_assert_str_eq(got, want);
}
END_TEST

/* ---- new_status and message ------------------------------------------------- */

static const struct {
    int targeted, failed;
    const char *status, *message;
} outcome_tab[] = {
    {0, 0, "pending", "No devices to push to"},
    {1, 0, "enrolled", "Profile pushed to 1 device"},
    {2, 0, "enrolled", "Profile pushed to 2 devices"},
    {3, 1, "pending", "Profile push partially failed"},
    {3, 2, "pending", "Profile push partially failed"},
    {3, 3, "pending", "Profile push failed"},
    {1, 1, "pending", "Profile push failed"},
};

START_TEST(outcomes)
{
    char msg[64];

    ck_assert_str_eq(push_new_status(outcome_tab[_i].targeted, outcome_tab[_i].failed),
                     outcome_tab[_i].status);
    push_message(outcome_tab[_i].targeted, outcome_tab[_i].failed, msg, sizeof msg);
    ck_assert_str_eq(msg, outcome_tab[_i].message);
}
END_TEST

START_TEST(message_truncates)
{
    char msg[8];

    push_message(12, 0, msg, sizeof msg);
    ck_assert_str_eq(msg, "Profile");
}
END_TEST

UNIT_SUITE(suite_sync_rules)
{
    Suite *s = suite_create("sync_rules");
    TCase *tc = tcase_create("sync");
    tcase_add_loop_test(tc, sync_kinds, 0, NELEM(sync_tab));
    tcase_add_loop_test(tc, marks, 0, NELEM(mark_tab));
    suite_add_tcase(s, tc);
    tc = tcase_create("push");
    tcase_add_loop_test(tc, target_errors, 0, NELEM(target_tab));
    tcase_add_loop_test(tc, outcomes, 0, NELEM(outcome_tab));
    tcase_add_test(tc, message_truncates);
    suite_add_tcase(s, tc);
    return s;
}
