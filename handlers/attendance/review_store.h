/* review_store.h — the manager's side of clock logs in the database
 * (contract 5.7): the listings of unrostered logs awaiting review and of
 * who is clocked in right now with live safety flags (app/list_store.h),
 * the rows the dashboard reads from both, the review decision, and the
 * long-session acknowledgement. None of them answers the request; on a
 * database failure db_last_status() says why. */
#ifndef FC_REVIEW_STORE_H
#define FC_REVIEW_STORE_H

#include <json-c/json.h>
#include "safety_rules.h"
#include "app/list_store.h"

/* Unrostered logs awaiting review, oldest first: the log (log_json(),
 * clock_store.h) with staff_name, department_id, force_reason. No filter. */
extern const struct listing pending_listing;

/* Open sessions, oldest first, with their safety flags as of now; its
 * filter is the const struct safety_thresholds they are computed with. */
extern const struct listing clocked_in_listing;

/* listing_rows() of pending_listing and of clocked_in_listing. */
int pending_rows(long long hotel_id, long limit, long offset,
                 struct json_object **rows, long long *total);
int clocked_in_rows(long long hotel_id, const struct safety_thresholds *t, long limit, long offset,
                    struct json_object **rows, long long *total);

/* What review_decide() and review_ack() did. */
enum review_outcome {
    REVIEW_FAILED = -1,          /* a database failure, rolled back */
    REVIEW_DONE,
    REVIEW_NOT_FOUND,            /* no such clock log in the hotel */
    REVIEW_NOT_PENDING,          /* review_decide: not an unrostered log awaiting review */
    REVIEW_OWN_LOG,              /* review_decide: the reviewer's own log */
    REVIEW_CLOSED,               /* review_ack: the session is closed already */
    REVIEW_TOO_LONG,             /* review_ack: past the hard limit, it must be clocked out */
};

/* Approve (approved) or reject the unrostered log log_id awaiting review,
 * with note (NULL: none), by staff member by (0: the system
 * administrator), audited (clock_log.approved, clock_log.rejected) as
 * done by who in the same transaction. Nobody decides on their own log. REVIEW_DONE with *log
 * (the log with approval_note, approved_by, approved_at; the caller owns
 * it), REVIEW_NOT_FOUND, REVIEW_OWN_LOG (checked before whether it is
 * pending), REVIEW_NOT_PENDING or REVIEW_FAILED. */
struct actor;
enum review_outcome review_decide(long long hotel_id, long long log_id, int approved, const char *note,
                                  const struct actor *who, long long by, struct json_object **log);

/* Acknowledge the open session log_id with mode ("stay_clocked_in", or
 * "clocked_out" which closes it now), in one transaction holding its row,
 * audited (clock_log.long_session_acknowledged) as done by who;
 * *f gets the session's flags as of now under t. REVIEW_DONE with *log
 * (the caller owns it), or REVIEW_NOT_FOUND, REVIEW_CLOSED,
 * REVIEW_TOO_LONG (mode is not "clocked_out" and f->should_clock_out) or
 * REVIEW_FAILED, having written nothing. */
enum review_outcome review_ack(long long hotel_id, long long log_id, const char *mode,
                               const struct safety_thresholds *t, const struct actor *who,
                               struct safety_flags *f, struct json_object **log);

#endif
