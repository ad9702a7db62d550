/* test_config.c — fcgi/config.h: the scrypt cost of new hashes, OWASP's
 * 2^17 unless FACECLOCK_SCRYPT_LOG_N says otherwise (the tests' stack sets
 * 14), and its range. g_config and the variable are restored after each. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct config saved;
static char *saved_env, *saved_file;

static char *dup_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? strdup(v) : NULL;
}

static void restore_env(const char *name, char *v)
{
    if (v != NULL)
        setenv(name, v, 1);
    else
        unsetenv(name);
    free(v);
}

static void setup(void)
{
    saved = g_config;
    saved_env = dup_env("FACECLOCK_SCRYPT_LOG_N");
    saved_file = dup_env("FACECLOCK_CONFIG");
    unsetenv("FACECLOCK_CONFIG");
}

static void teardown(void)
{
    restore_env("FACECLOCK_SCRYPT_LOG_N", saved_env);
    restore_env("FACECLOCK_CONFIG", saved_file);
    g_config = saved;
}

static const struct {
    const char *value;           /* NULL: unset */
    int rc, log_n;               /* log_n checked when rc is 0 */
} cost_tab[] = {
    {NULL, 0, 17},               /* OWASP: N = 2^17, r = 8, p = 1 */
    {"", 0, 17},
    {"14", 0, 14},
    {"10", 0, 10},
    {"20", 0, 20},
    {"9", -1, 0},
    {"21", -1, 0},
    {"seventeen", -1, 0},
};

START_TEST(scrypt_cost)
{
    if (cost_tab[_i].value != NULL)
        setenv("FACECLOCK_SCRYPT_LOG_N", cost_tab[_i].value, 1);
    else
        unsetenv("FACECLOCK_SCRYPT_LOG_N");
    ck_assert_int_eq(config_load(), cost_tab[_i].rc);
    if (cost_tab[_i].rc == 0)
        ck_assert_int_eq(g_config.scrypt_log_n, cost_tab[_i].log_n);
}
END_TEST

UNIT_SUITE(suite_config)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("scrypt cost");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, scrypt_cost, 0, NELEM(cost_tab));
    suite_add_tcase(s, tc);
    return s;
}
