/* test_mqtt_rules.c — handlers/devices/mqtt_rules.h: usernames and topics
 * (and the ids that cannot be either), the ACL entry of each tier, the
 * password hash against a line mosquitto_passwd 2.0.11 wrote, password
 * lines, the "sync now" message, and a table of broker URLs. */
#include <stdio.h>
#include <string.h>

#include "devices/mqtt_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    const char *slug, *device_id, *user;    /* user NULL: refused */
} user_tab[] = {
    {"grand", "cam-001", "grand/cam-001"},
    {"h-2", "cam.lobby_2", "h-2/cam.lobby_2"},
    {"grand", "cam:1", NULL},           /* ':' splits a password-file line */
    {"grand", "cam+1", NULL},
    {"grand", "cam#", NULL},
    {"grand", "a/b", NULL},
    {"grand", "cam 1", NULL},
    {"grand", "", NULL},
    {"", "cam", NULL},
    {NULL, "cam", NULL},
    {"grand", NULL, NULL},
};

START_TEST(username)
{
    char buf[MQTT_USER_MAX], topic[MQTT_TOPIC_MAX];
    int rc = mqtt_username(buf, sizeof buf, user_tab[_i].slug, user_tab[_i].device_id);
    int trc = mqtt_device_topic(topic, sizeof topic, user_tab[_i].slug, user_tab[_i].device_id, "sync");
    if (user_tab[_i].user == NULL) {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(trc, -1);
        return;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(buf, user_tab[_i].user);
    ck_assert_int_eq(trc, 0);
    char want[MQTT_TOPIC_MAX];
    snprintf(want, sizeof want, "faceclock/%s/devices/%s/sync", user_tab[_i].slug, user_tab[_i].device_id);
    ck_assert_str_eq(topic, want);
}
END_TEST

START_TEST(too_small)
{
    char buf[8];
    ck_assert_int_eq(mqtt_username(buf, sizeof buf, "grand", "cam-001"), -1);
    ck_assert_int_eq(mqtt_device_topic(buf, sizeof buf, "grand", "cam-001", "sync"), -1);
    ck_assert_int_eq(mqtt_acl_entry(buf, sizeof buf, TIER_SERVICE, "faceclock", NULL, NULL), -1);
    ck_assert_int_eq(mqtt_version_message(buf, 4, 12), -1);
}
END_TEST

static const struct {
    int tier;
    const char *user, *slug, *device_id, *want;   /* want NULL: refused */
} acl_tab[] = {
    {TIER_CAMERA, "grand/cam-1", "grand", "cam-1",
     "user grand/cam-1\n"
     "topic read faceclock/grand/devices/cam-1/#\n"
     "topic write faceclock/grand/devices/cam-1/up/#\n"},
    {TIER_DISPLAY, "grand/kiosk-1", "grand", "kiosk-1",
     "user grand/kiosk-1\n"
     "topic read faceclock/grand/devices/kiosk-1/#\n"},
    {TIER_GATEWAY, "grand/gw-1", "grand", "gw-1",
     "user grand/gw-1\n"
     "topic read faceclock/grand/devices/gw-1/#\n"
     "topic write faceclock/grand/devices/gw-1/up/#\n"
     "topic read faceclock/grand/devices/#\n"},
    {TIER_SERVICE, "faceclock", NULL, NULL, "user faceclock\ntopic readwrite faceclock/#\n"},
    {0, "grand/cam-1", "grand", "cam-1", "user grand/cam-1\n"},    /* no tier: no topic */
    {TIER_GATEWAY, "grand/gw 1", "grand", "gw 1", NULL},
    {TIER_CAMERA, "grand/cam-1", NULL, "cam-1", NULL},
    {TIER_CAMERA, "grand/cam 1", "grand", "cam 1", NULL},
    {TIER_CAMERA, "grand/cam-1", "grand", "cam#", NULL},
    {TIER_SERVICE, "face clock", NULL, NULL, NULL},
    {TIER_SERVICE, "a/b/c", NULL, NULL, NULL},
};

START_TEST(acl)
{
    char buf[512];
    int n = mqtt_acl_entry(buf, sizeof buf, acl_tab[_i].tier, acl_tab[_i].user, acl_tab[_i].slug,
                           acl_tab[_i].device_id);
    if (acl_tab[_i].want == NULL) {
        ck_assert_int_eq(n, -1);
        return;
    }
    ck_assert_int_eq(n, (int)strlen(acl_tab[_i].want));
    ck_assert_str_eq(buf, acl_tab[_i].want);
}
END_TEST

START_TEST(acl_topic_of_rows)
{
    char buf[MQTT_TOPIC_MAX];
    const struct acl_rule http = {ACL_HTTP, "sync", ACL_OWN, ACL_READ, {0, 1, 0, 0, 0}};
    const struct acl_rule own = {ACL_MQTT, "up/#", ACL_OWN, ACL_WRITE, {0}};
    const struct acl_rule hotel = {ACL_MQTT, "#", ACL_HOTEL, ACL_READ, {0}};
    const struct acl_rule all = {ACL_MQTT, "#", ACL_ALL, ACL_READWRITE, {0}};

    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, &own, "grand", "cam-1"), 0);
    ck_assert_str_eq(buf, "faceclock/grand/devices/cam-1/up/#");
    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, &hotel, "grand", NULL), 0);
    ck_assert_str_eq(buf, "faceclock/grand/devices/#");
    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, &all, NULL, NULL), 0);
    ck_assert_str_eq(buf, "faceclock/#");
    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, &http, "grand", "cam-1"), -1);    /* not a topic */
    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, NULL, "grand", "cam-1"), -1);
    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, &own, "grand", "cam:1"), -1);
    ck_assert_int_eq(mqtt_acl_topic(buf, sizeof buf, &hotel, "gr#and", NULL), -1);
    ck_assert_int_eq(mqtt_acl_topic(buf, 12, &hotel, "grand", NULL), -1);             /* does not fit */
}
END_TEST

/* mosquitto_passwd -c -b pw u1 secret (mosquitto 2.0.11) wrote: */
#define PW_SALT "HiUfX1P/Z7KpLRWc"
#define PW_HASH "$7$101$" PW_SALT "$lvHub5X6/EwXew1OgGS625RN0DlGXiCl7Ytp1JiGajbAKWQE6vliFVaMsuwMRAVPIt6jGykHUUXmZJc2GvV0Yg=="

START_TEST(password_hash)
{
    unsigned char salt[MQTT_SALT_BYTES] = {0x1e, 0x25, 0x1f, 0x5f, 0x53, 0xff, 0x67, 0xb2, 0xa9, 0x2d, 0x15, 0x9c};
    char out[MQTT_PWHASH_MAX], line[256];

    ck_assert_int_eq(mqtt_password_hash("secret", salt, out), 0);
    ck_assert_str_eq(out, PW_HASH);
    ck_assert(mqtt_password_hash_valid(out));
    ck_assert_int_eq(mqtt_passwd_line(line, sizeof line, "u1", out), (int)strlen("u1:" PW_HASH "\n"));
    ck_assert_str_eq(line, "u1:" PW_HASH "\n");
    ck_assert_int_eq(mqtt_password_hash("secreT", salt, out), 0);
    ck_assert_str_ne(out, PW_HASH);
}
END_TEST

static const char *const bad_hash_tab[] = {
    "",
    "$6$101$" PW_SALT "$lvHub5X6/EwXew1OgGS625RN0DlGXiCl7Ytp1JiGajbAKWQE6vliFVaMsuwMRAVPIt6jGykHUUXmZJc2GvV0Yg==",
    "$7$101$" PW_SALT "$lvHub5X6/EwXew1OgGS625RN0DlGXiCl7Ytp1JiGajbAKWQE6vliFVaMsuwMRAVPIt6jGykHUUXmZJc2GvV0Yg=",
    "$7$101$" PW_SALT ":lvHub5X6/EwXew1OgGS625RN0DlGXiCl7Ytp1JiGajbAKWQE6vliFVaMsuwMRAVPIt6jGykHUUXmZJc2GvV0Yg==",
    "$7$101$" PW_SALT "$lvHub5X6/EwXew1OgGS625RN0DlGXiCl7Ytp1JiGajbAKWQE6vliFVaMsuwMRAVPIt6jGykHUUXmZJc2GvV0Yg==\n",
    "$7$101$HiUfX1P/Z7KpLRW$$lvHub5X6/EwXew1OgGS625RN0DlGXiCl7Ytp1JiGajbAKWQE6vliFVaMsuwMRAVPIt6jGykHUUXmZJc2GvV0Yg==",
};

START_TEST(bad_hash)
{
    char line[256];
    ck_assert(!mqtt_password_hash_valid(bad_hash_tab[_i]));
    ck_assert_int_eq(mqtt_passwd_line(line, sizeof line, "u1", bad_hash_tab[_i]), -1);
}
END_TEST

START_TEST(passwd_bad_user)
{
    char line[256];
    ck_assert_int_eq(mqtt_passwd_line(line, sizeof line, "a:b", PW_HASH), -1);
    ck_assert_int_eq(mqtt_passwd_line(line, sizeof line, "", PW_HASH), -1);
    ck_assert_int_eq(mqtt_passwd_line(line, 40, "u1", PW_HASH), -1);
    ck_assert(!mqtt_password_hash_valid(NULL));
}
END_TEST

START_TEST(version_message)
{
    char buf[64];
    ck_assert_int_eq(mqtt_version_message(buf, sizeof buf, 42), (int)strlen("{\"version\":42}"));
    ck_assert_str_eq(buf, "{\"version\":42}");
    ck_assert_int_eq(mqtt_version_message(buf, sizeof buf, -1), -1);
}
END_TEST

static const struct {
    long long id;
    const char *kind, *want;  /* want NULL: refused */
} action_tab[] = {
    {1, "sync_now", "{\"id\":1,\"kind\":\"sync_now\"}"},
    {9007199254740992LL, "send_logs", "{\"id\":9007199254740992,\"kind\":\"send_logs\"}"},
    {42, "restart", "{\"id\":42,\"kind\":\"restart\"}"},
    {0, "restart", NULL},
    {-5, "restart", NULL},
    {7, "", NULL},
    {7, NULL, NULL},
    {7, "Restart", NULL},
    {7, "re\"start", NULL},
    {7, "restart_restart_restart_restart_x", NULL},     /* 33 characters */
};

START_TEST(action_message)
{
    char buf[96];
    int n = mqtt_action_message(buf, sizeof buf, action_tab[_i].id, action_tab[_i].kind);
    if (action_tab[_i].want == NULL) {
        ck_assert_int_eq(n, -1);
        return;
    }
    ck_assert_int_eq(n, (int)strlen(action_tab[_i].want));
    ck_assert_str_eq(buf, action_tab[_i].want);
    ck_assert_int_eq(mqtt_action_message(buf, (size_t)n, action_tab[_i].id, action_tab[_i].kind), -1);
}
END_TEST

static const struct {
    const char *url, *host;   /* host NULL: refused */
    int port;
} url_tab[] = {
    {"mqtt://127.0.0.1:1883", "127.0.0.1", 1883},
    {"mqtt://broker.example-1.net:65535", "broker.example-1.net", 65535},
    {"mqtt://localhost:1", "localhost", 1},
    {"mqtt://localhost:0", NULL, 0},
    {"mqtt://localhost:65536", NULL, 0},
    {"mqtt://localhost:01883", NULL, 0},
    {"mqtt://localhost:", NULL, 0},
    {"mqtt://localhost", NULL, 0},
    {"mqtt://:1883", NULL, 0},
    {"mqtts://localhost:8883", NULL, 0},
    {"http://localhost:1883", NULL, 0},
    {"mqtt://user:pw@localhost:1883", NULL, 0},
    {"mqtt://localhost:1883/", NULL, 0},
    {"mqtt://localhost:18 83", NULL, 0},
    {"mqtt://[::1]:1883", NULL, 0},
    {"", NULL, 0},
    {NULL, NULL, 0},
};

START_TEST(url)
{
    char host[64] = "untouched";
    int port = -7;
    int rc = mqtt_url_parse(url_tab[_i].url, host, sizeof host, &port);
    if (url_tab[_i].host == NULL) {
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(host, "untouched");
        ck_assert_int_eq(port, -7);
        return;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(host, url_tab[_i].host);
    ck_assert_int_eq(port, url_tab[_i].port);
}
END_TEST

START_TEST(url_host_cap)
{
    char host[4];
    int port;
    ck_assert_int_eq(mqtt_url_parse("mqtt://abcd:1883", host, sizeof host, &port), -1);
    ck_assert_int_eq(mqtt_url_parse("mqtt://abc:1883", host, sizeof host, &port), 0);
    ck_assert_str_eq(host, "abc");
}
END_TEST

UNIT_SUITE(suite_mqtt_rules)
{
    Suite *s = suite_create("mqtt_rules");
    TCase *tc = tcase_create("names");
    tcase_add_loop_test(tc, username, 0, NELEM(user_tab));
    tcase_add_test(tc, too_small);
    tcase_add_loop_test(tc, acl, 0, NELEM(acl_tab));
    tcase_add_test(tc, acl_topic_of_rows);
    suite_add_tcase(s, tc);

    tc = tcase_create("passwords");
    tcase_add_test(tc, password_hash);
    tcase_add_loop_test(tc, bad_hash, 0, NELEM(bad_hash_tab));
    tcase_add_test(tc, passwd_bad_user);
    suite_add_tcase(s, tc);

    tc = tcase_create("messages");
    tcase_add_test(tc, version_message);
    tcase_add_loop_test(tc, action_message, 0, (int)(sizeof action_tab / sizeof action_tab[0]));
    tcase_add_loop_test(tc, url, 0, NELEM(url_tab));
    tcase_add_test(tc, url_host_cap);
    suite_add_tcase(s, tc);
    return s;
}
