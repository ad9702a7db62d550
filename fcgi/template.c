/* template.c — the page template engine declared in template.h: parses a
 * Mustache subset once into a flat array of nodes, renders that array over
 * json-c values into a growing buffer, and holds the templates of a
 * directory as a set sorted by name.
 *
 * A section's body is the run of nodes after it, up to its `end` index, so
 * the array is the tree. A parsed template is never written again: workers
 * fork after loading and share it.
 *
 * Standalone lines (a section, inverted, close, comment or partial tag
 * alone on its line with only blanks around it) are removed whole at parse
 * time. A standalone partial keeps the blanks before it as its indentation,
 * which the renderer puts before each line of the partial: the parser marks
 * where a line of a template begins with an N_INDENT node (before the
 * line's first text or tag) and text nodes indent after their own inner
 * newlines. Empty lines are not indented. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "template.h"

#define TPL_MAX_NEST    64          /* sections open at once in one template */
#define TPL_MAX_PARTIAL 32          /* partials within partials when rendering */
#define TPL_MAX_EXPAND  (1 << 20)   /* partials expanded by one render */
#define TPL_MAX_FILE    (1 << 20)   /* bytes of one template file */
#define TPL_EXT         ".mustache"

/* ---- growable buffer -------------------------------------------------- */

/* p is NUL-terminated after every add; cap is 0 exactly when p is NULL. */
struct buf {
    char *p;
    size_t used, cap;
};

/* Room for n more bytes and a NUL. Allocation failure aborts. */
static void buf_reserve(struct buf *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 256;
    char *p;

    if (b->cap > b->used && b->cap - b->used > n)
        return;
    if (n > SIZE_MAX / 2 - b->used)
        abort();
    while (cap - b->used <= n)
        cap *= 2;
    if ((p = realloc(b->p, cap)) == NULL)
        abort();
    b->p = p;
    b->cap = cap;
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n > 0)
        memcpy(b->p + b->used, s, n);
    b->used += n;
    b->p[b->used] = '\0';
}

/* s[0..n) with & < > " ' ` replaced by character references. */
static void buf_escape(struct buf *b, const char *s, size_t n)
{
    size_t from = 0;

    for (size_t i = 0; i < n; i++) {
        const char *ref;

        switch (s[i]) {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '"': ref = "&quot;"; break;
        case '\'': ref = "&#39;"; break;
        case '`': ref = "&#96;"; break;
        default: continue;
        }
        buf_add(b, s + from, i - from);
        buf_add(b, ref, strlen(ref));
        from = i + 1;
    }
    buf_add(b, s + from, n - from);
}

void tpl_escape_append(char **buf, size_t *used, size_t *cap,
                       const char *src, size_t len)
{
    struct buf b = {*buf, *used, *cap};

    buf_escape(&b, src, len);
    *buf = b.p;
    *used = b.used;
    *cap = b.cap;
}

/* ---- parsed form ------------------------------------------------------- */

enum node_type {
    N_TEXT,         /* src[off..off+len) as is */
    N_INDENT,       /* a line of the template starts: the partial indentation */
    N_VAR,          /* {{name}}, escaped */
    N_RAW,          /* {{{name}}} or {{& name}} */
    N_SECTION,      /* {{#name}}: body is nodes (this, end) */
    N_INVERTED,     /* {{^name}}: body is nodes (this, end) */
    N_PARTIAL,      /* {{> name}}; standalone: src[off..off+len) is its indentation */
};

struct node {
    uint8_t type;
    uint8_t nparts;         /* segments of a dotted name; 0 is "." */
    uint8_t standalone;     /* N_PARTIAL alone on its line */
    uint32_t off, len;      /* into tpl.src */
    uint32_t name;          /* into tpl.names: the segments, each NUL-ended */
    uint32_t end;           /* sections: index of the node after the body */
};

struct tpl {
    char *src;              /* a copy of the source; text nodes point into it */
    struct buf names;
    struct node *nodes;
    size_t n, cap;
};

struct parser {
    struct tpl *t;
    const char *s;
    size_t len;
    char *err;
    size_t errlen;
    int at_bol;             /* the next node starts a line (after stripping) */
    int depth;
    struct {
        uint32_t node;      /* index of the N_SECTION / N_INVERTED */
        size_t tag, name, nlen; /* its tag's position and raw name in src */
    } open[TPL_MAX_NEST];
};

static unsigned line_of(const char *s, size_t pos)
{
    unsigned line = 1;

    for (size_t i = 0; i < pos; i++)
        line += s[i] == '\n';
    return line;
}

/* "line N: message" into the caller's err; returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->err == NULL || p->errlen == 0)
        return -1;
    n = snprintf(p->err, p->errlen, "line %u: ", line_of(p->s, pos));
    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static struct node *add_node(struct tpl *t, enum node_type type)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        struct node *nodes = realloc(t->nodes, cap * sizeof *nodes);

        if (nodes == NULL)
            abort();
        t->nodes = nodes;
        t->cap = cap;
    }
    memset(&t->nodes[t->n], 0, sizeof t->nodes[0]);
    t->nodes[t->n].type = (uint8_t)type;
    return &t->nodes[t->n++];
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }
static int is_space(char c) { return is_blank(c) || c == '\n' || c == '\r'; }

/* s[0..n) begins with a line end: the line that starts there is empty. */
static int empty_line(const char *s, size_t n)
{
    return n == 0 || s[0] == '\n' || (s[0] == '\r' && n > 1 && s[1] == '\n');
}

/* Text src[from..to): an N_INDENT first when it starts a non-empty line. */
static void add_text(struct parser *p, size_t from, size_t to)
{
    struct node *nd;

    if (to <= from)
        return;
    if (p->at_bol && !empty_line(p->s + from, to - from))
        add_node(p->t, N_INDENT);
    nd = add_node(p->t, N_TEXT);
    nd->off = (uint32_t)from;
    nd->len = (uint32_t)(to - from);
    p->at_bol = p->s[to - 1] == '\n';
}

/* Store name s[0..n) in t->names as NUL-ended segments split at '.' and
 * fill nd->name and nd->nparts; "." stores nothing (nparts 0). A partial's
 * name is stored whole. -1 for an empty name, blanks or braces inside it,
 * an empty segment or more than 255 segments. */
static int add_name(struct tpl *t, struct node *nd, const char *s, size_t n, int whole)
{
    size_t from = 0;

    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (is_space(s[i]) || s[i] == '{' || s[i] == '}')
            return -1;
    nd->name = (uint32_t)t->names.used;
    if (whole) {
        buf_add(&t->names, s, n);
        buf_add(&t->names, "", 1);
        return 0;
    }
    if (n == 1 && s[0] == '.')
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        if (i == from || nd->nparts == UINT8_MAX)
            return -1;
        buf_add(&t->names, s + from, i - from);
        buf_add(&t->names, "", 1);
        nd->nparts++;
        from = i + 1;
    }
    return 0;
}

/* One tag at s[at] ("{{"), text before it from *pos; advances *pos past the
 * tag (and past its whole line when standalone). */
static int parse_tag(struct parser *p, size_t *pos, size_t at)
{
    const char *s = p->s, *close = "}}", *c;
    size_t body = at + 2, end, name, nlen, ls = SIZE_MAX, next;
    char sigil = body < p->len ? s[body] : '\0';
    int standalone = 0;
    struct node *nd;

    if (sigil == '{')
        close = "}}}";
    if (sigil == '=')
        return fail(p, at, "set delimiters ({{=) are not supported");
    if (sigil != '\0' && strchr("{&#^/!>", sigil) != NULL)
        body++;
    c = memmem(s + body, p->len - body, close, strlen(close));
    if (c == NULL) {
        size_t k = strcspn(s + at, "\r\n");

        return fail(p, at, "unclosed tag \"%.*s\"", k > 40 ? 40 : (int)k, s + at);
    }
    end = (size_t)(c - s);
    next = end + strlen(close);
    for (name = body; name < end && is_space(s[name]); name++)
        ;
    for (nlen = end - name; nlen > 0 && is_space(s[name + nlen - 1]); nlen--)
        ;

    /* Standalone: only blanks between the line's start and the tag (no
     * other tag on the line), and between the tag and the line's end. */
    if (sigil != '\0' && strchr("#^/!>", sigil) != NULL) {
        const char *nl = at > *pos ? memrchr(s + *pos, '\n', at - *pos) : NULL;
        size_t q = next;

        if (nl != NULL)
            ls = (size_t)(nl - s) + 1;
        else if (*pos == 0 || s[*pos - 1] == '\n')
            ls = *pos;
        for (size_t i = ls; ls != SIZE_MAX && i < at; i++)
            if (!is_blank(s[i]))
                ls = SIZE_MAX;
        while (q < p->len && is_blank(s[q]))
            q++;
        if (ls != SIZE_MAX && (q == p->len || s[q] == '\n' ||
                               (s[q] == '\r' && q + 1 < p->len && s[q + 1] == '\n'))) {
            standalone = 1;
            next = q == p->len ? q : q + (s[q] == '\r' ? 2 : 1);
        }
    }
    add_text(p, *pos, standalone ? ls : at);
    if (!standalone && p->at_bol)
        add_node(p->t, N_INDENT);
    p->at_bol = standalone;
    *pos = next;

    switch (sigil) {
    case '!':
        return 0;
    case '/':
        if (p->depth == 0)
            return fail(p, at, "{{/%.*s}} closes no section", (int)nlen, s + name);
        p->depth--;
        if (nlen != p->open[p->depth].nlen ||
            memcmp(s + name, s + p->open[p->depth].name, nlen) != 0)
            return fail(p, at, "{{/%.*s}} closes {{%c%.*s}} opened on line %u",
                        (int)nlen, s + name, s[p->open[p->depth].tag + 2],
                        (int)p->open[p->depth].nlen, s + p->open[p->depth].name,
                        line_of(s, p->open[p->depth].tag));
        p->t->nodes[p->open[p->depth].node].end = (uint32_t)p->t->n;
        return 0;
    case '>':
        nd = add_node(p->t, N_PARTIAL);
        nd->standalone = (uint8_t)standalone;
        if (standalone) {
            nd->off = (uint32_t)ls;
            nd->len = (uint32_t)(at - ls);
        }
        break;
    case '#':
    case '^':
        if (p->depth == TPL_MAX_NEST)
            return fail(p, at, "sections nested deeper than %d", TPL_MAX_NEST);
        p->open[p->depth].node = (uint32_t)p->t->n;
        p->open[p->depth].tag = at;
        p->open[p->depth].name = name;
        p->open[p->depth].nlen = nlen;
        p->depth++;
        nd = add_node(p->t, sigil == '#' ? N_SECTION : N_INVERTED);
        break;
    default:
        nd = add_node(p->t, sigil == '{' || sigil == '&' ? N_RAW : N_VAR);
        break;
    }
    if (add_name(p->t, nd, s + name, nlen, sigil == '>') == -1)
        return fail(p, at, "bad name \"%.*s\"", nlen > 40 ? 40 : (int)nlen, s + name);
    return 0;
}

struct tpl *tpl_parse(const char *src, size_t len, char *err, size_t errlen)
{
    struct tpl *t = calloc(1, sizeof *t);
    struct parser p = {.t = t, .len = len, .err = err, .errlen = errlen, .at_bol = 1};
    size_t pos = 0;
    const char *o;

    if (t == NULL || (t->src = malloc(len + 1)) == NULL)
        abort();
    if (len > 0)
        memcpy(t->src, src, len);
    t->src[len] = '\0';
    p.s = t->src;
    buf_reserve(&t->names, 0);
    if (len >= UINT32_MAX) {
        snprintf(err, errlen, "template larger than 4 GiB");
        goto fail;
    }
    while ((o = memmem(p.s + pos, len - pos, "{{", 2)) != NULL)
        if (parse_tag(&p, &pos, (size_t)(o - p.s)) == -1)
            goto fail;
    add_text(&p, pos, len);
    if (p.depth > 0) {
        size_t at = p.open[p.depth - 1].tag;

        fail(&p, at, "section {{%c%.*s}} is not closed", p.s[at + 2],
             (int)p.open[p.depth - 1].nlen, p.s + p.open[p.depth - 1].name);
        goto fail;
    }
    return t;
fail:
    tpl_free(t);
    return NULL;
}

void tpl_free(struct tpl *t)
{
    if (t == NULL)
        return;
    free(t->src);
    free(t->names.p);
    free(t->nodes);
    free(t);
}

/* ---- rendering --------------------------------------------------------- */

/* The context stack: one frame per open section, on the C stack. */
struct frame {
    struct json_object *v;
    const struct frame *up;
};

struct render {
    struct buf out;
    struct buf ind;         /* indentation of the partials being rendered */
    size_t ind_from;        /* the active one is ind.p[ind_from..ind.used) */
    const struct tpl_set *set;
    int partials;           /* partial depth */
    size_t expanded;        /* partials expanded so far */
};

/* The spec's name resolution: "." is the top of the stack; otherwise the
 * first segment is looked up from the top down in the frames that are
 * objects, then each further segment in the value found only. NULL for a
 * miss, a broken chain or a JSON null. */
static struct json_object *lookup(const struct tpl *t, const struct node *nd,
                                  const struct frame *f)
{
    const char *key = t->names.p + nd->name;
    struct json_object *v = NULL;

    if (nd->nparts == 0)
        return f->v;
    for (; f != NULL; f = f->up)
        if (json_object_is_type(f->v, json_type_object) &&
            json_object_object_get_ex(f->v, key, &v))
            break;
    if (f == NULL)
        return NULL;
    for (unsigned i = 1; i < nd->nparts; i++) {
        key += strlen(key) + 1;
        if (!json_object_is_type(v, json_type_object) ||
            !json_object_object_get_ex(v, key, &v))
            return NULL;
    }
    return v;
}

/* JavaScript's !!v, as the spec's sections overview says: null, false, 0,
 * NaN, "" and the empty list are falsey; every object is truthy. */
static int truthy(struct json_object *v)
{
    double d;

    switch (json_object_get_type(v)) {
    case json_type_null: return 0;
    case json_type_boolean: return json_object_get_boolean(v);
    case json_type_int: return json_object_get_int64(v) != 0;
    case json_type_double: d = json_object_get_double(v); return d < 0 || d > 0;
    case json_type_string: return json_object_get_string_len(v) > 0;
    case json_type_array: return json_object_array_length(v) > 0;
    default: return 1;
    }
}

/* A value as text: strings as they are, null as "", anything else as
 * json-c prints it (plain JSON). */
static void put_value(struct render *r, struct json_object *v, int raw)
{
    const char *s;
    size_t n;

    if (v == NULL)
        return;
    if (json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        n = (size_t)json_object_get_string_len(v);
    } else {
        s = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN, &n);
    }
    if (raw)
        buf_add(&r->out, s, n);
    else
        buf_escape(&r->out, s, n);
}

static void put_indent(struct render *r)
{
    if (r->ind.used > r->ind_from)
        buf_add(&r->out, r->ind.p + r->ind_from, r->ind.used - r->ind_from);
}

/* Template text; inside a standalone partial each of its lines that is not
 * empty gets the indentation (the first one has its own N_INDENT). */
static void put_text(struct render *r, const char *s, size_t n)
{
    const char *nl;

    while (r->ind.used > r->ind_from && (nl = memchr(s, '\n', n)) != NULL) {
        size_t k = (size_t)(nl - s) + 1;

        buf_add(&r->out, s, k);
        s += k;
        n -= k;
        if (!empty_line(s, n))
            put_indent(r);
    }
    buf_add(&r->out, s, n);
}

static void render_nodes(struct render *r, const struct tpl *t, size_t i,
                         size_t end, const struct frame *f);

/* The partial the spec's way: the current context stack; a standalone one
 * indented by its own blanks after those of the partial around it, an
 * inline one not at all. Recursion ends with the data in sane templates;
 * otherwise a partial deeper than TPL_MAX_PARTIAL, or beyond the first
 * TPL_MAX_EXPAND of a render (a partial including itself twice doubles at
 * each level), renders nothing. */
static void render_partial(struct render *r, const struct tpl *t,
                           const struct node *nd, const struct frame *f)
{
    const struct tpl *p;
    size_t from = r->ind_from, used = r->ind.used;

    if (r->set == NULL || r->partials >= TPL_MAX_PARTIAL ||
        r->expanded >= TPL_MAX_EXPAND ||
        (p = tpl_set_get(r->set, t->names.p + nd->name)) == NULL)
        return;
    r->expanded++;
    if (nd->standalone)
        buf_add(&r->ind, t->src + nd->off, nd->len);
    else
        r->ind_from = r->ind.used;
    r->partials++;
    render_nodes(r, p, 0, p->n, f);
    r->partials--;
    r->ind_from = from;
    r->ind.used = used;
}

/* Nodes [i, end) of t with the context stack f. */
static void render_nodes(struct render *r, const struct tpl *t, size_t i,
                         size_t end, const struct frame *f)
{
    while (i < end) {
        const struct node *nd = &t->nodes[i];
        struct json_object *v;
        struct frame top;

        switch ((enum node_type)nd->type) {
        case N_TEXT:
            put_text(r, t->src + nd->off, nd->len);
            break;
        case N_INDENT:
            put_indent(r);
            break;
        case N_VAR:
        case N_RAW:
            put_value(r, lookup(t, nd, f), nd->type == N_RAW);
            break;
        case N_SECTION:
            v = lookup(t, nd, f);
            if (!truthy(v))
                break;
            top.up = f;
            if (json_object_is_type(v, json_type_array)) {
                for (size_t k = 0; k < json_object_array_length(v); k++) {
                    top.v = json_object_array_get_idx(v, k);
                    render_nodes(r, t, i + 1, nd->end, &top);
                }
            } else {
                top.v = v;
                render_nodes(r, t, i + 1, nd->end, &top);
            }
            break;
        case N_INVERTED:
            if (!truthy(lookup(t, nd, f)))
                render_nodes(r, t, i + 1, nd->end, f);
            break;
        case N_PARTIAL:
            render_partial(r, t, nd, f);
            break;
        }
        i = nd->type == N_SECTION || nd->type == N_INVERTED ? nd->end : i + 1;
    }
}

char *tpl_render(const struct tpl *t, struct json_object *ctx,
                 const struct tpl_set *set, size_t *len)
{
    struct render r = {.set = set};
    struct frame root = {ctx, NULL};

    buf_reserve(&r.out, 0);
    r.out.p[0] = '\0';
    render_nodes(&r, t, 0, t->n, &root);
    free(r.ind.p);
    if (len != NULL)
        *len = r.out.used;
    return r.out.p;
}

/* ---- the set of a directory -------------------------------------------- */

struct tpl_entry {
    char *name;
    struct tpl *t;
};

struct tpl_set {
    struct tpl_entry *e;    /* sorted by name */
    size_t n;
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tpl_entry *)a)->name, ((const struct tpl_entry *)b)->name);
}

/* The file at path read whole into a new NUL-ended string (len without
 * the NUL); NULL with "path: why" in err. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    char *text = NULL;
    FILE *fp;

    if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &st) == -1)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(err, errlen, "%s: not a regular file", path);
    else if (st.st_size > TPL_MAX_FILE)
        snprintf(err, errlen, "%s: larger than %d bytes", path, TPL_MAX_FILE);
    else {
        *len = (size_t)st.st_size;
        if ((text = malloc(*len + 1)) == NULL)
            abort();
        if (fread(text, 1, *len, fp) != *len) {
            snprintf(err, errlen, "%s: short read", path);
            free(text);
            text = NULL;
        } else {
            text[*len] = '\0';
        }
    }
    if (fp != NULL)
        fclose(fp);
    return text;
}

struct tpl_set *tpl_set_load(const char *dir, char *err, size_t errlen)
{
    struct tpl_set *s = calloc(1, sizeof *s);
    size_t cap = 0, ext = strlen(TPL_EXT);
    struct dirent *de;
    DIR *d;

    if (s == NULL)
        abort();
    if ((d = opendir(dir)) == NULL) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        free(s);
        return NULL;
    }
    /* Names first (hidden files skipped), sorted for tpl_set_get and so
     * that the error reported does not depend on the directory's order. */
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n <= ext || strcmp(de->d_name + n - ext, TPL_EXT) != 0)
            continue;
        if (s->n == cap) {
            struct tpl_entry *e = realloc(s->e, (cap = cap ? cap * 2 : 16) * sizeof *e);

            if (e == NULL)
                abort();
            s->e = e;
        }
        if ((s->e[s->n].name = strndup(de->d_name, n - ext)) == NULL)
            abort();
        s->e[s->n++].t = NULL;
    }
    closedir(d);
    if (s->n > 0)
        qsort(s->e, s->n, sizeof *s->e, entry_cmp);
    for (size_t i = 0; i < s->n; i++) {
        char path[4096], perr[256];
        size_t len;
        char *text;

        if ((size_t)snprintf(path, sizeof path, "%s/%s%s", dir, s->e[i].name,
                             TPL_EXT) >= sizeof path) {
            snprintf(err, errlen, "%s/%s%s: path too long", dir, s->e[i].name, TPL_EXT);
            goto fail;
        }
        if ((text = read_file(path, &len, err, errlen)) == NULL)
            goto fail;
        s->e[i].t = tpl_parse(text, len, perr, sizeof perr);
        free(text);
        if (s->e[i].t == NULL) {
            snprintf(err, errlen, "%s: %s", path, perr);
            goto fail;
        }
    }
    return s;
fail:
    tpl_set_free(s);
    return NULL;
}

const struct tpl *tpl_set_get(const struct tpl_set *s, const char *name)
{
    struct tpl_entry key = {(char *)name, NULL};
    const struct tpl_entry *e;

    if (s == NULL || s->n == 0)
        return NULL;
    e = bsearch(&key, s->e, s->n, sizeof *s->e, entry_cmp);
    return e != NULL ? e->t : NULL;
}

void tpl_set_free(struct tpl_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].name);
        tpl_free(s->e[i].t);
    }
    free(s->e);
    free(s);
}
