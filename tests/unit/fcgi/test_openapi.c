/* test_openapi.c — fcgi/openapi.h against a small table of its own:
 * openapi_statuses (a route's own answers grouped per status, plus the
 * router's refusals its entry implies; malformed answers refused) and the
 * document openapi_document makes (parameters, bodies, responses,
 * credentials, looked up by JSON pointer and compared as exact JSON), made
 * the same byte for byte every time. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/json_pointer.h>

#include "openapi.h"
#include "params.h"
#include "router.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define PARAMS(...)  ((const struct param[]){__VA_ARGS__, {0}})
#define ANSWERS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* three kinds of caller, in bits the application would own: a key holder
 * of every tenant, a user with a token or a cookie, a box with a key */
#define X_ROOT (1u << 1)
#define X_USER (1u << 2)
#define X_BOX  (1u << 3)
static const struct openapi_app tapp = {
    .title = "t", .version = "1", .description = "d", .src_dir = "src/",
    .schemes = (const struct openapi_scheme[]){
        {"key", "apiKey", "header", "X-Key", "k"},
        {"bearer", "http", NULL, "bearer", "b"},
        {"cookie", "apiKey", "cookie", "sid", "c"},
        {NULL},
    },
    .callers = (const struct openapi_caller[]){
        {X_ROOT, "root", "key"},
        {X_USER, "user", "bearer cookie"},
        {X_BOX, "box", "key"},
        {0},
    },
};
#define EVERY (X_ROOT | X_USER | X_BOX)

#define P_SLUG   {"slug", IN_PATH, PT_SLUG, P_REQUIRED, .doc = "tenant"}
#define P_ID     {"id", IN_PATH, PT_ID, P_REQUIRED, .doc = "thing"}
#define Q_LIMIT  {"limit", IN_QUERY, PT_INT, 0, 1, 1000, .doc = "Rows."}
#define H_KEY    {"Idem-Key", IN_HEADER, PT_STRING, 0, 1, 8, .doc = "Key."}
#define B_NAME   {"name", IN_BODY, PT_STRING, P_REQUIRED, 1, 100, .doc = "Name."}
#define B_NOTE   {"note", IN_BODY, PT_STRING, 0, 0, 500, .doc = NULL}
#define B_VEC    {"vec", IN_BODY, PT_ARRAY, P_REQUIRED, 2, 2, PT_NUMBER, .code = "BAD_VEC"}

/* ---- openapi_statuses ------------------------------------------------- */

/* "200 400:INVALID_JSON,VALIDATION_ERROR 503+UNAVAILABLE": each status, its
 * codes after ':' (after '+' when it is also answered bare) */
static void render(const struct openapi_status *st, int n, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(out + len, size - len, "%s%d", i ? " " : "", st[i].status);
        for (int j = 0; j < st[i].ncodes; j++)
            len += (size_t)snprintf(out + len, size - len, "%c%s",
                                    j ? ',' : st[i].bare ? '+' : ':', st[i].codes[j]);
    }
}

static const struct {
    struct route r;
    const char *want;
} statuses_ok[] = {
    /* public, nothing declared: only its own answers and the worker's 500 */
    {{.method = "GET", .pattern = "/h", .access = A_PUBLIC, .answers = ANSWERS("200", "503")},
     "200 500:INTERNAL 503"},
    {{.method = "GET", .pattern = "/h", .access = A_PUBLIC}, "500:INTERNAL"},
    /* public with a body: the body's refusals (its type too), no 401 or 403 */
    {{.method = "POST", .pattern = "/login", .access = A_PUBLIC, .params = PARAMS(B_NAME),
      .answers = ANSWERS("200", "401 INVALID_CREDENTIALS", "429 RATE_LIMITED")},
     "200 400:INVALID_JSON,VALIDATION_ERROR 401:INVALID_CREDENTIALS 413:PAYLOAD_TOO_LARGE "
     "415:UNSUPPORTED_MEDIA_TYPE 429:RATE_LIMITED 500:INTERNAL"},
    /* every caller may read it: 401 and 503 from the credential check, no 403 */
    {{.method = "GET", .pattern = "/me", .access = EVERY, .answers = ANSWERS("200")},
     "200 401:UNAUTHENTICATED 500:INTERNAL 503:UNAVAILABLE"},
    /* a write by users: the cookie's CSRF check and the role's */
    {{.method = "POST", .pattern = "/out", .access = X_USER, .answers = ANSWERS("201")},
     "201 401:UNAUTHENTICATED 403:CSRF_FAILED,FORBIDDEN 500:INTERNAL 503:UNAVAILABLE"},
    /* every caller, a write: CSRF but not FORBIDDEN */
    {{.method = "DELETE", .pattern = "/t/{slug}", .access = EVERY, .tenant = T_PATH_CREATE,
      .params = PARAMS(P_SLUG), .answers = ANSWERS("200")},
     "200 401:UNAUTHENTICATED 403:CSRF_FAILED 404:NOT_FOUND 500:INTERNAL 503:UNAVAILABLE"},
    /* key callers only: no cookie, no CSRF; a field's own code replaces VALIDATION_ERROR */
    {{.method = "POST", .pattern = "/t/{slug}/scan", .access = X_BOX | X_ROOT, .tenant = T_PATH,
      .params = PARAMS(P_SLUG, B_VEC), .answers = ANSWERS("201", "409 ALREADY", "404 NOT_FOUND")},
     "201 400:BAD_VEC,INVALID_JSON 401:UNAUTHENTICATED 403:FORBIDDEN 404:NOT_FOUND 409:ALREADY "
     "413:PAYLOAD_TOO_LARGE 415:UNSUPPORTED_MEDIA_TYPE 500:INTERNAL 503:UNAVAILABLE"},
    {{.method = "PATCH", .pattern = "/t/{slug}/x", .access = X_BOX, .tenant = T_PATH,
      .params = PARAMS(P_SLUG, B_VEC, B_NOTE), .answers = ANSWERS("200")},
     "200 400:BAD_VEC,INVALID_JSON,VALIDATION_ERROR 401:UNAUTHENTICATED 403:FORBIDDEN 404:NOT_FOUND "
     "413:PAYLOAD_TOO_LARGE 415:UNSUPPORTED_MEDIA_TYPE 500:INTERNAL 503:UNAVAILABLE"},
    /* a page: 303 to sign in instead of 401; the tenant from the caller (a
     * key of every tenant names it in the query: 400 and 404) */
    {{.method = "GET", .pattern = "/p", .access = X_USER | R_PAGE, .tenant = T_CALLER,
      .answers = ANSWERS("200", "303")},
     "200 303 400:VALIDATION_ERROR 403:FORBIDDEN 404:NOT_FOUND 500:INTERNAL 503:UNAVAILABLE"},
    /* a public page has no sign-in redirect */
    {{.method = "GET", .pattern = "/p/login", .access = A_PUBLIC | R_PAGE, .params = PARAMS(Q_LIMIT),
      .answers = ANSWERS("200")},
     "200 400:VALIDATION_ERROR 500:INTERNAL"},
    /* a path id: 404; the same code twice is listed once */
    {{.method = "GET", .pattern = "/x/{id}", .access = EVERY, .params = PARAMS(P_ID, Q_LIMIT),
      .answers = ANSWERS("200", "404 NOT_FOUND", "404 NOT_FOUND", "200")},
     "200 400:VALIDATION_ERROR 401:UNAUTHENTICATED 404:NOT_FOUND 500:INTERNAL 503:UNAVAILABLE"},
    /* a declared header: 400 VALIDATION_ERROR */
    {{.method = "POST", .pattern = "/k", .access = A_PUBLIC, .params = PARAMS(H_KEY), .answers = ANSWERS("200")},
     "200 400:VALIDATION_ERROR 500:INTERNAL"},
    /* a status answered bare and with a code; codes sorted whatever the order given */
    {{.method = "GET", .pattern = "/h", .access = A_PUBLIC,
      .answers = ANSWERS("503 ZED", "503", "503 ALPHA", "418 TEA")},
     "418:TEA 500:INTERNAL 503+ALPHA,ZED"},
};

START_TEST(statuses_table)
{
    struct openapi_status st[OPENAPI_MAX_STATUSES];
    char got[1024];
    int n = openapi_statuses(&statuses_ok[_i].r, &tapp, st, OPENAPI_MAX_STATUSES);

    ck_assert_msg(n > 0, "row %d: %d", _i, n);
    render(st, n, got, sizeof got);
    ck_assert_msg(strcmp(got, statuses_ok[_i].want) == 0, "row %d:\n got  %s\n want %s", _i, got,
                  statuses_ok[_i].want);
}
END_TEST

static const char *const answers_bad[] = {
    "", "20", "2000", "20x", "600", "099", "200 ", "200  X", "200 lower", "409ALREADY",
    "409 A-B", "409 A B", " 200", "409 CONFLICT\n",
};

START_TEST(statuses_malformed)
{
    const char *const answers[] = {"200", answers_bad[_i], NULL};
    struct route r = {.method = "GET", .pattern = "/x", .access = A_PUBLIC, .answers = answers};
    struct openapi_status st[OPENAPI_MAX_STATUSES];

    ck_assert_msg(openapi_statuses(&r, &tapp, st, OPENAPI_MAX_STATUSES) == -1, "\"%s\" taken",
                  answers_bad[_i]);
}
END_TEST

START_TEST(statuses_overflow)
{
    struct openapi_status st[OPENAPI_MAX_STATUSES];
    const char *many[OPENAPI_MAX_CODES + 2];
    struct route r = {.method = "GET", .pattern = "/x", .access = A_PUBLIC, .answers = ANSWERS("200", "201")};
    static const char *const codes[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N"};

    /* 200, 201 and 500 do not fit in two */
    ck_assert_int_eq(openapi_statuses(&r, &tapp, st, 2), -1);
    ck_assert_int_eq(openapi_statuses(&r, &tapp, st, 3), 3);
    /* one code more than a status holds */
    ck_assert_int_ge(NELEM(codes), OPENAPI_MAX_CODES + 1);
    static char text[OPENAPI_MAX_CODES + 1][8];
    for (int i = 0; i <= OPENAPI_MAX_CODES; i++) {
        snprintf(text[i], sizeof text[i], "409 %s", codes[i]);
        many[i] = text[i];
    }
    many[OPENAPI_MAX_CODES + 1] = NULL;
    r.answers = many;
    ck_assert_int_eq(openapi_statuses(&r, &tapp, st, OPENAPI_MAX_STATUSES), -1);
    many[OPENAPI_MAX_CODES] = NULL;
    ck_assert_int_eq(openapi_statuses(&r, &tapp, st, OPENAPI_MAX_STATUSES), 2);
}
END_TEST

/* ---- openapi_document ------------------------------------------------- */

static const struct route ttable[] = {
    {.method = "GET", .pattern = "/t/{slug}/things/{id}/", .name = "things.get", .src = "rooms/things.c",
     .access = X_USER | X_BOX, .tenant = T_PATH, .summary = "A thing.",
     .params = PARAMS(P_SLUG, P_ID, Q_LIMIT,
                      {"kind", IN_QUERY, PT_ENUM, P_REQUIRED, .choices = (const char *const[]){"a", "b", NULL}},
                      {"on", IN_QUERY, PT_BOOL, .doc = NULL},
                      {"from", IN_QUERY, PT_TIME_BOUND, .doc = "From."},
                      {"day", IN_QUERY, PT_DATE, .doc = NULL},
                      {"q", IN_QUERY, PT_STRING, .doc = NULL}),
     .answers = ANSWERS("200")},
    {.method = "POST", .pattern = "/t/{slug}/things/{id}/", .name = "things.put", .src = "rooms/things.c",
     .access = X_ROOT | X_BOX, .tenant = T_PATH,
     .params = PARAMS(P_SLUG, P_ID, B_VEC, B_NOTE,
                      {"owner", IN_BODY, PT_ID, P_REQUIRED, .doc = NULL},
                      {"count", IN_BODY, PT_INT, 0, 0, 1e18, .doc = NULL},
                      {"ratio", IN_BODY, PT_NUMBER, 0, 0.5, 1, .doc = NULL},
                      {"mode", IN_BODY, PT_ENUM, .choices = (const char *const[]){"x", NULL}},
                      {"at", IN_BODY, PT_TIMESTAMP, .doc = NULL},
                      {"until", IN_BODY, PT_TIME_BOUND, .doc = NULL},
                      {"extra", IN_BODY, PT_OBJECT, .doc = NULL},
                      {"ids", IN_BODY, PT_ARRAY, 0, 0, 0, PT_ID, .doc = NULL}),
     .answers = ANSWERS("201", "409 TAKEN", "409 CONFLICT")},
    {.method = "GET", .pattern = "/page", .name = "page", .src = "pages/page.c",
     .access = X_USER | R_PAGE, .tenant = T_CALLER, .answers = ANSWERS("200")},
    {.method = "PUT", .pattern = "/open", .name = "open", .src = "app/open.c", .access = A_PUBLIC,
     .params = PARAMS(B_NOTE), .answers = ANSWERS("200")},
    {.method = "POST", .pattern = "/hdr", .name = "hdr", .src = "app/hdr.c", .access = A_PUBLIC,
     .params = PARAMS(H_KEY), .answers = ANSWERS("200")},
};

#define THING "/paths/~1t~1{slug}~1things~1{id}~1"

static const struct { const char *ptr, *json; } doc_vec[] = {
    {"/openapi", "\"3.1.0\""},
    {"/info", "{\"title\":\"t\",\"version\":\"1\",\"description\":\"d\"}"},
    {"/servers", "[{\"url\":\"/\"}]"},
    {"/components/securitySchemes",
     "{\"key\":{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"X-Key\",\"description\":\"k\"},"
     "\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\",\"description\":\"b\"},"
     "\"cookie\":{\"type\":\"apiKey\",\"in\":\"cookie\",\"name\":\"sid\",\"description\":\"c\"}}"},
    {"/components/schemas/Error/required", "[\"code\",\"message\"]"},
    /* one path item for both methods */
    {THING "/get/operationId", "\"things.get\""},
    {THING "/get/summary", "\"A thing.\""},
    {THING "/get/x-handler", "\"src/rooms/things.c\""},
    {THING "/get/x-access", "[\"user\",\"box\"]"},
    {THING "/get/security", "[{\"key\":[]},{\"bearer\":[]},{\"cookie\":[]}]"},
    {THING "/get/parameters/0",
     "{\"name\":\"slug\",\"in\":\"path\",\"required\":true,"
     "\"description\":\"The tenant (404 NOT_FOUND when there is none).\","
     "\"schema\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$\"}}"},
    {THING "/get/parameters/1/schema", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":9007199254740992}"},
    {THING "/get/parameters/2",
     "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"description\":\"Rows.\","
     "\"schema\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000}}"},
    {THING "/get/parameters/3/required", "true"},
    {THING "/get/parameters/3/schema", "{\"type\":\"string\",\"enum\":[\"a\",\"b\"]}"},
    {THING "/get/parameters/4/schema", "{\"type\":\"boolean\"}"},
    {THING "/get/parameters/5/schema",
     "{\"anyOf\":[{\"type\":\"string\",\"format\":\"date\"},{\"type\":\"string\",\"format\":\"date-time\"}]}"},
    {THING "/get/parameters/6/schema", "{\"type\":\"string\",\"format\":\"date\"}"},
    {THING "/get/parameters/7/schema", "{\"type\":\"string\",\"maxLength\":4096}"},
    /* a route declaring ?limit= is a list: its page headers (no ?cursor=: offset links, an exact count) */
    {THING "/get/responses/200",
     "{\"description\":\"OK\",\"headers\":{\"X-Total-Count\":{\"description\":\"The matching rows.\","
     "\"schema\":{\"type\":\"integer\"}},\"Link\":{\"description\":\"<...&offset=N>; rel=\\\"next\\\" while "
     "more rows follow.\",\"schema\":{\"type\":\"string\"}}}}"},
    {THING "/get/responses/403/x-error-codes", "[\"FORBIDDEN\"]"},
    /* a body: required fields, nullable optional ones, bounds */
    {THING "/post/x-access", "[\"root\",\"box\"]"},
    {THING "/post/security", "[{\"key\":[]}]"},
    {THING "/post/requestBody/required", "true"},
    {THING "/post/requestBody/content/application~1json/schema/required", "[\"vec\",\"owner\"]"},
    {THING "/post/requestBody/content/application~1json/schema/properties/vec",
     "{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,\"items\":{\"type\":\"number\"}}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/note",
     "{\"type\":[\"string\",\"null\"],\"maxLength\":500}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/owner",
     "{\"type\":\"integer\",\"minimum\":1,\"maximum\":9007199254740992}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/count",
     "{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":1000000000000000000}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/ratio",
     "{\"type\":[\"number\",\"null\"],\"minimum\":0.5,\"maximum\":1.0}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/mode",
     "{\"type\":[\"string\",\"null\"],\"enum\":[\"x\",null]}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/at",
     "{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/until",
     "{\"anyOf\":[{\"type\":\"string\",\"format\":\"date\"},{\"type\":\"string\",\"format\":\"date-time\"},"
     "{\"type\":\"null\"}]}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/extra", "{\"type\":[\"object\",\"null\"]}"},
    {THING "/post/requestBody/content/application~1json/schema/properties/ids",
     "{\"type\":[\"array\",\"null\"],\"items\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":9007199254740992}}"},
    {THING "/post/responses/409",
     "{\"description\":\"Conflict: CONFLICT, TAKEN\",\"content\":{\"application/json\":{\"schema\":"
     "{\"allOf\":[{\"$ref\":\"#/components/schemas/Error\"},"
     "{\"properties\":{\"code\":{\"enum\":[\"CONFLICT\",\"TAKEN\"]}}}]}}},"
     "\"x-error-codes\":[\"CONFLICT\",\"TAKEN\"]}"},
    {THING "/post/responses/400/x-error-codes", "[\"BAD_VEC\",\"INVALID_JSON\",\"VALIDATION_ERROR\"]"},
    /* a page: HTML, and a redirect to sign in */
    {"/paths/~1page/get/responses/200", "{\"description\":\"OK\",\"content\":{\"text/html\":{\"schema\":{\"type\":\"string\"}}}}"},
    {"/paths/~1page/get/responses/303",
     "{\"description\":\"See Other\",\"headers\":{\"Location\":{\"description\":\"Where to go.\","
     "\"schema\":{\"type\":\"string\"}}}}"},
    {"/paths/~1page/get/responses/404",
     "{\"description\":\"Not Found: NOT_FOUND\",\"content\":{\"text/html\":{\"schema\":{\"type\":\"string\"}}},"
     "\"x-error-codes\":[\"NOT_FOUND\"]}"},
    /* public: no credentials; an optional body */
    {"/paths/~1open/put/x-access", "[\"public\"]"},
    {"/paths/~1open/put/security", "[]"},
    {"/paths/~1open/put/requestBody/required", "false"},
    /* a header parameter */
    {"/paths/~1hdr/post/parameters",
     "[{\"name\":\"Idem-Key\",\"in\":\"header\",\"required\":false,\"description\":\"Key.\","
     "\"schema\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":8}}]"},
};

static struct json_object *tdoc;

static void doc_setup(void)
{
    tdoc = openapi_document(ttable, NELEM(ttable), &tapp);
}

static void doc_teardown(void)
{
    json_object_put(tdoc);
    tdoc = NULL;
}

START_TEST(document_table)
{
    struct json_object *v = NULL;

    ck_assert_ptr_nonnull(tdoc);
    ck_assert_msg(json_pointer_get(tdoc, doc_vec[_i].ptr, &v) == 0, "no %s", doc_vec[_i].ptr);
    const char *got = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    ck_assert_msg(strcmp(got, doc_vec[_i].json) == 0, "%s:\n got  %s\n want %s", doc_vec[_i].ptr, got,
                  doc_vec[_i].json);
}
END_TEST

/* what is not there: the absent parts are as much the contract */
static const char *const doc_absent[] = {
    THING "/get/requestBody",                   /* no body fields */
    THING "/get/responses/413",
    THING "/get/responses/415",
    THING "/get/responses/403/content/application~1json/schema/allOf/1/properties/code/enum/1",
    THING "/post/responses/403/x-error-codes/1",   /* key callers: no CSRF */
    "/paths/~1page/get/responses/401",              /* pages redirect */
    "/paths/~1open/put/responses/401",
    "/paths/~1open/put/responses/403",
    "/paths/~1open/put/parameters",
};

START_TEST(document_absent)
{
    struct json_object *v = NULL;

    ck_assert_ptr_nonnull(tdoc);
    ck_assert_msg(json_pointer_get(tdoc, doc_absent[_i], &v) != 0, "%s is there", doc_absent[_i]);
}
END_TEST

START_TEST(document_shape)
{
    struct json_object *paths = NULL, *again = openapi_document(ttable, NELEM(ttable), &tapp);
    const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE;

    ck_assert_ptr_nonnull(tdoc);
    ck_assert_int_eq(json_pointer_get(tdoc, "/paths", &paths), 0);
    ck_assert_int_eq(json_object_object_length(paths), 4);
    /* same table, same bytes */
    ck_assert_ptr_nonnull(again);
    ck_assert_str_eq(json_object_to_json_string_ext(tdoc, flags), json_object_to_json_string_ext(again, flags));
    json_object_put(again);
}
END_TEST

START_TEST(document_malformed)
{
    struct route bad[] = {ttable[0], ttable[1]};

    bad[1].answers = ANSWERS("201", "409 taken");
    ck_assert_ptr_null(openapi_document(bad, NELEM(bad), &tapp));
}
END_TEST

UNIT_SUITE(suite_openapi)
{
    Suite *s = suite_create("openapi");
    TCase *tc;

    tc = tcase_create("statuses");
    tcase_add_loop_test(tc, statuses_table, 0, NELEM(statuses_ok));
    tcase_add_loop_test(tc, statuses_malformed, 0, NELEM(answers_bad));
    tcase_add_test(tc, statuses_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("document");
    tcase_add_checked_fixture(tc, doc_setup, doc_teardown);
    tcase_add_loop_test(tc, document_table, 0, NELEM(doc_vec));
    tcase_add_loop_test(tc, document_absent, 0, NELEM(doc_absent));
    tcase_add_test(tc, document_shape);
    tcase_add_test(tc, document_malformed);
    suite_add_tcase(s, tc);
    return s;
}
