/* metrics.c — GET /api/iot/devices/{device_id}/metrics (docs/iot.md,
 * "Metrics"): a device's heartbeat samples in the ?from= ?to= range,
 * oldest first, at most the DEVICE_METRICS_KEEP kept; another hotel's
 * device, or a decommissioned one, is 404. metrics_store.c reads them. */
#include "app/handlers.h"
#include "db.h"
#include "jsonx.h"
#include "metrics_store.h"
#include "params.h"
#include "response.h"

void h_device_metrics(struct request *req)
{
    const char *device_id = arg_str(req, "device_id");
    struct json_object *samples = NULL;
    struct time_range t;

    arg_time_range(req, &t);
    int found = metrics_samples(req->tenant.id, device_id, &t, &samples);
    if (found <= 0) {
        json_object_put(samples);
        if (found == 0)
            resp_error(req, 404, "NOT_FOUND", "No such device.");
        else
            db_fail_reply(req);
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "device_id", device_id);
    jx_add_int(o, "keep", DEVICE_METRICS_KEEP);
    json_object_object_add(o, "samples", samples);
    resp_json(req, 200, o);
}
