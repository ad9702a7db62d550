/* test_access_rules.c — handlers/app/access_rules.c: the grants of each
 * kind of caller (and role), checked through the runtime's access_allows
 * against the access sets routes name; and the role names. */
#include <string.h>

#include "app/access.h"
#include "router.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    unsigned access;
    enum caller_kind kind;
    int role;
    int allowed;
} access_vec[] = {
    /* public routes admit everyone, with or without credentials */
    { A_PUBLIC, CALLER_NONE, 0, 1 },
    { A_PUBLIC, CALLER_USER, ROLE_STAFF, 1 },
    { A_PUBLIC, CALLER_KIOSK, 0, 1 },
    { A_PUBLIC, CALLER_SYSADMIN, 0, 1 },
    /* nothing else admits an anonymous caller */
    { A_SYSADMIN, CALLER_NONE, 0, 0 },
    { A_USERS, CALLER_NONE, 0, 0 },
    { A_KIOSK, CALLER_NONE, 0, 0 },
    { A_DEVICE, CALLER_NONE, 0, 0 },
    { A_SYSADMIN | A_USERS | A_KIOSK | A_DEVICE, CALLER_NONE, 0, 0 },
    /* the system administrator */
    { A_SYSADMIN, CALLER_SYSADMIN, 0, 1 },
    { A_SYSADMIN | A_ADMIN, CALLER_SYSADMIN, 0, 1 },
    /* users, by role */
    { A_STAFF, CALLER_USER, ROLE_STAFF, 1 },
    { A_MANAGER, CALLER_USER, ROLE_STAFF, 0 },
    { A_MANAGER | A_ADMIN, CALLER_USER, ROLE_MANAGER, 1 },
    { A_MANAGER | A_ADMIN, CALLER_USER, ROLE_ADMIN, 1 },
    { A_MANAGER | A_ADMIN, CALLER_USER, ROLE_HR, 0 },
    { A_MANAGER | A_ADMIN, CALLER_USER, ROLE_STAFF, 0 },
    { A_HR, CALLER_USER, ROLE_HR, 1 },
    { A_HR, CALLER_USER, ROLE_MANAGER, 0 },
    { A_ADMIN, CALLER_USER, ROLE_ADMIN, 1 },
    { A_ADMIN, CALLER_USER, ROLE_MANAGER, 0 },
    { A_USERS, CALLER_USER, ROLE_STAFF, 1 },
    { A_USERS, CALLER_USER, ROLE_MANAGER, 1 },
    { A_USERS, CALLER_USER, ROLE_HR, 1 },
    { A_USERS, CALLER_USER, ROLE_ADMIN, 1 },
    { A_USERS, CALLER_USER, 0, 0 },                 /* a user without a role */
    { A_SYSADMIN, CALLER_USER, ROLE_ADMIN, 0 },     /* hotel admin is not sysadmin */
    { A_KIOSK, CALLER_USER, ROLE_ADMIN, 0 },
    { A_DEVICE, CALLER_USER, ROLE_ADMIN, 0 },
    /* kiosks and devices only where declared */
    { A_KIOSK, CALLER_KIOSK, 0, 1 },
    { A_KIOSK | A_USERS, CALLER_KIOSK, 0, 1 },
    { A_USERS, CALLER_KIOSK, 0, 0 },
    { A_DEVICE, CALLER_KIOSK, 0, 0 },
    { A_SYSADMIN, CALLER_KIOSK, 0, 0 },
    { A_DEVICE, CALLER_DEVICE, 0, 1 },
    { A_KIOSK, CALLER_DEVICE, 0, 0 },
    { A_USERS, CALLER_DEVICE, 0, 0 },
    { 0, CALLER_SYSADMIN, 0, 0 },                   /* an empty set admits no one */
    { 0, CALLER_USER, ROLE_ADMIN, 0 },
};

START_TEST(access_table)
{
    struct caller c;

    memset(&c, 0, sizeof c);
    c.grants = access_grants(access_vec[_i].kind, access_vec[_i].role);
    ck_assert_msg((access_allows(access_vec[_i].access, &c) != 0) == access_vec[_i].allowed,
                  "access 0x%x, caller kind %d role %d: want %d", access_vec[_i].access,
                  (int)access_vec[_i].kind, access_vec[_i].role, access_vec[_i].allowed);
}
END_TEST

/* the grants lie within the application's bits: no route flag, not public */
START_TEST(grants_are_app_bits)
{
    for (int kind = CALLER_NONE; kind <= CALLER_DEVICE; kind++)
        for (int role = 0; role <= 16; role++)
            ck_assert_uint_eq(access_grants((enum caller_kind)kind, role) & ~(unsigned)A_APP_BITS, 0);
}
END_TEST

static const struct {
    const char *name;
    int role;
} role_vec[] = {
    { "staff", ROLE_STAFF },
    { "manager", ROLE_MANAGER },
    { "hr", ROLE_HR },
    { "admin", ROLE_ADMIN },
};

START_TEST(role_names)
{
    ck_assert_int_eq(role_from_name(role_vec[_i].name), role_vec[_i].role);
    ck_assert_str_eq(role_name(role_vec[_i].role), role_vec[_i].name);
}
END_TEST

START_TEST(role_names_unknown)
{
    ck_assert_int_eq(role_from_name(""), 0);
    ck_assert_int_eq(role_from_name("Admin"), 0);
    ck_assert_int_eq(role_from_name("sysadmin"), 0);
    ck_assert_int_eq(role_from_name("staff "), 0);
    ck_assert_str_eq(role_name(0), "");
    ck_assert_str_eq(role_name(ROLE_STAFF | ROLE_ADMIN), "");
    ck_assert_str_eq(role_name(16), "");
}
END_TEST

UNIT_SUITE(suite_access_rules)
{
    Suite *s = suite_create("access_rules");
    TCase *tc = tcase_create("access");

    tcase_add_loop_test(tc, access_table, 0, NELEM(access_vec));
    tcase_add_test(tc, grants_are_app_bits);
    tcase_add_loop_test(tc, role_names, 0, NELEM(role_vec));
    tcase_add_test(tc, role_names_unknown);
    suite_add_tcase(s, tc);
    return s;
}
