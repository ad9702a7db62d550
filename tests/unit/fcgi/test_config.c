/* test_config.c — fcgi/config.h: the scrypt cost of new hashes, OWASP's
 * 2^17 unless FACECLOCK_SCRYPT_LOG_N says otherwise (the tests' stack sets
 * 14), and its range; the notifier's settings (SMTP relay URL, STARTTLS,
 * allow-private, interval, back-off scale): defaults, values and refusals.
 * g_config and the variables are restored after each. */
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

/* the value config_load made of the setting name */
static long notify_value(const char *name)
{
    if (strcmp(name, "FACECLOCK_SMTP_STARTTLS") == 0)
        return g_config.smtp_starttls;
    if (strcmp(name, "FACECLOCK_NOTIFY_ALLOW_PRIVATE") == 0)
        return g_config.notify_allow_private;
    if (strcmp(name, "FACECLOCK_NOTIFY_INTERVAL") == 0)
        return g_config.notify_interval;
    if (strcmp(name, "FACECLOCK_NOTIFY_BACKOFF_SCALE") == 0)
        return g_config.notify_backoff_scale;
    return (long)strlen(g_config.smtp_url);     /* FACECLOCK_SMTP_URL: its length */
}

static const struct {
    const char *name, *value;    /* value NULL: unset */
    int rc;
    long want;                   /* when rc is 0 */
} notify_tab[] = {
    {"FACECLOCK_SMTP_STARTTLS", NULL, 0, 1},
    {"FACECLOCK_SMTP_STARTTLS", "0", 0, 0},
    {"FACECLOCK_SMTP_STARTTLS", "2", 0, 2},
    {"FACECLOCK_SMTP_STARTTLS", "3", -1, 0},
    {"FACECLOCK_NOTIFY_ALLOW_PRIVATE", NULL, 0, 0},
    {"FACECLOCK_NOTIFY_ALLOW_PRIVATE", "1", 0, 1},
    {"FACECLOCK_NOTIFY_ALLOW_PRIVATE", "yes", -1, 0},
    {"FACECLOCK_NOTIFY_INTERVAL", NULL, 0, 5},
    {"FACECLOCK_NOTIFY_INTERVAL", "1", 0, 1},
    {"FACECLOCK_NOTIFY_INTERVAL", "0", 0, 0},
    {"FACECLOCK_NOTIFY_INTERVAL", "-1", -1, 0},
    {"FACECLOCK_NOTIFY_INTERVAL", "301", -1, 0},
    {"FACECLOCK_NOTIFY_BACKOFF_SCALE", NULL, 0, 100},
    {"FACECLOCK_NOTIFY_BACKOFF_SCALE", "1", 0, 1},
    {"FACECLOCK_NOTIFY_BACKOFF_SCALE", "101", -1, 0},
    {"FACECLOCK_SMTP_URL", NULL, 0, 0},
    {"FACECLOCK_SMTP_URL", "smtp://relay.example:587", 0, 24},
    {"FACECLOCK_SMTP_URL", "smtps://relay.example:465", 0, 25},
    {"FACECLOCK_SMTP_URL", "http://relay.example/", -1, 0},
    {"FACECLOCK_SMTP_URL", "relay.example:25", -1, 0},
};

START_TEST(notify_settings)
{
    const char *name = notify_tab[_i].name;
    char *before = dup_env(name);
    if (notify_tab[_i].value != NULL)
        setenv(name, notify_tab[_i].value, 1);
    else
        unsetenv(name);
    int rc = config_load();
    long got = notify_value(name);
    restore_env(name, before);
    ck_assert_msg(rc == notify_tab[_i].rc, "%s=%s: rc %d", name, notify_tab[_i].value, rc);
    if (rc == 0)
        ck_assert_int_eq(got, notify_tab[_i].want);
}
END_TEST

UNIT_SUITE(suite_config)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("scrypt cost");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, scrypt_cost, 0, NELEM(cost_tab));
    suite_add_tcase(s, tc);
    TCase *tn = tcase_create("notify settings");
    tcase_add_checked_fixture(tn, setup, teardown);
    tcase_add_loop_test(tn, notify_settings, 0, NELEM(notify_tab));
    suite_add_tcase(s, tn);
    return s;
}
