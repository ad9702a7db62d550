/* devices.c — GET /dashboard/devices: the hotel's edge devices with
 * their status (online / offline / provisioning), lifecycle, last
 * heartbeat and enrolled profiles (the device API's listing,
 * devices/device_store.h), filtered by status. For those who may change
 * devices (admins) also the register form and, per device, a button for
 * each lifecycle action its state allows (the listing's "actions", from
 * devices/lifecycle_rules.c), each sent by the browser as that API call,
 * and its ACL tier (camera, display, gateway: devices/acl_rules.h) to
 * change with PUT .../tier;
 * a new provisioning token is shown once, never stored in the page.
 * Below, the latest face revocations with the devices that still hold
 * each and since when, complete when none does (the receipts listing,
 * devices/receipt_store.h). With ?device=, that device's heartbeat
 * metrics charted (temperature, free storage, profiles: chart_rules.c's
 * series, from devices/metrics_store.h's kept samples). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "devices/acl_rules.h"
#include "devices/device_store.h"
#include "devices/metrics_store.h"
#include "devices/receipt_store.h"
#include "chart_rules.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "response.h"

/* the latest revocations the page shows (the API pages through all) */
#define REVOCATIONS_SHOWN 20

/* Each device's tier as the choices of its tier form (DEVICE_TIER_NAMES,
 * devices/acl_rules.h): "tier_options": [{value, selected}] */
static void add_tier_options(struct json_object *devices)
{
    for (size_t i = 0; i < json_object_array_length(devices); i++) {
        struct json_object *d = json_object_array_get_idx(devices, i), *tier = NULL;
        json_object_object_get_ex(d, "tier", &tier);
        page_add_choices(d, "tier_options", DEVICE_TIER_NAMES, TIER_GATEWAY, json_object_get_string(tier));
    }
}

/* Each device's "actions" as flags the template can test:
 * "provisioning-token" → "can_provisioning_token": true, … */
static void add_action_flags(struct request *req, struct json_object *devices)
{
    for (size_t i = 0; i < json_object_array_length(devices); i++) {
        struct json_object *d = json_object_array_get_idx(devices, i), *actions = NULL;
        if (!json_object_object_get_ex(d, "actions", &actions))
            continue;
        for (size_t j = 0; j < json_object_array_length(actions); j++) {
            char *flag = pool_printf(req->pool, "can_%s", json_object_get_string(json_object_array_get_idx(actions, j)));
            for (char *c = flag; *c != '\0'; c++)
                if (*c == '-')
                    *c = '_';
            jx_add_bool(d, flag, 1);
        }
    }
}

/* One metric of every sample (null: NAN), charted into ctx["<field>_svg"]
 * (ids prefixed with id). */
static void add_series(struct request *req, struct json_object *ctx, struct json_object *samples, const char *field,
                       const char *id, const char *title, const char *unit, const char *first, const char *last)
{
    int n = (int)json_object_array_length(samples);
    double *v = pool_alloc(req->pool, sizeof *v * (size_t)(n > 0 ? n : 1));
    size_t len;

    for (int i = 0; i < n; i++) {
        struct json_object *x = NULL;
        json_object_object_get_ex(json_object_array_get_idx(samples, i), field, &x);
        v[i] = x != NULL ? json_object_get_double(x) : NAN;
    }
    char *svg = chart_series_svg(v, n, title, unit, first, last, id, &len);
    json_object_object_add(ctx, pool_printf(req->pool, "%s_svg", field), json_object_new_string_len(svg, (int)len));
    free(svg);
}

/* ctx's "metrics" for ?device=: {device_id, count, three charts}, or
 * "metrics_missing" when the hotel has no such device. 0 or -1. */
static int add_metrics(struct request *req, struct json_object *ctx, const char *device_id)
{
    struct json_object *samples = NULL;
    int found = metrics_samples(req->tenant.id, device_id, &(struct time_range){0}, &samples);

    if (found <= 0) {
        json_object_put(samples);
        if (found == 0)
            jx_add_str(ctx, "metrics_missing", device_id);
        return found;
    }
    struct json_object *m = json_object_new_object();
    int n = (int)json_object_array_length(samples);
    char first[64] = "", last[64] = "";
    if (n > 0) {
        struct json_object *at = NULL;
        json_object_object_get_ex(json_object_array_get_idx(samples, 0), "at", &at);
        page_time_text(json_object_get_string(at), first, sizeof first);
        json_object_object_get_ex(json_object_array_get_idx(samples, n - 1), "at", &at);
        page_time_text(json_object_get_string(at), last, sizeof last);
    }
    jx_add_str(m, "device_id", device_id);
    jx_add_int(m, "count", n);
    add_series(req, m, samples, "temperature_c", "temperature-chart", "Temperature", "°C", first, last);
    add_series(req, m, samples, "free_storage_mb", "storage-chart", "Free storage", "MB", first, last);
    add_series(req, m, samples, "profile_count", "profiles-chart", "Profiles held", "profiles", first, last);
    json_object_object_add(ctx, "metrics", m);
    json_object_put(samples);
    return 0;
}

void h_page_devices(struct request *req)
{
    static const char *const statuses[] = {"online", "offline", "provisioning"};
    struct json_object *ctx, *listing = NULL, *devices, *revocations = NULL;
    struct device_filter f;
    long limit, offset;
    long long total, revocations_total;

    arg_page(req, &limit, &offset);
    device_filter_of(req, &f);
    if ((ctx = page_context(req, "Edge devices", "/dashboard/devices")) == NULL)
        return;
    if (device_listing(req->tenant.id, &f, limit, offset, &listing, &total) < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    if (listing_rows(&revocation_list, req->tenant.id, &(struct revocation_filter){-1, 0}, REVOCATIONS_SHOWN, 0,
                     &revocations, &revocations_total) < 0) {
        json_object_put(listing);
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    page_add_time_texts(revocations, (const char *const[]){"revoked_at", NULL});
    jx_add_bool(ctx, "has_revocations", json_object_array_length(revocations) > 0);
    jx_add_int(ctx, "revocations_total", revocations_total);
    json_object_object_add(ctx, "revocations", revocations);
    if (arg_has(req, "device") && add_metrics(req, ctx, arg_str(req, "device")) < 0) {
        json_object_put(listing);
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    json_object_object_get_ex(listing, "devices", &devices);
    page_add_time_texts(devices, (const char *const[]){"last_heartbeat_at", "created_at", NULL});
    int may_edit = page_may(req, "POST", "/api/iot/devices");
    jx_add_bool(ctx, "may_edit", may_edit);
    if (may_edit) {
        add_action_flags(req, devices);
        add_tier_options(devices);
        page_add_choices(ctx, "tiers", DEVICE_TIER_NAMES, TIER_GATEWAY, "camera");
    }
    page_add_choices(ctx, "statuses", statuses, (int)(sizeof statuses / sizeof statuses[0]), f.status);
    int n = (int)json_object_array_length(devices);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "listing", listing);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "devices", ctx);
}
