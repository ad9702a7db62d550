/* enroll.c — GET /enroll/: seed 000's enrollment modal as a page
 * (docs/pages.md, "Enrollment"). The server renders the active staff
 * (the staff API's rows, staff_store.h) with what the hotel's rules would
 * say to enrolling each, and the consent rule; static/js/enroll.js then
 * runs the steps against the API: the employee's enrollment status, the
 * five poses from the camera (static/js/face.js), POST
 * /api/enrollment/capture, and the "Deploy to Edge Devices" step (GET
 * /api/iot/devices, POST /api/iot/enrollments/push). ?employee=<code>
 * preselects an employee. */
#include <string.h>
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "page.h"
#include "chrome_store.h"
#include "response.h"
#include "attendance/settings_store.h"
#include "people/staff_rules.h"
#include "people/staff_store.h"

#define ENROLL_MAX_PEOPLE 1000

static const char *member(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v != NULL ? json_object_get_string(v) : NULL;
}

/* name, selected and the refusal of each row */
static void decorate(struct request *req, struct json_object *rows, const struct attendance_settings *s,
                     const char *chosen)
{
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *d = NULL;
        const char *first = member(row, "first_name"), *last = member(row, "last_name");
        const char *code = member(row, "employee_code");
        long long dept = json_object_object_get_ex(row, "department_id", &d) && d != NULL
                             ? json_object_get_int64(d) : 0;
        const char *message = NULL;
        int status;

        jx_add_str(row, "name", staff_display_name(req->pool, first, last));
        jx_add_bool(row, "selected", chosen != NULL && code != NULL && strcmp(chosen, code) == 0);
        const char *refused = face_registration_refusal(s, dept, 0, 1, &status, &message);
        jx_add_str(row, "refusal", refused != NULL ? message : NULL);
    }
}

void h_page_enroll(struct request *req)
{
    struct attendance_settings s;
    struct staff_filter f = {0, "true"};
    struct json_object *ctx = NULL, *rows = NULL, *deps = NULL;
    long long total;
    const char *chosen = arg_str(req, "employee");

    if (settings_load(req->tenant.id, &s) < 0) {
        db_fail_reply(req);
        return;
    }
    if ((ctx = page_context(req, "Face enrollment", "/enroll/")) == NULL)
        return;
    if (page_rows_named_or_reply(req, ctx, staff_rows(req->tenant.id, &f, ENROLL_MAX_PEOPLE, 0, &rows, &total),
                                 &rows, &deps) < 0)
        return;
    json_object_put(deps);
    decorate(req, rows, &s, chosen);
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_employees", n > 0);
    jx_add_bool(ctx, "more_employees", total > n);
    jx_add_int(ctx, "employees_shown", n);
    jx_add_int(ctx, "employees_total", total);
    json_object_object_add(ctx, "employees", rows);
    struct json_object *rules = json_object_new_object();
    jx_add_bool(rules, "require_consent", s.require_face_consent);
    json_object_object_add(ctx, "rules", rules);
    jx_add_bool(ctx, "face_enabled", s.face_attendance_enabled);
    jx_add_bool(ctx, "may_deploy", page_may(req, "POST", "/api/iot/enrollments/push") &&
                                   page_may(req, "GET", "/api/iot/devices"));
    page_render(req, 200, "enroll", ctx);
}
