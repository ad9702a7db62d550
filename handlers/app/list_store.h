/* list_store.h — the one list endpoint (list_store.c): a page of rows read
 * by one prepared statement together with the count of every matching
 * row, answered as a JSON page (X-Total-Count, Link: rel="next"), or
 * every matching row streamed as CSV. A long list (the audit logs) pages
 * by keyset instead: ?cursor= tokens in Link rel="next"/"prev", and a
 * count capped at FACECLOCK_LIST_COUNT_CAP (X-Total-Count-Estimated). An endpoint declares its listing
 * once (struct listing), reads its filter from the route's declared
 * parameters, and hands it to listing_reply(); the
 * dashboard pages read the same rows through listing_rows(). */
#ifndef FC_LIST_STORE_H
#define FC_LIST_STORE_H

#include <json-c/json.h>
#include "db.h"
#include "request.h"

struct listing {
    /* The page: $1 is the hotel, then the parameters bind() adds from
     * the filter, then LIMIT and OFFSET; the count of every matching row
     * in column total_col and the page's rows left-joined to it (id_col
     * NULL when the page is empty), as db_page_rows() reads them. */
    struct db_stmt *page;
    int total_col, id_col;
    void (*bind)(struct db_args *a, const void *filter);   /* NULL: no filter */
    const struct db_json_col *cols;                          /* a row's JSON, declared (db.h) */
    db_row_json row;                                         /* or written: row i; ctx is the filter */
    /* The CSV export (export_csv(), attendance/export_store.h) of every
     * matching row, or NULL: export_set takes $1 and bind()'s parameters
     * like the page; the file is "<export_name>-<hotel slug>.csv". */
    struct db_stmt *export_set;
    const char *export_sql;
    const char *export_name;
    /* Instead of page: a listing put together in C (devices), with the
     * contract of listing_rows(). */
    int (*rows)(long long hotel_id, const void *filter, long limit, long offset,
                struct json_object **rows, long long *total);
    /* Instead of page: keyset paging (docs/api.md, "Lists") over rows in
     * (timestamp, id) descending order, with k = 1 + bind()'s parameters:
     * after reads the rows past a boundary ($k+1 its timestamp in
     * microseconds, $k+2 its id; both NULL from the top) newest first,
     * LIMIT $k+3 OFFSET $k+4; before reads the rows newer than the
     * boundary oldest first, LIMIT $k+3; each row's id in id_col and
     * timestamp in key_col (SQL_KEY_US); count answers the matching
     * rows, counted up to $k+1 (the cap + 1) or, in its second column
     * true, read exactly from kept counts (SQL_KEY_* below write the
     * clauses). cursor names the list in its cursors (fcgi/cursor.h). */
    struct db_stmt *after, *before, *count;
    /* NULL, or the count's shortcut for a filter counted(): estimate is
     * EXPLAIN (FORMAT JSON) of the matching rows ($1 and bind()'s), and
     * when the planner expects more than twice the cap the count is
     * called with $k+1 = 0 (counting nothing) and the total is that
     * estimate, at most the count statement's third column (the kept
     * count of the filter without its time bound: an upper bound). */
    struct db_stmt *estimate;
    int (*counted)(const void *filter);
    int key_col;
    const char *cursor;
    /* Whether the count and keyset page run under a generic plan
     * (plan_cache_mode = force_generic_plan for them alone): PostgreSQL
     * re-plans a page over the partitions for every page otherwise,
     * which costs more than the page (docs/operations.md, "The audit page
     * at 1 M rows"). Only for statements whose generic plan is good for
     * every filter value: no branch whose best plan depends on a value
     * (a staff member's rows have statements of their own). */
    int generic;
};

/* The clauses of a keyset listing on columns ts (timestamptz) and id,
 * parameters $c (microseconds) and $c+1 (id) given as text: the key
 * column, the row-wise bound each way (one index condition, served by an
 * index ending in (ts DESC, id DESC)), and the two orders. */
#define SQL_KEY_US(ts) "(extract(epoch FROM " ts ") * 1000000)::bigint"
#define SQL_KEY_TS(p) "('epoch'::timestamptz + (" p ")::bigint * interval '1 microsecond')"
#define SQL_KEY_AFTER(ts, id, p1, p2) \
    "(" ts ", " id ") < (coalesce(" SQL_KEY_TS(p1) ", 'infinity'), coalesce(" p2 "::bigint, 0))"
#define SQL_KEY_BEFORE(ts, id, p1, p2) "(" ts ", " id ") > (" SQL_KEY_TS(p1) ", " p2 "::bigint)"
#define SQL_KEY_DESC(ts, id) " ORDER BY " ts " DESC, " id " DESC"
#define SQL_KEY_ASC(ts, id) " ORDER BY " ts ", " id

/* One page of l for the hotel and the filter (the type l's bind() and
 * row() read, or NULL). 0 with *rows (a new JSON array, or the listing's
 * object, that the caller owns) and *total (every matching row), or -1
 * on a database failure (the caller answers with db_fail_reply()). */
int listing_rows(const struct listing *l, long long hotel_id, const void *filter, long limit, long offset,
                 struct json_object **rows, long long *total);

/* Answer a list request for the request's hotel: when the client asks for
 * CSV (req_wants_csv) and l has an export, every matching row as CSV, else
 * the page the route's declared ?limit= and ?offset= name (arg_page) as
 * JSON, or for a keyset listing the one its ?cursor= names (a cursor that
 * is not one of this list and hotel: 400 VALIDATION_ERROR, field cursor);
 * a database failure as db_fail_reply() does. Always answers. */
void listing_reply(struct request *req, const struct listing *l, const void *filter);

#endif
