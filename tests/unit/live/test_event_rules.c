/* test_event_rules.c — handlers/live/event_rules.h: notification payloads
 * of faceclock_events accepted and refused (a table: ids, types, hotel
 * ids, JSON shapes), event types, which events pass through without an
 * outbox row (alert.*), which go to a kiosk's channel, channel paths, and
 * a catch-up's gap and next cursor (a table). */
#include <string.h>
#include "live/event_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    const char *payload;
    int ok;
    long long id, hotel;
    const char *type;
} note_tab[] = {
    {"{\"id\":12,\"type\":\"clock.in\",\"hotel_id\":3}", 1, 12, 3, "clock.in"},
    {"{\"type\":\"alert.raised\",\"hotel_id\":7,\"rule\":\"probing\"}", 1, 0, 7, "alert.raised"},
    {"{\"hotel_id\":1,\"id\":9223372036854775807,\"type\":\"device.status\"}", 1, 9223372036854775807LL, 1, "device.status"},
    {"{\"id\":1,\"type\":\"clock.long_session\",\"hotel_id\":2}", 1, 1, 2, "clock.long_session"},
    {"{\"id\":-1,\"type\":\"clock.in\",\"hotel_id\":3}", 0, 0, 0, ""},     /* negative id */
    {"{\"id\":1,\"type\":\"clock.in\",\"hotel_id\":0}", 0, 0, 0, ""},      /* no hotel */
    {"{\"id\":1,\"type\":\"clock.in\"}", 0, 0, 0, ""},
    {"{\"id\":\"1\",\"type\":\"clock.in\",\"hotel_id\":3}", 0, 0, 0, ""},  /* id as a string */
    {"{\"id\":1,\"type\":\"Clock.In\",\"hotel_id\":3}", 0, 0, 0, ""},      /* capitals */
    {"{\"id\":1,\"type\":\"clock\",\"hotel_id\":3}", 0, 0, 0, ""},         /* one word */
    {"{\"id\":1,\"type\":\"clock..in\",\"hotel_id\":3}", 0, 0, 0, ""},
    {"{\"id\":1,\"type\":\"clock.in.\",\"hotel_id\":3}", 0, 0, 0, ""},
    {"{\"id\":1,\"type\":\"_x.in\",\"hotel_id\":3}", 0, 0, 0, ""},
    {"{\"id\":1,\"type\":5,\"hotel_id\":3}", 0, 0, 0, ""},
    {"{\"id\":1,\"type\":\"clock.in\",\"hotel_id\":3}x", 0, 0, 0, ""},     /* trailing bytes */
    {"[1,2]", 0, 0, 0, ""},
    {"", 0, 0, 0, ""},
    {"not json", 0, 0, 0, ""},
};

START_TEST(note_parse)
{
    struct event_note n;
    const char *p = note_tab[_i].payload;
    int rc = event_note_parse(p, strlen(p), &n);
    ck_assert_msg((rc == 0) == note_tab[_i].ok, "%s: rc %d", p, rc);
    ck_assert_int_eq(n.id, note_tab[_i].id);
    ck_assert_int_eq(n.hotel_id, note_tab[_i].hotel);
    ck_assert_str_eq(n.type, note_tab[_i].type);
}
END_TEST

START_TEST(note_embedded_nul)
{
    static const char p[] = "{\"id\":1,\"type\":\"clock.in\\u0000x\",\"hotel_id\":3}";
    struct event_note n;
    ck_assert_int_eq(event_note_parse(p, sizeof p - 1, &n), -1);
}
END_TEST

START_TEST(passthrough_and_kiosk)
{
    struct event_note n = {0, 3, "alert.raised"};
    ck_assert(event_passthrough(&n));
    n.id = 5;                           /* from the outbox: published from there */
    ck_assert(!event_passthrough(&n));
    struct event_note c = {0, 3, "clock.in"};
    ck_assert(!event_passthrough(&c));
    ck_assert(event_for_kiosk("clock.in"));
    ck_assert(event_for_kiosk("clock.out"));
    ck_assert(!event_for_kiosk("clock.unrostered"));
    ck_assert(!event_for_kiosk("face.registered"));
}
END_TEST

static const struct {
    const char *slug;
    long long kiosk;                    /* 0: the hotel's channel alone */
    const char *path;                   /* NULL: refused */
} chan_tab[] = {
    {"grand-dublin", 0, "/pub/hotel/grand-dublin"},
    {"grand-dublin", 42, "/pub/hotel/grand-dublin/kiosk/42"},
    {"grand-dublin", -1, "/pub/hotel/grand-dublin"},
    {"", 0, NULL},
    {"", 42, NULL},
    {"Grand", 0, NULL},
    {"a/b", 0, NULL},
    {"a:b", 0, NULL},
    {"a123456789012345678901234567890123456789012345678901234567890123", 0, NULL},   /* 64 */
};

START_TEST(channel_path)
{
    char buf[96];
    int rc = event_channel_path(buf, sizeof buf, chan_tab[_i].slug, chan_tab[_i].kiosk);
    if (chan_tab[_i].path == NULL) {
        ck_assert_int_eq(rc, -1);
    } else {
        ck_assert_int_eq(rc, 0);
        ck_assert_str_eq(buf, chan_tab[_i].path);
    }
}
END_TEST

START_TEST(channel_path_too_small)
{
    char buf[24];
    ck_assert_int_eq(event_channel_path(buf, sizeof buf, "grand-dublin", 0), 0);
    ck_assert_int_eq(event_channel_path(buf, sizeof buf, "grand-dublin", 42), -1);
}
END_TEST

/* after, the hotel's highest deleted id, the page's last id (0: empty) */
static const struct {
    long long after, through, last;
    int gap;
    long long next;
} catchup_tab[] = {
    {0, 0, 0, 0, 0},                  /* nothing ever deleted, nothing new */
    {0, 0, 7, 0, 7},
    {5, 0, 9, 0, 9},
    {10, 10, 0, 0, 10},               /* at the highest deleted: whole */
    {11, 10, 15, 0, 15},
    {9, 10, 12, 1, 12},               /* event 10 is gone */
    {0, 3, 4, 1, 4},                  /* from the start, the oldest trimmed */
    {100, 500, 0, 1, 100},            /* all gone and nothing kept after it */
    {9007199254740991LL, 0, 0, 0, 9007199254740991LL},
};

START_TEST(catchup)
{
    ck_assert_int_eq(event_catchup_gap(catchup_tab[_i].after, catchup_tab[_i].through), catchup_tab[_i].gap);
    ck_assert_int_eq(event_catchup_next(catchup_tab[_i].after, catchup_tab[_i].last), catchup_tab[_i].next);
}
END_TEST

UNIT_SUITE(suite_event_rules)
{
    Suite *s = suite_create("event_rules");
    TCase *tc = tcase_create("note");
    tcase_add_loop_test(tc, note_parse, 0, NELEM(note_tab));
    tcase_add_test(tc, note_embedded_nul);
    tcase_add_test(tc, passthrough_and_kiosk);
    suite_add_tcase(s, tc);
    tc = tcase_create("channel");
    tcase_add_loop_test(tc, channel_path, 0, NELEM(chan_tab));
    tcase_add_test(tc, channel_path_too_small);
    suite_add_tcase(s, tc);
    tc = tcase_create("catchup");
    tcase_add_loop_test(tc, catchup, 0, NELEM(catchup_tab));
    suite_add_tcase(s, tc);
    return s;
}
