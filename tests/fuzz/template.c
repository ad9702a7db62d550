/* tests/fuzz/template.c — libFuzzer target: the page template engine
 * (fcgi/template.c) with the template and the values both from the
 * input, partials from the real templates/ set.
 *
 * Input: the template, then a NUL byte, then its context as JSON (text
 * that is not JSON becomes one string value). Checks: a parsed template
 * renders, with the length it says; and a template with no markup of its
 * own ('<', '>', '&', no raw tags or partials) renders no '<' or '>'
 * whatever the values hold, since the engine escapes every value.
 *
 * A render's work is the product of the lists its sections nest, which
 * the template's author decides (ours are trusted and nest a few deep):
 * the harness renders templates that nest sections at most 4 deep, with
 * every list of the context cut to 3 items, so that a template of the
 * input reaches every path of the engine without merely timing out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tpl_set *set;

/* every list of v cut to its first 3 items, at every depth */
static void cut_lists(struct json_object *v)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        if (n > 3)
            json_object_array_del_idx(v, 3, n - 3);
        for (size_t i = 0; i < json_object_array_length(v); i++)
            cut_lists(json_object_array_get_idx(v, i));
    } else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, val) {
            (void)key;
            cut_lists(val);
        }
    }
}

/* how deep src[0..n) nests sections ({{# and {{^ open, {{/ closes) */
static int section_depth(const char *src, size_t n)
{
    int depth = 0, most = 0;
    for (size_t i = 0; i + 2 < n; i++)
        if (src[i] == '{' && src[i + 1] == '{') {
            if (src[i + 2] == '#' || src[i + 2] == '^')
                most = ++depth > most ? depth : most;
            else if (src[i + 2] == '/')
                depth--;
        }
    return most;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];

    if (set == NULL && (set = tpl_set_load(FC_TEMPLATE_DIR, err, sizeof err)) == NULL) {
        fprintf(stderr, "templates: %s\n", err);
        abort();
    }
    const uint8_t *nul = memchr(data, '\0', size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    size_t clen = nul ? size - tlen - 1 : 0;
    char *ctext = malloc(clen + 1);
    memcpy(ctext, nul ? nul + 1 : data, clen);
    ctext[clen] = '\0';

    err[0] = '\0';
    struct tpl *t = tpl_parse((const char *)data, tlen, err, sizeof err);
    if (t != NULL && section_depth((const char *)data, tlen) <= 4) {
        struct json_object *ctx = jx_parse(ctext, clen);
        if (ctx == NULL)
            ctx = json_object_new_string_len(ctext, (int)clen);
        cut_lists(ctx);
        size_t len = 0;
        char *out = tpl_render(t, ctx, set, &len);
        if (out == NULL || strlen(out) > len)
            abort();
        int plain = memchr(data, '<', tlen) == NULL && memchr(data, '>', tlen) == NULL &&
                    memchr(data, '&', tlen) == NULL && memmem(data, tlen, "{{{", 3) == NULL;
        if (plain && (memchr(out, '<', len) != NULL || memchr(out, '>', len) != NULL))
            abort();
        free(out);
        json_object_put(ctx);
    } else if (t == NULL && err[0] == '\0') {
        abort();
    }
    tpl_free(t);
    free(ctext);
    return 0;
}
