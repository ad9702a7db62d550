/* staff_store.h — the hotel's staff as the API lists them (GET
 * .../staff/, staff.c) and the dashboard pages read them: the filter, the
 * listing (app/list_store.h) and its rows. */
#ifndef FC_STAFF_STORE_H
#define FC_STAFF_STORE_H

#include <json-c/json.h>
#include "app/list_store.h"
#include "request.h"

/* ?department_id= &is_active= */
struct staff_filter {
    long long department_id;     /* 0: any */
    const char *is_active;       /* "true" / "false" / NULL: any */
};

/* The filter from the route's declared parameters (arg_int, arg_str). */
void staff_filter_of(const struct request *req, struct staff_filter *f);

/* The staff list, by id: each row {"id", "employee_code", "first_name",
 * "last_name", "department_id", "role", "is_active", "username",
 * "has_registered_face"}; its filter is a struct staff_filter. */
extern const struct listing staff_listing;

/* listing_rows() of staff_listing: 0 with *rows (a new JSON array the
 * caller owns) and *total, or -1 on a database failure. */
int staff_rows(long long hotel_id, const struct staff_filter *f, long limit, long offset,
               struct json_object **rows, long long *total);

#endif
