/* insights.c — GET /dashboard/insights: the Insights API's figures
 * (attendance/insights_store.h) over a period (?from=&to=, hotel-local
 * dates, by default the last 7 days) as two charts — the rates on a
 * 0-100 % axis (chart_rates_svg) and the hours worked and overtime per
 * department (page_hours_chart) — each with the same numbers as a table.
 * Managers, hr and admins (the route). */
#include <math.h>
#include <stdlib.h>
#include "app/handlers.h"
#include "attendance/insights_store.h"
#include "chart_rules.h"
#include "chrome_store.h"
#include "db.h"
#include "jsonx.h"
#include "page.h"
#include "params.h"
#include "response.h"

/* "12 of 15", or NULL when the denominator is 0 */
static const char *of(struct request *req, long long num, long long den)
{
    return den > 0 ? pool_printf(req->pool, "%lld of %lld", num, den) : NULL;
}

static void add_rates_chart(struct request *req, struct json_object *ctx, const struct insights *in)
{
    const struct insights_counts *c = &in->counts;
    long long attempts = 0;
    for (int i = 0; i < IO_COUNT; i++)
        attempts += c->attempts[i];
    const struct chart_rate rows[] = {
        {"Recognition success", in->rates.success_rate, of(req, c->attempts[IO_RECOGNISED], attempts)},
        {"Average confidence", in->rates.average_confidence, NULL},     /* of the recognised scans */
        {"Registration adoption", in->rates.adoption_rate, of(req, c->registered, c->active_staff)},
        {"Unrostered clock-ins", in->rates.unrostered_share, of(req, c->unrostered, c->clock_ins)},
        {"On-time attendance", in->rates.compliance_rate, of(req, c->on_time, c->shifts_due)},
    };
    int n = (int)(sizeof rows / sizeof rows[0]);
    struct json_object *table = json_object_new_array();
    for (int i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();
        jx_add_str(o, "label", rows[i].label);
        jx_add_str(o, "value", isfinite(rows[i].value) ? pool_printf(req->pool, "%.1f %%", rows[i].value * 100)
                                                        : "no data");
        jx_add_str(o, "note", rows[i].note);
        json_object_array_add(table, o);
    }
    size_t len = 0;
    char *svg = chart_rates_svg(rows, n, pool_printf(req->pool, "Rates from %s to %s", in->from, in->to),
                                "rates-chart", &len);
    json_object_object_add(ctx, "rates_svg", json_object_new_string_len(svg, (int)len));
    free(svg);
    json_object_object_add(ctx, "rates_rows", table);
}

void h_page_insights(struct request *req)
{
    struct insights in;
    struct json_object *ctx, *o;
    const char *field;

    int rc = insights_load(req->tenant.id, arg_str(req, "from"), arg_str(req, "to"), req->pool, &in);
    if (rc < 0) {
        db_fail_reply(req);
        return;
    }
    if (rc != PERIOD_OK) {
        const char *why = insights_period_message((enum insights_period_result)rc, &field);
        resp_invalid(req, field, "%s", why);
        return;
    }
    if ((ctx = page_context(req, "Insights", "/dashboard/insights")) == NULL)
        return;
    o = json_object_new_object();
    jx_add_str(o, "from", in.from);
    jx_add_str(o, "to", in.to);
    jx_add_int(o, "days", in.days);
    json_object_object_add(ctx, "period", o);
    o = json_object_new_object();
    jx_add_int(o, "attempts", in.counts.attempts[IO_RECOGNISED] + in.counts.attempts[IO_NOT_RECOGNISED] +
                              in.counts.attempts[IO_LOW_CONFIDENCE] + in.counts.attempts[IO_AMBIGUOUS]);
    jx_add_int(o, "unrostered", in.counts.unrostered);
    jx_add_str(o, "unrostered_per_day", isfinite(in.rates.unrostered_per_day)
                                            ? pool_printf(req->pool, "%.1f", in.rates.unrostered_per_day) : "0");
    jx_add_int(o, "late", in.counts.late);
    jx_add_int(o, "missed", in.counts.shifts_due - in.counts.on_time - in.counts.late);
    json_object_object_add(ctx, "counts", o);
    add_rates_chart(req, ctx, &in);
    if (page_hours_chart(req, ctx, in.from, in.to, in.rows, in.nrows,
                         pool_printf(req->pool, "Hours worked from %s to %s per department, with overtime",
                                     in.from, in.to), "hours-chart") < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    jx_add_str(ctx, "api_href", pool_printf(req->pool, "/api/staff/hotel/%s/insights/?from=%s&to=%s",
                                            req->tenant.slug, in.from, in.to));
    page_render(req, 200, "insights", ctx);
}
