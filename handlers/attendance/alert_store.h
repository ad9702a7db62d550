/* alert_store.h — the alerts of a hotel in the database
 * (sql/014_alerts.sql): its rules (defaults overlaid by its rows), the
 * alerts themselves (raised once per condition and subject, acknowledged,
 * resolved by hand or by the system), the failed-scan counter and
 * throttle of each kiosk, the minute's evaluation of the time-driven
 * rules, and the listing. Decisions are alert_rules.c's; every change is
 * audited in the action audit inside its own transaction, the system's as
 * "system:alerts". */
#ifndef FC_ALERT_STORE_H
#define FC_ALERT_STORE_H

#include <json-c/json.h>
#include "action_audit_store.h"
#include "alert_rules.h"
#include "app/list_store.h"

#define ALERT_ACTOR "system:alerts"

/* The hotel's rules: the defaults overlaid by its rows. 0 or -1 (db). */
int alert_rules_load(long long hotel_id, struct alert_rules *rs);

/* Store every rule of rs and audit "alert_rules.changed" (by who, old
 * and new values of the rules that differ from before), inside the
 * caller's transaction. 0 or -1 (db). */
int alert_rules_save(long long hotel_id, const struct alert_rules *before, const struct alert_rules *rs,
                     const struct actor *who);

/* A kiosk's standing, read before a refused scan is answered (a matched
 * one reads it with the person's state: KIOSK_STANDING_SQL): its
 * throttle, 1 with *retry_after (seconds, >= 1) while its scans are
 * refused, 0 when it may scan, -1 (db); and the kiosk as it is now, its
 * key hash and hotel slug into key_hash (AUTH_KEY_HASH_MAX bytes) and
 * slug (64), both "" when it is revoked or gone (what confirms an
 * identity the worker cached: identity_kiosk_confirm_or_reply).
 * Primary-key reads. */
int alert_kiosk_throttled(long long kiosk_id, long *retry_after, char *key_hash, char *slug);

/* The statement of that read, for another statement to make it in the
 * same round trip (clock_store.c's state of a matched scan): one row
 * whatever the kiosk k (an SQL expression; NULL: no kiosk) — secs, the
 * seconds it is still refused (NULL: none), key_hash and slug (NULL: no
 * such live kiosk). */
#define KIOSK_STANDING_SQL(k) \
    "SELECT ceil(extract(epoch FROM f.blocked_until - clock_timestamp()))::bigint AS secs, k.key_hash, h.slug " \
    "FROM (SELECT " k "::bigint AS id) q LEFT JOIN kiosks k ON k.id = q.id AND k.revoked_at IS NULL " \
    "LEFT JOIN hotels h ON h.id = k.hotel_id " \
    "LEFT JOIN kiosk_scan_failures f ON f.kiosk_id = q.id AND f.blocked_until > clock_timestamp()"

/* A kiosk's scan was refused (not recognised, too little confidence):
 * counted in its window; at the probing threshold the failed_scans alert
 * is raised (once) and, with a cool-down, the kiosk is throttled
 * ("kiosk.throttled" audited), in one transaction. 0 or -1 (db). */
int alert_scan_failed(long long hotel_id, long long kiosk_id);

/* Inside the caller's transaction, last before its commit: an unrostered
 * clock-in was just written; raise unrostered_day when the hotel-local
 * day's count reaches the threshold. 0 or -1 (db). */
int alert_after_unrostered(long long hotel_id);

/* Inside the caller's transaction, last before its commit: staff_id's
 * face data was revoked (why: the reason). 0 or -1 (db). */
int alert_after_revocation(long long hotel_id, long long staff_id, const char *why);

/* What the minute's evaluation did. */
struct alert_tick_count {
    long raised, resolved;
};

/* Evaluate the hotel's rules against the present, in one transaction:
 * raise what holds and is not open, resolve (by the system) what no
 * longer holds. 0 (counts added to *n) or -1 (db). */
int alert_tick(long long hotel_id, struct alert_tick_count *n);

/* alert_tick for every hotel, or only the one of slug (when not NULL),
 * each in its own transaction: the number of hotels evaluated (0: no
 * hotel slug), or -1 (db). `faceclock alerts-tick` and the scheduler
 * (scheduler_svc.c) both run this. */
int alert_tick_hotels(const char *slug, struct alert_tick_count *n);

/* Acknowledge (to_state "acknowledged", from open) or resolve (to_state
 * "resolved", from open or acknowledged) alert id by who, audited. 1 with
 * the alert's JSON in *out (the caller puts it), 0 when there is no such
 * alert, -2 when it is in another state (*state: static), -1 (db). */
/* Every hotel's alerts that are not resolved, counted by rule and state
 * (the gauge faceclock_alerts of GET /metrics): each row "<rule>",
 * "<state>", count, handed to row(ctx, rule, state, n). 0, or -1 (db). */
int alert_counts(void (*row)(void *ctx, const char *rule, const char *state, long long n), void *ctx);

int alert_transition(long long hotel_id, long long id, const char *to_state, const struct actor *who,
                     struct json_object **out, const char **state);

/* ?state= &rule= &from= &to= */
struct alert_filter {
    const char *state, *rule;       /* NULL: any; state "active": open or acknowledged */
    struct time_range when;         /* of opened_at */
};

void alert_filter_of(const struct request *req, struct alert_filter *f);

/* The hotel's alerts, newest first; its filter is a struct alert_filter. */
extern const struct listing alert_listing;

#endif
