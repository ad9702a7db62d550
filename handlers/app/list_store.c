/* list_store.c — owns the list endpoints' shared part (list_store.h):
 * binding the hotel, a filter and the page to a listing's statement,
 * reading the page, and answering it (or streaming its CSV export); for a
 * keyset listing its cursors (signed with a key derived from the key
 * hashing key) and its capped count. A page answered is written as JSON
 * text row by row (db_row_text), not as objects. */
#include <stdlib.h>
#include <string.h>
#include "list_store.h"
#include "attendance/export_store.h"
#include "config.h"
#include "cursor.h"
#include "jsonx.h"
#include "response.h"

/* $1 the hotel, then the filter's */
static void listing_args(struct db_args *a, const struct listing *l, long long hotel_id, const void *filter)
{
    db_args_init(a);
    db_arg_int(a, hotel_id);
    if (l->bind != NULL)
        l->bind(a, filter);
}

/* One keyset page: the rows shown (as JSON objects, or as the JSON text
 * of the array, which the page owns), whether more lie beyond them in the
 * direction read, and the keys of the first and last row shown. */
struct keyset_page {
    struct json_object *rows;
    struct jx_out text;        /* text.buf NULL: rows */
    int n, more;
    struct cursor first, last;
};

/* The page of l read from r (a row past limit: more; prev: r is the
 * before statement's, oldest first); as the array's JSON text when text
 * and l declares its columns, else as JSON objects. */
static void keyset_page_of(const struct listing *l, const PGresult *r, int prev, long limit, int text,
                           struct keyset_page *pg)
{
    memset(pg, 0, sizeof *pg);
    pg->more = PQntuples(r) > limit;
    pg->n = pg->more ? (int)limit : PQntuples(r);
    if (text && l->cols != NULL) {
        jx_put_raw(&pg->text, "[", 1);
    } else {
        pg->rows = json_object_new_array();
    }
    for (int k = 0; k < pg->n; k++) {
        int i = prev ? pg->n - 1 - k : k;          /* before's rows come oldest first */
        if (pg->text.buf != NULL) {
            if (k > 0)
                jx_put_raw(&pg->text, ",", 1);
            db_row_text(&pg->text, l->cols, r, i);
        } else {
            json_object_array_add(pg->rows, db_row_object(l->cols, r, i));
        }
        struct cursor *at = k == 0 ? &pg->first : &pg->last;
        at->ts_us = db_ll(r, i, l->key_col);
        at->id = db_ll(r, i, l->id_col);
        if (k == 0)
            pg->last = pg->first;
    }
    if (pg->text.buf != NULL)
        jx_put_raw(&pg->text, "]", 1);
}

/* The planner's estimate of the rows l's filter matches (l->estimate):
 * the top plan node's "Plan Rows" into *rows, -1 when the plan does not
 * say. 0, or -1 on a database failure. */
static int planned_rows(const struct listing *l, long long hotel_id, const void *filter, long long *rows)
{
    struct db_args a;
    struct json_object *plan, *o;
    PGresult *r;
    const char *text;

    listing_args(&a, l, hotel_id, filter);
    if ((r = db_run(l->estimate, &a)) == NULL)
        return -1;
    *rows = -1;
    text = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    if ((plan = jx_parse(text, strlen(text))) != NULL && json_object_is_type(plan, json_type_array) &&
        (o = json_object_array_get_idx(plan, 0)) != NULL && json_object_object_get_ex(o, "Plan", &o) &&
        json_object_object_get_ex(o, "Plan Rows", &o) && json_object_is_type(o, json_type_int))
        *rows = json_object_get_int64(o);
    json_object_put(plan);
    PQclear(r);
    return 0;
}

/* The setting a listing's generic asks for, set before its count and
 * page and reset after them (prepared: pipelined with them) */
static struct db_stmt st_generic = {"list_plan_generic", "SET plan_cache_mode = force_generic_plan", 0};
static struct db_stmt st_plan_reset = {"list_plan_reset", "RESET plan_cache_mode", 0};

/* The count and the page of l from c (NULL: from the top, offset rows
 * skipped), read the way c points, in one round trip (db_run_all) — under
 * a generic plan when l says so (generic), the setting
 * set for them and reset after, whatever they answered, unless the
 * connection went with them (a new one starts with the default); the
 * page as the array's JSON text when text (keyset_page_of).
 *
 * The total: exact when the count statement says so (kept counts), else
 * counted up to the cap and *estimated when there are more (*total is
 * then cap + 1, a lower bound) — or, when l has an estimate and the
 * planner expects more than twice the cap (asked first, a round trip of
 * its own), not counted: *total is the planner's estimate, at most the
 * kept count without the time bound (when that is no more than the cap,
 * the rows are counted after all), *estimated. 0 or -1. */
static int keyset_read(const struct listing *l, long long hotel_id, const void *filter, const struct cursor *c,
                       long limit, long offset, int text, struct keyset_page *pg, long long *total,
                       int *estimated)
{
    long long cap = g_config.list_count_cap > 0 ? g_config.list_count_cap : 10000, planned = -1;
    int generic = l->generic, prev = c != NULL && c->dir == CURSOR_PREV;
    struct db_args ca, pa;
    struct db_stmt *sts[4];
    const struct db_args *as[4];
    PGresult *res[4], *r = NULL;
    int n = 0, at_count, at_page, rc;

    if (l->estimate != NULL && l->counted(filter) && planned_rows(l, hotel_id, filter, &planned) < 0)
        return -1;
    int skip = planned > 2 * cap;
    listing_args(&ca, l, hotel_id, filter);
    db_arg_int(&ca, skip ? 0 : cap + 1);
    listing_args(&pa, l, hotel_id, filter);
    if (c != NULL) {
        db_arg_int(&pa, c->ts_us);
        db_arg_int(&pa, c->id);
    } else {
        db_arg_null(&pa);
        db_arg_null(&pa);
    }
    db_arg_int(&pa, limit + 1);
    if (!prev)
        db_arg_int(&pa, offset);
    if (generic) {
        sts[n] = &st_generic;
        as[n++] = NULL;
    }
    at_count = n;
    sts[n] = l->count;
    as[n++] = &ca;
    at_page = n;
    sts[n] = prev ? l->before : l->after;
    as[n++] = &pa;
    if (generic) {
        sts[n] = &st_plan_reset;
        as[n++] = NULL;
    }
    rc = db_run_all(n, sts, as, res);
    if (rc < 0 && generic && res[n - 1] == NULL && db_conn() != NULL)
        (void)db_simple("RESET plan_cache_mode");       /* a failure skipped it */
    if (rc == 0) {
        *total = db_ll(res[at_count], 0, 0);
        *estimated = !db_bool(res[at_count], 0, 1) && *total > cap;
        if (skip && !db_bool(res[at_count], 0, 1)) {
            long long kept = db_ll(res[at_count], 0, 2);
            *total = planned < kept ? planned : kept;
            *estimated = 1;
            if (kept <= cap) {
                /* the planner was wrong: no more rows than the cap, counted */
                listing_args(&ca, l, hotel_id, filter);
                db_arg_int(&ca, cap + 1);
                if ((r = db_run(l->count, &ca)) == NULL) {
                    rc = -1;
                } else {
                    *total = db_ll(r, 0, 0);
                    *estimated = 0;
                }
            }
        }
    }
    if (rc == 0)
        keyset_page_of(l, res[at_page], prev, limit, text, pg);
    PQclear(r);
    for (int i = 0; i < n; i++)
        PQclear(res[i]);
    return rc;
}

int listing_rows(const struct listing *l, long long hotel_id, const void *filter, long limit, long offset,
                 struct json_object **rows, long long *total)
{
    struct db_args a;

    if (l->after != NULL) {
        struct keyset_page pg;
        int estimated;
        if (keyset_read(l, hotel_id, filter, NULL, limit, offset, 0, &pg, total, &estimated) < 0)
            return -1;
        /* past the cap, at least the rows up to this page's and one more
         * when more follow (what offset paging needs to go on) */
        if (*total < offset + pg.n + pg.more)
            *total = offset + pg.n + pg.more;
        *rows = pg.rows;
        return 0;
    }
    if (l->rows != NULL)
        return l->rows(hotel_id, filter, limit, offset, rows, total);
    listing_args(&a, l, hotel_id, filter);
    db_arg_int(&a, limit);
    db_arg_int(&a, offset);
    if (l->cols != NULL)
        return db_page_rows(l->page, &a, l->total_col, l->id_col, db_row_object, l->cols, rows, total);
    return db_page_rows(l->page, &a, l->total_col, l->id_col, l->row, filter, rows, total);
}

/* This process's cursor key, derived once from the key hashing key (an
 * all-zero base without one, as auth.c's key hashes). */
static const unsigned char *cursor_key(void)
{
    static unsigned char key[32];
    static int ready;
    static const unsigned char none[32];
    if (!ready && cursor_derive_key(g_config.has_hash_key ? g_config.hash_key : none, key) == 0)
        ready = 1;
    return key;
}

/* A keyset listing's page: the cursor's, or the top's (skipping ?offset=
 * rows, linked on by offset as any list when an offset was asked for). */
static void keyset_reply(struct request *req, const struct listing *l, const void *filter)
{
    const char *text = arg_str(req, "cursor"),
               *scope = pool_printf(req->pool, "%s %lld", l->cursor, req->tenant.id);
    struct cursor c, *from = NULL;
    struct keyset_page pg;
    struct page_links k = {.next_offset = -1};
    long limit, offset;
    char next[CURSOR_TEXT], prev[CURSOR_TEXT];

    arg_page(req, &limit, &offset);
    if (text != NULL) {
        if (arg_has(req, "offset")) {
            resp_invalid(req, "cursor", "Give either cursor or offset, not both.");
            return;
        }
        if (cursor_decode(cursor_key(), scope, text, &c) < 0) {
            resp_invalid(req, "cursor", "Not a cursor of this list: use the Link header's.");
            return;
        }
        from = &c;
    }
    if (keyset_read(l, req->tenant.id, filter, from, limit, offset, 1, &pg, &k.total, &k.estimated) < 0) {
        db_fail_reply(req);
        return;
    }
    /* older rows follow the last one shown: read forward and more came,
     * or read backward (the rows older than the cursor are still there) */
    int older = from != NULL && from->dir == CURSOR_PREV ? 1 : pg.more;
    if (from != NULL && from->dir == CURSOR_PREV && pg.n == 0) {
        /* nothing newer than the cursor's row: next starts at that row */
        pg.last = *from;
        pg.last.id = from->id + 1;
    }
    /* newer rows precede the first one shown: read backward and more
     * came, or read forward from a cursor or an offset */
    int newer = from != NULL && from->dir == CURSOR_PREV ? pg.more : (from != NULL || offset > 0);
    if (older && arg_has(req, "offset"))
        k.next_offset = offset + limit;
    else if (older) {
        pg.last.dir = CURSOR_NEXT;
        if (cursor_encode(cursor_key(), scope, &pg.last, next) == 0)
            k.next = next;
    }
    if (newer && pg.n > 0 && !arg_has(req, "offset")) {
        pg.first.dir = CURSOR_PREV;
        if (cursor_encode(cursor_key(), scope, &pg.first, prev) == 0)
            k.prev = prev;
    }
    if (pg.text.buf != NULL) {
        resp_json_list_text(req, pg.text.buf, pg.text.len, &k);
        free(pg.text.buf);
    } else {
        resp_json_list(req, pg.rows, &k);
    }
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
    if (l->after != NULL) {
        keyset_reply(req, l, filter);
        return;
    }
    arg_page(req, &limit, &offset);
    if (l->page != NULL && l->cols != NULL) {
        /* the page written row by row: the total in row 0, no row when
         * its id is NULL (db_page_rows) */
        struct db_args a;
        PGresult *r;
        listing_args(&a, l, req->tenant.id, filter);
        db_arg_int(&a, limit);
        db_arg_int(&a, offset);
        if ((r = db_run(l->page, &a)) == NULL) {
            db_fail_reply(req);
            return;
        }
        struct jx_out text = {NULL, 0, 0};
        jx_put_raw(&text, "[", 1);
        for (int i = 0; i < PQntuples(r); i++) {
            if (PQgetisnull(r, i, l->id_col))
                continue;
            if (text.len > 1)
                jx_put_raw(&text, ",", 1);
            db_row_text(&text, l->cols, r, i);
        }
        jx_put_raw(&text, "]", 1);
        total = PQntuples(r) > 0 ? db_ll(r, 0, l->total_col) : 0;
        PQclear(r);
        struct page_links k = {.total = total,
                               .next_offset = (long long)offset + limit < total ? offset + limit : -1};
        resp_json_list_text(req, text.buf, text.len, &k);
        free(text.buf);
        return;
    }
    if (listing_rows(l, req->tenant.id, filter, limit, offset, &rows, &total) < 0) {
        db_fail_reply(req);
        return;
    }
    resp_json_page(req, rows, total, offset, limit);
}
