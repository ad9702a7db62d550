/* tests/fuzz/template.c — libFuzzer target: the page template engine
 * (fcgi/template.c) with the template and the values both from the
 * input, partials from the real templates/ set.
 *
 * Input: the template, then a NUL byte, then its context as JSON (text
 * that is not JSON becomes one string value). Checks: a parsed template
 * renders, with the length it says; and a template with no markup of its
 * own ('<', '>', '&', no raw tags or partials) renders no '<' or '>'
 * whatever the values hold, since the engine escapes every value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tpl_set *set;

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
    if (t != NULL) {
        struct json_object *ctx = jx_parse(ctext, clen);
        if (ctx == NULL)
            ctx = json_object_new_string_len(ctext, (int)clen);
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
        tpl_free(t);
    } else if (err[0] == '\0') {
        abort();
    }
    free(ctext);
    return 0;
}
