/* test_params.c — declared route parameters (fcgi/params.h): each text
 * type accepted and refused as declared (table), and params_or_reply over
 * a request with no FastCGI connection: the answer's status and code for
 * a bad path capture, query value and body field, the parsed values a
 * handler reads, a page's empty query values, an optional body, a body
 * that is not sent as application/json (415), a declared header; a
 * PT_NUMBERS field (a list of numbers) read on both of the body parser's
 * paths, its answers byte for byte those of a PT_ARRAY of PT_NUMBER. */
#include <math.h>
#include <string.h>

#include "params.h"
#include "pool.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "unit.h"

/* the tables below leave a declaration's unused fields out, as routes.c does */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct pool *tp;

static void setup(void)
{
    tp = pool_new();
}

static void teardown(void)
{
    pool_free(tp);
    tp = NULL;
}

static const char *const colours[] = {"red", "green", NULL};

static const struct {
    struct param p;
    const char *value;
    int ok;
    long long i;        /* expected .i when ok */
    const char *s;      /* expected .s when ok (NULL: not checked) */
} text_cases[] = {
    {{"id", IN_QUERY, PT_ID}, "1", 1, 1, NULL},
    {{"id", IN_QUERY, PT_ID}, "9007199254740992", 1, 9007199254740992LL, NULL},
    {{"id", IN_QUERY, PT_ID}, "9007199254740993", 0, 0, NULL},
    {{"id", IN_QUERY, PT_ID}, "0", 0, 0, NULL},
    {{"id", IN_QUERY, PT_ID}, "-1", 0, 0, NULL},
    {{"id", IN_QUERY, PT_ID}, "01x", 0, 0, NULL},
    {{"id", IN_QUERY, PT_ID}, "", 0, 0, NULL},
    {{"n", IN_QUERY, PT_INT, 0, 1, 1000}, "1000", 1, 1000, NULL},
    {{"n", IN_QUERY, PT_INT, 0, 1, 1000}, "1001", 0, 0, NULL},
    {{"n", IN_QUERY, PT_INT, 0, 1, 1000}, "0", 0, 0, NULL},
    {{"n", IN_QUERY, PT_INT, 0, 0, P_NO_MAX}, "9223372036854775807", 1, 9223372036854775807LL, NULL},
    {{"n", IN_QUERY, PT_INT, 0, 0, P_NO_MAX}, "9223372036854775808", 0, 0, NULL},
    {{"n", IN_QUERY, PT_INT}, "-5", 1, -5, NULL},
    {{"b", IN_QUERY, PT_BOOL}, "true", 1, 1, NULL},
    {{"b", IN_QUERY, PT_BOOL}, "false", 1, 0, NULL},
    {{"b", IN_QUERY, PT_BOOL}, "1", 0, 0, NULL},
    {{"b", IN_QUERY, PT_BOOL}, "TRUE", 0, 0, NULL},
    {{"t", IN_QUERY, PT_STRING, 0, 1, 3}, "abc", 1, 0, "abc"},
    {{"t", IN_QUERY, PT_STRING, 0, 1, 3}, "abcd", 0, 0, NULL},
    {{"t", IN_QUERY, PT_STRING, 0, 1, 3}, "", 0, 0, NULL},
    {{"t", IN_QUERY, PT_STRING, 0, 0, 3}, "a\001", 0, 0, NULL},
    {{"t", IN_QUERY, PT_STRING, 0, 0, 8}, "\xc3\xa9t\xc3\xa9", 1, 0, NULL},
    {{"t", IN_QUERY, PT_STRING, 0, 0, 8}, "\xc3", 0, 0, NULL},
    {{"s", IN_QUERY, PT_SLUG}, "grand-hotel", 1, 0, "grand-hotel"},
    {{"s", IN_QUERY, PT_SLUG}, "Grand", 0, 0, NULL},
    {{"s", IN_QUERY, PT_SLUG}, "grand-", 0, 0, NULL},
    {{"e", IN_QUERY, PT_ENUM, .choices = colours}, "green", 1, 0, "green"},
    {{"e", IN_QUERY, PT_ENUM, .choices = colours}, "Green", 0, 0, NULL},
    {{"e", IN_QUERY, PT_ENUM, .choices = colours}, "blue", 0, 0, NULL},
    {{"d", IN_QUERY, PT_DATE}, "2024-02-29", 1, 0, "2024-02-29"},
    {{"d", IN_QUERY, PT_DATE}, "2025-02-29", 0, 0, NULL},
    {{"d", IN_QUERY, PT_DATE}, "2025-1-01", 0, 0, NULL},
    {{"ts", IN_QUERY, PT_TIMESTAMP}, "2025-11-30T08:58:00Z", 1, 0, "2025-11-30 08:58:00.000000+00"},
    {{"ts", IN_QUERY, PT_TIMESTAMP}, "2025-11-30T09:58:00+01:00", 1, 0, "2025-11-30 08:58:00.000000+00"},
    {{"ts", IN_QUERY, PT_TIMESTAMP}, "2025-11-30", 0, 0, NULL},
    {{"tb", IN_QUERY, PT_TIME_BOUND}, "2025-11-30", 1, 1, "2025-11-30"},
    {{"tb", IN_QUERY, PT_TIME_BOUND}, "2025-11-30T08:58:00.5Z", 1, 2, "2025-11-30 08:58:00.500000+00"},
    {{"tb", IN_QUERY, PT_TIME_BOUND}, "yesterday", 0, 0, NULL},
};

START_TEST(text_values)
{
    struct arg a;
    const char *why = NULL;
    memset(&a, 0, sizeof a);
    int rc = param_text(tp, &text_cases[_i].p, text_cases[_i].value, &a, &why);
    if (text_cases[_i].ok) {
        ck_assert_msg(rc == 0, "case %d (%s=%s) refused: %s", _i, text_cases[_i].p.name,
                      text_cases[_i].value, why ? why : "");
        ck_assert_int_eq(a.i, text_cases[_i].i);
        if (text_cases[_i].s != NULL)
            ck_assert_str_eq(a.s, text_cases[_i].s);
    } else {
        ck_assert_msg(rc == -1, "case %d (%s=%s) accepted", _i, text_cases[_i].p.name, text_cases[_i].value);
        /* the message names the field */
        ck_assert_ptr_nonnull(strstr(why, text_cases[_i].p.name));
    }
}
END_TEST

/* ---- params_or_reply over a request without FastCGI ------------------- */

static const struct param thing_params[] = {
    {"thing_id", IN_PATH, PT_ID, P_REQUIRED, .doc = "thing"},
    {"limit", IN_QUERY, PT_INT, 0, 1, 1000},
    {"colour", IN_QUERY, PT_ENUM, .choices = colours},
    {"name", IN_BODY, PT_STRING, P_REQUIRED, 1, 10},
    {"count", IN_BODY, PT_INT, 0, 0, 5},
    {"vector", IN_BODY, PT_ARRAY, 0, 3, 3, PT_NUMBER, .code = "BAD_VECTOR"},
    {"extra", IN_BODY, PT_ANY},
    {0},
};
static const struct route thing = {.method = "POST", .pattern = "/things/{thing_id}", .access = A_PUBLIC,
                                   .name = "things.post", .params = thing_params};

static const struct param page_params[] = {
    {"colour", IN_QUERY, PT_ENUM, .choices = colours},
    {"note", IN_BODY, PT_STRING, 0, 0, 10},
    {0},
};
static const struct route page = {.method = "GET", .pattern = "/page", .access = A_PUBLIC | R_PAGE,
                                  .name = "page", .params = page_params};

static void request_for(struct request *req, const struct route *r, const char *uri, const char *body)
{
    const char *err = NULL;
    memset(req, 0, sizeof *req);
    req->pool = tp;
    req->method = r->method;
    req->route = r;
    req->page = (r->access & R_PAGE) != 0;
    ck_assert_int_eq(request_parse_target(req, uri, &err), 0);
    req->ncaptures = route_match(tp, r->pattern, req->path, req->captures, REQ_MAX_CAPTURES);
    ck_assert_int_ge(req->ncaptures, 0);
    if (body != NULL) {
        req->body = pool_strdup(tp, body);
        req->body_len = strlen(body);
        req->content_type = "application/json";
    }
}

static const struct {
    const char *uri, *body;
    int status;             /* 0: accepted */
    const char *code;
} dispatch_cases[] = {
    {"/things/7", "{\"name\":\"a\"}", 0, NULL},
    {"/things/7?limit=10&colour=red", "{\"name\":\"a\",\"count\":5,\"vector\":[1,2,3.5],\"extra\":[\"x\"]}", 0, NULL},
    {"/things/0", "{\"name\":\"a\"}", 404, "NOT_FOUND"},
    {"/things/x", "{\"name\":\"a\"}", 404, "NOT_FOUND"},
    {"/things/7?limit=0", "{\"name\":\"a\"}", 400, "VALIDATION_ERROR"},
    {"/things/7?colour=blue", "{\"name\":\"a\"}", 400, "VALIDATION_ERROR"},
    {"/things/7?colour=", "{\"name\":\"a\"}", 400, "VALIDATION_ERROR"},
    {"/things/7", NULL, 400, "INVALID_JSON"},
    {"/things/7", "[1]", 400, "INVALID_JSON"},
    {"/things/7", "{\"name\":", 400, "INVALID_JSON"},
    {"/things/7", "{}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":null}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":\"\"}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":\"12345678901\"}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":5}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":\"a\",\"count\":6}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":\"a\",\"count\":1.5}", 400, "VALIDATION_ERROR"},
    {"/things/7", "{\"name\":\"a\",\"vector\":[1,2]}", 400, "BAD_VECTOR"},
    {"/things/7", "{\"name\":\"a\",\"vector\":[1,2,\"3\"]}", 400, "BAD_VECTOR"},
    {"/things/7", "{\"name\":\"a\",\"vector\":{}}", 400, "BAD_VECTOR"},
    /* a path error comes before a query error, a query error before the body's */
    {"/things/x?limit=0", "{}", 404, "NOT_FOUND"},
    {"/things/7?limit=0", "{}", 400, "VALIDATION_ERROR"},
};

START_TEST(dispatch)
{
    struct request req;
    request_for(&req, &thing, dispatch_cases[_i].uri, dispatch_cases[_i].body);
    int rc = params_or_reply(&req);
    if (dispatch_cases[_i].status == 0) {
        ck_assert_msg(rc == 0, "case %d refused: %d %s", _i, req.status, req.error_code ? req.error_code : "");
        ck_assert_int_eq(req.status, 0);
    } else {
        ck_assert_msg(rc == -1, "case %d accepted", _i);
        ck_assert_int_eq(req.status, dispatch_cases[_i].status);
        ck_assert_str_eq(req.error_code, dispatch_cases[_i].code);
    }
    request_end(&req);
}
END_TEST

/* a declared header (IN_HEADER): read through req_header() by its HTTP
 * name, whatever its case; checked after the body (which a route with
 * only optional fields may leave out: the header is still checked);
 * 400 VALIDATION_ERROR naming it */
static int no_comma(const char *v)
{
    return strchr(v, ',') == NULL;
}
static const struct param header_params[] = {
    {"note", IN_BODY, PT_STRING, 0, 0, 10},
    {"Idempotency-Key", IN_HEADER, PT_STRING, 0, 1, 8, .valid = no_comma},
    {0},
};
static const struct route header_route = {.method = "POST", .pattern = "/h", .access = A_PUBLIC,
                                          .name = "h", .params = header_params};
static const struct {
    const char *header, *body;
    int status;             /* 0: accepted */
    const char *code;
} header_cases[] = {
    {NULL, NULL, 0, NULL},
    {"abc", NULL, 0, NULL},
    {"abc", "{\"note\":\"x\"}", 0, NULL},
    {"12345678", NULL, 0, NULL},
    {"", NULL, 400, "VALIDATION_ERROR"},
    {"123456789", NULL, 400, "VALIDATION_ERROR"},
    {"a,b", NULL, 400, "VALIDATION_ERROR"},
    {"a\001b", NULL, 400, "VALIDATION_ERROR"},
    {"a,b", "{\"note\":\"x\"}", 400, "VALIDATION_ERROR"},
    {"a,b", "{\"note\":", 400, "INVALID_JSON"},
};

START_TEST(header_values)
{
    struct request req;
    request_for(&req, &header_route, "/h", header_cases[_i].body);
    req.idempotency_key = header_cases[_i].header;
    ck_assert_ptr_eq(req_header(&req, "idempotency-KEY"), header_cases[_i].header);
    int rc = params_or_reply(&req);
    if (header_cases[_i].status == 0) {
        ck_assert_msg(rc == 0, "case %d refused: %d", _i, req.status);
        const char *v = arg_str(&req, "Idempotency-Key");
        if (header_cases[_i].header == NULL)
            ck_assert_ptr_null(v);
        else
            ck_assert_str_eq(v, header_cases[_i].header);
    } else {
        ck_assert_msg(rc == -1, "case %d accepted", _i);
        ck_assert_int_eq(req.status, header_cases[_i].status);
        ck_assert_str_eq(req.error_code, header_cases[_i].code);
    }
    request_end(&req);
}
END_TEST

/* a body is JSON only when it says so: a form or text/plain body (what a
 * browser sends cross-site unasked) is 415 before it is read, even when
 * it holds valid JSON; no body is still 400 INVALID_JSON */
static const struct {
    const char *ctype, *body;
    int status;             /* 0: accepted */
} media_cases[] = {
    {"application/json", "{\"name\":\"a\"}", 0},
    {"application/json; charset=utf-8", "{\"name\":\"a\"}", 0},
    {"text/plain", "{\"name\":\"a\"}", 415},
    {"text/plain;charset=UTF-8", "{\"name\":\"a\"}", 415},
    {"application/x-www-form-urlencoded", "{\"name\":\"a\"}", 415},
    {"multipart/form-data; boundary=b", "{\"name\":\"a\"}", 415},
    {"", "{\"name\":\"a\"}", 415},
    {NULL, "{\"name\":\"a\"}", 415},
    {"text/plain", "not json", 415},
    {"text/plain", NULL, 400},
};

START_TEST(media_type)
{
    struct request req;
    request_for(&req, &thing, "/things/7", media_cases[_i].body);
    req.content_type = media_cases[_i].ctype;
    int rc = params_or_reply(&req);
    if (media_cases[_i].status == 0) {
        ck_assert_msg(rc == 0, "case %d refused: %d", _i, req.status);
    } else {
        ck_assert_msg(rc == -1, "case %d accepted", _i);
        ck_assert_int_eq(req.status, media_cases[_i].status);
        ck_assert_str_eq(req.error_code, media_cases[_i].status == 415 ? "UNSUPPORTED_MEDIA_TYPE" : "INVALID_JSON");
    }
    request_end(&req);
}
END_TEST

START_TEST(values_read_back)
{
    struct request req;
    request_for(&req, &thing, "/things/42?colour=green",
                "{\"name\":\"n\\u00e9\",\"vector\":[1,2,3],\"extra\":true}");
    ck_assert_int_eq(params_or_reply(&req), 0);
    ck_assert_int_eq(arg_int(&req, "thing_id"), 42);
    ck_assert(arg_has(&req, "colour"));
    ck_assert_str_eq(arg_str(&req, "colour"), "green");
    ck_assert(!arg_has(&req, "limit"));
    ck_assert_int_eq(arg_int(&req, "limit"), 0);
    ck_assert_str_eq(arg_str(&req, "name"), "n\xc3\xa9");
    ck_assert(!arg_has(&req, "count"));
    ck_assert_int_eq(json_object_array_length(arg_json(&req, "vector")), 3);
    ck_assert(json_object_get_boolean(arg_json(&req, "extra")));
    /* an undeclared name reads as absent (and is logged) */
    ck_assert(!arg_has(&req, "nothing"));
    ck_assert_ptr_null(arg_str(&req, "nothing"));
    request_end(&req);
}
END_TEST

START_TEST(page_empty_query_and_optional_body)
{
    struct request req;
    /* a form's empty field is absent on a page; no body: the optional
     * fields are absent and nothing is parsed */
    request_for(&req, &page, "/page?colour=", NULL);
    ck_assert_int_eq(params_or_reply(&req), 0);
    ck_assert(!arg_has(&req, "colour"));
    ck_assert(!arg_has(&req, "note"));
    request_end(&req);
    /* a body that is there is checked */
    request_for(&req, &page, "/page", "{\"note\":\"far too long a note\"}");
    ck_assert_int_eq(params_or_reply(&req), -1);
    ck_assert_int_eq(req.status, 400);
    request_end(&req);
}
END_TEST

START_TEST(time_bounds)
{
    static const struct param ps[] = {{"from", IN_QUERY, PT_TIME_BOUND}, {"to", IN_QUERY, PT_TIME_BOUND}, {0}};
    static const struct route r = {.method = "GET", .pattern = "/x", .access = A_PUBLIC, .name = "x", .params = ps};
    struct request req;
    const char *date, *ts;

    request_for(&req, &r, "/x?from=2025-11-30&to=2025-11-30T10:00:00%2B02:00", NULL);
    ck_assert_int_eq(params_or_reply(&req), 0);
    arg_time_bound(&req, "from", &date, &ts);
    ck_assert_str_eq(date, "2025-11-30");
    ck_assert_ptr_null(ts);
    arg_time_bound(&req, "to", &date, &ts);
    ck_assert_ptr_null(date);
    ck_assert_str_eq(ts, "2025-11-30 08:00:00.000000+00");
    request_end(&req);
}
END_TEST

/* ---- PT_NUMBERS: a list of numbers ------------------------------------ */

/* the extra check of both declarations below: every number within ±10 */
static int small_nums(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > 10)
            return 0;
    return 1;
}

static int small_json(struct json_object *v)
{
    for (size_t i = 0; i < json_object_array_length(v); i++)
        if (fabs(json_object_get_double(json_object_array_get_idx(v, i))) > 10)
            return 0;
    return 1;
}

static const struct param list_params[] = {
    {"vec", IN_BODY, PT_NUMBERS, P_REQUIRED, 3, 3, .code = "BAD_VEC", .valid_nums = small_nums},
    {"opt", IN_BODY, PT_NUMBERS, 0, 1, 2},
    {"name", IN_BODY, PT_STRING, 0, 0, 10},
    {0},
};
static const struct route list_route = {.method = "POST", .pattern = "/l", .access = A_PUBLIC,
                                        .name = "l", .params = list_params};
/* the same fields as arrays of numbers in json-c objects: the answers to match */
static const struct param array_params[] = {
    {"vec", IN_BODY, PT_ARRAY, P_REQUIRED, 3, 3, PT_NUMBER, .code = "BAD_VEC", .valid_json = small_json},
    {"opt", IN_BODY, PT_ARRAY, 0, 1, 2, PT_NUMBER},
    {"name", IN_BODY, PT_STRING, 0, 0, 10},
    {0},
};
static const struct route array_route = {.method = "POST", .pattern = "/l", .access = A_PUBLIC,
                                         .name = "l", .params = array_params};

#define ESC "\"name\":\"\\u0041\","    /* an escaped string: json-c reads the body, not the fast path */

static const struct {
    const char *body;
    const char *answer;     /* the error's body, or NULL: accepted with vec (and opt) below */
    double vec[3], opt[2];
    size_t nopt;
} list_cases[] = {
    {"{\"vec\":[1,2.5,-3e0]}", NULL, {1, 2.5, -3}, {0}, 0},
    {"{" ESC "\"vec\":[1,2.5,-3e0]}", NULL, {1, 2.5, -3}, {0}, 0},
    {"{\"vec\":[0.1, -0, 1E-2], \"opt\":[10,-10]}", NULL, {0.1, 0, 0.01}, {10, -10}, 2},
    {"{" ESC "\"vec\":[0.1, -0, 1E-2], \"opt\":[10,-10]}", NULL, {0.1, 0, 0.01}, {10, -10}, 2},
    {"{\"vec\":[1,2,3],\"opt\":null}", NULL, {1, 2, 3}, {0}, 0},
    /* a repeated member: json-c's last one */
    {"{\"vec\":[1,2],\"vec\":[4,5,6]}", NULL, {4, 5, 6}, {0}, 0},
    {"{\"vec\":[1,2]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has the wrong number of items.\"}"},
    {"{" ESC "\"vec\":[1,2,3,4]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has the wrong number of items.\"}"},
    {"{\"vec\":[]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has the wrong number of items.\"}"},
    {"{\"vec\":[1,2,\"3\"]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has an item of the wrong type.\"}"},
    {"{\"vec\":[1,2,true]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has an item of the wrong type.\"}"},
    {"{\"vec\":[1,null,3]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has an item of the wrong type.\"}"},
    {"{\"vec\":[[1],2,3]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has an item of the wrong type.\"}"},
    {"{\"vec\":[1,2,1e999]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has an item of the wrong type.\"}"},
    {"{" ESC "\"vec\":[1,-1e400,3]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec has an item of the wrong type.\"}"},
    {"{\"vec\":[1,2,10.5]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec is not in its format.\"}"},
    {"{" ESC "\"vec\":[-11,2,3]}", "{\"code\":\"BAD_VEC\",\"message\":\"vec is not in its format.\"}"},
    {"{\"vec\":\"1,2,3\"}", "{\"code\":\"BAD_VEC\",\"message\":\"vec must be an array.\"}"},
    {"{\"vec\":{}}", "{\"code\":\"BAD_VEC\",\"message\":\"vec must be an array.\"}"},
    {"{\"vec\":null}", "{\"code\":\"BAD_VEC\",\"message\":\"vec is required.\"}"},
    {"{}", "{\"code\":\"BAD_VEC\",\"message\":\"vec is required.\"}"},
    {"{\"vec\":[1,2,3],\"opt\":[]}",
     "{\"code\":\"VALIDATION_ERROR\",\"message\":\"opt has too few or too many items.\",\"field\":\"opt\"}"},
    {"{\"vec\":[1,2,3],\"opt\":[1,2,3]}",
     "{\"code\":\"VALIDATION_ERROR\",\"message\":\"opt has too few or too many items.\",\"field\":\"opt\"}"},
    {"{\"vec\":[1,2,3],\"opt\":5}",
     "{\"code\":\"VALIDATION_ERROR\",\"message\":\"opt must be an array.\",\"field\":\"opt\"}"},
    {"{\"vec\":[1,2,3],\"name\":5}",
     "{\"code\":\"VALIDATION_ERROR\",\"message\":\"name must be a string.\",\"field\":\"name\"}"},
    {"{\"vec\":[1,2,3]", "{\"code\":\"INVALID_JSON\",\"message\":\"The request body is not valid JSON.\"}"},
};

/* params_or_reply on body under route r, the answer held: its body, or
 * NULL when the request was accepted */
static const char *list_answer(struct request *req, const struct route *r, const char *body)
{
    request_for(req, r, "/l", body);
    resp_hold(req);
    int rc = params_or_reply(req);
    ck_assert_int_eq(rc == 0, !req->held);
    return req->held ? req->held_body : NULL;
}

START_TEST(number_lists)
{
    struct request req, old;
    const char *got = list_answer(&req, &list_route, list_cases[_i].body);
    const char *want = list_answer(&old, &array_route, list_cases[_i].body);

    /* the answer of an array of numbers, byte for byte, and the table's */
    ck_assert_msg((got == NULL) == (want == NULL) && (got == NULL || strcmp(got, want) == 0),
                  "case %d: %s, as an array %s", _i, got ? got : "accepted", want ? want : "accepted");
    if (list_cases[_i].answer != NULL) {
        ck_assert_msg(got != NULL, "case %d accepted", _i);
        ck_assert_str_eq(got, list_cases[_i].answer);
        ck_assert_int_eq(req.status, 400);
    } else {
        size_t n;
        ck_assert_msg(got == NULL, "case %d refused: %s", _i, got);
        const double *x = arg_nums(&req, "vec", &n);
        ck_assert_uint_eq(n, 3);
        ck_assert(memcmp(x, list_cases[_i].vec, sizeof list_cases[_i].vec) == 0);
        x = arg_nums(&req, "opt", &n);
        ck_assert_uint_eq(n, list_cases[_i].nopt);
        ck_assert_int_eq(arg_has(&req, "opt"), n > 0);
        ck_assert(n == 0 ? x == NULL : memcmp(x, list_cases[_i].opt, n * sizeof *x) == 0);
        /* the same numbers as json-c's items */
        struct json_object *a = arg_json(&old, "vec");
        for (size_t i = 0; i < 3; i++)
            ck_assert(json_object_get_double(json_object_array_get_idx(a, i)) == list_cases[_i].vec[i]);
    }
    request_end(&req);
    request_end(&old);
}
END_TEST

UNIT_SUITE(suite_params)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("params");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, text_values, 0, NELEM(text_cases));
    tcase_add_loop_test(tc, dispatch, 0, NELEM(dispatch_cases));
    tcase_add_loop_test(tc, header_values, 0, NELEM(header_cases));
    tcase_add_test(tc, values_read_back);
    tcase_add_test(tc, page_empty_query_and_optional_body);
    tcase_add_loop_test(tc, media_type, 0, NELEM(media_cases));
    tcase_add_test(tc, time_bounds);
    tcase_add_loop_test(tc, number_lists, 0, NELEM(list_cases));
    suite_add_tcase(s, tc);
    return s;
}
