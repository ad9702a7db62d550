/* alerts.c — GET /dashboard/alerts: the hotel's alerts (the alerts API's
 * rows, attendance/alert_store.h), open and acknowledged ones unless the
 * state filter says otherwise, filtered by rule, with acknowledge and
 * resolve buttons for those who may (the API's POSTs from the browser;
 * the page reloads). */
#include <string.h>
#include "db.h"
#include "app/handlers.h"
#include "attendance/alert_store.h"
#include "jsonx.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"

static const char *const states[] = {"active", "open", "acknowledged", "resolved"};

void h_page_alerts(struct request *req)
{
    struct json_object *ctx, *rows = NULL;
    struct alert_filter f;
    long limit, offset;
    long long total;
    const char *rules[ALERT_NRULES];

    arg_page(req, &limit, &offset);
    alert_filter_of(req, &f);
    if (f.state == NULL)
        f.state = "active";
    if ((ctx = page_context(req, "Alerts", "/dashboard/alerts")) == NULL)
        return;
    if (listing_rows(&alert_listing, req->tenant.id, &f, limit, offset, &rows, &total) < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    page_add_time_texts(rows, (const char *const[]){"opened_at", "acknowledged_at", "resolved_at", NULL});
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *d, *st;
        json_object_object_get_ex(row, "state", &st);
        const char *state = json_object_get_string(st);
        jx_add_bool(row, "is_open", strcmp(state, "open") == 0);
        jx_add_bool(row, "is_resolved", strcmp(state, "resolved") == 0);
        if (json_object_object_get_ex(row, "details", &d))
            jx_add_str(row, "details_text", json_object_to_json_string_ext(d, JSON_C_TO_STRING_SPACED));
    }
    page_filter_query(req, ctx, (const char *const[]){"state", "rule", "from", "to", NULL});
    page_add_choices(ctx, "states", states, (int)(sizeof states / sizeof states[0]), f.state);
    for (int i = 0; i < ALERT_NRULES; i++)
        rules[i] = alert_rule_name((enum alert_rule)i);
    page_add_choices(ctx, "rules", rules, ALERT_NRULES, f.rule);
    jx_add_bool(ctx, "may_act", page_may(req, "POST", "alerts/1/acknowledge/"));
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "alerts", ctx);
}
