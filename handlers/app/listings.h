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

/* staff.c — ?department_id= &is_active= */
struct staff_filter {
    long long department_id;     /* 0: any */
    const char *is_active;       /* "true" / "false" / NULL: any */
};
void staff_filter_of(const struct request *req, struct staff_filter *f);
int staff_rows(long long hotel_id, const struct staff_filter *f, long limit, long offset,
               struct json_object **rows, long long *total);

/* kiosks.c — every kiosk of the hotel (revoked ones too), by id */
int kiosk_rows(long long hotel_id, long limit, long offset,
               struct json_object **rows, long long *total);

/* devices.c — ?capability= &status= &location_label=: *listing is the
 * seed's {"devices": [...], "total", "online", "offline"} (caller owns) */
struct device_filter {
    const char *capability, *status, *location_label;    /* NULL: any */
};
void device_filter_of(const struct request *req, struct device_filter *f);
int device_listing(long long hotel_id, const struct device_filter *f, long limit, long offset,
                   struct json_object **listing, long long *total);

#endif
