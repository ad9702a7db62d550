/* test_peers.c — fcgi/peers.h: the FACECLOCK_ALLOWED_PEERS grammar (a
 * table of valid and invalid lists) and the match of a peer address
 * (IPv4, IPv6, IPv4-mapped IPv6, other families). */
#include <arpa/inet.h>
#include <string.h>
#include <sys/un.h>

#include "peers.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct { const char *list; int n; } parse_ok[] = {
    { "127.0.0.1", 1 }, { "::1", 1 }, { "127.0.0.1,::1", 2 },
    { " 10.0.0.5 , 10.0.0.6 ", 2 }, { "fe80::1,192.168.1.1,::ffff:10.1.2.3", 3 },
    { "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
      "1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,1.1.1.16", 16 },
};
static const char *const parse_bad[] = {
    "", " ", ",", "127.0.0.1,", ",127.0.0.1", "127.0.0.1,,::1", "localhost",
    "127.0.0.1/8", "10.0.0.256", "127.0.0.1:9000", "::1::2", "1.2.3",
    "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
    "1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,1.1.1.16,1.1.1.17",
};

START_TEST(parse_valid)
{
    struct peer_list l;
    ck_assert_msg(peers_parse(parse_ok[_i].list, &l) == 0, "%s", parse_ok[_i].list);
    ck_assert_int_eq(l.n, parse_ok[_i].n);
}
END_TEST

START_TEST(parse_invalid)
{
    struct peer_list l;
    ck_assert_msg(peers_parse(parse_bad[_i], &l) < 0, "\"%s\" accepted", parse_bad[_i]);
}
END_TEST

/* a peer (family, literal) against a list */
static const struct { const char *list; int family; const char *peer; int allowed; } match_vec[] = {
    { "127.0.0.1,::1", AF_INET, "127.0.0.1", 1 },
    { "127.0.0.1,::1", AF_INET6, "::1", 1 },
    { "127.0.0.1,::1", AF_INET, "127.0.0.2", 0 },
    { "127.0.0.1,::1", AF_INET, "10.0.0.1", 0 },
    { "127.0.0.1,::1", AF_INET6, "::2", 0 },
    { "127.0.0.1,::1", AF_INET6, "::ffff:127.0.0.1", 1 },     /* mapped = IPv4 */
    { "::ffff:10.0.0.9", AF_INET, "10.0.0.9", 1 },
    { "10.0.0.9", AF_INET6, "::ffff:10.0.0.9", 1 },
    { "10.0.0.9", AF_INET6, "::10.0.0.9", 0 },                 /* compatible != mapped */
    { "192.168.1.2", AF_INET, "127.0.0.1", 0 },
    { "192.168.1.2, 10.1.1.1", AF_INET, "10.1.1.1", 1 },
    { "fe80::1", AF_INET6, "FE80::1", 1 },
    { "fe80::1", AF_INET6, "fe80::2", 0 },
};

START_TEST(match_table)
{
    struct peer_list l;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    const struct sockaddr *sa;

    ck_assert_int_eq(peers_parse(match_vec[_i].list, &l), 0);
    if (match_vec[_i].family == AF_INET) {
        memset(&in, 0, sizeof in);
        in.sin_family = AF_INET;
        ck_assert_int_eq(inet_pton(AF_INET, match_vec[_i].peer, &in.sin_addr), 1);
        sa = (const struct sockaddr *)&in;
    } else {
        memset(&in6, 0, sizeof in6);
        in6.sin6_family = AF_INET6;
        ck_assert_int_eq(inet_pton(AF_INET6, match_vec[_i].peer, &in6.sin6_addr), 1);
        sa = (const struct sockaddr *)&in6;
    }
    ck_assert_msg(peers_allowed(&l, sa) == match_vec[_i].allowed, "%s from %s",
                  match_vec[_i].peer, match_vec[_i].list);
}
END_TEST

START_TEST(other_family_refused)
{
    struct peer_list l;
    struct sockaddr_un un;

    ck_assert_int_eq(peers_parse("127.0.0.1,::1", &l), 0);
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    ck_assert_int_eq(peers_allowed(&l, (const struct sockaddr *)&un), 0);
}
END_TEST

UNIT_SUITE(suite_peers)
{
    Suite *s = suite_create("peers");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, parse_valid, 0, NELEM(parse_ok));
    tcase_add_loop_test(tc, parse_invalid, 0, NELEM(parse_bad));
    suite_add_tcase(s, tc);

    tc = tcase_create("match");
    tcase_add_loop_test(tc, match_table, 0, NELEM(match_vec));
    tcase_add_test(tc, other_family_refused);
    suite_add_tcase(s, tc);
    return s;
}
