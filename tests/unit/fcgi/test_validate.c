/* test_validate.c — the typed validators of fcgi/validate.h: for each, a
 * table of valid inputs (with the value they parse to) and a table of
 * invalid ones, run with tcase_add_loop_test. And ll_text, parse_long's
 * other way, against a table and against printf's "%lld". */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "validate.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define S10 "abcdefghij"
#define S60 S10 S10 S10 S10 S10 S10
#define D10 "0123456789"

/* ---- valid_slug --------------------------------------------------------- */

static const char *const slug_ok[] = {
    "a", "0", "grand-hotel", "hotel-42", "a-b-c", "9lives", "x1",
    S60 "abc",                          /* 63 characters */
};
static const char *const slug_bad[] = {
    "", "-grand", "grand-", "Grand", "grand_hotel", "grand hotel",
    "grand.hotel", "grand/hotel", "gränd", " grand", "grand\n", "-",
    S60 "abcd",                         /* 64 characters */
    "..", "a%20b",
};

START_TEST(slug_valid) { ck_assert_msg(valid_slug(slug_ok[_i]) == 1, "%s", slug_ok[_i]); }
END_TEST
START_TEST(slug_invalid) { ck_assert_msg(valid_slug(slug_bad[_i]) == 0, "%s", slug_bad[_i]); }
END_TEST
START_TEST(slug_null) { ck_assert_int_eq(valid_slug(NULL), 0); }
END_TEST

/* ---- parse_id ------------------------------------------------------------ */

static const struct { const char *s; long long v; } id_ok[] = {
    { "1", 1 }, { "42", 42 }, { "007", 7 },
    { "9007199254740992", 9007199254740992LL },     /* 2^53 */
    { "1000000", 1000000 },
};
static const char *const id_bad[] = {
    "", "0", "000", "-1", "+1", " 1", "1 ", "1e3", "0x10", "1.0", "12a",
    "9007199254740993",                              /* 2^53 + 1 */
    "9223372036854775807", "9223372036854775808",
    "99999999999999999999", "184467440737095516160", "١",  /* Arabic-Indic 1 */
    "-", "1\t",
};

START_TEST(id_valid)
{
    long long v = -5;

    ck_assert_msg(parse_id(id_ok[_i].s, &v) == 0, "%s", id_ok[_i].s);
    ck_assert_int_eq(v, id_ok[_i].v);
}
END_TEST

START_TEST(id_invalid)
{
    long long v = -5;

    ck_assert_msg(parse_id(id_bad[_i], &v) == -1, "%s", id_bad[_i]);
    ck_assert_int_eq(v, -5);            /* untouched on failure */
}
END_TEST

START_TEST(id_null)
{
    long long v;

    ck_assert_int_eq(parse_id(NULL, &v), -1);
}
END_TEST

/* ---- parse_long ---------------------------------------------------------- */

static const struct { const char *s; long min, max, v; } long_ok[] = {
    { "0", 0, 10, 0 }, { "10", 0, 10, 10 }, { "-0", 0, 0, 0 },
    { "-5", -10, 10, -5 }, { "08", 0, 100, 8 }, { "500", 1, 500, 500 },
    { "9223372036854775807", LONG_MIN, LONG_MAX, LONG_MAX },
    { "-9223372036854775808", LONG_MIN, LONG_MAX, LONG_MIN },
    { "-1", -1, -1, -1 },
};
static const struct { const char *s; long min, max; } long_bad[] = {
    { "", 0, 10 }, { "-", -10, 10 }, { "11", 0, 10 }, { "-1", 0, 10 },
    { "1e3", 0, 100000 }, { "+5", 0, 10 }, { " 5", 0, 10 }, { "5 ", 0, 10 },
    { "5x", 0, 10 }, { "--5", -10, 10 }, { "0x5", 0, 10 }, { "5.0", 0, 10 },
    { "9223372036854775808", LONG_MIN, LONG_MAX },
    { "-9223372036854775809", LONG_MIN, LONG_MAX },
    { "99999999999999999999", LONG_MIN, LONG_MAX },
    { "-99999999999999999999", LONG_MIN, LONG_MAX },
    { "0", 1, 500 }, { "501", 1, 500 },
    { "5", 10, 0 },                     /* empty range */
};

START_TEST(long_valid)
{
    long v = 12345;

    ck_assert_msg(parse_long(long_ok[_i].s, long_ok[_i].min, long_ok[_i].max, &v) == 0,
                  "%s", long_ok[_i].s);
    ck_assert_int_eq(v, long_ok[_i].v);
}
END_TEST

START_TEST(long_invalid)
{
    long v = 12345;

    ck_assert_msg(parse_long(long_bad[_i].s, long_bad[_i].min, long_bad[_i].max, &v) == -1,
                  "%s", long_bad[_i].s);
    ck_assert_int_eq(v, 12345);
}
END_TEST

static const struct { long long v; const char *text; } ll_tab[] = {
    {0, "0"}, {1, "1"}, {-1, "-1"}, {9, "9"}, {10, "10"}, {-10, "-10"}, {201, "201"},
    {1234567890123LL, "1234567890123"}, {LLONG_MAX, "9223372036854775807"},
    {LLONG_MIN, "-9223372036854775808"}, {LLONG_MIN + 1, "-9223372036854775807"},
};

START_TEST(ll_text_table)
{
    char out[LL_TEXT_MAX], want[32];
    long back = 0;

    memset(out, 'x', sizeof out);
    size_t n = ll_text(out, ll_tab[_i].v);
    ck_assert_str_eq(out, ll_tab[_i].text);
    ck_assert_uint_eq(n, strlen(ll_tab[_i].text));
    snprintf(want, sizeof want, "%lld", ll_tab[_i].v);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(parse_long(out, LONG_MIN, LONG_MAX, &back), 0);
    ck_assert(back == ll_tab[_i].v);
}
END_TEST

START_TEST(long_null)
{
    long v;

    ck_assert_int_eq(parse_long(NULL, 0, 10, &v), -1);
}
END_TEST

/* ---- parse_date ---------------------------------------------------------- */

static const struct { const char *s; int y, m, d; } date_ok[] = {
    { "2025-11-30", 2025, 11, 30 }, { "2024-02-29", 2024, 2, 29 },
    { "2000-02-29", 2000, 2, 29 }, { "2023-02-28", 2023, 2, 28 },
    { "1999-12-31", 1999, 12, 31 }, { "0001-01-01", 1, 1, 1 },
    { "9999-12-31", 9999, 12, 31 }, { "2025-04-30", 2025, 4, 30 },
    { "2025-01-31", 2025, 1, 31 },
};
static const char *const date_bad[] = {
    "", "2023-02-29", "1900-02-29", "2100-02-29", "2025-04-31", "2025-06-31",
    "2025-09-31", "2025-11-31", "2025-13-01", "2025-00-10", "2025-01-00",
    "2025-01-32", "0000-01-01", "2025-1-01", "2025-01-1", "25-01-01",
    "2025/01/01", "2025-01-01T00:00:00Z", "2025-01-01 ", " 2025-01-01",
    "20250101", "2025-01-0a", "+025-01-01", "-2025-01-01", "12025-01-01",
    "2025-01--1",
};

START_TEST(date_valid)
{
    int y = 0, m = 0, d = 0;

    ck_assert_msg(parse_date(date_ok[_i].s, &y, &m, &d) == 0, "%s", date_ok[_i].s);
    ck_assert_int_eq(y, date_ok[_i].y);
    ck_assert_int_eq(m, date_ok[_i].m);
    ck_assert_int_eq(d, date_ok[_i].d);
}
END_TEST

START_TEST(date_invalid)
{
    int y = 0, m = 0, d = 0;

    ck_assert_msg(parse_date(date_bad[_i], &y, &m, &d) == -1, "%s", date_bad[_i]);
}
END_TEST

/* ---- parse_time ---------------------------------------------------------- */

static const struct { const char *s; int secs; } time_ok[] = {
    { "00:00:00", 0 }, { "23:59:59", 86399 }, { "08:30:00", 30600 },
    { "12:00:01", 43201 },
};
static const char *const time_bad[] = {
    "", "24:00:00", "23:60:00", "23:59:60", "8:30:00", "08:30", "08:30:00Z",
    "08:30:00.5", "08-30-00", " 08:30:00", "08:30:00 ", "-1:00:00",
    "0a:00:00", "99:99:99", "083000",
};

START_TEST(time_valid)
{
    int secs = -1;

    ck_assert_msg(parse_time(time_ok[_i].s, &secs) == 0, "%s", time_ok[_i].s);
    ck_assert_int_eq(secs, time_ok[_i].secs);
}
END_TEST

START_TEST(time_invalid)
{
    int secs = -1;

    ck_assert_msg(parse_time(time_bad[_i], &secs) == -1, "%s", time_bad[_i]);
    ck_assert_int_eq(secs, -1);
}
END_TEST

/* ---- parse_timestamp ----------------------------------------------------- */

static const struct { const char *s; long long epoch; int usec; } ts_ok[] = {
    { "1970-01-01T00:00:00Z", 0, 0 },
    { "2025-11-30T08:58:00Z", 1764493080, 0 },
    { "2025-11-30t08:58:00z", 1764493080, 0 },
    { "2025-11-30T09:58:00+01:00", 1764493080, 0 },
    { "2025-11-30T03:28:00-05:30", 1764493080, 0 },
    { "2025-11-30T08:58:00-00:00", 1764493080, 0 },
    { "2025-11-30T08:58:00.5Z", 1764493080, 500000 },
    { "2025-11-30T08:58:00.000001Z", 1764493080, 1 },
    { "2025-11-30T08:58:00.123456789Z", 1764493080, 123456 },
    { "2025-11-30T08:58:00.25+00:00", 1764493080, 250000 },
    { "2024-02-29T23:59:59Z", 1709251199, 0 },
    { "2000-03-01T00:00:00Z", 951868800, 0 },
    { "1969-12-31T23:59:59Z", -1, 0 },
    { "1900-03-01T12:00:00Z", -2203848000LL, 0 },
    { "0001-01-01T00:00:00Z", -62135596800LL, 0 },
    { "9999-12-31T23:59:59Z", 253402300799LL, 0 },
    { "2025-01-01T00:30:00+23:59", 1735605060LL, 0 },
};
static const char *const ts_bad[] = {
    "", "2025-11-30", "2025-11-30T08:58:00", "2025-11-30 08:58:00Z",
    "2025-11-30T08:58Z", "2025-11-30T24:00:00Z", "2025-11-30T08:58:60Z",
    "2023-02-29T00:00:00Z", "2025-11-31T00:00:00Z", "2025-11-30T08:58:00.Z",
    "2025-11-30T08:58:00.1234567890Z", "2025-11-30T08:58:00+01",
    "2025-11-30T08:58:00+0100", "2025-11-30T08:58:00+24:00",
    "2025-11-30T08:58:00+01:60", "2025-11-30T08:58:00Z ", " 2025-11-30T08:58:00Z",
    "2025-11-30T08:58:00ZZ", "2025-11-30T08:58:00UTC", "2025-11-30T08:58:00+01:00Z",
    "2025-11-30T08:58:00.5", "2025-11-30T08:58:00,5Z", "2025-11-30T8:58:00Z",
    "2025-11-30X08:58:00Z", "2025-11-30T08:58:00+1:00", "1764493080",
    "2025-11-30T08:58:00.-5Z", "0000-12-31T00:00:00Z", "2025-11-30T",
};

START_TEST(ts_valid)
{
    long long epoch = 42;
    int usec = -1;

    ck_assert_msg(parse_timestamp(ts_ok[_i].s, &epoch, &usec) == 0, "%s", ts_ok[_i].s);
    ck_assert_int_eq(epoch, ts_ok[_i].epoch);
    ck_assert_int_eq(usec, ts_ok[_i].usec);
}
END_TEST

START_TEST(ts_invalid)
{
    long long epoch = 42;
    int usec = -1;

    ck_assert_msg(parse_timestamp(ts_bad[_i], &epoch, &usec) == -1, "%s", ts_bad[_i]);
    ck_assert_int_eq(epoch, 42);
}
END_TEST

START_TEST(ts_null)
{
    long long epoch;
    int usec;

    ck_assert_int_eq(parse_timestamp(NULL, &epoch, &usec), -1);
}
END_TEST

/* ---- valid_text ---------------------------------------------------------- */

static const struct { const char *s; size_t max; } text_ok[] = {
    { "", 0 }, { "", 10 }, { "hello", 5 }, { "tab\there", 100 },
    { "line\r\nbreak\n", 100 },
    { "caf\xc3\xa9", 4 },                          /* é: 2 bytes, 1 char */
    { "\xe2\x82\xac", 1 },                         /* € U+20AC */
    { "\xf0\x9f\x98\x80", 1 },                     /* 😀 U+1F600 */
    { "\xef\xbf\xbd", 1 },                         /* U+FFFD */
    { "\xed\x9f\xbf", 1 },                         /* U+D7FF, below surrogates */
    { "\xee\x80\x80", 1 },                         /* U+E000, above surrogates */
    { "\xf4\x8f\xbf\xbf", 1 },                     /* U+10FFFF */
    { "\xc2\xa0", 1 },                             /* U+00A0 NBSP */
    { "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3 }, /* 日本語 */
    { "M\xc3\xbcller-\xc3\x96zt\xc3\xbcrk", 13 },
};
static const struct { const char *s; size_t max; } text_bad[] = {
    { "hello", 4 }, { "caf\xc3\xa9", 3 }, { "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 1 },
    { "a\x01", 10 }, { "\x1b[31m", 10 }, { "a\x7f", 10 }, { "\x0b", 10 },
    { "\xc2\x80", 10 }, { "\xc2\x9f", 10 },        /* C1 controls */
    { "\xc0\xaf", 10 }, { "\xc1\xbf", 10 },        /* overlong 2-byte */
    { "\xe0\x80\xaf", 10 }, { "\xe0\x9f\xbf", 10 },/* overlong 3-byte */
    { "\xf0\x80\x80\xaf", 10 }, { "\xf0\x8f\xbf\xbf", 10 }, /* overlong 4-byte */
    { "\xc0\x80", 10 },                            /* overlong NUL */
    { "\xed\xa0\x80", 10 }, { "\xed\xbf\xbf", 10 },/* surrogates */
    { "\xed\xa0\xbd\xed\xb8\x80", 10 },            /* CESU-8 pair */
    { "\xf4\x90\x80\x80", 10 }, { "\xf5\x80\x80\x80", 10 }, /* > U+10FFFF */
    { "\xf8\x88\x80\x80\x80", 10 }, { "\xfe", 10 }, { "\xff", 10 },
    { "\x80", 10 }, { "a\xbf", 10 },               /* lone continuation */
    { "\xc3", 10 }, { "caf\xc3", 10 },             /* truncated at the end */
    { "\xe2\x82", 10 }, { "\xf0\x9f\x98", 10 },
    { "\xc3(", 10 }, { "\xe2(\xa1", 10 }, { "\xe2\x82(", 10 },
};

START_TEST(text_valid)
{
    ck_assert_msg(valid_text(text_ok[_i].s, text_ok[_i].max) == 1, "#%d", _i);
}
END_TEST

START_TEST(text_invalid)
{
    ck_assert_msg(valid_text(text_bad[_i].s, text_bad[_i].max) == 0, "#%d", _i);
}
END_TEST

START_TEST(text_null) { ck_assert_int_eq(valid_text(NULL, 10), 0); }
END_TEST

/* ---- valid_username ------------------------------------------------------ */

static const char *const user_ok[] = {
    "a", "alice", "Alice.Smith", "front_desk-2", "hr@grand-hotel.example",
    "0", S60 "abcd",                    /* 64 characters */
};
static const char *const user_bad[] = {
    "", "alice smith", "alice\n", "al/ice", "al:ice", "al'ice", "ali\xc3\xa7" "e",
    "al+ice", "al%ce", S60 "abcde",     /* 65 characters */
    "alice\t", "(alice)",
};

START_TEST(user_valid) { ck_assert_msg(valid_username(user_ok[_i]) == 1, "%s", user_ok[_i]); }
END_TEST
START_TEST(user_invalid) { ck_assert_msg(valid_username(user_bad[_i]) == 0, "%s", user_bad[_i]); }
END_TEST
START_TEST(user_null) { ck_assert_int_eq(valid_username(NULL), 0); }
END_TEST

/* ---- valid_timezone_name ------------------------------------------------- */

static const char *const tz_ok[] = {
    "UTC", "Europe/Paris", "America/New_York", "America/Argentina/Buenos_Aires",
    "Etc/GMT+5", "Etc/GMT-14", "America/Port-au-Prince", "Etc/UTC",
    "Asia/Ho_Chi_Minh", "GMT", "Japan", "EST5EDT", "Europe",
    "America/" S10 S10 S10 S10 S10 "abcdef",       /* 64 characters */
};
static const char *const tz_bad[] = {
    "", "utc ", "Europe/", "/Europe/Paris", "Europe//Paris",
    "Europe/Paris/", "Europe/../etc/passwd", "../etc/passwd", "Europe/..",
    "Europe/Pa ris", "Europe/Paris\n", "Europe/Par.is", "A/B/C/D",
    "Europe\\Paris", "Europe/Paris;DROP", "Europe/P\xc3\xa4ris",
    "America/" S10 S10 S10 S10 S10 "abcdefg",      /* 65 characters */
    "Europe/-Paris", "-Europe/Paris",
};

START_TEST(tz_valid) { ck_assert_msg(valid_timezone_name(tz_ok[_i]) == 1, "%s", tz_ok[_i]); }
END_TEST
START_TEST(tz_invalid) { ck_assert_msg(valid_timezone_name(tz_bad[_i]) == 0, "%s", tz_bad[_i]); }
END_TEST
START_TEST(tz_null) { ck_assert_int_eq(valid_timezone_name(NULL), 0); }
END_TEST

UNIT_SUITE(suite_validate)
{
    Suite *s = suite_create("validate");
    TCase *tc;

    tc = tcase_create("slug");
    tcase_add_loop_test(tc, slug_valid, 0, NELEM(slug_ok));
    tcase_add_loop_test(tc, slug_invalid, 0, NELEM(slug_bad));
    tcase_add_test(tc, slug_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("id");
    tcase_add_loop_test(tc, id_valid, 0, NELEM(id_ok));
    tcase_add_loop_test(tc, id_invalid, 0, NELEM(id_bad));
    tcase_add_test(tc, id_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("long");
    tcase_add_loop_test(tc, long_valid, 0, NELEM(long_ok));
    tcase_add_loop_test(tc, long_invalid, 0, NELEM(long_bad));
    tcase_add_test(tc, long_null);
    tcase_add_loop_test(tc, ll_text_table, 0, NELEM(ll_tab));
    suite_add_tcase(s, tc);

    tc = tcase_create("date");
    tcase_add_loop_test(tc, date_valid, 0, NELEM(date_ok));
    tcase_add_loop_test(tc, date_invalid, 0, NELEM(date_bad));
    suite_add_tcase(s, tc);

    tc = tcase_create("time");
    tcase_add_loop_test(tc, time_valid, 0, NELEM(time_ok));
    tcase_add_loop_test(tc, time_invalid, 0, NELEM(time_bad));
    suite_add_tcase(s, tc);

    tc = tcase_create("timestamp");
    tcase_add_loop_test(tc, ts_valid, 0, NELEM(ts_ok));
    tcase_add_loop_test(tc, ts_invalid, 0, NELEM(ts_bad));
    tcase_add_test(tc, ts_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_loop_test(tc, text_valid, 0, NELEM(text_ok));
    tcase_add_loop_test(tc, text_invalid, 0, NELEM(text_bad));
    tcase_add_test(tc, text_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("username");
    tcase_add_loop_test(tc, user_valid, 0, NELEM(user_ok));
    tcase_add_loop_test(tc, user_invalid, 0, NELEM(user_bad));
    tcase_add_test(tc, user_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("timezone");
    tcase_add_loop_test(tc, tz_valid, 0, NELEM(tz_ok));
    tcase_add_loop_test(tc, tz_invalid, 0, NELEM(tz_bad));
    tcase_add_test(tc, tz_null);
    suite_add_tcase(s, tc);

    return s;
}
