/* audit_store.h — the hotel's face audit log as a list (contract 5.8):
 * its filter, its listing (app/list_store.h: a JSON page newest first, or
 * every matching row as a CSV export streamed straight from PostgreSQL)
 * and the rows the dashboard reads. The rows themselves are written by
 * face_store.c and purge_cmd.c. */
#ifndef FC_AUDIT_STORE_H
#define FC_AUDIT_STORE_H

#include <json-c/json.h>
#include "request.h"
#include "app/list_store.h"

/* ?staff_id= &action= &from= &to= (dates or RFC 3339) */
struct audit_filter {
    long long staff_id;          /* 0: any */
    const char *action;          /* NULL: any */
    struct time_range when;
};

/* The filter from the route's declared parameters (arg_*). */
void audit_filter_of(const struct request *req, struct audit_filter *f);

/* The face audit log, newest first, as the listing that reads f's rows
 * (one staff member's have statements of their own); its filter is f. */
const struct listing *audit_listing_of(const struct audit_filter *f);

/* listing_rows() of audit_listing_of(f). */
int audit_rows(long long hotel_id, const struct audit_filter *f, long limit, long offset,
               struct json_object **rows, long long *total);

#endif
