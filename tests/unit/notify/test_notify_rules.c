/* test_notify_rules.c — handlers/notify/notify_rules.h: webhook URLs
 * accepted and refused (a table: schemes, userinfo, hosts, numeric forms,
 * ports, loopback/link-local with and without the allow setting, the
 * server's own addresses), email addresses, event patterns, the back-off
 * and when a delivery is dead, the signature (a known HMAC vector) and
 * the mail's text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "notify/notify_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* 203.0.113.7 plays the server's own address */
static int own_test(int family, const void *addr)
{
    unsigned char me[4];
    inet_pton(AF_INET, "203.0.113.7", me);
    return family == AF_INET && memcmp(addr, me, 4) == 0;
}

static const struct {
    const char *url;
    int allow_private;
    const char *why;            /* NULL: accepted */
} url_tab[] = {
    {"https://hooks.example.com/faceclock", 0, NULL},
    {"http://hooks.example.com:8080/x?y=1#z", 0, NULL},
    {"HTTPS://Hooks.Example.COM", 0, NULL},
    {"https://93.184.216.34/h", 0, NULL},
    {"https://[2001:db8::1]:8443/h", 0, NULL},
    {"https://my_host.example.com/", 0, NULL},
    {"ftp://example.com/x", 0, "must begin http:// or https://"},
    {"example.com/x", 0, "must begin http:// or https://"},
    {"javascript:alert(1)", 0, "must begin http:// or https://"},
    {"", 0, "must be 1 to 2000 characters"},
    {"https://user:pw@example.com/", 0, "must not carry a user name or password"},
    {"https://user@example.com/", 0, "must not carry a user name or password"},
    {"https:///path", 0, "must name a host"},
    {"https://", 0, "must name a host"},
    {"https://:80/", 0, "must name a host"},
    {"https://exa mple.com/", 0, "must not contain spaces or control characters"},
    {"https://example.com/\r\nX: y", 0, "must not contain spaces or control characters"},
    {"https://exa%6dple.com/", 0, "has an invalid host"},
    {"https://example.com:0/", 0, "has a port out of range (1-65535)"},
    {"https://example.com:65536/", 0, "has a port out of range (1-65535)"},
    {"https://example.com:/", 0, "has a port out of range (1-65535)"},
    {"https://example.com:80a/", 0, "has a port out of range (1-65535)"},
    {"https://example.com:123456/", 0, "has a port out of range (1-65535)"},
    {"https://[::1/", 0, "has an invalid IPv6 address"},
    {"https://[zz::1]/", 0, "has an invalid IPv6 address"},
    {"https://[2001:db8::1]x/", 0, "has an invalid IPv6 address"},
    {"https://127.1/", 0, "has an invalid IPv4 address"},
    {"https://2130706433/", 0, "has an invalid IPv4 address"},
    {"https://0x7f000001/", 0, "has an invalid IPv4 address"},
    {"https://999.1.1.1/", 0, "has an invalid IPv4 address"},
    {"http://127.0.0.1:9000/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://127.0.0.1:9000/", 1, NULL},
    {"http://10.0.0.1/", 0, NULL},
    {"http://0.0.0.0/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://169.254.169.254/latest/meta-data", 0, "must not point at this server or a loopback or link-local address"},
    {"http://[::1]:80/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://[::ffff:127.0.0.1]/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://[fe80::1]/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://[::]/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://localhost:8080/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://LOCALHOST./", 0, "must not point at this server or a loopback or link-local address"},
    {"http://app.localhost/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://notlocalhost.example/", 0, NULL},
    {"http://localhost:8080/", 1, NULL},
    {"http://203.0.113.7/", 0, "must not point at this server or a loopback or link-local address"},
    {"http://203.0.113.7/", 1, NULL},
    {"http://203.0.113.8/", 0, NULL},
};

START_TEST(url_check)
{
    const char *why = NULL;
    int rc = notify_url_check(url_tab[_i].url, url_tab[_i].allow_private, own_test, &why);
    if (url_tab[_i].why == NULL) {
        ck_assert_msg(rc == 0, "%s refused: %s", url_tab[_i].url, why);
    } else {
        ck_assert_msg(rc == -1, "%s accepted", url_tab[_i].url);
        ck_assert_str_eq(why, url_tab[_i].why);
    }
}
END_TEST

START_TEST(url_too_long)
{
    char url[NOTIFY_URL_MAX + 2];
    const char *why = NULL;
    memset(url, 'a', sizeof url - 1);
    url[sizeof url - 1] = '\0';
    memcpy(url, "https://example.com/", 20);
    ck_assert_int_eq(notify_url_check(url, 0, NULL, &why), -1);
    ck_assert_str_eq(why, "must be 1 to 2000 characters");
    url[NOTIFY_URL_MAX] = '\0';
    ck_assert_int_eq(notify_url_check(url, 0, NULL, &why), 0);
}
END_TEST

static const struct {
    const char *s;
    int ok;
} email_tab[] = {
    {"ops@example.com", 1},
    {"night.manager+alerts@hotel.example.co.uk", 1},
    {"a@b.c", 1},
    {"o'brien@example.ie", 1},
    {"ops@localhost", 0},               /* one label */
    {"ops@", 0},
    {"@example.com", 0},
    {"ops", 0},
    {"ops@@example.com", 0},
    {"a@b@example.com", 0},
    {".ops@example.com", 0},
    {"ops.@example.com", 0},
    {"o..ps@example.com", 0},
    {"ops@-example.com", 0},
    {"ops@example-.com", 0},
    {"ops@example..com", 0},
    {"ops@example.com.", 0},
    {"o ps@example.com", 0},
    {"ops@example.com\r\nBcc: x@evil.example", 0},
    {"\"ops\"@example.com", 0},
    {"ops@exa_mple.com", 0},
    {"", 0},
};

START_TEST(email_valid)
{
    ck_assert_msg(notify_email_valid(email_tab[_i].s) == email_tab[_i].ok, "%s", email_tab[_i].s);
}
END_TEST

START_TEST(email_lengths)
{
    static const char A70[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    char s[300];
    snprintf(s, sizeof s, "%.*s@example.com", 65, A70);
    ck_assert(!notify_email_valid(s));          /* local part of 65 */
    snprintf(s, sizeof s, "%.*s@example.com", 64, A70);
    ck_assert(notify_email_valid(s));
    ck_assert(!notify_email_valid(NULL));
}
END_TEST

static const struct {
    const char *p;
    int ok;
} pattern_tab[] = {
    {"*", 1}, {"alert.*", 1}, {"clock.*", 1}, {"face.*", 1}, {"device.*", 1}, {"notification.*", 1},
    {"clock.unrostered", 1}, {"alert.raised", 1}, {"device.status", 1}, {"notification.test", 1},
    {"clock.in", 1}, {"face.bulk", 1},
    {"clock", 0}, {"clock.", 0}, {"clock.nope", 0}, {"nope.*", 0}, {"alert.**", 0}, {"*.*", 0},
    {"Alert.raised", 0}, {"alert.raised ", 0}, {"", 0}, {".*", 0}, {"clo.*", 0}, {"%", 0},
};

START_TEST(pattern_valid)
{
    ck_assert_msg(notify_pattern_valid(pattern_tab[_i].p) == pattern_tab[_i].ok, "%s", pattern_tab[_i].p);
}
END_TEST

static const struct {
    int attempts, scale;
    long long ms;
} backoff_tab[] = {
    {1, 100, 30000}, {2, 100, 60000}, {3, 100, 120000}, {6, 100, 960000}, {7, 100, 1800000},
    {8, 100, 1800000}, {53, 100, 1800000}, {1000, 100, 1800000}, {0, 100, 30000},
    {1, 1, 300}, {2, 1, 600}, {7, 1, 18000}, {1, 50, 15000}, {1, 0, 300}, {1, 500, 30000},
};

START_TEST(backoff)
{
    ck_assert_int_eq(notify_backoff_ms(backoff_tab[_i].attempts, backoff_tab[_i].scale), backoff_tab[_i].ms);
}
END_TEST

START_TEST(dead_after_a_day)
{
    long long total = 0;
    int n = 1;
    for (; !notify_is_dead(n); n++)
        total += notify_backoff_ms(n, 100);
    ck_assert_int_eq(n, NOTIFY_MAX_ATTEMPTS);
    /* about a day of waiting between the first attempt and the last */
    ck_assert(total >= 23LL * 3600 * 1000 && total <= 25LL * 3600 * 1000);
}
END_TEST

START_TEST(signature)
{
    char sig[NOTIFY_SIGNATURE_SIZE];
    ck_assert_int_eq(notify_signature("whsec_test", 1700000000LL, "{\"id\":1}", sig), 0);
    ck_assert_str_eq(sig, "sha256=2f441ba4b3b2d50d28a9ab9d9fd8880376ecd1eb5d0435401553f5d8d0a5dcf8");
    ck_assert_int_eq(notify_signature("whsec_test", 1700000001LL, "{\"id\":1}", sig), 0);
    ck_assert_str_ne(sig, "sha256=2f441ba4b3b2d50d28a9ab9d9fd8880376ecd1eb5d0435401553f5d8d0a5dcf8");
}
END_TEST

START_TEST(mail_text)
{
    char data[300];
    memset(data, 'x', sizeof data - 1);
    data[sizeof data - 1] = '\0';
    char *m = notify_mail_text("faceclock@hotel.example", "ops@example.com", "grand", "alert.raised", 42,
                               "2026-12-05T01:00:00Z", data, "Sat, 05 Dec 2026 01:00:00 +0000");
    ck_assert_ptr_nonnull(m);
    ck_assert(strncmp(m, "From: faceclock@hotel.example\r\nTo: ops@example.com\r\n", 52) == 0);
    ck_assert_ptr_nonnull(strstr(m, "\r\nSubject: [faceclock grand] alert.raised\r\n"));
    ck_assert_ptr_nonnull(strstr(m, "\r\nMessage-ID: <event-42.grand@hotel.example>\r\n"));
    ck_assert_ptr_nonnull(strstr(m, "\r\n\r\nEvent: alert.raised\r\nHotel: grand\r\nEvent id: 42\r\n"));
    /* every line ends CRLF and none is longer than 998 bytes */
    size_t line = 0;
    for (const char *p = m; *p; p++) {
        if (*p == '\n')
            ck_assert(p > m && p[-1] == '\r');
        line = *p == '\n' ? 0 : line + 1;
        ck_assert(line <= 998);
    }
    free(m);
}
END_TEST

UNIT_SUITE(suite_notify_rules)
{
    Suite *s = suite_create("notify_rules");
    TCase *t = tcase_create("core");
    tcase_add_loop_test(t, url_check, 0, NELEM(url_tab));
    tcase_add_test(t, url_too_long);
    tcase_add_loop_test(t, email_valid, 0, NELEM(email_tab));
    tcase_add_test(t, email_lengths);
    tcase_add_loop_test(t, pattern_valid, 0, NELEM(pattern_tab));
    tcase_add_loop_test(t, backoff, 0, NELEM(backoff_tab));
    tcase_add_test(t, dead_after_a_day);
    tcase_add_test(t, signature);
    tcase_add_test(t, mail_text);
    suite_add_tcase(s, t);
    return s;
}
