/* devices.c — GET /dashboard/devices: the hotel's edge devices with
 * their status (online / offline / provisioning), lifecycle, last
 * heartbeat and enrolled profiles (the device API's listing,
 * devices/device_store.h), filtered by status. */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "devices/device_store.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"

void h_page_devices(struct request *req)
{
    static const char *const statuses[] = {"online", "offline", "provisioning"};
    struct json_object *ctx, *listing = NULL, *devices;
    struct device_filter f;
    long limit, offset;
    long long total;

    arg_page(req, &limit, &offset);
    device_filter_of(req, &f);
    if ((ctx = page_context(req, "Edge devices", "/dashboard/devices")) == NULL)
        return;
    if (device_listing(req->tenant.id, &f, limit, offset, &listing, &total) < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    json_object_object_get_ex(listing, "devices", &devices);
    page_add_time_texts(devices, (const char *const[]){"last_heartbeat_at", "created_at", NULL});
    page_add_choices(ctx, "statuses", statuses, (int)(sizeof statuses / sizeof statuses[0]), f.status);
    int n = (int)json_object_array_length(devices);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "listing", listing);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "devices", ctx);
}
