/* chrome_store.h — what the dashboard's page handlers (handlers/pages/) share
 * (handlers/pages/chrome_store.c): the page chrome's context, the caller's
 * rights as the route table gives them, department names, the paging
 * links of list pages and the filters' query strings. */
#ifndef FC_PAGES_H
#define FC_PAGES_H

#include <json-c/json.h>
#include "attendance/insights_rules.h"
#include "request.h"

/* The context every page starts from: title, csrf_token, user {username,
 * role}, hotel {slug, name, timezone}, nav [{href, label, current}] (the
 * entries the caller may use; current = the one whose href is `current`),
 * api {hotel, clock} (the API paths the page's forms call). A new object
 * the caller owns, or NULL after answering (database failure). */
struct json_object *page_context(struct request *req, const char *title, const char *current);

/* Whether the caller may call method on path (a path under the hotel's API,
 * "attendance/settings/", or an absolute one): the route table decides, as
 * it does for the API itself. */
int page_may(struct request *req, const char *method, const char *path);

/* The hotel's departments [{id, name}] by name into *deps (caller owns).
 * 0 or -1 (database). */
int page_departments(long long hotel_id, struct json_object **deps);

/* Mark the department chosen (0: none) with "selected": true, the others false. */
void page_mark_selected(struct json_object *deps, long long chosen);

/* The end of a list page's query, rc being its result and *rows its rows:
 * the hotel's departments into *deps (caller owns) and each row's
 * "department_name" (or null) from its "department_id". 0; or on any
 * failure *rows and ctx released, answered, and -1. */
int page_rows_named_or_reply(struct request *req, struct json_object *ctx, int rc,
                             struct json_object **rows, struct json_object **deps);

/* Add "time_in_text"-style fields: for each key of keys (NULL-ended) a
 * "<key>_text" with page_time_text() of the row's value. */
void page_add_time_texts(struct json_object *rows, const char *const *keys);

/* ctx.paging = {first, last, total, prev_href, next_href} for a list of
 * rows_shown rows at offset/limit of total; the links keep the request's
 * own query with offset changed (omitted when there is no such page). */
void page_add_paging(struct request *req, struct json_object *ctx, long long total,
                     long offset, long limit, int rows_shown);

/* The request's query parameters named in names (NULL-ended) that are
 * present and not empty, as "a=1&b=x" (pool string, "" when none), and
 * ctx.filter.<name> = the value for the filter form. */
const char *page_filter_query(struct request *req, struct json_object *ctx, const char *const *names);

/* ctx.chart_svg (markup: chart_hours_svg with title and id_prefix) and
 * ctx.chart_rows [{department, hours, overtime}] (the table beside it)
 * of the hours worked and the overtime per department of the sessions
 * begun from..to (attendance/insights_store.h; rows NULL: read them
 * now). 0 or -1 (database). */
int page_hours_chart(struct request *req, struct json_object *ctx, const char *from, const char *to,
                     const struct dept_hours *rows, int n, const char *title, const char *id_prefix);

#endif
