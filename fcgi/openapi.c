/* openapi.c — owns the OpenAPI 3.1 document of a route table (openapi.h):
 * the statuses each entry answers (pure), the document made from the
 * entries with json-c, the process's one text of app_routes' document,
 * and `faceclock openapi`, which prints that text. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "app.h"
#include "openapi.h"
#include "params.h"
#include "pool.h"

#define ID_MAX (1LL << 53)          /* PT_ID's bound (params.h) */
#define TEXT_MAX 4096               /* a PT_STRING without a declared max (params.c) */
#define SLUG_PATTERN "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"   /* validate.c valid_slug */
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ---- the statuses of an entry (pure) ---------------------------------- */

/* Add status with code (NULL: bare) to out[0..*n), both kept sorted and
 * without repeats. 0, or -1 when there is no room. */
static int add_status(struct openapi_status *out, int *n, int max, int status, const char *code)
{
    int i = 0, j = 0;

    while (i < *n && out[i].status < status)
        i++;
    if (i == *n || out[i].status != status) {
        if (*n == max)
            return -1;
        memmove(&out[i + 1], &out[i], sizeof out[0] * (size_t)(*n - i));
        memset(&out[i], 0, sizeof out[i]);
        out[i].status = status;
        (*n)++;
    }
    struct openapi_status *s = &out[i];
    if (code == NULL) {
        s->bare = 1;
        return 0;
    }
    while (j < s->ncodes && strcmp(s->codes[j], code) < 0)
        j++;
    if (j < s->ncodes && strcmp(s->codes[j], code) == 0)
        return 0;
    if (s->ncodes == OPENAPI_MAX_CODES)
        return -1;
    memmove(&s->codes[j + 1], &s->codes[j], sizeof s->codes[0] * (size_t)(s->ncodes - j));
    s->codes[j] = code;
    s->ncodes++;
    return 0;
}

/* "409 ALREADY_CLOCKED_IN" or "201" into *status and *code (NULL, or the
 * tail of a). 0, or -1 when malformed. */
static int parse_answer(const char *a, int *status, const char **code)
{
    if (strspn(a, "0123456789") != 3 || a[0] < '1' || a[0] > '5')
        return -1;
    *status = (a[0] - '0') * 100 + (a[1] - '0') * 10 + (a[2] - '0');
    *code = NULL;
    if (a[3] == '\0')
        return 0;
    if (a[3] != ' ' || a[4] == '\0' ||
        strspn(a + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(a + 4))
        return -1;
    *code = a + 4;
    return 0;
}

/* whether word is one of list's space-separated words */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p != NULL && *p != '\0'; p += strcspn(p, " ")) {
        p += strspn(p, " ");
        if (strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

/* the access bits of every kind of caller; cookie: only of those that may
 * authenticate with a cookie */
static unsigned caller_bits(const struct openapi_app *app, int cookie)
{
    unsigned bits = 0;
    for (const struct openapi_caller *c = app->callers; c->bit != 0; c++)
        for (const struct openapi_scheme *s = app->schemes; s->name != NULL; s++)
            if (has_word(c->schemes, s->name) &&
                (!cookie || (s->in != NULL && strcmp(s->in, "cookie") == 0)))
                bits |= c->bit;
    return bits;
}

int openapi_statuses(const struct route *r, const struct openapi_app *app,
                     struct openapi_status *out, int max)
{
    int n = 0, rc = 0, status;
    const char *code;
    unsigned every = caller_bits(app, 0);
    int write = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;

    for (const char *const *a = r->answers; a != NULL && *a != NULL; a++) {
        if (parse_answer(*a, &status, &code) < 0)
            return -1;
        rc |= add_status(out, &n, max, status, code);
    }
    rc |= add_status(out, &n, max, 500, "INTERNAL");
    if (!(r->access & A_PUBLIC)) {
        if (r->access & R_PAGE)
            rc |= add_status(out, &n, max, 303, NULL);
        else
            rc |= add_status(out, &n, max, 401, "UNAUTHENTICATED");
        rc |= add_status(out, &n, max, 503, "UNAVAILABLE");
        if ((r->access & every) != every)
            rc |= add_status(out, &n, max, 403, "FORBIDDEN");
        if (write && (r->access & caller_bits(app, 1)))
            rc |= add_status(out, &n, max, 403, "CSRF_FAILED");
        if (r->tenant == T_CALLER) {
            rc |= add_status(out, &n, max, 400, "VALIDATION_ERROR");
            rc |= add_status(out, &n, max, 404, "NOT_FOUND");
        }
    }
    if (r->tenant == T_PATH || r->tenant == T_PATH_CREATE) {
        rc |= add_status(out, &n, max, 404, "NOT_FOUND");
        rc |= add_status(out, &n, max, 503, "UNAVAILABLE");
    }
    for (const struct param *d = r->params; d != NULL && d->name != NULL; d++) {
        if (d->in == IN_PATH) {
            rc |= add_status(out, &n, max, 404, "NOT_FOUND");
        } else if (d->in == IN_QUERY || d->in == IN_HEADER) {
            rc |= add_status(out, &n, max, 400, "VALIDATION_ERROR");
        } else {
            rc |= add_status(out, &n, max, 400, "INVALID_JSON");
            rc |= add_status(out, &n, max, 413, "PAYLOAD_TOO_LARGE");
            rc |= add_status(out, &n, max, 415, "UNSUPPORTED_MEDIA_TYPE");
            rc |= add_status(out, &n, max, 400, d->code != NULL ? d->code : "VALIDATION_ERROR");
        }
    }
    return rc != 0 ? -1 : n;
}

/* ---- schemas ------------------------------------------------------------ */

static void add_int(struct json_object *o, const char *key, long long v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_type(struct json_object *o, const char *type, int nullable)
{
    if (!nullable) {
        jx_add_str(o, "type", type);
        return;
    }
    struct json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_string(type));
    json_object_array_add(a, json_object_new_string("null"));
    json_object_object_add(o, "type", a);
}

static struct json_object *formatted(const char *format)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "type", "string");
    jx_add_str(o, "format", format);
    return o;
}

/* The JSON schema of a value of type t as d declares it (d NULL: an
 * array's item, which has no bounds); nullable: JSON null too (an
 * optional body field, which null leaves out). Mirrors params.c. */
static struct json_object *value_schema(enum param_type t, const struct param *d, int nullable)
{
    struct json_object *o = json_object_new_object(), *a;
    int bounded = d != NULL && !(d->min == 0 && d->max == 0);

    switch (t) {
    case PT_ANY:            /* any JSON value: the handler's rules decide */
        break;
    case PT_ID:
        add_type(o, "integer", nullable);
        add_int(o, "minimum", 1);
        add_int(o, "maximum", ID_MAX);
        break;
    case PT_INT:
        add_type(o, "integer", nullable);
        if (bounded) {
            add_int(o, "minimum", (long long)d->min);
            if (d->max < (double)LONG_MAX)
                add_int(o, "maximum", (long long)d->max);
        }
        break;
    case PT_NUMBER:
        add_type(o, "number", nullable);
        if (bounded) {
            jx_add_number(o, "minimum", d->min);
            jx_add_number(o, "maximum", d->max);
        }
        break;
    case PT_BOOL:
        add_type(o, "boolean", nullable);
        break;
    case PT_STRING:
        add_type(o, "string", nullable);
        if (d != NULL && d->min > 0)
            add_int(o, "minLength", (long long)d->min);
        if (d != NULL)
            add_int(o, "maxLength", d->max > 0 ? (long long)d->max : TEXT_MAX);
        break;
    case PT_SLUG:
        add_type(o, "string", nullable);
        jx_add_str(o, "pattern", SLUG_PATTERN);
        break;
    case PT_ENUM:
        add_type(o, "string", nullable);
        a = json_object_new_array();
        for (const char *const *c = d != NULL ? d->choices : NULL; c != NULL && *c != NULL; c++)
            json_object_array_add(a, json_object_new_string(*c));
        if (nullable)
            json_object_array_add(a, NULL);
        json_object_object_add(o, "enum", a);
        break;
    case PT_DATE:
    case PT_TIMESTAMP:
        add_type(o, "string", nullable);
        jx_add_str(o, "format", t == PT_DATE ? "date" : "date-time");
        break;
    case PT_TIME_BOUND:
        a = json_object_new_array();
        json_object_array_add(a, formatted("date"));
        json_object_array_add(a, formatted("date-time"));
        if (nullable) {
            struct json_object *null = json_object_new_object();
            jx_add_str(null, "type", "null");
            json_object_array_add(a, null);
        }
        json_object_object_add(o, "anyOf", a);
        break;
    case PT_ARRAY:
    case PT_NUMBERS:
        add_type(o, "array", nullable);
        if (d != NULL && d->min > 0)
            add_int(o, "minItems", (long long)d->min);
        if (d != NULL && d->max > 0)
            add_int(o, "maxItems", (long long)d->max);
        if (d != NULL && (d->items != 0 || t == PT_NUMBERS))
            json_object_object_add(o, "items", value_schema(t == PT_NUMBERS ? PT_NUMBER : d->items, NULL, 0));
        break;
    case PT_OBJECT:
        add_type(o, "object", nullable);
        break;
    }
    return o;
}

/* a path capture, query parameter or header */
static struct json_object *parameter(struct pool *p, const struct param *d)
{
    struct json_object *o = json_object_new_object();
    int path = d->in == IN_PATH;

    jx_add_str(o, "name", d->name);
    jx_add_str(o, "in", path ? "path" : d->in == IN_HEADER ? "header" : "query");
    jx_add_bool(o, "required", path || (d->flags & P_REQUIRED));
    if (path)
        jx_add_str(o, "description", pool_printf(p, "The %s (404 NOT_FOUND when there is none).",
                                                 d->doc != NULL ? d->doc : d->name));
    else if (d->doc != NULL)
        jx_add_str(o, "description", d->doc);
    json_object_object_add(o, "schema", value_schema(d->type, d, 0));
    return o;
}

/* {"<media>": {"schema": schema}} */
static struct json_object *content_of(const char *media, struct json_object *schema)
{
    struct json_object *m = json_object_new_object(), *c = json_object_new_object();
    json_object_object_add(m, "schema", schema);
    json_object_object_add(c, media, m);
    return c;
}

/* the JSON object of the body fields of ps; NULL when it declares none */
static struct json_object *request_body(const struct param *ps)
{
    struct json_object *props = json_object_new_object(), *req = json_object_new_array();

    for (const struct param *d = ps; d != NULL && d->name != NULL; d++) {
        if (d->in != IN_BODY)
            continue;
        int required = (d->flags & P_REQUIRED) != 0;
        struct json_object *s = value_schema(d->type, d, !required);
        if (d->doc != NULL)
            jx_add_str(s, "description", d->doc);
        json_object_object_add(props, d->name, s);
        if (required)
            json_object_array_add(req, json_object_new_string(d->name));
    }
    if (json_object_object_length(props) == 0) {
        json_object_put(props);
        json_object_put(req);
        return NULL;
    }
    struct json_object *schema = json_object_new_object(), *body = json_object_new_object();
    int any_required = json_object_array_length(req) > 0;
    jx_add_str(schema, "type", "object");
    json_object_object_add(schema, "properties", props);
    if (any_required)
        json_object_object_add(schema, "required", req);
    else
        json_object_put(req);
    /* a body of optional fields only may be left out (params.c wants_body) */
    jx_add_bool(body, "required", any_required);
    json_object_object_add(body, "content", content_of("application/json", schema));
    return body;
}

static struct json_object *string_array(const char *const *s, int n)
{
    struct json_object *a = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(s[i]));
    return a;
}

/* One response: what its status says, the codes it comes with (in the
 * description, x-error-codes, and for JSON errors the enum of "code"), a
 * page's HTML, a redirect's Location. */
static struct json_object *response(struct pool *p, const struct openapi_status *s, int page)
{
    struct json_object *o = json_object_new_object();
    const char *desc = http_status_text(s->status);

    for (int i = 0; i < s->ncodes; i++)
        desc = pool_printf(p, "%s%s%s", desc, i == 0 ? (s->bare ? "; or an error: " : ": ") : ", ",
                           s->codes[i]);
    jx_add_str(o, "description", desc);
    if (s->status >= 300 && s->status < 400) {
        struct json_object *h = json_object_new_object(), *loc = json_object_new_object(),
                           *schema = json_object_new_object();
        jx_add_str(schema, "type", "string");
        jx_add_str(loc, "description", "Where to go.");
        json_object_object_add(loc, "schema", schema);
        json_object_object_add(h, "Location", loc);
        json_object_object_add(o, "headers", h);
    } else if (page) {
        struct json_object *schema = json_object_new_object();
        jx_add_str(schema, "type", "string");
        json_object_object_add(o, "content", content_of("text/html", schema));
    } else if (s->ncodes > 0 && !s->bare) {
        struct json_object *schema = json_object_new_object(), *all = json_object_new_array(),
                           *ref = json_object_new_object(), *narrow = json_object_new_object(),
                           *props = json_object_new_object(), *code = json_object_new_object();
        jx_add_str(ref, "$ref", "#/components/schemas/Error");
        json_object_object_add(code, "enum", string_array(s->codes, s->ncodes));
        json_object_object_add(props, "code", code);
        json_object_object_add(narrow, "properties", props);
        json_object_array_add(all, ref);
        json_object_array_add(all, narrow);
        json_object_object_add(schema, "allOf", all);
        json_object_object_add(o, "content", content_of("application/json", schema));
    }
    if (s->ncodes > 0)
        json_object_object_add(o, "x-error-codes", string_array(s->codes, s->ncodes));
    return o;
}

/* x-access: the names of the callers r admits */
static struct json_object *access_names(const struct route *r, const struct openapi_app *app)
{
    struct json_object *a = json_object_new_array();
    if (r->access & A_PUBLIC)
        json_object_array_add(a, json_object_new_string("public"));
    else
        for (const struct openapi_caller *c = app->callers; c->bit != 0; c++)
            if (r->access & c->bit)
                json_object_array_add(a, json_object_new_string(c->name));
    return a;
}

/* security: each scheme a caller r admits may use, as alternatives; none
 * for a public route */
static struct json_object *security(const struct route *r, const struct openapi_app *app)
{
    struct json_object *a = json_object_new_array();
    if (r->access & A_PUBLIC)
        return a;
    for (const struct openapi_scheme *s = app->schemes; s->name != NULL; s++)
        for (const struct openapi_caller *c = app->callers; c->bit != 0; c++)
            if ((r->access & c->bit) && has_word(c->schemes, s->name)) {
                struct json_object *req = json_object_new_object();
                json_object_object_add(req, s->name, json_object_new_array());
                json_object_array_add(a, req);
                break;
            }
    return a;
}

static int declares_query(const struct route *r, const char *name)
{
    for (const struct param *d = r->params; d != NULL && d->name != NULL; d++)
        if (d->in == IN_QUERY && strcmp(d->name, name) == 0)
            return 1;
    return 0;
}

static void add_header(struct json_object *h, const char *name, const char *type, const char *desc)
{
    struct json_object *o = json_object_new_object(), *schema = json_object_new_object();
    jx_add_str(schema, "type", type);
    jx_add_str(o, "description", desc);
    json_object_object_add(o, "schema", schema);
    json_object_object_add(h, name, o);
}

/* A list's page (a JSON route declaring ?limit=): its headers on 200
 * (response.h, resp_json_list), the cursor's and the capped count's when
 * it declares ?cursor= too. */
static void list_headers(const struct route *r, struct json_object *ok)
{
    struct json_object *h = json_object_new_object();
    int keyset = declares_query(r, "cursor");

    add_header(h, "X-Total-Count", "integer",
               keyset ? "The matching rows: exact up to the server's count cap, else the cap + 1 (a lower "
                        "bound) with X-Total-Count-Estimated."
                      : "The matching rows.");
    if (keyset)
        add_header(h, "X-Total-Count-Estimated", "string",
                   "\"true\" when X-Total-Count is a lower bound (more rows than the count cap); absent "
                   "when it is exact.");
    add_header(h, "Link", "string",
               keyset ? "<...&cursor=...>; rel=\"next\" while older rows follow, <...&cursor=...>; "
                        "rel=\"prev\" while newer rows precede (offset pages: rel=\"next\" with ?offset=)."
                      : "<...&offset=N>; rel=\"next\" while more rows follow.");
    json_object_object_add(ok, "headers", h);
}

/* what a route whose reads may go to a standby takes back from the
 * caller's last write (db.h db_read_begin) */
static struct json_object *wal_position_param(void)
{
    struct json_object *o = json_object_new_object(), *schema = json_object_new_object();

    jx_add_str(o, "name", "X-WAL-Position");
    jx_add_str(o, "in", "header");
    jx_add_bool(o, "required", 0);
    jx_add_str(o, "description",
               "The X-WAL-Position a write answered (also sent back as the fc_wal cookie): the read goes to a "
               "standby only once it has replayed that far, else to the primary (read-your-writes). "
               "Absent or malformed: a standby within the server's lag bound, else the primary.");
    jx_add_str(schema, "type", "string");
    jx_add_str(schema, "pattern", "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$");
    json_object_object_add(o, "schema", schema);
    return o;
}

static struct json_object *operation(struct pool *p, const struct route *r, const struct openapi_app *app,
                                     const struct openapi_status *st, int nst)
{
    struct json_object *op = json_object_new_object(), *params = json_object_new_array(),
                       *responses = json_object_new_object(), *body;

    jx_add_str(op, "operationId", r->name);
    if (r->summary != NULL)
        jx_add_str(op, "summary", r->summary);
    jx_add_str(op, "x-handler", pool_printf(p, "%s%s", app->src_dir, r->src != NULL ? r->src : "?"));
    json_object_object_add(op, "x-access", access_names(r, app));
    if (r->scope != NULL)
        jx_add_str(op, "x-scope", r->scope);
    if (r->reads == READS_STANDBY)
        jx_add_str(op, "x-reads", "standby");
    json_object_object_add(op, "security", security(r, app));
    for (const struct param *d = r->params; d != NULL && d->name != NULL; d++)
        if (d->in == IN_PATH || d->in == IN_QUERY || d->in == IN_HEADER)
            json_object_array_add(params, parameter(p, d));
    if (r->reads == READS_STANDBY)
        json_object_array_add(params, wal_position_param());
    if (json_object_array_length(params) > 0)
        json_object_object_add(op, "parameters", params);
    else
        json_object_put(params);
    if ((body = request_body(r->params)) != NULL)
        json_object_object_add(op, "requestBody", body);
    for (int i = 0; i < nst; i++)
        json_object_object_add(responses, pool_printf(p, "%d", st[i].status),
                               response(p, &st[i], (r->access & R_PAGE) != 0));
    struct json_object *ok;
    if (!(r->access & R_PAGE) && declares_query(r, "limit") && json_object_object_get_ex(responses, "200", &ok) &&
        !json_object_object_get_ex(ok, "headers", NULL))
        list_headers(r, ok);
    json_object_object_add(op, "responses", responses);
    return op;
}

static struct json_object *components(const struct openapi_app *app)
{
    struct json_object *c = json_object_new_object(), *schemes = json_object_new_object(),
                       *schemas = json_object_new_object(), *err = json_object_new_object(),
                       *props = json_object_new_object(), *req = json_object_new_array();

    for (const struct openapi_scheme *s = app->schemes; s->name != NULL; s++) {
        struct json_object *o = json_object_new_object();
        jx_add_str(o, "type", s->type);
        if (s->in != NULL) {
            jx_add_str(o, "in", s->in);
            jx_add_str(o, "name", s->key);
        } else {
            jx_add_str(o, "scheme", s->key);
        }
        if (s->doc != NULL)
            jx_add_str(o, "description", s->doc);
        json_object_object_add(schemes, s->name, o);
    }
    static const struct { const char *name, *doc; } fields[] = {
        {"code", "What went wrong, for programs: the response's x-error-codes."},
        {"message", "What went wrong, for people."},
        {"field", "VALIDATION_ERROR: the field at fault."},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        struct json_object *f = json_object_new_object();
        jx_add_str(f, "type", "string");
        jx_add_str(f, "description", fields[i].doc);
        json_object_object_add(props, fields[i].name, f);
    }
    json_object_array_add(req, json_object_new_string("code"));
    json_object_array_add(req, json_object_new_string("message"));
    jx_add_str(err, "type", "object");
    json_object_object_add(err, "required", req);
    json_object_object_add(err, "properties", props);
    json_object_object_add(schemas, "Error", err);
    json_object_object_add(c, "securitySchemes", schemes);
    json_object_object_add(c, "schemas", schemas);
    return c;
}

struct json_object *openapi_document(const struct route *table, int n, const struct openapi_app *app)
{
    struct pool *p = pool_new();
    struct json_object *doc = json_object_new_object(), *info = json_object_new_object(),
                       *servers = json_object_new_array(), *server = json_object_new_object(),
                       *paths = json_object_new_object();

    jx_add_str(doc, "openapi", "3.1.0");
    jx_add_str(info, "title", app->title);
    jx_add_str(info, "version", app->version);
    jx_add_str(info, "description", app->description);
    json_object_object_add(doc, "info", info);
    jx_add_str(server, "url", "/");
    json_object_array_add(servers, server);
    json_object_object_add(doc, "servers", servers);
    json_object_object_add(doc, "paths", paths);
    json_object_object_add(doc, "components", components(app));

    for (int i = 0; i < n; i++) {
        const struct route *r = &table[i];
        struct openapi_status st[OPENAPI_MAX_STATUSES];
        struct json_object *item;
        char method[16];
        int nst = openapi_statuses(r, app, st, OPENAPI_MAX_STATUSES);

        if (nst < 0 || strlen(r->method) >= sizeof method) {
            log_error("route %s: a malformed answer or method, or more statuses or codes than fit", r->name);
            json_object_put(doc);
            doc = NULL;
            break;
        }
        for (size_t k = 0; k <= strlen(r->method); k++)
            method[k] = (char)tolower((unsigned char)r->method[k]);
        if (!json_object_object_get_ex(paths, r->pattern, &item)) {
            item = json_object_new_object();
            json_object_object_add(paths, r->pattern, item);
        }
        json_object_object_add(item, method, operation(p, r, app, st, nst));
    }
    pool_free(p);
    return doc;
}

const char *openapi_json(void)
{
    static char *text;              /* the process's one copy, never freed */

    if (text == NULL) {
        struct json_object *doc = openapi_document(app_routes, app_nroutes, &app_openapi);
        if (doc == NULL)
            return NULL;
        text = strdup(json_object_to_json_string_ext(doc, JSON_FLAGS));
        json_object_put(doc);
    }
    return text;
}

int cmd_openapi(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fputs("usage: faceclock openapi\n", stderr);
        return 2;
    }
    const char *doc = openapi_json();
    if (doc == NULL)
        return 1;
    return printf("%s\n", doc) < 0 || fflush(stdout) != 0 ? 1 : 0;
}
