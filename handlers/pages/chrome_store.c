/* chrome_store.c — owns what the dashboard's pages share (chrome_store.h): the
 * chrome's context (user, hotel, navigation by the route table, CSRF
 * token), department names, paging links, filter query strings and the
 * hours chart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "app/access.h"
#include "attendance/insights_store.h"
#include "chart_rules.h"
#include "csrf.h"
#include "db.h"
#include "jsonx.h"
#include "live/event_store.h"
#include "page_rules.h"
#include "chrome_store.h"

static struct db_stmt st_hotel = {
    "page_hotel", "SELECT name, timezone FROM hotels WHERE id = $1", 0,
};
static struct db_stmt st_departments = {
    "page_departments",
    "SELECT id, name FROM departments WHERE hotel_id = $1 ORDER BY name, id", 0,
};

int page_may(struct request *req, const char *method, const char *path)
{
    struct kv caps[REQ_MAX_CAPTURES];
    int ncaps = 0, status;
    const char *full = path[0] == '/' ? path
                                      : pool_printf(req->pool, "/api/staff/hotel/%s/%s", req->tenant.slug, path);
    const struct route *r = route_find(req->pool, app_routes, app_nroutes, method, full, caps, &ncaps, &status);
    return r != NULL && access_allows(r->access, &req->caller);
}

struct json_object *page_context(struct request *req, const char *title, const char *current)
{
    struct db_args a;
    PGresult *r;
    char csrf[CSRF_TOKEN_HEX];

    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    if ((r = db_run(&st_hotel, &a)) == NULL) {
        db_fail_reply(req);
        return NULL;
    }
    struct json_object *ctx = json_object_new_object(), *o;
    jx_add_str(ctx, "title", title);
    if (csrf_token_of(&req->caller, csrf) == 0)
        jx_add_str(ctx, "csrf_token", csrf);

    o = json_object_new_object();
    jx_add_str(o, "username", identity_of(req)->username);
    jx_add_str(o, "role", role_name(identity_of(req)->role));
    json_object_object_add(ctx, "user", o);

    o = json_object_new_object();
    jx_add_str(o, "slug", req->tenant.slug);
    jx_add_str(o, "name", PQntuples(r) == 1 ? db_str(r, 0, 0) : req->tenant.slug);
    jx_add_str(o, "timezone", PQntuples(r) == 1 ? db_str(r, 0, 1) : "UTC");
    json_object_object_add(ctx, "hotel", o);
    PQclear(r);

    struct json_object *nav = json_object_new_array();
    for (int i = 0; i < page_nnav; i++) {
        const struct page_nav *n = &page_nav[i];
        if (!page_may(req, "GET", n->href) || !page_may(req, n->method, n->api_path))
            continue;
        o = json_object_new_object();
        jx_add_str(o, "href", n->href);
        jx_add_str(o, "label", n->label);
        jx_add_bool(o, "current", current != NULL && strcmp(current, n->href) == 0);
        json_object_array_add(nav, o);
    }
    json_object_object_add(ctx, "nav", nav);

    o = json_object_new_object();
    jx_add_str(o, "hotel", pool_printf(req->pool, "/api/staff/hotel/%s", req->tenant.slug));
    jx_add_str(o, "clock", pool_printf(req->pool, "/api/staff/hotel/%s/attendance/clock-logs", req->tenant.slug));
    /* the live events stream the pages subscribe to (static/js/dashboard.js),
     * the route they catch up from after a cut, and from which event id:
     * the last one before the page read its data */
    jx_add_str(o, "events", pool_printf(req->pool, "/api/events/hotel/%s", req->tenant.slug));
    jx_add_str(o, "catchup", pool_printf(req->pool, "/api/staff/hotel/%s/events/", req->tenant.slug));
    long long head = event_store_head(req->tenant.id);
    if (head < 0) {
        json_object_put(ctx);
        json_object_put(o);
        db_fail_reply(req);
        return NULL;
    }
    jx_add_int(o, "events_after", head);
    json_object_object_add(ctx, "api", o);
    return ctx;
}

int page_departments(long long hotel_id, struct json_object **deps)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    if ((r = db_run(&st_departments, &a)) == NULL)
        return -1;
    struct json_object *arr = json_object_new_array();
    for (int i = 0; i < PQntuples(r); i++) {
        struct json_object *o = json_object_new_object();
        jx_add_int(o, "id", db_ll(r, i, 0));
        jx_add_str(o, "name", db_str(r, i, 1));
        json_object_array_add(arr, o);
    }
    PQclear(r);
    *deps = arr;
    return 0;
}

void page_mark_selected(struct json_object *deps, long long chosen)
{
    for (size_t i = 0; i < json_object_array_length(deps); i++) {
        struct json_object *d = json_object_array_get_idx(deps, i), *id = NULL;
        json_object_object_get_ex(d, "id", &id);
        jx_add_bool(d, "selected", chosen > 0 && json_object_get_int64(id) == chosen);
    }
}

static void add_department_names(struct json_object *rows, struct json_object *deps)
{
    size_t n = json_object_array_length(rows), nd = json_object_array_length(deps);
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *id = NULL;
        const char *name = NULL;
        if (json_object_object_get_ex(row, "department_id", &id) && id != NULL) {
            long long want = json_object_get_int64(id);
            for (size_t j = 0; j < nd && name == NULL; j++) {
                struct json_object *d = json_object_array_get_idx(deps, j), *did, *dname;
                if (json_object_object_get_ex(d, "id", &did) && json_object_get_int64(did) == want &&
                    json_object_object_get_ex(d, "name", &dname))
                    name = json_object_get_string(dname);
            }
        }
        jx_add_str(row, "department_name", name);
    }
}

int page_rows_named_or_reply(struct request *req, struct json_object *ctx, int rc,
                             struct json_object **rows, struct json_object **deps)
{
    if (rc < 0 || page_departments(req->tenant.id, deps) < 0) {
        json_object_put(*rows);
        *rows = NULL;
        json_object_put(ctx);
        db_fail_reply(req);
        return -1;
    }
    add_department_names(*rows, *deps);
    return 0;
}

void page_add_time_texts(struct json_object *rows, const char *const *keys)
{
    size_t n = json_object_array_length(rows);
    for (size_t i = 0; i < n; i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *v;
        for (const char *const *k = keys; *k != NULL; k++) {
            char key[64], text[64];
            if (!json_object_object_get_ex(row, *k, &v) || v == NULL)
                continue;
            page_time_text(json_object_get_string(v), text, sizeof text);
            snprintf(key, sizeof key, "%s_text", *k);
            jx_add_str(row, key, text);
        }
    }
}

/* "<path>?<the request's query with offset replaced>" */
static const char *offset_href(struct request *req, long offset)
{
    char num[32];
    char *qs = "";
    for (int i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, "offset") != 0)
            qs = http_query_append(req->pool, qs, req->query[i].key, req->query[i].val);
    if (offset > 0) {
        snprintf(num, sizeof num, "%ld", offset);
        qs = http_query_append(req->pool, qs, "offset", num);
    }
    return pool_printf(req->pool, "%s%s%s", req->raw_path, *qs ? "?" : "", qs);
}

void page_add_paging(struct request *req, struct json_object *ctx, long long total,
                     long offset, long limit, int rows_shown)
{
    struct page_window w;
    struct json_object *o = json_object_new_object();

    page_window_of(total, offset, limit, rows_shown, &w);
    jx_add_int(o, "first", w.first);
    jx_add_int(o, "last", w.last);
    jx_add_int(o, "total", w.total);
    if (w.prev_offset >= 0)
        jx_add_str(o, "prev_href", offset_href(req, w.prev_offset));
    if (w.next_offset >= 0)
        jx_add_str(o, "next_href", offset_href(req, w.next_offset));
    jx_add_bool(o, "more", w.prev_offset >= 0 || w.next_offset >= 0);
    jx_add_bool(o, "empty", rows_shown == 0);
    json_object_object_add(ctx, "paging", o);
}

const char *page_filter_query(struct request *req, struct json_object *ctx, const char *const *names)
{
    char *qs = "";
    struct json_object *f = json_object_new_object();
    for (const char *const *n = names; *n != NULL; n++) {
        const char *v = req_query(req, *n);
        if (v == NULL || *v == '\0')
            continue;
        qs = http_query_append(req->pool, qs, *n, v);
        jx_add_str(f, *n, v);
    }
    json_object_object_add(ctx, "filter", f);
    return qs;
}

int page_hours_chart(struct request *req, struct json_object *ctx, const char *from, const char *to,
                     const struct dept_hours *rows, int n, const char *title, const char *id_prefix)
{
    struct dept_hours *read;
    if (rows == NULL) {
        if (insights_hours(req->tenant.id, from, to, req->pool, &read, &n) < 0)
            return -1;
        rows = read;
    }
    struct chart_bar *bars = pool_alloc(req->pool, sizeof *bars * (size_t)(n > 0 ? n : 1));
    struct json_object *table = json_object_new_array();
    for (int i = 0; i < n; i++) {
        bars[i] = (struct chart_bar){rows[i].name != NULL ? rows[i].name : "No department", rows[i].hours,
                                     rows[i].overtime};
        struct json_object *o = json_object_new_object();
        jx_add_str(o, "department", bars[i].label);
        jx_add_double(o, "hours", bars[i].hours, 1);
        jx_add_double(o, "overtime", bars[i].overtime, 1);
        json_object_array_add(table, o);
    }
    size_t len = 0;
    char *svg = chart_hours_svg(bars, n, title, id_prefix, &len);
    json_object_object_add(ctx, "chart_svg", json_object_new_string_len(svg, (int)len));
    free(svg);
    json_object_object_add(ctx, "chart_rows", table);
    return 0;
}
