/* listings.h — the rows of the API's list endpoints as the API answers
 * them (JSON), shared by the API handlers and the dashboard pages
 * (handlers/pages/), so both read the same listing (app/list_store.h).
 * Each *_rows() is listing_rows() of its endpoint's listing: 0 with *rows
 * (a new JSON array the caller owns) and *total (every matching row, for
 * paging), or -1 on a database failure (the caller answers with
 * db_fail_reply()). Each *_filter_or_reply()
 * reads the endpoint's query parameters with its validators: 0, or -1
 * after answering 400 VALIDATION_ERROR naming the parameter. */
#ifndef FC_LISTINGS_H
#define FC_LISTINGS_H

#include <json-c/json.h>
#include "request.h"
#include "attendance/safety_rules.h"

/* review.c — unrostered logs awaiting review, oldest first */
int pending_rows(long long hotel_id, long limit, long offset,
                 struct json_object **rows, long long *total);

/* review.c — open sessions, oldest first, with their safety flags as of now */
int clocked_in_rows(long long hotel_id, const struct safety_thresholds *t, long limit, long offset,
                    struct json_object **rows, long long *total);

/* audit.c — ?staff_id= &action= &from= &to= (dates or RFC 3339), newest first */
struct audit_filter {
    long long staff_id;          /* 0: any */
    const char *action;          /* NULL: any */
    const char *from_date, *from_ts, *to_date, *to_ts;
};
void audit_filter_of(const struct request *req, struct audit_filter *f);
int audit_rows(long long hotel_id, const struct audit_filter *f, long limit, long offset,
               struct json_object **rows, long long *total);

/* clocklogs.c — ?from= &to= (dates) &staff_id= &department_id=, newest
 * first; a staff caller is held to their own logs (403 otherwise) */
struct clocklog_filter {
    long long staff_id;          /* 0: any */
    long long department_id;     /* 0: any */
    const char *from, *to;       /* YYYY-MM-DD or NULL */
};
int clocklog_filter_or_reply(struct request *req, struct clocklog_filter *f);
int clocklog_rows(long long hotel_id, const struct clocklog_filter *f, long limit, long offset,
                  struct json_object **rows, long long *total);


#endif
