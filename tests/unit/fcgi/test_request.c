/* test_request.c — fcgi/request.h's parser, request_parse_or_reply, fed
 * from memory as libfcgi would hand a request over: FastCGI parameters
 * ("NAME=value") and a body reader. A table: what it fills, or the 4xx it
 * answers (and that it drains a body too large to read); and each header
 * read as FCGX_GetParam reads it (the first of a name, not a longer or
 * shorter name), in the parser's one pass over the parameters. */
#include <stddef.h>
#include <string.h>
#include <fcgiapp.h>

#include "request.h"
#include "response.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct body {
    const char *p;
    size_t left;
};

static int read_body(void *ctx, char *buf, int n)
{
    struct body *b = ctx;
    size_t k = (size_t)n < b->left ? (size_t)n : b->left;
    memcpy(buf, b->p, k);
    b->p += k;
    b->left -= k;
    return (int)k;
}

static const struct request_case {
    const char *what;
    const char *params[6];      /* NULL-terminated */
    const char *body;
    size_t max_body;
    int status;                 /* 0: parsed */
    const char *code;           /* the answer's code, or (parsed) the path */
    const char *want_body;      /* parsed: the body read (NULL: none) */
    size_t left;                /* bytes of the body left unread */
} cases[] = {
    {"a GET with a query", {"REQUEST_METHOD=GET", "REQUEST_URI=/api/x%2Dy?a=1&b=c+d", NULL}, "", 100,
     0, "/api/x-y", NULL, 0},
    {"no REQUEST_URI: SCRIPT_NAME and QUERY_STRING", {"SCRIPT_NAME=/s", "QUERY_STRING=a=1", NULL}, "", 100,
     0, "/s", NULL, 0},
    {"a body of CONTENT_LENGTH bytes", {"REQUEST_METHOD=POST", "REQUEST_URI=/p", "CONTENT_LENGTH=3", NULL},
     "abcdef", 100, 0, "/p", "abc", 3},
    {"an empty CONTENT_LENGTH", {"REQUEST_URI=/p", "CONTENT_LENGTH=", NULL}, "abc", 100, 0, "/p", NULL, 3},
    {"CONTENT_LENGTH 0", {"REQUEST_URI=/p", "CONTENT_LENGTH=0", NULL}, "", 100, 0, "/p", NULL, 0},
    {"CONTENT_LENGTH not a number", {"REQUEST_URI=/p", "CONTENT_LENGTH=12a", NULL}, "", 100,
     400, "VALIDATION_ERROR", NULL, 0},
    {"CONTENT_LENGTH negative", {"REQUEST_URI=/p", "CONTENT_LENGTH=-1", NULL}, "", 100,
     400, "VALIDATION_ERROR", NULL, 0},
    {"a body over the limit, drained", {"REQUEST_URI=/p", "CONTENT_LENGTH=11", NULL}, "01234567890", 10,
     413, "PAYLOAD_TOO_LARGE", NULL, 0},
    {"a body that ends early", {"REQUEST_URI=/p", "CONTENT_LENGTH=5", NULL}, "abc", 100,
     400, "INVALID_JSON", NULL, 0},
    {"a target without '/'", {"REQUEST_URI=p", NULL}, "", 100, 400, "VALIDATION_ERROR", NULL, 0},
    {"a malformed escape in the path", {"REQUEST_URI=/a%zz", NULL}, "", 100, 400, "VALIDATION_ERROR", NULL, 0},
    {"a malformed escape in the query", {"REQUEST_URI=/a?b=%0", NULL}, "", 100, 400, "VALIDATION_ERROR", NULL, 0},
};

START_TEST(parse)
{
    const struct request_case *c = &cases[_i];
    char *envp[6];
    struct body b = {c->body, strlen(c->body)};
    struct request req;

    for (int i = 0; i < 6; i++)
        envp[i] = (char *)c->params[i];
    struct request_source src = {envp, read_body, &b};
    memset(&req, 0, sizeof req);
    req.pool = pool_new();
    int rc = request_parse_or_reply(&req, &src, c->max_body);
    if (c->status == 0) {
        ck_assert_msg(rc == 0 && !resp_sent(&req), "%s: parsed", c->what);
        ck_assert_str_eq(req.path, c->code);
        if (c->want_body == NULL) {
            ck_assert_ptr_null(req.body);
        } else {
            ck_assert_str_eq(req.body, c->want_body);
            ck_assert_uint_eq(req.body_len, strlen(c->want_body));
        }
    } else {
        ck_assert_msg(rc == -1 && resp_sent(&req), "%s: answered", c->what);
        ck_assert_int_eq(req.status, c->status);
        ck_assert_str_eq(req.error_code, c->code);
    }
    ck_assert_msg(b.left == c->left, "%s: %zu bytes left", c->what, b.left);
    request_end(&req);
    pool_free(req.pool);
}
END_TEST

START_TEST(the_target_parsed)
{
    char *envp[] = {"REQUEST_METHOD=PUT", "REQUEST_URI=/api/x?a=1&b=c+d", "HTTP_X_API_KEY=k",
                    "HTTP_COOKIE=s=1", "CONTENT_TYPE=application/json", NULL};
    struct body b = {"", 0};
    struct request_source src = {envp, read_body, &b};
    struct request req;

    memset(&req, 0, sizeof req);
    req.pool = pool_new();
    ck_assert_int_eq(request_parse_or_reply(&req, &src, 100), 0);
    ck_assert_str_eq(req.method, "PUT");
    ck_assert_str_eq(req.raw_path, "/api/x");
    ck_assert_str_eq(req.query_string, "a=1&b=c+d");
    ck_assert_str_eq(req_query(&req, "b"), "c d");
    ck_assert_str_eq(req.api_key, "k");
    ck_assert_str_eq(req.cookie, "s=1");
    ck_assert_str_eq(req.content_type, "application/json");
    ck_assert_ptr_null(req.authorization);
    request_end(&req);
    pool_free(req.pool);
}
END_TEST

/* the parameters read into the request, by their FastCGI names */
static const struct {
    const char *name;
    size_t off;
} read_as[] = {
    {"REQUEST_METHOD", offsetof(struct request, method)},
    {"REMOTE_ADDR", offsetof(struct request, client_ip)},
    {"HTTP_USER_AGENT", offsetof(struct request, user_agent)},
    {"CONTENT_TYPE", offsetof(struct request, content_type)},
    {"HTTP_ACCEPT", offsetof(struct request, accept)},
    {"HTTP_AUTHORIZATION", offsetof(struct request, authorization)},
    {"HTTP_X_API_KEY", offsetof(struct request, api_key)},
    {"HTTP_COOKIE", offsetof(struct request, cookie)},
    {"HTTP_X_CSRF_TOKEN", offsetof(struct request, csrf_token)},
    {"HTTP_IDEMPOTENCY_KEY", offsetof(struct request, idempotency_key)},
    {"HTTP_HOST", offsetof(struct request, host)},
    {"REQUEST_SCHEME", offsetof(struct request, scheme)},
    {"SSL_CLIENT_VERIFY", offsetof(struct request, tls_client_verify)},
    {"SSL_CLIENT_SERIAL", offsetof(struct request, tls_client_serial)},
    {"SSL_CLIENT_S_DN", offsetof(struct request, tls_client_dn)},
};

/* environments: every name, near names around them, repeats, no '=' */
static char *const env_all[] = {
    "HTTP_HOS=short", "HTTP_HOSTS=long", "HTTP_HOST=h.example", "HTTP_HOST=second", "NO_EQUALS",
    "REQUEST_METHOD=POST", "REMOTE_ADDR=10.0.0.1", "HTTP_USER_AGENT=kiosk/1 (x=y)", "CONTENT_TYPE=application/json",
    "HTTP_ACCEPT=*/*", "HTTP_AUTHORIZATION=Bearer t", "HTTP_X_API_KEY=", "HTTP_COOKIE=a=1; b=2",
    "HTTP_X_CSRF_TOKEN=c", "HTTP_IDEMPOTENCY_KEY=k-1", "REQUEST_SCHEME=https", "SSL_CLIENT_VERIFY=SUCCESS",
    "SSL_CLIENT_SERIAL=0A", "SSL_CLIENT_S_DN=CN=dev,O=h", "REQUEST_URI=/a?b=1", "CONTENT_LENGTH=0",
    "HTTP_X_API_KEY=second", "REQUEST_METHODS=GET", NULL,
};
static char *const env_some[] = {"HTTP_ACCEPTX=1", "XHTTP_ACCEPT=2", "REQUEST_URI=/", "HTTP_COOKIE", NULL};
static char *const env_none[] = {"=", "=x", "SCRIPT_NAME=/s", NULL};
static char *const *const envs[] = {env_all, env_some, env_none};

START_TEST(params_as_fcgx_reads_them)
{
    char **envp = (char **)envs[_i];
    struct body b = {"", 0};
    struct request_source src = {envp, read_body, &b};
    struct request req;

    memset(&req, 0, sizeof req);
    req.pool = pool_new();
    ck_assert_int_eq(request_parse_or_reply(&req, &src, 100), 0);
    for (int i = 0; i < NELEM(read_as); i++) {
        const char *got = *(const char **)((char *)&req + read_as[i].off);
        const char *want = FCGX_GetParam(read_as[i].name, envp);
        if (want == NULL && strcmp(read_as[i].name, "REQUEST_METHOD") == 0)
            want = "GET";
        ck_assert_msg(want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0,
                      "%s: %s, FCGX_GetParam: %s", read_as[i].name, got ? got : "(none)", want ? want : "(none)");
    }
    request_end(&req);
    pool_free(req.pool);
}
END_TEST

UNIT_SUITE(suite_request)
{
    Suite *s = suite_create("request");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, parse, 0, NELEM(cases));
    tcase_add_test(tc, the_target_parsed);
    tcase_add_loop_test(tc, params_as_fcgx_reads_them, 0, NELEM(envs));
    suite_add_tcase(s, tc);
    return s;
}
