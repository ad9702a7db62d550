/* notify_store.h — notifications in the database
 * (sql/017_notifications.sql): a hotel's endpoints (created, changed,
 * deleted, tested: each audited in the action audit inside its own
 * transaction), the delivery log, and for the notifier the claim and
 * the mark of one due delivery and the counts of GET /metrics. Decisions
 * are notify_rules.c's; nothing here answers a request. */
#ifndef FC_NOTIFY_STORE_H
#define FC_NOTIFY_STORE_H

#include <json-c/json.h>
#include <libpq-fe.h>
#include "attendance/action_audit_store.h"
#include "app/list_store.h"
#include "notify/notify_rules.h"

/* An endpoint's fields as given (NULL / -1: not given). events is a JSON
 * array of valid patterns (borrowed). */
struct notify_fields {
    const char *kind;               /* "webhook" or "email" (creation only) */
    const char *url, *address, *role, *description;
    int role_given;                 /* role present, perhaps null (PATCH: clears it) */
    struct json_object *events;
    int enabled;                    /* 0, 1, or -1 */
};

/* Create an endpoint of hotel_id from f (checked), audited
 * "notification_endpoint.created" by who, in one transaction. A webhook's
 * secret (NOTIFY_SECRET_SIZE, made here) is sealed under the data key and
 * shown in *out this once. 1 with *out (the caller puts it), -2 when
 * there is no data key to seal a secret with, -1 (db). */
int notify_endpoint_create(long long hotel_id, const struct notify_fields *f, const struct actor *who,
                           struct json_object **out);

/* The kind of the hotel's endpoint id into kind (8 bytes): 1, 0 when
 * there is none, -1 (db). */
int notify_endpoint_kind(long long hotel_id, long long id, char *kind);

/* Change the given fields of endpoint id, audited
 * "notification_endpoint.changed" (old and new values of what differs),
 * in one transaction. 1 with *out, 0 no such endpoint, -1 (db). */
int notify_endpoint_update(long long hotel_id, long long id, const struct notify_fields *f,
                           const struct actor *who, struct json_object **out);

/* Delete endpoint id and its deliveries, audited
 * "notification_endpoint.deleted". 1 with the endpoint as it was in *out,
 * 0 no such endpoint, -1 (db). */
int notify_endpoint_delete(long long hotel_id, long long id, const struct actor *who, struct json_object **out);

/* Queue a notification.test event for endpoint id alone (and wake the
 * notifier), audited "notification_endpoint.tested". 1 with the
 * delivery's JSON in *out, 0 no such endpoint, -1 (db). */
int notify_endpoint_test(long long hotel_id, long long id, const struct actor *who,
                         struct json_object **out);

/* The hotel's endpoints, oldest first (no filter). */
extern const struct listing notify_endpoint_listing;

/* ?endpoint_id= &status= &event_type= &from= &to= (of created_at) */
struct notify_delivery_filter {
    long long endpoint_id;          /* 0: any */
    const char *status, *event_type;
    struct time_range when;
};

void notify_delivery_filter_of(const struct request *req, struct notify_delivery_filter *f);

/* The hotel's delivery log, newest first; its filter is a struct
 * notify_delivery_filter. */
extern const struct listing notify_delivery_listing;

/* ---- the notifier ---------------------------------------------------- */

/* The fan-out (sql/029_event_cursor.sql): queue in one statement a
 * delivery for each event that snapshot `since` (the notifier's cursor,
 * pg_snapshot text) did not see and this statement's snapshot sees, to
 * each enabled endpoint of its hotel whose patterns match its type;
 * never twice for an event and endpoint. *upto: that snapshot, the next
 * cursor (a new string the caller frees). Returns how many were queued,
 * or -1 (db). */
long long notify_fanout(const char *since, char **upto);

/* One claimed delivery: its strings are the claim's result's. */
struct notify_job {
    long long id, event_id, endpoint_id, hotel_id;
    int attempts;                   /* failed so far */
    const char *kind, *url, *address, *type, *slug, *body, *created_at, *data;
    char secret[NOTIFY_SECRET_SIZE]; /* a webhook's, opened; "" when it would not open */
    PGresult *r;
};

/* Open a transaction and claim the next due delivery (pending or failed,
 * next_attempt_at passed, endpoint enabled) with FOR UPDATE SKIP LOCKED:
 * 1 with *j (the transaction stays open until notify_job_done), 0 when
 * none is due (no transaction), -1 (db). */
int notify_job_claim(struct notify_job *j);

/* Mark the claimed delivery and commit: sent (status: the receiver's),
 * or failed again with error (at most 500 bytes are kept), due again
 * after delay_ms or dead; counted in notification_counts. Frees the
 * claim's result. 0 or -1 (db; the transaction is rolled back and the
 * delivery stays due). */
int notify_job_done(struct notify_job *j, int sent, long status, const char *error, long long delay_ms,
                    int dead);

/* Every delivery counted by endpoint kind and result (sent, failed, dead):
 * row(ctx, kind, result, n) for each. 0 or -1 (db). */
int notify_counts(void (*row)(void *ctx, const char *kind, const char *result, long long n), void *ctx);

#endif
