/* test_http.c — the pure text helpers of fcgi/http.h: percent-decoding,
 * query strings, the Cookie header, query building, status texts, the
 * JSON media type and
 * escaping for the log (a table, and cuts at every buffer size).
 * Every case gets a fresh pool, freed in the teardown. */
#include <string.h>

#include "http.h"
#include "pool.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct pool *tp;

static void
setup(void)
{
    tp = pool_new();
}

static void
teardown(void)
{
    pool_free(tp);
    tp = NULL;
}

/* ---- http_unescape ------------------------------------------------------- */

static const struct { const char *in; int plus; const char *out; } unesc_ok[] = {
    { "", 0, "" }, { "abc", 0, "abc" }, { "a%20b", 0, "a b" },
    { "a+b", 1, "a b" }, { "a+b", 0, "a+b" }, { "%2B", 1, "+" },
    { "%41%42c", 0, "ABc" }, { "%4a%4A", 0, "JJ" }, { "%25", 0, "%" },
    { "%2F..%2F", 0, "/../" }, { "caf%C3%A9", 0, "caf\xc3\xa9" },
    { "100%25+sure", 1, "100% sure" }, { "%7e~", 0, "~~" },
    { "%01", 0, "\x01" },               /* decodes; text checks come later */
};
static const struct { const char *in; int plus; } unesc_bad[] = {
    { "%zz", 0 }, { "%4", 0 }, { "%", 0 }, { "abc%", 0 }, { "abc%4", 1 },
    { "%00", 0 }, { "a%00b", 1 }, { "%g1", 0 }, { "%1g", 0 }, { "%%41", 0 },
    { "% 41", 0 }, { "%-1", 0 }, { "%+1", 1 },
};

START_TEST(unescape_valid)
{
    const char *in = unesc_ok[_i].in;
    char *out = http_unescape(tp, in, strlen(in), unesc_ok[_i].plus);

    ck_assert_msg(out != NULL, "%s", in);
    ck_assert_str_eq(out, unesc_ok[_i].out);
}
END_TEST

START_TEST(unescape_invalid)
{
    const char *in = unesc_bad[_i].in;

    ck_assert_msg(http_unescape(tp, in, strlen(in), unesc_bad[_i].plus) == NULL, "%s", in);
}
END_TEST

/* n, not the NUL, ends the input */
START_TEST(unescape_length)
{
    char *out;

    out = http_unescape(tp, "abc%20def", 3, 0);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "abc");
    out = http_unescape(tp, "abc%20def", 6, 0);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "abc ");
    ck_assert_ptr_null(http_unescape(tp, "abc%20def", 5, 0));  /* "abc%2" */
    ck_assert_ptr_null(http_unescape(tp, "abc%20def", 4, 0));  /* "abc%" */
    ck_assert_ptr_null(http_unescape(tp, "a\0b", 3, 0));       /* raw NUL */
    out = http_unescape(tp, "xyz", 0, 0);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "");
}
END_TEST

/* ---- http_parse_query ---------------------------------------------------- */

#define QMAX 4

static const struct {
    const char *qs;
    int n;
    const char *kv[2 * QMAX];
} query_ok[] = {
    { "", 0, { NULL } },
    { "a=1", 1, { "a", "1" } },
    { "a=1&b=x%20y", 2, { "a", "1", "b", "x y" } },
    { "q=a+b&r=c%2Bd", 2, { "q", "a b", "r", "c+d" } },
    { "a=", 1, { "a", "" } },
    { "a", 1, { "a", "" } },                        /* key without '=' */
    { "a&b=2&c", 3, { "a", "", "b", "2", "c", "" } },
    { "a=1=2", 1, { "a", "1=2" } },
    { "a=1&", 1, { "a", "1" } },
    { "&a=1", 1, { "a", "1" } },
    { "a=1&&b=2", 2, { "a", "1", "b", "2" } },
    { "a=1&a=2", 2, { "a", "1", "a", "2" } },       /* repeats are kept */
    { "na%6De=v", 1, { "name", "v" } },
    { "=v", 1, { "", "v" } },
    { "a=1&b=2&c=3&d=4", 4, { "a", "1", "b", "2", "c", "3", "d", "4" } },  /* = max */
};
static const char *const query_bad[] = {
    "a=%zz", "%zz=1", "a=%4", "a=1&b=%", "a=%00", "%00=1",
    "a=1&b=2&c=3&d=4&e=5",                          /* more than max */
    "a&b&c&d&e",
};

START_TEST(query_valid)
{
    struct kv kv[QMAX];
    int n = http_parse_query(tp, query_ok[_i].qs, kv, QMAX);

    ck_assert_msg(n == query_ok[_i].n, "\"%s\": %d pairs", query_ok[_i].qs, n);
    for (int i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(kv[i].key);
        ck_assert_ptr_nonnull(kv[i].val);
        ck_assert_str_eq(kv[i].key, query_ok[_i].kv[2 * i]);
        ck_assert_str_eq(kv[i].val, query_ok[_i].kv[2 * i + 1]);
    }
}
END_TEST

START_TEST(query_invalid)
{
    struct kv kv[QMAX];

    ck_assert_msg(http_parse_query(tp, query_bad[_i], kv, QMAX) == -1, "%s", query_bad[_i]);
}
END_TEST

/* ---- http_cookie --------------------------------------------------------- */

static const struct { const char *header, *name, *val; } cookie_vec[] = {
    { "fc_token=abc", "fc_token", "abc" },
    { "a=1; fc_token=abc; b=2", "fc_token", "abc" },
    { "a=1;fc_token=abc;b=2", "fc_token", "abc" },
    { "a=1;   fc_token=abc  ; b=2", "fc_token", "abc" },
    { "  fc_token=abc", "fc_token", "abc" },
    { "a=1; b=2; fc_token=last", "fc_token", "last" },
    { "a=1; b=2", "b", "2" },
    { "xfc_token=bad; fc_token=good", "fc_token", "good" },
    { "fc_token_old=bad; fc_token=good", "fc_token", "good" },
    { "fc_token=a=b", "fc_token", "a=b" },
    { "fc_token=abc; fc_token=def", "fc_token", "abc" },   /* first wins */
    { "fc_token_old=bad", "fc_token", NULL },
    { "xfc_token=bad", "fc_token", NULL },
    { "a=1; b=2", "fc_token", NULL },
    { "", "fc_token", NULL },
    { "fc_token", "fc_token", NULL },
    { "a=fc_token=x", "fc_token", NULL },
    { "FC_TOKEN=abc", "fc_token", NULL },                  /* names are exact */
};

START_TEST(cookie_table)
{
    const char *v = http_cookie(tp, cookie_vec[_i].header, cookie_vec[_i].name);

    if (cookie_vec[_i].val == NULL) {
        ck_assert_msg(v == NULL, "\"%s\" gave \"%s\"", cookie_vec[_i].header, v);
    } else {
        ck_assert_msg(v != NULL, "\"%s\" gave NULL", cookie_vec[_i].header);
        ck_assert_str_eq(v, cookie_vec[_i].val);
    }
}
END_TEST

START_TEST(cookie_null_header)
{
    ck_assert_ptr_null(http_cookie(tp, NULL, "fc_token"));
}
END_TEST

/* ---- http_query_append --------------------------------------------------- */

START_TEST(query_append)
{
    struct kv kv[QMAX];
    char *qs;

    qs = http_query_append(tp, "", "offset", "50");
    ck_assert_str_eq(qs, "offset=50");
    qs = http_query_append(tp, "limit=10", "offset", "50");
    ck_assert_str_eq(qs, "limit=10&offset=50");

    /* whatever the value holds, it reads back exactly */
    qs = http_query_append(tp, "a=1", "q", "x y&z=w+v%/?#\xc3\xa9");
    ck_assert_int_eq(http_parse_query(tp, qs, kv, QMAX), 2);
    ck_assert_str_eq(kv[0].key, "a");
    ck_assert_str_eq(kv[1].key, "q");
    ck_assert_str_eq(kv[1].val, "x y&z=w+v%/?#\xc3\xa9");
}
END_TEST

/* ---- http_status_text ---------------------------------------------------- */

static const struct { int status; const char *text; } status_vec[] = {
    { 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
    { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
    { 404, "Not Found" }, { 405, "Method Not Allowed" }, { 409, "Conflict" },
    { 429, "Too Many Requests" }, { 500, "Internal Server Error" },
    { 503, "Service Unavailable" },
};

START_TEST(status_text)
{
    const char *t = http_status_text(status_vec[_i].status);

    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t, status_vec[_i].text);
}
END_TEST

START_TEST(status_unknown)
{
    /* never NULL, whatever the number: it goes straight into a header */
    ck_assert_ptr_nonnull(http_status_text(299));
    ck_assert_ptr_nonnull(http_status_text(0));
    ck_assert_ptr_nonnull(http_status_text(-1));
    ck_assert_ptr_nonnull(http_status_text(413));
    ck_assert_ptr_nonnull(http_status_text(422));
}
END_TEST

/* ---- http_is_json_type ---------------------------------------------------- */

static const struct { const char *ct; int json; } ctype_vec[] = {
    { "application/json", 1 }, { "application/json; charset=utf-8", 1 },
    { "Application/JSON", 1 }, { " application/json ;charset=UTF-8", 1 },
    { "application/json;", 1 }, { "application/json\t", 1 },
    { NULL, 0 }, { "", 0 }, { "text/plain", 0 }, { "text/plain; charset=utf-8", 0 },
    { "application/x-www-form-urlencoded", 0 }, { "multipart/form-data; boundary=x", 0 },
    { "application/jsonx", 0 }, { "application/json-patch+json", 0 }, { "application/jso", 0 },
    { "text/json", 0 }, { "application/json,text/plain", 0 }, { "x application/json", 0 },
};

START_TEST(json_type)
{
    ck_assert_msg(http_is_json_type(ctype_vec[_i].ct) == ctype_vec[_i].json, "%s",
                  ctype_vec[_i].ct ? ctype_vec[_i].ct : "(null)");
}
END_TEST

/* ---- http_is_secure --------------------------------------------------------- */

static const struct { int tls; const char *scheme; int secure; } secure_vec[] = {
    { 0, "http", 0 }, { 0, NULL, 0 }, { 0, "", 0 }, { 0, "HTTPS ", 0 }, { 0, "httpsx", 0 },
    { 0, "https", 1 },
    { 1, "http", 1 }, { 1, NULL, 1 }, { 1, "https", 1 },
};

START_TEST(secure_table)
{
    ck_assert_int_eq(http_is_secure(secure_vec[_i].tls, secure_vec[_i].scheme), secure_vec[_i].secure);
}
END_TEST

/* ---- http_log_escape ------------------------------------------------------ */

static const struct { const char *in, *out; } log_vec[] = {
    { "", "" }, { "/api/x/", "/api/x/" },
    { "/a\nb", "/a\\x0ab" },                        /* %0a: no second line */
    { "/a\r\n2025 level=info forged", "/a\\x0d\\x0a2025 level=info forged" },
    { "/\"q\" route=x", "/\\\"q\\\" route=x" },      /* a quote cannot end the value */
    { "/back\\slash", "/back\\\\slash" },
    { "/\t\x01\x1f\x7f", "/\\x09\\x01\\x1f\\x7f" },
    { "/caf\xc3\xa9 ok", "/caf\xc3\xa9 ok" },         /* UTF-8 as it is */
};

START_TEST(log_escape)
{
    char out[128];

    ck_assert_str_eq(http_log_escape(log_vec[_i].in, out, sizeof out), log_vec[_i].out);
}
END_TEST

/* at every size the output fits, is a prefix of whole escapes, and says
 * "..." when cut */
START_TEST(log_escape_cut)
{
    const char *in = "/a\n\"b\\c";
    const char *full = "/a\\x0a\\\"b\\\\c";
    size_t cap = (size_t)_i;
    char out[64];

    memset(out, 'Z', sizeof out);
    http_log_escape(in, out, cap);
    ck_assert_uint_lt(strlen(out), cap);
    ck_assert_msg(out[cap] == 'Z' || cap == sizeof out, "written past cap %zu", cap);
    if (cap > strlen(full)) {
        ck_assert_str_eq(out, full);
    } else {
        size_t n = strlen(out) - 3;
        ck_assert_str_eq(out + n, "...");
        ck_assert(strncmp(out, full, n) == 0);
        /* never half an escape: what is kept is a whole escape or more */
        ck_assert(n == 0 || n == 1 || n == 2 || n == 6 || n == 8 || n == 9 || n == 11 || n == 12);
    }
}
END_TEST

UNIT_SUITE(suite_http)
{
    Suite *s = suite_create("http");
    TCase *tc;

    tc = tcase_create("unescape");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, unescape_valid, 0, NELEM(unesc_ok));
    tcase_add_loop_test(tc, unescape_invalid, 0, NELEM(unesc_bad));
    tcase_add_test(tc, unescape_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("query");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, query_valid, 0, NELEM(query_ok));
    tcase_add_loop_test(tc, query_invalid, 0, NELEM(query_bad));
    tcase_add_test(tc, query_append);
    suite_add_tcase(s, tc);

    tc = tcase_create("cookie");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, cookie_table, 0, NELEM(cookie_vec));
    tcase_add_test(tc, cookie_null_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("status");
    tcase_add_loop_test(tc, status_text, 0, NELEM(status_vec));
    tcase_add_test(tc, status_unknown);
    suite_add_tcase(s, tc);

    tc = tcase_create("media_type");
    tcase_add_loop_test(tc, json_type, 0, NELEM(ctype_vec));
    suite_add_tcase(s, tc);

    tc = tcase_create("secure");
    tcase_add_loop_test(tc, secure_table, 0, NELEM(secure_vec));
    suite_add_tcase(s, tc);

    tc = tcase_create("log");
    tcase_add_loop_test(tc, log_escape, 0, NELEM(log_vec));
    tcase_add_loop_test(tc, log_escape_cut, 4, 20);
    suite_add_tcase(s, tc);

    return s;
}
