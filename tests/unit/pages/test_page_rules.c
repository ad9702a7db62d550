/* test_page.c — the pure rules of the dashboard's pages: which requests
 * are page requests (route_is_page, the R_PAGE flag of the route table),
 * the login redirect of an unauthenticated page request and the ?next=
 * it may carry back (fcgi/page.h), and handlers/pages/page_rules.h (durations,
 * times, a select's options, the paging window, the navigation against the route table, what
 * the face pages say the 5.3 rules would do). */
#include <string.h>

#include "app.h"
#include "app/access.h"
#include "page.h"
#include "pages/page_rules.h"
#include "pool.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct pool *tp;

static void setup(void) { tp = pool_new(); }
static void teardown(void) { pool_free(tp); tp = NULL; }

/* ---- page requests ------------------------------------------------------- */

START_TEST(page_paths)
{
    ck_assert(page_path("/dashboard"));
    ck_assert(page_path("/dashboard/"));
    ck_assert(page_path("/dashboard/nothing/here"));
    ck_assert(!page_path("/dashboardx"));
    ck_assert(page_path("/enroll"));
    ck_assert(page_path("/enroll/"));
    ck_assert(page_path("/enroll/x"));
    ck_assert(!page_path("/enrollment"));
    ck_assert(!page_path("/api/enrollment/capture"));
    ck_assert(!page_path("/api/dashboard/"));
    ck_assert(!page_path("/"));
    ck_assert(!page_path(""));
    ck_assert(!page_path(NULL));
    /* with no route, the path decides; with one, its flag */
    ck_assert(route_is_page(NULL, "/dashboard/x"));
    ck_assert(!route_is_page(NULL, "/api/x"));
    struct route page = {.method = "GET", .pattern = "/dashboard/", .access = A_MANAGER | R_PAGE, .tenant = T_CALLER, .name = "p"};
    struct route api = {.method = "GET", .pattern = "/api/x", .access = A_MANAGER, .tenant = T_CALLER, .name = "a"};
    ck_assert(route_is_page(&page, "/dashboard/"));
    ck_assert(!route_is_page(&api, "/dashboard/"));
}
END_TEST

START_TEST(page_flag_admits_nobody)
{
    struct caller c;
    memset(&c, 0, sizeof c);
    for (int role = ROLE_STAFF; role <= ROLE_ADMIN; role <<= 1) {
        c.grants = access_grants(CALLER_USER, role);
        ck_assert(!access_allows(R_PAGE, &c));
        ck_assert_int_eq(access_allows(R_PAGE | A_MANAGER, &c) != 0, role == ROLE_MANAGER);
    }
    c.grants = access_grants(CALLER_SYSADMIN, 0);
    ck_assert(!access_allows(R_PAGE | A_MANAGER | A_ADMIN, &c));
}
END_TEST

/* every /dashboard and /enroll route is a GET page, for a hotel's users
 * (the sign-in page for anyone); no API route is a page */
START_TEST(route_table_pages)
{
    int pages = 0;
    for (int i = 0; i < app_nroutes; i++) {
        const struct route *r = &app_routes[i];
        int is_page = page_path(r->pattern);
        ck_assert_msg(((r->access & R_PAGE) != 0) == is_page, "%s", r->pattern);
        if (!is_page)
            continue;
        pages++;
        ck_assert_str_eq(r->method, "GET");
        ck_assert_msg(!(r->access & (A_SYSADMIN | A_KIOSK | A_DEVICE)), "%s", r->pattern);
        if (strcmp(r->pattern, PAGE_LOGIN) == 0)
            ck_assert(r->access & A_PUBLIC);
        else
            ck_assert_msg(r->tenant == T_CALLER && !(r->access & A_PUBLIC), "%s", r->pattern);
    }
    ck_assert_int_ge(pages, 10);
}
END_TEST

/* ---- the login redirect ---------------------------------------------------- */

static const struct {
    const char *path, *query, *want;
} login_vec[] = {
    {"/dashboard/", "", "/dashboard/login?next=%2Fdashboard%2F"},
    {"/dashboard", NULL, "/dashboard/login?next=%2Fdashboard%2F"},
    {"/dashboard/audit", "action=REVOKED&from=2025-01-01",
     "/dashboard/login?next=%2Fdashboard%2Faudit%3Faction%3DREVOKED%26from%3D2025-01-01"},
    {"/dashboard/staff", "q=a b", "/dashboard/login"},           /* a space: not carried */
    {"/dashboard//evil.example", "", "/dashboard/login"},
    {"/dashboard/../api/x", "", "/dashboard/login"},
    {"/enroll", NULL, "/dashboard/login?next=%2Fenroll%2F"},
    {"/enroll/", "employee=E12", "/dashboard/login?next=%2Fenroll%2F%3Femployee%3DE12"},
    {"/enroll/../api/x", "", "/dashboard/login"},
    {NULL, NULL, "/dashboard/login"},
};

START_TEST(login_location)
{
    const char *got = page_login_location(tp, login_vec[_i].path, login_vec[_i].query);
    ck_assert_str_eq(got, login_vec[_i].want);
}
END_TEST

static const char *const next_ok[] = {
    "/dashboard/", "/dashboard/audit", "/dashboard/audit?action=REVOKED&offset=100",
    "/dashboard/staff/12/register", "/dashboard/a.b", "/enroll/", "/enroll/?employee=E12", "/dashboard/me",
};
static const char *const next_bad[] = {
    "", "/", "/dashboard", "/dashboardx/", "//dashboard/", "https://evil.example/dashboard/",
    "/api/auth/me", "/dashboard//evil.example", "/dashboard/../api/auth/logout",
    "/dashboard/./x", "/dashboard/..", "/dashboard/%2e%2e/api", "/dashboard/%2E%2E/api",
    "/dashboard/\\evil", "/dashboard/a b", "/dashboard/\t", "/dashboard/a\nb",
    "javascript:alert(1)", "/dashboard/x?next=/a/../b", "/dashboard/\"><script>",
    "/dashboard/<x>", "/dashboard/a\x7f", "/dashboard/\xc3\xa9",
    "/enroll", "/enrollx/", "/enroll//evil.example", "/enroll/../api", "/api/enrollment/E1",
};

START_TEST(safe_next_ok) { ck_assert_msg(page_safe_next(next_ok[_i]), "%s", next_ok[_i]); }
END_TEST
START_TEST(safe_next_bad) { ck_assert_msg(!page_safe_next(next_bad[_i]), "%s", next_bad[_i]); }
END_TEST
START_TEST(safe_next_null) { ck_assert(!page_safe_next(NULL)); }
END_TEST

/* ---- page_rules ------------------------------------------------------------ */

static const struct { double h; const char *want; } dur_vec[] = {
    {0, "0 min"}, {-1, "0 min"}, {0.004, "0 min"}, {0.01, "1 min"}, {0.75, "45 min"},
    {0.999, "1 h 00 min"}, {1, "1 h 00 min"}, {3.08, "3 h 05 min"}, {12.5, "12 h 30 min"},
    {100.0, "100 h 00 min"},
};

START_TEST(duration_text)
{
    char out[32];
    page_duration_text(dur_vec[_i].h, out, sizeof out);
    ck_assert_str_eq(out, dur_vec[_i].want);
}
END_TEST

START_TEST(duration_not_finite)
{
    char out[32];
    page_duration_text(1.0 / 0.0, out, sizeof out);
    ck_assert_str_eq(out, "0 min");
    page_duration_text(0.0 / 0.0, out, sizeof out);
    ck_assert_str_eq(out, "0 min");
}
END_TEST

START_TEST(time_text)
{
    char out[64];
    page_time_text("2025-11-30T08:58:07Z", out, sizeof out);
    ck_assert_str_eq(out, "2025-11-30 08:58 UTC");
    page_time_text("not a time", out, sizeof out);
    ck_assert_str_eq(out, "not a time");
    page_time_text(NULL, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(window)
{
    struct page_window w;
    page_window_of(0, 0, 100, 0, &w);
    ck_assert(w.first == 0 && w.last == 0 && w.prev_offset == -1 && w.next_offset == -1);
    page_window_of(250, 0, 100, 100, &w);
    ck_assert(w.first == 1 && w.last == 100 && w.prev_offset == -1 && w.next_offset == 100);
    page_window_of(250, 100, 100, 100, &w);
    ck_assert(w.first == 101 && w.last == 200 && w.prev_offset == 0 && w.next_offset == 200);
    page_window_of(250, 200, 100, 50, &w);
    ck_assert(w.first == 201 && w.last == 250 && w.prev_offset == 100 && w.next_offset == -1);
    page_window_of(250, 50, 100, 100, &w);      /* an odd offset goes back to 0, not -50 */
    ck_assert(w.prev_offset == 0 && w.next_offset == 150);
    page_window_of(10, 500, 100, 0, &w);        /* past the end */
    ck_assert(w.first == 0 && w.prev_offset == 400 && w.next_offset == -1 && w.total == 10);
}
END_TEST

/* what the face pages say the 5.3 rules would do to a registration */
static const struct face_rules_case {
    int enabled, self_allowed, consent_required;
    long long allowed_department;     /* 0: every department */
    long long department;
    int self;
    const char *code;                 /* NULL: would pass */
    int self_disabled;
} face_rules_vec[] = {
    {1, 1, 1, 0, 5, 0, NULL, 0},
    {1, 1, 0, 0, 0, 1, NULL, 0},
    {0, 1, 1, 0, 5, 0, "FACE_DISABLED_FOR_HOTEL", 0},
    {0, 0, 1, 0, 5, 1, "FACE_DISABLED_FOR_HOTEL", 0},          /* the first rule that refuses */
    {1, 1, 1, 7, 5, 0, "FACE_DISABLED_FOR_DEPARTMENT", 0},
    {1, 1, 1, 7, 7, 0, NULL, 0},
    {1, 0, 1, 0, 5, 1, "SELF_REGISTRATION_DISABLED", 1},
    {1, 0, 1, 0, 5, 0, NULL, 0},                               /* a manager registering someone */
};

START_TEST(face_rules)
{
    const struct face_rules_case *c = &face_rules_vec[_i];
    struct attendance_settings s;
    struct json_object *ctx = json_object_new_object(), *rules, *v;

    settings_defaults(&s);
    s.face_attendance_enabled = c->enabled;
    s.allow_face_self_registration = c->self_allowed;
    s.require_face_consent = c->consent_required;
    if (c->allowed_department != 0) {
        s.departments[0] = c->allowed_department;
        s.ndepartments = 1;
    }
    page_add_face_rules(ctx, &s, c->department, c->self);
    ck_assert(json_object_object_get_ex(ctx, "rules", &rules));
    ck_assert(json_object_object_get_ex(ctx, "self", &v) && json_object_get_boolean(v) == c->self);
    ck_assert(json_object_object_get_ex(rules, "require_consent", &v) &&
              json_object_get_boolean(v) == c->consent_required);
    ck_assert(json_object_object_get_ex(rules, "self_disabled", &v) &&
              json_object_get_boolean(v) == c->self_disabled);
    ck_assert(json_object_object_get_ex(rules, "refusal_code", &v));
    ck_assert(json_object_object_get_ex(rules, "refusal", &rules));
    if (c->code == NULL) {
        ck_assert(v == NULL && rules == NULL);
    } else {
        ck_assert_str_eq(json_object_get_string(v), c->code);
        ck_assert(rules != NULL && json_object_get_string_len(rules) > 0);
    }
    json_object_put(ctx);
}
END_TEST

/* a select's options: which one is selected */
static const char *const modes[] = {"off", "shift_end", "hard_limit"};
static const struct choices_case {
    const char *current;
    int selected;                     /* index in modes, -1: none */
} choices_vec[] = {
    {"off", 0}, {"shift_end", 1}, {"hard_limit", 2}, {NULL, -1}, {"", -1}, {"hard", -1}, {"hard_limit ", -1},
};

START_TEST(choices)
{
    const struct choices_case *c = &choices_vec[_i];
    struct json_object *ctx = json_object_new_object(), *a, *v;

    page_add_choices(ctx, "modes", modes, NELEM(modes), c->current);
    ck_assert(json_object_object_get_ex(ctx, "modes", &a));
    ck_assert_int_eq((int)json_object_array_length(a), NELEM(modes));
    for (int i = 0; i < NELEM(modes); i++) {
        struct json_object *o = json_object_array_get_idx(a, (size_t)i);
        ck_assert(json_object_object_get_ex(o, "value", &v));
        ck_assert_str_eq(json_object_get_string(v), modes[i]);
        ck_assert(json_object_object_get_ex(o, "selected", &v));
        ck_assert_int_eq(json_object_get_boolean(v), i == c->selected);
    }
    json_object_put(ctx);
}
END_TEST

/* each navigation entry is a page of the route table, and its API exists */
START_TEST(nav_against_routes)
{
    struct kv caps[REQ_MAX_CAPTURES];
    int ncaps, status;
    for (int i = 0; i < page_nnav; i++) {
        const struct page_nav *n = &page_nav[i];
        const struct route *r = route_find(tp, app_routes, app_nroutes, "GET", n->href, caps, &ncaps, &status);
        ck_assert_msg(r != NULL && (r->access & R_PAGE), "%s", n->href);
        const char *api = n->api_path[0] == '/' ? n->api_path
                                                : pool_printf(tp, "/api/staff/hotel/h/%s", n->api_path);
        r = route_find(tp, app_routes, app_nroutes, n->method, api, caps, &ncaps, &status);
        ck_assert_msg(r != NULL && !(r->access & R_PAGE), "%s %s", n->method, api);
    }
}
END_TEST

UNIT_SUITE(suite_page)
{
    Suite *s = suite_create("page");
    TCase *tc = tcase_create("requests");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, page_paths);
    tcase_add_test(tc, page_flag_admits_nobody);
    tcase_add_test(tc, route_table_pages);
    tcase_add_loop_test(tc, login_location, 0, NELEM(login_vec));
    tcase_add_loop_test(tc, safe_next_ok, 0, NELEM(next_ok));
    tcase_add_loop_test(tc, safe_next_bad, 0, NELEM(next_bad));
    tcase_add_test(tc, safe_next_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, duration_text, 0, NELEM(dur_vec));
    tcase_add_test(tc, duration_not_finite);
    tcase_add_test(tc, time_text);
    tcase_add_test(tc, window);
    tcase_add_test(tc, nav_against_routes);
    tcase_add_loop_test(tc, face_rules, 0, NELEM(face_rules_vec));
    tcase_add_loop_test(tc, choices, 0, NELEM(choices_vec));
    suite_add_tcase(s, tc);
    return s;
}
