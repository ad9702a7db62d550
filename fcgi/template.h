/* template.h — the page template engine: a Mustache subset rendered over
 * json-c values. The engine escapes every {{name}} for HTML itself
 * (& < > " ' ` become &amp; &lt; &gt; &quot; &#39; &#96;), so no caller
 * escapes user or PMS data by hand.
 *
 * Supported: {{name}} (escaped), {{{name}}} and {{& name}} (raw), dotted
 * names with the spec's context lookup, the implicit iterator {{.}},
 * sections {{#name}}...{{/name}} (non-empty lists iterate, other truthy
 * values are pushed as the context once; falsey, as JavaScript's !!v:
 * missing, null, false, 0, "" and the empty list), inverted sections
 * {{^name}}, comments {{! ...}}, partials {{> name}} from the same set, and
 * the specification's standalone-line rules (a tag alone on its line).
 * Not supported: set delimiters ({{= is a parse error) and lambdas.
 * Strings render as they are, null and misses as "", numbers, booleans,
 * objects and lists as json-c prints them (plain JSON).
 *
 * The Mustache specification's interpolation, sections, inverted, comments
 * and partials suites pass (tests/unit/test_template.c).
 *
 * Templates are parsed once (at start-up, before privileges drop) and are
 * read-only afterwards. */
#ifndef FC_TEMPLATE_H
#define FC_TEMPLATE_H

#include <stddef.h>
#include <json-c/json.h>

struct tpl;         /* one parsed template */
struct tpl_set;     /* the templates of a directory, by name */

/* Parse src[0..len). NULL on a syntax error (unclosed tag or section,
 * mismatched close), with a message naming the line in err. The caller
 * frees the result with tpl_free. */
struct tpl *tpl_parse(const char *src, size_t len, char *err, size_t errlen);
void tpl_free(struct tpl *t);

/* Render t with ctx (any json-c value, NULL = empty object) into a new
 * NUL-terminated string the caller frees; *len (if not NULL) gets its
 * length. Partials are looked up in set (NULL: partials render as "");
 * a partial nested deeper than 32, or past the 2^20th expanded by one
 * render (a partial including itself twice), renders as "". Never fails
 * for a parsed template (allocation failure aborts). */
char *tpl_render(const struct tpl *t, struct json_object *ctx,
                 const struct tpl_set *set, size_t *len);

/* Load every "*.mustache" file of dir (hidden files skipped; at most
 * 1 MiB each); a template's name is its file name without the extension
 * ("board.mustache" -> "board"). NULL with err set ("path: line N: why")
 * when the directory cannot be read or a template does not parse. */
struct tpl_set *tpl_set_load(const char *dir, char *err, size_t errlen);
const struct tpl *tpl_set_get(const struct tpl_set *s, const char *name);
void tpl_set_free(struct tpl_set *s);

/* Append src[0..len) to out HTML-escaped (for the few places that build
 * markup outside a template, e.g. the server-drawn SVG charts). out is a
 * growable buffer: *buf (malloc'd, or NULL with *cap 0), *used, *cap; it is
 * NUL-terminated after each call and the caller frees *buf. */
void tpl_escape_append(char **buf, size_t *used, size_t *cap,
                       const char *src, size_t len);

#endif
