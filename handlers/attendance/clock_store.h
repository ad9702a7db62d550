/* clock_store.h — clock logs in the database: the one JSON shape of a
 * clock log ("log" in answers and the rows of review lists, read from
 * LOG_COLS of a result row), and the statements of a scan (contract 5.5,
 * 5.6) — the person's live state, opening and closing a session, spending
 * a confirmation token, the hotel's face version. None of them answers
 * the request; on a database failure they return NULL or -1 and
 * db_last_status() says why. */
#ifndef FC_CLOCK_STORE_H
#define FC_CLOCK_STORE_H

#include <json-c/json.h>
#include <libpq-fe.h>
#include "face_cache_store.h"
#include "roster_rules.h"

/* Columns of clock_logs (table alias l) in the order log_json() reads
 * them; the last is the session's length in seconds so far. */
#define LOG_COLS \
    "l.id, l.staff_id, fc_ts(l.time_in), fc_ts(l.time_out), l.roster_shift_id, " \
    "l.verified_by_face, l.is_unrostered, l.is_approved, l.long_session_ack_mode, l.source, " \
    "l.auto_closed, extract(epoch from coalesce(l.time_out, now()) - l.time_in)"
#define LOG_NCOLS 12

/* {"id","staff_id","time_in","time_out","roster_shift_id","verified_by_face",
 *  "is_unrostered","is_approved","long_session_ack_mode","source","auto_closed"} from the
 * LOG_COLS starting at col. Caller owns the result. */
struct json_object *log_json(const PGresult *r, int row, int col);

/* The session length in seconds (LOG_COLS' last column). */
double log_seconds(const PGresult *r, int row, int col);

#define CLOCK_MAX_SHIFTS 16

/* A person's live state, read in one round trip (the rest — name,
 * department, the hotel's settings — is in the worker's hotel view). */
struct clock_state {
    long long version;             /* the hotel's face_version, read with the state */
    long long local_now;           /* the hotel's wall clock, local_epoch() seconds */
    long long open_log_id;         /* 0 = no open session */
    double open_seconds;           /* since the open session began */
    int nshifts;                   /* no open session: the shifts of yesterday, today, tomorrow */
    struct shift shifts[CLOCK_MAX_SHIFTS];
    int shift_row[CLOCK_MAX_SHIFTS];   /* the row of each, for clock_shift_json() */
    struct shift open_shift;       /* the open session's shift, */
    int open_shift_row;            /* on this row; -1 when none */
    long blocked_secs;             /* > 0: the scan's kiosk is throttled for so
                                    * long (the scan was not counted) */
    const char *kiosk_hash;        /* the scan's kiosk as it is now: its key hash */
    const char *kiosk_slug;        /* and hotel slug (NULL: none, or revoked); in rows */
    PGresult *rows;                /* owned: released by clock_state_free() */
};

/* A scan to count in recognition_daily (clock_recognition_count). */
struct scan_count {
    const char *outcome;           /* match_outcome_name() */
    double confidence;             /* of the nearest face */
    long long kiosk_id;            /* the scanning kiosk (0: none): its throttle
                                    * is read in the same round trip */
};

/* Read staff_id's live state into st, counting the scan that found them
 * (count; NULL when none) in the same round trip, and the standing of
 * count's kiosk: its throttle — while it holds (st->blocked_secs > 0)
 * nothing is counted — and its row as it is now (what confirms a cached
 * identity: identity_kiosk_confirm_or_reply). 0, or -1 on a database failure or when the hotel is gone
 * (then st owns nothing). */
int clock_state_load(long long hotel_id, long long staff_id, const struct scan_count *count,
                     struct clock_state *st);

void clock_state_free(struct clock_state *st);

/* shift_info of an answer (contract 5.5): the shift on row `row` of st,
 * its department the shift's own, else department_id (the person's),
 * named from v. Caller owns the result. */
struct json_object *clock_shift_json(const struct clock_state *st, int row, long long department_id,
                                     const struct hotel_view *v);

/* What a new session records besides its person. */
struct clock_session {
    long long shift_id;            /* 0 = none */
    int by_face;                   /* verified_by_face */
    int unrostered;                /* then not approved: pending review */
    const char *reason;            /* a forced log's; NULL otherwise (source "face") */
    long long kiosk_id;            /* 0 = not a kiosk */
};

/* Open staff_id's session now. The result (one row of LOG_COLS), or NULL
 * (DB_UNIQUE: one is open already). Caller PQclear()s. */
PGresult *clock_session_open(long long hotel_id, long long staff_id, const struct clock_session *s);

/* Close the open session log_id now. The result, one row of LOG_COLS, or
 * none when it was closed already; NULL on failure. Caller PQclear()s. */
PGresult *clock_session_close(long long hotel_id, long long log_id);

/* Spend a confirmation token's nonce (kept until it expires). 0, or -1
 * (DB_UNIQUE: spent already). */
int clock_token_spend(long long hotel_id, const char *nonce, long long expires);

/* The hotel's face_version. 1 with *version, 0 when there is no such
 * hotel, -1 on a database failure. */
int clock_hotel_version(long long hotel_id, long long *version);

/* Count one scan of the hotel in recognition_daily, on its local day:
 * outcome (match_outcome_name) and the confidence of the nearest face
 * (0 when the hotel has no face). One statement of its own (autocommit:
 * the count stands whatever follows; it does not wait for the WAL flush),
 * on this worker's shard: for a scan that reads no person's state. 0, or
 * -1. */
int clock_recognition_count(long long hotel_id, const char *outcome, double confidence);

#endif
