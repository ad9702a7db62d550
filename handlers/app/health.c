/* health.c — GET /healthz (pool and database answer) and GET /metrics.
 * A worker asks PostgreSQL at most every HEALTH_RECHECK seconds while the
 * answers are good (load balancers poll this often; a round trip per poll
 * would halve what the endpoint can serve), and on every call once one
 * has failed, so an outage shows within HEALTH_RECHECK and recovery at
 * once. */
#include "db.h"
#include "handlers.h"
#include "jsonx.h"
#include "log.h"
#include "metrics.h"
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

void h_metrics(struct request *req)
{
    metrics_write(req);
}
