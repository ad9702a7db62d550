/* event_rules.h — the live events' pure part: what a notification of
 * channel faceclock_events says (sql/013_events.sql), which nchan
 * channels an event goes to, and their names. No I/O. */
#ifndef FC_EVENT_RULES_H
#define FC_EVENT_RULES_H

#include <stddef.h>

#define EVENT_TYPE_MAX 64

/* A notification's payload: {"id":N,"type":"a.b","hotel_id":N, ...}.
 * id is 0 when it has none: an event sent with pg_notify alone, not
 * through the outbox (only "alert.*" ones are passed through). */
struct event_note {
    long long id;
    long long hotel_id;
    char type[EVENT_TYPE_MAX + 1];
};

/* Pure. 0 and *out filled from a notification payload (at most 8000
 * bytes, as PostgreSQL sends), or -1 when it is not one: not a JSON
 * object, no valid type, no positive hotel_id, a negative id. */
int event_note_parse(const char *payload, size_t len, struct event_note *out);

/* Pure. 1 when type is an event type: dot-separated words of [a-z_],
 * at least two, the first [a-z] only, at most EVENT_TYPE_MAX bytes. */
int event_type_valid(const char *type);

/* Pure. 1 for an event pg_notify'd without an outbox row that the
 * publisher passes through anyway: type "alert.*" (migration 014's). */
int event_passthrough(const struct event_note *n);

/* Pure. 1 when the event also goes to the kiosk channel of the kiosk it
 * happened at: clock.in and clock.out. */
int event_for_kiosk(const char *type);

/* Pure. The publisher path of an event into buf: "/pub/hotel/<slug>",
 * or with kiosk > 0 "/pub/hotel/<slug>/kiosk/<kiosk>" (one POST that nchan
 * publishes to both channels). 0, or -1 when slug is not a slug
 * ([a-z0-9-], 1..63) or the path does not fit. */
int event_channel_path(char *buf, size_t cap, const char *slug, long long kiosk);

/* A catch-up's page (GET .../events/): CATCHUP_LIMIT events unless the
 * client asks for fewer or more (at most CATCHUP_MAX). */
#define CATCHUP_LIMIT 200
#define CATCHUP_MAX 1000

/* Pure. 1 when a catch-up after id `after` may miss events: some event
 * with an id above it was deleted (through: the hotel's highest deleted
 * id, 0 when none; sql/018_event_catchup.sql). */
int event_catchup_gap(long long after, long long through);

/* Pure. The cursor of the page after a catch-up from `after` whose last
 * event is `last` (0: the page was empty): where the client asks next. */
long long event_catchup_next(long long after, long long last);

#endif
