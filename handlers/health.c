/* health.c — GET /healthz (pool and database answer) and GET /metrics. */
#include "db.h"
#include "handlers.h"
#include "jsonx.h"
#include "metrics.h"
#include "response.h"

void h_healthz(struct request *req)
{
    int up = db_ping() == 0;
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "status", up ? "ok" : "degraded");
    jx_add_str(o, "database", up ? "ok" : "down");
    resp_json(req, up ? 200 : 503, o);
}

void h_metrics(struct request *req)
{
    metrics_write(req);
}
