/* test_routes.c — the route table (handlers/app/routes.c) is whole: every
 * entry names its file, summary and answers, no two entries share a name
 * or a method and path, every {capture} of a path is declared IN_PATH and
 * every IN_PATH declaration is a capture, and the OpenAPI document made
 * from it (fcgi/openapi.h, the text GET /api/openapi.json serves) lists
 * every entry once, under its name. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/json_pointer.h>

#include "openapi.h"
#include "params.h"
#include "app.h"
#include "router.h"
#include "unit.h"

/* whether pattern has the capture {name} */
static int has_capture(const char *pattern, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strchr(pattern, '{'); p != NULL; p = strchr(p + 1, '{'))
        if (strncmp(p + 1, name, n) == 0 && p[1 + n] == '}')
            return 1;
    return 0;
}

static int declared_in_path(const struct route *r, const char *name, size_t len)
{
    for (const struct param *d = r->params; d != NULL && d->name != NULL; d++)
        if (d->in == IN_PATH && strlen(d->name) == len && strncmp(d->name, name, len) == 0)
            return 1;
    return 0;
}

START_TEST(entry_whole)
{
    const struct route *r = &app_routes[_i];
    struct openapi_status st[OPENAPI_MAX_STATUSES];

    ck_assert_msg(r->name != NULL && r->src != NULL && r->summary != NULL && r->answers != NULL &&
                  r->handler != NULL, "entry %d (%s) lacks a field", _i, r->pattern);
    ck_assert_msg(openapi_statuses(r, &app_openapi, st, OPENAPI_MAX_STATUSES) > 0,
                  "%s: a malformed answer, or more statuses or codes than fit", r->name);
    for (int j = 0; j < _i; j++) {
        ck_assert_msg(strcmp(app_routes[j].name, r->name) != 0, "%s named twice", r->name);
        ck_assert_msg(strcmp(app_routes[j].method, r->method) != 0 ||
                      strcmp(app_routes[j].pattern, r->pattern) != 0,
                      "%s %s twice", r->method, r->pattern);
    }
    for (const char *p = strchr(r->pattern, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        ck_assert_ptr_nonnull(close);
        ck_assert_msg(declared_in_path(r, p + 1, (size_t)(close - p - 1)),
                      "%s: {%.*s} is not declared IN_PATH", r->name, (int)(close - p - 1), p + 1);
    }
    for (const struct param *d = r->params; d != NULL && d->name != NULL; d++)
        ck_assert_msg(d->in != IN_PATH || has_capture(r->pattern, d->name),
                      "%s: %s is declared IN_PATH but is no capture", r->name, d->name);
}
END_TEST

START_TEST(document_lists_every_entry)
{
    const char *text = openapi_json();
    struct json_object *doc, *op = NULL;
    char ptr[512];
    int ops = 0;

    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_eq(openapi_json(), text);       /* made once */
    doc = json_tokener_parse(text);
    ck_assert_ptr_nonnull(doc);
    for (int i = 0; i < app_nroutes; i++) {
        const struct route *r = &app_routes[i];
        char *w = ptr + snprintf(ptr, sizeof ptr, "/paths/");
        for (const char *c = r->pattern; *c != '\0'; c++)
            w += *c == '/' ? snprintf(w, 3, "~1") : snprintf(w, 2, "%c", *c);
        snprintf(w, sizeof ptr - (size_t)(w - ptr), "/");
        for (const char *m = r->method; *m != '\0'; m++)
            snprintf(ptr + strlen(ptr), 2, "%c", *m - 'A' + 'a');
        snprintf(ptr + strlen(ptr), sizeof ptr - strlen(ptr), "/operationId");
        ck_assert_msg(json_pointer_get(doc, ptr, &op) == 0, "%s: no %s", r->name, ptr);
        ck_assert_str_eq(json_object_get_string(op), r->name);
    }
    json_object_object_foreach(json_object_object_get(doc, "paths"), path, item) {
        (void)path;
        ops += json_object_object_length(item);
    }
    ck_assert_int_eq(ops, app_nroutes);
    json_object_put(doc);
}
END_TEST

UNIT_SUITE(suite_routes)
{
    Suite *s = suite_create("routes");
    TCase *tc = tcase_create("table");

    tcase_add_loop_test(tc, entry_whole, 0, app_nroutes);
    tcase_add_test(tc, document_lists_every_entry);
    suite_add_tcase(s, tc);
    return s;
}
