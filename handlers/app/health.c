/* health.c — GET /healthz (pool and database answer) and GET /metrics
 * (the runtime's counters, then the application's gauges: the alerts not
 * resolved, by rule and state, and the notifier's deliveries by endpoint
 * kind and result, read from the database; the live subscribers nchan
 * holds, read from its status page).
 * A worker asks PostgreSQL at most every HEALTH_RECHECK seconds while the
 * answers are good (load balancers poll this often; a round trip per poll
 * would halve what the endpoint can serve), and on every call once one
 * has failed, so an outage shows within HEALTH_RECHECK and recovery at
 * once. */
#include <stdio.h>
#include <string.h>
#include "attendance/alert_store.h"
#include "db.h"
#include "handlers.h"
#include "jsonx.h"
#include "live/nchan_store.h"
#include "log.h"
#include "metrics.h"
#include "notify/notify_store.h"
#include "response.h"

#define HEALTH_RECHECK 0.25

void h_healthz(struct request *req)
{
    static double last_ok;
    double now = now_monotonic();
    int up = 1;

    if (last_ok == 0 || now - last_ok >= HEALTH_RECHECK || db_conn() == NULL) {
        up = db_ping() == 0;
        last_ok = up ? now : 0;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "status", up ? "ok" : "degraded");
    jx_add_str(o, "database", up ? "ok" : "down");
    resp_json(req, up ? 200 : 503, o);
}

/* One line of the faceclock_alerts gauge. */
static void alert_line(void *ctx, const char *rule, const char *state, long long n)
{
    char line[160];
    snprintf(line, sizeof line, "faceclock_alerts{rule=\"%s\",state=\"%s\"} %lld\n", rule, state, n);
    resp_write(ctx, line, strlen(line));
}

/* One line of faceclock_notification_deliveries_total. */
static void delivery_line(void *ctx, const char *kind, const char *result, long long n)
{
    char line[160];
    snprintf(line, sizeof line, "faceclock_notification_deliveries_total{kind=\"%s\",result=\"%s\"} %lld\n",
             kind, result, n);
    resp_write(ctx, line, strlen(line));
}

void h_metrics(struct request *req)
{
    static const char head[] = "# HELP faceclock_alerts Alerts not resolved, every hotel's, by rule and state.\n"
                               "# TYPE faceclock_alerts gauge\n";
    static const char deliveries[] =
        "# HELP faceclock_notification_deliveries_total Notification delivery attempts by endpoint kind and "
        "result (sent; failed: to be tried again; dead: given up), counted in the database.\n"
        "# TYPE faceclock_notification_deliveries_total counter\n";

    long long subscribers;

    metrics_write(req);
    /* a database or nginx away leaves its family out; the runtime's counters stand */
    if (!resp_sent(req))
        return;
    resp_write(req, head, sizeof head - 1);
    if (alert_counts(alert_line, req) < 0)
        log_warn("metrics: alert counts unavailable: %s", db_last_message());
    resp_write(req, deliveries, sizeof deliveries - 1);
    if (notify_counts(delivery_line, req) < 0)
        log_warn("metrics: notification counts unavailable: %s", db_last_message());
    if (nchan_subscribers(&subscribers) == 0) {
        char line[256];
        int len = snprintf(line, sizeof line,
                           "# HELP faceclock_live_subscribers Live event subscribers nchan holds, every channel's.\n"
                           "# TYPE faceclock_live_subscribers gauge\n"
                           "faceclock_live_subscribers %lld\n", subscribers);
        resp_write(req, line, (size_t)len);
    }
}
