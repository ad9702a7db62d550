/* insights.c — GET /api/staff/hotel/{slug}/insights/ (issue 13): the
 * hotel's Insights over a period of hotel-local dates (?from=&to=, by
 * default the last 7 days): recognition success rate and average
 * confidence, registration adoption, unrostered frequency, overtime per
 * department, attendance compliance (insights_rules.h says what each
 * is; insights_store.c reads them). */
#include "app/handlers.h"
#include "db.h"
#include "insights_store.h"
#include "params.h"
#include "response.h"

void h_insights(struct request *req)
{
    struct insights in;
    const char *field;

    db_read_begin(req, DB_AFTER_CALLER);     /* aggregates: a standby's will do */
    int rc = insights_load(req->tenant.id, arg_str(req, "from"), arg_str(req, "to"), req->pool, &in);
    db_read_end();
    if (rc < 0) {
        db_fail_reply(req);
        return;
    }
    if (rc != PERIOD_OK) {
        const char *why = insights_period_message((enum insights_period_result)rc, &field);
        resp_invalid(req, field, "%s", why);
        return;
    }
    resp_json(req, 200, insights_json(in.from, in.to, in.days, &in.counts, &in.rates, in.rows, in.nrows));
}
