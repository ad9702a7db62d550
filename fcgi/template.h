/* template.h — the page template engine: a Mustache subset rendered over
 * json-c values. The engine escapes every {{name}} for HTML itself
 * (& < > " ' and `), so no caller escapes user or PMS data by hand.
 *
 * Supported: {{name}} (escaped), {{{name}}} and {{& name}} (raw), dotted
 * names with the spec's context lookup, the implicit iterator {{.}},
 * sections {{#name}}...{{/name}} (lists iterate, objects and true push
 * a context, false/null/empty list/"" skip), inverted sections {{^name}},
 * comments {{! ...}}, partials {{> name}} from the same set, and the
 * specification's standalone-line rules. Not supported: set delimiters and
 * lambdas. Numbers render as json-c prints them; null renders as "".
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
 * length. Partials are looked up in set (NULL: partials render as "").
 * Never fails for a parsed template (allocation failure aborts). */
char *tpl_render(const struct tpl *t, struct json_object *ctx,
                 const struct tpl_set *set, size_t *len);

/* Load every "*.mustache" file of dir; a template's name is its file name
 * without the extension ("board.mustache" -> "board"). NULL with err set
 * when the directory cannot be read or a template does not parse. */
struct tpl_set *tpl_set_load(const char *dir, char *err, size_t errlen);
const struct tpl *tpl_set_get(const struct tpl_set *s, const char *name);
void tpl_set_free(struct tpl_set *s);

/* Append src[0..len) to out HTML-escaped (for the few places that build
 * markup outside a template, e.g. the server-drawn SVG charts). out is a
 * growable buffer: *buf (malloc'd or NULL), *used, *cap. */
void tpl_escape_append(char **buf, size_t *used, size_t *cap,
                       const char *src, size_t len);

#endif
