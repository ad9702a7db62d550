/* test_acl_rules.c — handlers/devices/acl_rules.h: the tier names, the
 * route check of every (tier, scope) pair as the ACL table documents it
 * (docs/iot.md "ACL tiers"), that every route scope of the route table
 * has its row and every HTTP row a route, and that each route a device
 * may call names a scope. */
#include <string.h>

#include "app.h"
#include "app/access.h"
#include "devices/acl_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    const char *name;
    int tier;                  /* 0: refused */
} name_tab[] = {
    {"camera", TIER_CAMERA}, {"display", TIER_DISPLAY}, {"gateway", TIER_GATEWAY},
    {"service", 0}, {"Camera", 0}, {"", 0}, {"camera ", 0}, {"1", 0}, {NULL, 0},
};

START_TEST(names)
{
    int t = device_tier_parse(name_tab[_i].name);
    ck_assert_int_eq(t, name_tab[_i].tier);
    if (t != 0)
        ck_assert_str_eq(device_tier_name(t), name_tab[_i].name);
}
END_TEST

START_TEST(names_listed)
{
    /* DEVICE_TIER_NAMES (the route table's choices) in tier order */
    const char *const *n = DEVICE_TIER_NAMES;
    int i = 0;
    for (; n[i] != NULL; i++)
        ck_assert_int_eq(device_tier_parse(n[i]), TIER_CAMERA + i);
    ck_assert_int_eq(i, TIER_GATEWAY);
    ck_assert_str_eq(device_tier_name(0), "");
    ck_assert_str_eq(device_tier_name(TIER_SERVICE), "");
    ck_assert_str_eq(acl_action_name(ACL_READ), "read");
    ck_assert_str_eq(acl_action_name(ACL_WRITE), "write");
    ck_assert_str_eq(acl_action_name(ACL_READWRITE), "readwrite");
    ck_assert_str_eq(acl_action_name(0), "");
}
END_TEST

/* the documented matrix: tier x scope -> allowed */
static const struct {
    int tier;
    const char *scope;
    int allow;
} route_tab[] = {
    {TIER_CAMERA, "sync", 1},        {TIER_CAMERA, "events", 1},       {TIER_CAMERA, "heartbeat", 1},
    {TIER_CAMERA, "config", 1},      {TIER_CAMERA, "action_ack", 1},   {TIER_CAMERA, "certificate", 1},
    {TIER_DISPLAY, "sync", 0},       {TIER_DISPLAY, "events", 0},      {TIER_DISPLAY, "heartbeat", 1},
    {TIER_DISPLAY, "config", 1},     {TIER_DISPLAY, "action_ack", 1},  {TIER_DISPLAY, "certificate", 1},
    {TIER_GATEWAY, "sync", 0},       {TIER_GATEWAY, "events", 0},      {TIER_GATEWAY, "heartbeat", 1},
    {TIER_GATEWAY, "config", 1},     {TIER_GATEWAY, "action_ack", 1},  {TIER_GATEWAY, "certificate", 1},
    {TIER_SERVICE, "sync", 0},       {TIER_SERVICE, "heartbeat", 0},
    {0, "heartbeat", 0},             {-1, "heartbeat", 0},             {TIER_END, "heartbeat", 0},
    {99, "sync", 0},
    {TIER_CAMERA, "nothing", 0},     {TIER_CAMERA, "", 0},             {TIER_CAMERA, NULL, 0},
    {TIER_CAMERA, "#", 0},           /* an MQTT row's what is no route scope */
};

START_TEST(routes)
{
    ck_assert_int_eq(acl_route_allows(route_tab[_i].tier, route_tab[_i].scope), route_tab[_i].allow);
}
END_TEST

/* the route table and the ACL table name the same scopes, and every route
 * a device may call has one (so a new device route cannot skip the tier) */
START_TEST(route_table_scopes)
{
    for (int i = 0; i < app_nroutes; i++) {
        const struct route *r = &app_routes[i];
        if (r->scope != NULL)
            ck_assert_msg(acl_route_rule(r->scope) != NULL, "%s: scope %s has no ACL row", r->name, r->scope);
        if (r->access & A_DEVICE)
            ck_assert_msg(r->scope != NULL, "%s: a device route without a scope", r->name);
    }
    for (int k = 0; k < acl_nrules; k++) {
        if (acl_rules[k].via != ACL_HTTP)
            continue;
        int used = 0;
        for (int i = 0; i < app_nroutes; i++)
            used += app_routes[i].scope != NULL && strcmp(app_routes[i].scope, acl_rules[k].what) == 0;
        ck_assert_msg(used > 0, "ACL row %s: no route has that scope", acl_rules[k].what);
    }
}
END_TEST

/* no device tier may write outside its own subtree, nor a display write at all */
START_TEST(mqtt_rows)
{
    for (int k = 0; k < acl_nrules; k++) {
        const struct acl_rule *r = &acl_rules[k];
        if (r->via != ACL_MQTT)
            continue;
        for (int t = TIER_CAMERA; t <= TIER_GATEWAY; t++)
            if (acl_allows(r, t) && (r->action & ACL_WRITE))
                ck_assert_msg(r->place == ACL_OWN && t != TIER_DISPLAY, "row %d tier %d", k, t);
        ck_assert(!acl_allows(r, 0));
        ck_assert(!acl_allows(r, TIER_END));
    }
    ck_assert(!acl_allows(NULL, TIER_CAMERA));
}
END_TEST

UNIT_SUITE(suite_acl_rules)
{
    Suite *s = suite_create("acl_rules");
    TCase *tc = tcase_create("tiers");
    tcase_add_loop_test(tc, names, 0, NELEM(name_tab));
    tcase_add_test(tc, names_listed);
    tcase_add_loop_test(tc, routes, 0, NELEM(route_tab));
    tcase_add_test(tc, route_table_scopes);
    tcase_add_test(tc, mqtt_rows);
    suite_add_tcase(s, tc);
    return s;
}
