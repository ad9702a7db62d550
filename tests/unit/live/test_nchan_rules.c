/* test_nchan_rules.c — handlers/live/nchan_rules.h: the subscribers line
 * of nchan's status page found and refused (a table: the real text, line
 * ends, spacing, missing, doubled, non-numbers, overlong numbers, a cut
 * text). */
#include <string.h>
#include "live/nchan_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define STUB(subs) \
    "total published messages: 1889\n" \
    "stored messages: 1249\n" \
    "shared memory used: 16K\n" \
    "shared memory limit: 131072K\n" \
    "channels: 4\n" \
    subs \
    "redis pending commands: 0\n" \
    "nchan version: 1.3.6\n"

static const struct {
    const char *text;
    int ok;
    long long n;
} subs_tab[] = {
    {STUB("subscribers: 6\n"), 1, 6},
    {STUB("subscribers: 0\n"), 1, 0},
    {STUB("subscribers:12\n"), 1, 12},
    {STUB("subscribers:    123456789012345678\n"), 1, 123456789012345678LL},
    {"subscribers: 2", 1, 2},                                 /* no line end */
    {"channels: 1\r\nsubscribers: 3\r\n", 1, 3},              /* CRLF */
    {"total subscribers: 9\nsubscribers: 1\n", 1, 1},         /* only the line that starts with it */
    {STUB(""), 0, 0},                                         /* no subscribers line */
    {"", 0, 0},
    {"\n\n", 0, 0},
    {STUB("subscribers: \n"), 0, 0},
    {STUB("subscribers: -1\n"), 0, 0},
    {STUB("subscribers: 6 \n"), 0, 0},                        /* trailing space */
    {STUB("subscribers: 6x\n"), 0, 0},
    {STUB("subscribers: 1234567890123456789\n"), 0, 0},       /* 19 digits */
    {STUB("subscribers: 1\nsubscribers: 2\n"), 0, 0},         /* twice */
    {"Subscribers: 6\n", 0, 0},
    {"subscribers 6\n", 0, 0},
    {"<html>404</html>", 0, 0},
};

START_TEST(subscribers)
{
    long long n = -42;
    const char *t = subs_tab[_i].text;
    int rc = nchan_subscribers_parse(t, strlen(t), &n);
    ck_assert_msg(rc == (subs_tab[_i].ok ? 0 : -1), "%s", t);
    if (subs_tab[_i].ok)
        ck_assert_int_eq(n, subs_tab[_i].n);
    else
        ck_assert_int_eq(n, -42);
}
END_TEST

/* the length bounds the text: a NUL-free buffer cut before the digits */
START_TEST(bounded_by_len)
{
    static const char t[] = "subscribers: 75";
    long long n = 0;
    ck_assert_int_eq(nchan_subscribers_parse(t, sizeof t - 2, &n), 0);
    ck_assert_int_eq(n, 7);
    ck_assert_int_eq(nchan_subscribers_parse(t, 13, &n), -1);
    ck_assert_int_eq(nchan_subscribers_parse(t, 0, &n), -1);
}
END_TEST

UNIT_SUITE(suite_nchan_rules)
{
    Suite *s = suite_create("nchan_rules");
    TCase *tc = tcase_create("status page");
    tcase_add_loop_test(tc, subscribers, 0, NELEM(subs_tab));
    tcase_add_test(tc, bounded_by_len);
    suite_add_tcase(s, tc);
    return s;
}
