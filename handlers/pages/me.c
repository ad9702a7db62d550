/* me.c — GET /dashboard/me: a signed-in user's own page (docs/pages.md,
 * "Self-service"). Their name and face status; registering their own face
 * when the hotel allows it (else the rule that refuses it, in words);
 * their own clock logs (the clock-logs API's rows,
 * attendance/clock_logs_store.h, held to the caller's staff record
 * whatever the query says), with the API's
 * from/to filters and paging; and withdrawing consent (DELETE
 * revoke-face/{own staff_id}/ with a reason, from static/js/me.js); once
 * withdrawn, whether the face has left every device (their latest
 * revocation's receipts, devices/receipt_store.h). */
#include <string.h>
#include "db.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "attendance/clock_logs_store.h"
#include "page.h"
#include "page_rules.h"
#include "chrome_store.h"
#include "person_store.h"
#include "response.h"
#include "attendance/settings_store.h"
#include "devices/receipt_store.h"

/* ctx's "removal": the latest revocation of the caller's face, when they
 * have none now ({pending_count, complete, revoked_at(_text), devices}).
 * 0 or -1. */
static int add_removal(struct request *req, struct json_object *ctx)
{
    struct json_object *person = NULL, *has = NULL, *rows = NULL;
    long long total;

    json_object_object_get_ex(ctx, "person", &person);
    if (json_object_object_get_ex(person, "has_face", &has) && json_object_get_boolean(has))
        return 0;
    if (listing_rows(&revocation_list, req->tenant.id, &(struct revocation_filter){-1, identity_of(req)->staff_id},
                     1, 0, &rows, &total) < 0)
        return -1;
    page_add_time_texts(rows, (const char *const[]){"revoked_at", NULL});
    if (json_object_array_length(rows) > 0)
        json_object_object_add(ctx, "removal", json_object_get(json_object_array_get_idx(rows, 0)));
    json_object_put(rows);
    return 0;
}

void h_page_me(struct request *req)
{
    struct attendance_settings s;
    struct clocklog_filter f;
    struct json_object *ctx = NULL, *person = NULL, *rows = NULL;
    long long department, total;
    long limit, offset;
    int found;

    /* ?done=withdrawn: back from withdrawing consent (forms.js redirect),
     * read once and not carried into the paging links; the logs' staff
     * and department filters do not apply to one's own page */
    int withdrawn = arg_has(req, "done") && strcmp(arg_str(req, "done"), "withdrawn") == 0;
    for (int i = 0; i < req->nquery; i++) {
        const char *k = req->query[i].key;
        if (strcmp(k, "done") == 0 || strcmp(k, "staff_id") == 0 || strcmp(k, "department_id") == 0)
            req->query[i--] = req->query[--req->nquery];
    }
    arg_page(req, &limit, &offset);
    /* my page: my logs, whatever the role */
    f = (struct clocklog_filter){identity_of(req)->staff_id, 0, arg_str(req, "from"), arg_str(req, "to")};
    if (settings_load(req->tenant.id, &s) < 0 ||
        (found = page_person_load(req, identity_of(req)->staff_id, &person, &department)) < 0)
        goto db_fail;
    if (found == 0) {
        resp_error(req, 404, "NOT_FOUND", "Your user has no staff record in this hotel.");
        return;
    }
    if ((ctx = page_context(req, "My face data and clock logs", "/dashboard/me")) == NULL) {
        json_object_put(person);
        return;
    }
    json_object_object_add(ctx, "person", person);
    person = NULL;
    page_add_face_rules(ctx, &s, department, 1);
    if (add_removal(req, ctx) < 0)
        goto db_fail;
    jx_add_bool(ctx, "withdrawn", withdrawn);

    if (clocklog_rows(req->tenant.id, &f, limit, offset, &rows, &total) < 0)
        goto db_fail;
    page_add_time_texts(rows, (const char *const[]){"time_in", "time_out", NULL});
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        struct json_object *row = json_object_array_get_idx(rows, i), *h = NULL;
        char text[32];
        json_object_object_get_ex(row, "session_duration_hours", &h);
        page_duration_text(json_object_get_double(h), text, sizeof text);
        jx_add_str(row, "duration_text", text);
    }
    page_filter_query(req, ctx, (const char *const[]){"from", "to", NULL});
    int n = (int)json_object_array_length(rows);
    jx_add_bool(ctx, "has_rows", n > 0);
    json_object_object_add(ctx, "rows", rows);
    page_add_paging(req, ctx, total, offset, limit, n);
    page_render(req, 200, "me", ctx);
    return;
db_fail:
    json_object_put(person);
    json_object_put(ctx);
    db_fail_reply(req);
}
