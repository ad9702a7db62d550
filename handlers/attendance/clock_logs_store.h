/* clock_logs_store.h — a hotel's clock logs as a list (contract 5.7): its
 * filter, its listing (app/list_store.h: a JSON page newest first, or
 * every matching row as a CSV export streamed straight from PostgreSQL)
 * and the rows the dashboard reads. */
#ifndef FC_CLOCK_LOGS_STORE_H
#define FC_CLOCK_LOGS_STORE_H

#include <json-c/json.h>
#include "request.h"
#include "app/list_store.h"

/* ?from= &to= (hotel-local dates of time_in, inclusive) &staff_id= &department_id= */
struct clocklog_filter {
    long long staff_id;          /* 0: any */
    long long department_id;     /* 0: any */
    const char *from, *to;       /* YYYY-MM-DD or NULL */
};

/* The filter from the route's declared parameters (arg_*), as asked:
 * holding a staff caller to their own logs is the endpoint's. */
void clocklog_filter_of(const struct request *req, struct clocklog_filter *f);

/* The clock logs, newest first; its filter is a struct clocklog_filter. */
extern const struct listing clocklog_listing;

/* listing_rows() of clocklog_listing. */
int clocklog_rows(long long hotel_id, const struct clocklog_filter *f, long limit, long offset,
                  struct json_object **rows, long long *total);

#endif
