/* register.c — GET /dashboard/staff/{staff_id}/register: a manager
 * registers one staff member's face from the camera (docs/pages.md,
 * "Face registration"). The page shows who, whether they already have face
 * data, and what the hotel's rules (contract 5.3) would refuse;
 * static/js/register.js takes the descriptor with static/js/face.js and
 * POSTs register-face/ with the staff_id, then names the audit action
 * (REGISTERED / RE_REGISTERED) or the refusal's message. */
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "person_store.h"
#include "response.h"
#include "attendance/settings_store.h"
#include "validate.h"

void h_page_staff_register(struct request *req)
{
    struct attendance_settings s;
    struct json_object *ctx, *person = NULL;
    long long staff_id = arg_int(req, "staff_id"), department;
    int found;

    if (settings_load(req->tenant.id, &s) < 0 ||
        (found = page_person_load(req, staff_id, &person, &department)) < 0) {
        db_fail_reply(req);
        return;
    }
    if (found == 0) {
        resp_error(req, 404, "NOT_FOUND", "No staff member %lld in this hotel.", staff_id);
        return;
    }
    struct json_object *active = NULL;
    json_object_object_get_ex(person, "is_active", &active);
    if (!json_object_get_boolean(active)) {
        json_object_put(person);
        resp_error(req, 404, "NOT_FOUND", "Staff member %lld is no longer active.", staff_id);
        return;
    }
    if ((ctx = page_context(req, "Register a face", "/dashboard/staff")) == NULL) {
        json_object_put(person);
        return;
    }
    json_object_object_add(ctx, "person", person);
    page_add_face_rules(ctx, &s, department, identity_of(req)->staff_id == staff_id);
    jx_add_bool(ctx, "may_audit", page_may(req, "GET", "attendance/clock-logs/face-audit-logs/"));
    page_render(req, 200, "staff_register", ctx);
}
