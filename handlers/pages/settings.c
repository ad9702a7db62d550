/* settings.c — GET /dashboard/settings: the hotel's attendance
 * settings (contract 5.1) and the auto-close of forgotten sessions as a form, sent by the browser as PATCH
 * attendance/settings/, and which credential the hotel's devices sign in
 * with (device_auth); a 400 VALIDATION_ERROR is shown by the field it
 * names. Read-only for a role that may read but not change them (hr). */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "page.h"
#include "chrome_store.h"
#include "response.h"
#include "page_rules.h"
#include "attendance/scheduler_rules.h"
#include "attendance/settings_store.h"

void h_page_settings(struct request *req)
{
    struct attendance_settings s;
    struct json_object *ctx, *deps = NULL;

    if ((ctx = page_context(req, "Attendance settings", "/dashboard/settings")) == NULL)
        return;
    if (settings_load(req->tenant.id, &s) < 0 || page_departments(req->tenant.id, &deps) < 0) {
        json_object_put(ctx);
        db_fail_reply(req);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(deps); i++) {
        struct json_object *d = json_object_array_get_idx(deps, i), *id = NULL;
        json_object_object_get_ex(d, "id", &id);
        jx_add_bool(d, "checked", s.ndepartments > 0 && settings_department_allowed(&s, json_object_get_int64(id)));
    }
    json_object_object_add(ctx, "departments", deps);
    jx_add_bool(ctx, "all_departments", s.ndepartments == 0);
    json_object_object_add(ctx, "settings", settings_to_json(&s));
    page_add_choices(ctx, "auto_close_modes", (const char *const[]){"off", "shift_end", "hard_limit"}, 3,
                     auto_close_name(s.auto_close));
    page_add_choices(ctx, "device_auth_modes", (const char *const[]){"key", "key_or_cert", "cert"}, 3,
                     device_auth_name(s.device_auth));
    jx_add_bool(ctx, "may_edit", page_may(req, "PATCH", "attendance/settings/"));
    page_render(req, 200, "settings", ctx);
}
