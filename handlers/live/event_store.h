/* event_store.h — the events outbox of sql/013_events.sql as the
 * publisher reads it: the events not yet published, in id order, each
 * with its hotel's slug and the message sent to subscribers; marking one
 * published (a batch at once); a hotel's slug by id (for a passed-through
 * alert); and a hotel's events after an id, for a subscriber catching up
 * (live/catchup.c). */
#ifndef FC_EVENT_STORE_H
#define FC_EVENT_STORE_H

#include <stddef.h>
#include <json-c/json.h>

struct event_row {
    long long id;
    const char *type;
    const char *slug;          /* the hotel's */
    long long kiosk_id;        /* 0: none */
    const char *message;       /* JSON text sent to subscribers */
};

/* Hand each unpublished event (at most limit, oldest first) to fn, which
 * returns 0 to go on or -1 to stop. Returns how many fn took (stopping
 * included), or -1 on a database failure. */
long long event_store_each_pending(int limit, int (*fn)(void *ctx, const struct event_row *e), void *ctx);

/* published_at = now() for the n events of ids. 0 or -1. */
int event_store_mark_published(const long long *ids, int n);

/* The slug of hotel id into buf: 1, 0 when there is none, -1 on failure. */
int event_store_hotel_slug(long long id, char *buf, size_t cap);

/* Delete published events created more than days ago: the count, or -1. */
long long event_store_trim(int days);

/* The hotel's events with id > after, in id order, at most limit: 0 with
 * *events (a new JSON array of the messages subscribers receive; the
 * caller owns it), *more (1 when more follow) and *through (the hotel's
 * highest deleted event id, 0 when none: events after an id below it may
 * be gone), all read in one snapshot; -1 on a database failure. */
int event_store_after(long long hotel_id, long long after, int limit, struct json_object **events,
                      int *more, long long *through);

/* The hotel's highest event id (0: none yet), where a page that has just
 * read its data catches up from after a cut: the id, or -1 on failure. */
long long event_store_head(long long hotel_id);

#endif
