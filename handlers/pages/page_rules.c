/* page_rules.c — owns the dashboard's pure rules (page_rules.h): durations
 * and times as text, a select's options, the paging window, the navigation table, the 5.3
 * rules read ahead of a registration. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "jsonx.h"
#include "page_rules.h"

void page_duration_text(double hours, char *out, size_t size)
{
    long long mins = (!isfinite(hours) || hours <= 0) ? 0 : llround(hours * 60.0);
    if (mins < 60)
        snprintf(out, size, "%lld min", mins);
    else
        snprintf(out, size, "%lld h %02lld min", mins / 60, mins % 60);
}

void page_time_text(const char *t, char *out, size_t size)
{
    /* YYYY-MM-DDTHH:MM:SSZ */
    if (t != NULL && strlen(t) == 20 && t[10] == 'T' && t[19] == 'Z' && t[4] == '-' && t[13] == ':')
        snprintf(out, size, "%.10s %.5s UTC", t, t + 11);
    else
        snprintf(out, size, "%s", t != NULL ? t : "");
}

void page_add_choices(struct json_object *ctx, const char *key, const char *const *values, int n,
                      const char *current)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < n; i++) {
        struct json_object *c = json_object_new_object();
        jx_add_str(c, "value", values[i]);
        jx_add_bool(c, "selected", current != NULL && strcmp(current, values[i]) == 0);
        json_object_array_add(a, c);
    }
    json_object_object_add(ctx, key, a);
}

void page_window_of(long long total, long offset, long limit, int rows_shown, struct page_window *w)
{
    w->total = total;
    w->first = rows_shown > 0 ? (long long)offset + 1 : 0;
    w->last = rows_shown > 0 ? (long long)offset + rows_shown : 0;
    w->prev_offset = offset > 0 ? (offset > limit ? offset - limit : 0) : -1;
    w->next_offset = (long long)offset + limit < total ? offset + limit : -1;
}

#define CLOCK "attendance/clock-logs/"

/* Each entry is seen by whoever may call the API the page shows, so the
 * navigation follows the route table (handlers/app/routes.c) by construction. */
const struct page_nav page_nav[] = {
    {"/dashboard/",            "Board",      "GET", CLOCK "currently-clocked-in/"},
    {"/dashboard/approvals",   "Approvals",  "GET", CLOCK "pending-approval/"},
    {"/dashboard/staff",       "Staff",      "GET", "staff/"},
    {"/dashboard/audit",       "Face audit", "GET", CLOCK "face-audit-logs/"},
    {"/dashboard/clock-logs",  "Clock logs", "GET", CLOCK},
    {"/dashboard/insights",    "Insights",   "GET", "insights/"},
    {"/dashboard/settings",    "Settings",   "GET", "attendance/settings/"},
    {"/dashboard/kiosks",      "Kiosks",     "GET", "kiosks/"},
    {"/dashboard/devices",     "Devices",    "GET", "/api/iot/devices"},
    {"/dashboard/alerts",      "Alerts",     "GET", "alerts/"},
    {"/enroll/",               "Enrollment", "POST", "/api/enrollment/capture"},
    {"/dashboard/me",          "My page",   "GET", CLOCK},
};
const int page_nnav = (int)(sizeof page_nav / sizeof page_nav[0]);

void page_add_face_rules(struct json_object *ctx, const struct attendance_settings *s,
                         long long department, int self)
{
    const char *message = NULL;
    int status;
    const char *code = face_registration_refusal(s, department, self, 1, &status, &message);
    struct json_object *o = json_object_new_object();

    jx_add_bool(o, "require_consent", s->require_face_consent);
    jx_add_str(o, "refusal", code != NULL ? message : NULL);
    jx_add_str(o, "refusal_code", code);
    jx_add_bool(o, "self_disabled", code != NULL && strcmp(code, "SELF_REGISTRATION_DISABLED") == 0);
    json_object_object_add(ctx, "rules", o);
    jx_add_bool(ctx, "self", self);
}
