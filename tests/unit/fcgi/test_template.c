/* test_template.c — fcgi/template.h: the Mustache specification's suites
 * (interpolation, sections, inverted, comments, partials) read at run time
 * from the spec directory, then our own tables: HTML escaping, raw tags,
 * nested sections, scalar rendering, truthiness, parse errors naming the
 * line, tpl_set_load on a temporary directory, the partial depth limit and
 * tpl_escape_append.
 *
 * The spec directory is $MUSTACHE_SPEC_DIR, else the first that exists of
 * FC_REPO_DIR/../shared/mustache-spec and /work/shared/mustache-spec; with
 * none, one warning line and only the spec cases are skipped. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- temporary template directories ------------------------------------ */

static char *tmpdir_new(void)
{
    char *dir = strdup("/tmp/fc-tpl-XXXXXX");

    ck_assert(dir != NULL);
    ck_assert(mkdtemp(dir) != NULL);
    return dir;
}

static void tmpdir_put(const char *dir, const char *file, const char *text)
{
    char path[512];
    FILE *fp;

    ck_assert((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) < sizeof path);
    ck_assert((fp = fopen(path, "w")) != NULL);
    ck_assert(fwrite(text, 1, strlen(text), fp) == strlen(text));
    ck_assert(fclose(fp) == 0);
}

/* Removes the files of dir, dir itself, and frees the name. */
static void tmpdir_remove(char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[512];

    ck_assert(d != NULL);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ck_assert_int_eq(unlink(path), 0);
    }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
    free(dir);
}

/* ---- the Mustache specification ---------------------------------------- */

static const char *spec_dir;    /* NULL: not found, spec cases skipped */

static const char *const spec_files[] = {
    "interpolation", "sections", "inverted", "comments", "partials",
};

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *find_spec_dir(void)
{
    static char path[1024];
    const char *env = getenv("MUSTACHE_SPEC_DIR");

    if (env != NULL && env[0] != '\0')
        return env;
    snprintf(path, sizeof path, "%s/../shared/mustache-spec", FC_REPO_DIR);
    if (is_dir(path))
        return path;
    if (is_dir("/work/shared/mustache-spec"))
        return "/work/shared/mustache-spec";
    return NULL;
}

static const char *str_of(struct json_object *o, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* One case of a spec file: 0 when the output is the expected one. Partials
 * are written to a temporary directory and loaded with tpl_set_load. */
static int spec_case(struct json_object *tc)
{
    const char *tmpl = str_of(tc, "template"), *want = str_of(tc, "expected");
    struct json_object *data = NULL, *partials = NULL;
    struct tpl_set *set = NULL;
    char err[256], *dir = NULL, *got;
    struct tpl *t;
    size_t len;
    int ok;

    ck_assert(tmpl != NULL && want != NULL);
    json_object_object_get_ex(tc, "data", &data);
    if (json_object_object_get_ex(tc, "partials", &partials)) {
        dir = tmpdir_new();
        json_object_object_foreach(partials, name, text) {
            char file[256];

            snprintf(file, sizeof file, "%s.mustache", name);
            tmpdir_put(dir, file, json_object_get_string(text));
        }
        set = tpl_set_load(dir, err, sizeof err);
        ck_assert_msg(set != NULL, "%s", err);
    }
    t = tpl_parse(tmpl, strlen(tmpl), err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "  %s: parse error: %s\n", str_of(tc, "name"), err);
        ok = 0;
    } else {
        got = tpl_render(t, data, set, &len);
        ok = len == strlen(want) && strcmp(got, want) == 0;
        if (!ok)
            fprintf(stderr, "  %s: got [%s] want [%s]\n", str_of(tc, "name"), got, want);
        free(got);
        tpl_free(t);
    }
    tpl_set_free(set);
    if (dir != NULL)
        tmpdir_remove(dir);
    return ok ? 0 : -1;
}

START_TEST(spec_suite)
{
    char path[1024], failed[4096] = "";
    struct json_object *root, *tests;
    size_t n, nfail = 0;

    snprintf(path, sizeof path, "%s/%s.json", spec_dir, spec_files[_i]);
    root = json_object_from_file(path);
    ck_assert_msg(root != NULL, "cannot read %s", path);
    ck_assert(json_object_object_get_ex(root, "tests", &tests));
    n = json_object_array_length(tests);
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        struct json_object *tc = json_object_array_get_idx(tests, i);

        if (spec_case(tc) == -1) {
            size_t used = strlen(failed);

            snprintf(failed + used, sizeof failed - used, "%s\"%s\"", nfail ? ", " : "",
                     str_of(tc, "name"));
            nfail++;
        }
    }
    json_object_put(root);
    ck_assert_msg(nfail == 0, "%s.json: %zu of %zu cases fail: %s", spec_files[_i],
                  nfail, n, failed);
}
END_TEST

/* ---- our own cases ------------------------------------------------------ */

static const struct {
    const char *name, *tmpl, *data, *want;
} render_tab[] = {
    {"script", "<p>{{x}}</p>", "{\"x\": \"<script>alert(\\\"x\\\")</script>\"}",
     "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"},
    {"quotes", "<a title='{{x}}' alt=\"{{x}}\">", "{\"x\": \"it's \\\"q\\\" `b`\"}",
     "<a title='it&#39;s &quot;q&quot; &#96;b&#96;' alt=\"it&#39;s &quot;q&quot; &#96;b&#96;\">"},
    {"ampersands", "{{x}}", "{\"x\": \"R&D &amp; &lt;\"}", "R&amp;D &amp;amp; &amp;lt;"},
    {"triple raw", "{{{x}}}", "{\"x\": \"<b>&amp;'\\\"</b>\"}", "<b>&amp;'\"</b>"},
    {"ampersand raw", "{{& x}}", "{\"x\": \"<b>&amp;</b>\"}", "<b>&amp;</b>"},
    {"raw dotted", "{{{a.b}}}", "{\"a\": {\"b\": \"<i>\"}}", "<i>"},
    {"escaped dotted", "{{a.b}}", "{\"a\": {\"b\": \"<i>\"}}", "&lt;i&gt;"},
    {"nested sections",
     "{{#rooms}}[{{number}}:{{#guests}}{{name}}@{{number}}{{^last}},{{/last}}{{/guests}}]{{/rooms}}",
     "{\"rooms\": [{\"number\": 101, \"guests\": [{\"name\": \"Ann\"}, {\"name\": \"Bo\", \"last\": true}]},"
     " {\"number\": 102, \"guests\": []}, {\"number\": 103, \"guests\": [{\"name\": \"<C>\", \"number\": 9}]}]}",
     "[101:Ann@101,Bo@101][102:][103:&lt;C&gt;@9,]"},
    {"numbers", "{{i}} {{d}} {{neg}} {{big}}", "{\"i\": 42, \"d\": 2.5, \"neg\": -7, \"big\": 9007199254740993}",
     "42 2.5 -7 9007199254740993"},
    {"booleans", "{{t}} {{f}}", "{\"t\": true, \"f\": false}", "true false"},
    {"null", "[{{n}}{{{n}}}{{n.x}}]", "{\"n\": null}", "[]"},
    {"missing", "[{{nope}}{{{nope}}}{{&nope}}{{a.b}}{{#nope}}x{{/nope}}]", "{\"a\": 1}", "[]"},
    {"falsey", "{{#s}}1{{/s}}{{#z}}2{{/z}}{{#f}}3{{/f}}{{#l}}4{{/l}}{{#n}}5{{/n}}{{#d}}6{{/d}}",
     "{\"s\": \"\", \"z\": 0, \"f\": false, \"l\": [], \"n\": null, \"d\": 0.0}", ""},
    {"inverted falsey", "{{^s}}1{{/s}}{{^z}}2{{/z}}{{^l}}3{{/l}}{{^o}}4{{/o}}",
     "{\"s\": \"\", \"z\": 0, \"l\": [], \"o\": {}}", "123"},
    {"truthy", "{{#o}}1{{/o}}{{#s}}{{.}}{{/s}}{{#i}}{{.}}{{/i}}",
     "{\"o\": {}, \"s\": \"x\", \"i\": -1}", "1x-1"},
    {"object pushes", "{{#who}}{{name}} ({{role}}){{/who}}",
     "{\"role\": \"staff\", \"who\": {\"name\": \"Ann\"}}", "Ann (staff)"},
    {"object as json", "{{o}}", "{\"o\": {\"a\": [1]}}", "{&quot;a&quot;:[1]}"},
    {"no tags", "a } {b} }} c", "{}", "a } {b} }} c"},
    {"empty", "", "{}", ""},
    {"standalone", "<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\": [1, 2]}",
     "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n"},
};

START_TEST(renders)
{
    struct json_object *data = json_tokener_parse(render_tab[_i].data);
    char err[256], *got;
    struct tpl *t = tpl_parse(render_tab[_i].tmpl, strlen(render_tab[_i].tmpl), err, sizeof err);
    size_t len = 99;

    ck_assert_msg(data != NULL, "%s: bad data", render_tab[_i].name);
    ck_assert_msg(t != NULL, "%s: %s", render_tab[_i].name, err);
    got = tpl_render(t, data, NULL, &len);
    ck_assert_msg(strcmp(got, render_tab[_i].want) == 0, "%s: got [%s] want [%s]",
                  render_tab[_i].name, got, render_tab[_i].want);
    ck_assert_uint_eq(len, strlen(got));
    free(got);
    tpl_free(t);
    json_object_put(data);
}
END_TEST

START_TEST(null_context)
{
    const char *src = "a{{x}}{{.}}{{#x}}y{{/x}}{{^x}}b{{/x}}{{>p}}";
    struct tpl *t = tpl_parse(src, strlen(src), NULL, 0);
    char *got;

    ck_assert(t != NULL);
    got = tpl_render(t, NULL, NULL, NULL);
    ck_assert_str_eq(got, "ab");
    free(got);
    tpl_free(t);
}
END_TEST

static const struct {
    const char *name, *tmpl, *line;     /* line: the start of the message */
} error_tab[] = {
    {"unclosed section", "a\n{{#s}}\nb\n", "line 2: "},
    {"unclosed inner section", "{{#a}}\n\n{{^b}}\n{{/a}}", "line 4: "},
    {"mismatched close", "{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", "line 3: "},
    {"close without open", "x\n\n{{/a}}", "line 3: "},
    {"unclosed tag", "a\nb {{name\nc }", "line 2: "},
    {"unclosed triple", "\n\n\n{{{a}}", "line 4: "},
    {"unclosed comment", "{{! note", "line 1: "},
    {"set delimiters", "x\n{{=<% %>=}}", "line 2: "},
    {"empty name", "\n{{ }}", "line 2: "},
    {"blank in name", "{{a b}}", "line 1: "},
    {"empty segment", "{{a..b}}", "line 1: "},
    {"trailing dot", "{{#a.}}{{/a.}}", "line 1: "},
    {"empty partial name", "{{>}}", "line 1: "},
};

START_TEST(parse_errors)
{
    const char *tmpl = error_tab[_i].tmpl;
    char err[256] = "";
    struct tpl *t = tpl_parse(tmpl, strlen(tmpl), err, sizeof err);

    ck_assert_msg(t == NULL, "%s: parsed", error_tab[_i].name);
    ck_assert_msg(strncmp(err, error_tab[_i].line, strlen(error_tab[_i].line)) == 0 &&
                  strlen(err) > strlen(error_tab[_i].line) + 5,
                  "%s: message [%s]", error_tab[_i].name, err);
}
END_TEST

/* depth nested sections "{{#a}}...{{/a}}" into buf (cap bytes); its length. */
static size_t nested_sections(char *buf, size_t cap, int depth)
{
    static const char open[] = "{{#a}}", close[] = "{{/a}}";
    size_t tag = sizeof open - 1, len = 0;

    ck_assert((size_t)depth * 2 * tag < cap);
    for (int i = 0; i < depth; i++, len += tag)
        memcpy(buf + len, open, tag);
    for (int i = 0; i < depth; i++, len += tag)
        memcpy(buf + len, close, tag);
    buf[len] = '\0';
    return len;
}

START_TEST(nesting_limit)
{
    char src[80 * 12 + 1];
    char err[256];
    struct tpl *t;
    size_t len;

    len = nested_sections(src, sizeof src, 64);
    t = tpl_parse(src, len, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    tpl_free(t);
    len = nested_sections(src, sizeof src, 65);
    ck_assert(tpl_parse(src, len, err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, "line 1: ") == err && strstr(err, "64") != NULL, "%s", err);
}
END_TEST

START_TEST(set_load)
{
    char *dir = tmpdir_new(), err[512], *got;
    struct json_object *data = json_tokener_parse("{\"title\": \"<Board>\", \"rows\": [\"a\", \"b\"]}");
    struct tpl_set *set;

    tmpdir_put(dir, "head.mustache", "<title>{{title}}</title>\n");
    tmpdir_put(dir, "page.mustache", "<html>\n  {{> head}}\n  <ul>\n    {{#rows}}\n"
                                     "    {{> row}}\n    {{/rows}}\n  </ul>\n{{>foot}}");
    tmpdir_put(dir, "row.mustache", "<li>{{.}}</li>\n");
    tmpdir_put(dir, "page-2.mustache", "two");       /* sorts before "page" */
    tmpdir_put(dir, "foot.mustache", "</html>\n");
    tmpdir_put(dir, "notes.txt", "{{#not a template");
    tmpdir_put(dir, ".hidden.mustache", "{{#broken");
    set = tpl_set_load(dir, err, sizeof err);
    ck_assert_msg(set != NULL, "%s", err);
    ck_assert(tpl_set_get(set, "notes") == NULL);
    ck_assert(tpl_set_get(set, "head.mustache") == NULL);
    ck_assert(tpl_set_get(set, "") == NULL);
    ck_assert(tpl_set_get(NULL, "page") == NULL);
    ck_assert(tpl_set_get(set, "page-2") != NULL);
    got = tpl_render(tpl_set_get(set, "page"), data, set, NULL);
    ck_assert_str_eq(got, "<html>\n  <title>&lt;Board&gt;</title>\n  <ul>\n"
                          "    <li>a</li>\n    <li>b</li>\n  </ul>\n</html>\n");
    free(got);
    tpl_set_free(set);

    /* a template that does not parse: its file and line are named */
    tmpdir_put(dir, "zbad.mustache", "ok\n{{#x}}\n");
    ck_assert(tpl_set_load(dir, err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, "zbad.mustache: line 2: ") != NULL, "%s", err);
    tmpdir_remove(dir);
    json_object_put(data);

    ck_assert(tpl_set_load("/nonexistent/fc-templates", err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, "/nonexistent/fc-templates") != NULL, "%s", err);
}
END_TEST

/* A partial that includes itself unconditionally stops at the depth limit
 * (32 partials within the template that starts it); one that includes
 * itself twice (2^32 expansions) at the limit of 2^20 expansions. */
START_TEST(partial_depth)
{
    char *dir = tmpdir_new(), err[256], *got;
    struct tpl_set *set;
    size_t len;

    tmpdir_put(dir, "loop.mustache", "x{{>loop}}");
    tmpdir_put(dir, "twice.mustache", "{{>twice}}y{{>twice}}");
    set = tpl_set_load(dir, err, sizeof err);
    ck_assert_msg(set != NULL, "%s", err);
    got = tpl_render(tpl_set_get(set, "loop"), NULL, set, &len);
    ck_assert_uint_eq(len, 33);
    ck_assert_uint_eq(strspn(got, "x"), 33);
    free(got);
    got = tpl_render(tpl_set_get(set, "twice"), NULL, set, &len);
    ck_assert_uint_eq(len, (1u << 20) + 1);
    ck_assert_uint_eq(strspn(got, "y"), len);
    free(got);
    tpl_set_free(set);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(escape_append)
{
    char *buf = NULL;
    size_t used = 0, cap = 0;

    tpl_escape_append(&buf, &used, &cap, "", 0);
    ck_assert(buf != NULL);
    ck_assert_str_eq(buf, "");
    tpl_escape_append(&buf, &used, &cap, "<svg>", 5);
    tpl_escape_append(&buf, &used, &cap, "a&b\"c'd`e>f\0g", 13);
    ck_assert_uint_eq(used, strlen("&lt;svg&gt;a&amp;b&quot;c&#39;d&#96;e&gt;f") + 2);
    ck_assert_str_eq(buf, "&lt;svg&gt;a&amp;b&quot;c&#39;d&#96;e&gt;f");
    ck_assert_str_eq(buf + used - 1, "g");
    ck_assert_uint_gt(cap, used);
    for (int i = 0; i < 1000; i++)
        tpl_escape_append(&buf, &used, &cap, "&", 1);
    ck_assert_uint_eq(used, 44 + 5000);
    ck_assert_uint_gt(cap, used);
    ck_assert(buf[used] == '\0');
    free(buf);
}
END_TEST

UNIT_SUITE(suite_template)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("template");

    spec_dir = find_spec_dir();
    if (spec_dir != NULL)
        tcase_add_loop_test(tc, spec_suite, 0, NELEM(spec_files));
    else
        fprintf(stderr, "warning: no Mustache spec directory (set MUSTACHE_SPEC_DIR); "
                        "the spec cases of the template suite are skipped\n");
    tcase_add_loop_test(tc, renders, 0, NELEM(render_tab));
    tcase_add_test(tc, null_context);
    tcase_add_loop_test(tc, parse_errors, 0, NELEM(error_tab));
    tcase_add_test(tc, nesting_limit);
    tcase_add_test(tc, set_load);
    tcase_add_test(tc, partial_depth);
    tcase_add_test(tc, escape_append);
    suite_add_tcase(s, tc);
    return s;
}
