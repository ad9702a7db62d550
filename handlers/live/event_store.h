/* event_store.h — the events outbox of sql/013_events.sql as the
 * publisher reads it: the events its snapshot cursor has not seen
 * (sql/029_event_cursor.sql), in id order, each with its hotel's slug and
 * the message sent to subscribers; the saved cursors (its, and the
 * notifier's: notify/notifier_svc.c reads the events the same way); a hotel's slug by id
 * (for a passed-through alert); and a hotel's events after an id, for a
 * subscriber catching up (live/catchup.c). */
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

/* A publishing round: every page read under the snapshot of its first. */
struct event_round {
    char *upto;                /* the round's snapshot (pg_snapshot text), owned; NULL before its first page */
    char after_xid[24];        /* the last event read: its transaction ("" before the first page) */
    long long after_id;        /* and its id */
};

/* One page of a round. Hand fn (which returns 0 to go on or -1 to stop)
 * each event of a transaction that snapshot `since` (the cursor,
 * pg_snapshot text) did not see and the round's snapshot sees, after the
 * round's last one in (xid, id) order — by transaction, then as written —
 * at most limit. On the round's first page (round->upto NULL) its
 * snapshot is the statement's own, set into round->upto (a new string
 * the caller frees): the next cursor, once the round is done. Returns
 * how many fn took (stopping included), or -1 on a database failure. */
long long event_store_each_new(const char *since, struct event_round *round, int limit,
                               int (*fn)(void *ctx, const struct event_row *e), void *ctx);

/* The saved cursor of reader name ("publisher", "notifier": a row of
 * event_cursors) into *snap (a new string the caller frees): 0, or -1. */
int event_store_cursor_load(const char *name, char **snap);

/* Save snap as reader name's cursor: 0, or -1. */
int event_store_cursor_save(const char *name, const char *snap);

/* The slug of hotel id into buf: 1, 0 when there is none, -1 on failure. */
int event_store_hotel_slug(long long id, char *buf, size_t cap);

/* Delete published events created more than days ago (in id order, up
 * to the first younger one): the count, or -1. */
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
