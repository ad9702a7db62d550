/* test_staff_rules.c — handlers/people/staff_rules.h: a staff member's
 * display name with and without a last name, as SQL_STAFF_NAME writes it. */
#include <string.h>
#include "people/staff_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct pool *tp;
static void setup(void) { tp = pool_new(); }
static void teardown(void) { pool_free(tp); }

static const struct {
    const char *first, *last, *want;
} name_tab[] = {
    {"John", "Doe", "John Doe"},
    {"John", "", "John"},
    {"John", NULL, "John"},
    {"", "Doe", " Doe"},              /* as SQL_STAFF_NAME: first || ' ' || last */
    {NULL, "Doe", " Doe"},
    {NULL, NULL, ""},
    {"Anne-Marie", "van der Berg", "Anne-Marie van der Berg"},
    {"Zoë", "Ørsted", "Zoë Ørsted"},
    {"A", " ", "A  "},                /* a blank last name is still a last name */
};

START_TEST(display_name)
{
    const char *got = staff_display_name(tp, name_tab[_i].first, name_tab[_i].last);
    ck_assert_str_eq(got, name_tab[_i].want);
    /* a copy of the pool's, never the caller's string */
    ck_assert_ptr_ne(got, name_tab[_i].first);
}
END_TEST

UNIT_SUITE(suite_staff_rules)
{
    Suite *s = suite_create("staff_rules");
    TCase *tc = tcase_create("display_name");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, display_name, 0, NELEM(name_tab));
    suite_add_tcase(s, tc);
    return s;
}
