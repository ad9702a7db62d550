/* list_store.c — owns the list endpoints' shared part (list_store.h):
 * binding the hotel, a filter and the page to a listing's statement,
 * reading the page, and answering it (or streaming its CSV export). */
#include "list_store.h"
#include "attendance/export_store.h"
#include "response.h"

/* $1 the hotel, then the filter's */
static void listing_args(struct db_args *a, const struct listing *l, long long hotel_id, const void *filter)
{
    db_args_init(a);
    db_arg_int(a, hotel_id);
    if (l->bind != NULL)
        l->bind(a, filter);
}

int listing_rows(const struct listing *l, long long hotel_id, const void *filter, long limit, long offset,
                 struct json_object **rows, long long *total)
{
    struct db_args a;

    if (l->rows != NULL)
        return l->rows(hotel_id, filter, limit, offset, rows, total);
    listing_args(&a, l, hotel_id, filter);
    db_arg_int(&a, limit);
    db_arg_int(&a, offset);
    if (l->cols != NULL)
        return db_page_rows(l->page, &a, l->total_col, l->id_col, db_row_object, l->cols, rows, total);
    return db_page_rows(l->page, &a, l->total_col, l->id_col, l->row, filter, rows, total);
}

void listing_reply(struct request *req, const struct listing *l, const void *filter)
{
    struct json_object *rows;
    long long total;
    long limit, offset;

    if (l->export_set != NULL && req_wants_csv(req)) {
        struct db_args a;
        listing_args(&a, l, req->tenant.id, filter);
        export_csv(req, l->export_set, &a, l->export_sql,
                   pool_printf(req->pool, "%s-%s.csv", l->export_name,
                               req->tenant.slug[0] != '\0' ? req->tenant.slug : "system"));
        return;
    }
    arg_page(req, &limit, &offset);
    if (listing_rows(l, req->tenant.id, filter, limit, offset, &rows, &total) < 0) {
        db_fail_reply(req);
        return;
    }
    resp_json_page(req, rows, total, offset, limit);
}
