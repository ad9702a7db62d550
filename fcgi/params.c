/* params.c — owns the checking of a route's declared parameters (params.h)
 * and the typed values handlers read. Text values (path, query) go through
 * the validators of validate.h, JSON body fields through jsonx.h's typed
 * readers, so a value is refused with the same words wherever it comes. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "jsonfast.h"
#include "jsonx.h"
#include "log.h"
#include "params.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "validate.h"

/* ---- text values (path captures, query parameters) -------------------- */

/* a whole number's bounds; min = max = 0 declares none */
static long int_min(const struct param *d)
{
    return d->min == 0 && d->max == 0 ? LONG_MIN : (long)d->min;
}

static long int_max(const struct param *d)
{
    return (d->min == 0 && d->max == 0) || d->max >= (double)LONG_MAX ? LONG_MAX : (long)d->max;
}

/* "from 1 to 1000", "of at least 0": the bounds of a whole number */
static const char *int_range(struct pool *p, const struct param *d)
{
    if (d->min == 0 && d->max == 0)
        return "";
    if (int_max(d) == LONG_MAX)
        return pool_printf(p, " of at least %ld", int_min(d));
    return pool_printf(p, " from %ld to %ld", int_min(d), int_max(d));
}

static const char *choices_text(struct pool *p, const char *const *c)
{
    const char *s = "";
    for (int i = 0; c[i] != NULL; i++)
        s = pool_printf(p, "%s%s%s", s, i == 0 ? "" : c[i + 1] == NULL ? " or " : ", ", c[i]);
    return s;
}

static int in_choices(const char *const *c, const char *v)
{
    for (int i = 0; c[i] != NULL; i++)
        if (strcmp(c[i], v) == 0)
            return 1;
    return 0;
}

/* An RFC 3339 timestamp as exact UTC text PostgreSQL reads the same way;
 * NULL when not one (or before year 1, which PostgreSQL has not). */
static const char *utc_text(struct pool *p, const char *v)
{
    long long epoch;
    int usec;
    struct tm tm;

    if (parse_timestamp(v, &epoch, &usec) < 0 || gmtime_r(&(time_t){(time_t)epoch}, &tm) == NULL ||
        tm.tm_year + 1900 < 1)
        return NULL;
    return pool_printf(p, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

int param_text(struct pool *p, const struct param *d, const char *v, struct arg *out, const char **why)
{
    const char *n = d->name;
    long l;
    int y, m, day;

    out->s = v;
    switch (d->type) {
    case PT_ID:
        if (parse_id(v, &out->i) == 0)
            return 0;
        *why = pool_printf(p, "%s must be a positive whole number.", n);
        return -1;
    case PT_INT:
        if (parse_long(v, int_min(d), int_max(d), &l) == 0) {
            out->i = l;
            out->d = (double)l;
            return 0;
        }
        *why = pool_printf(p, "%s must be a whole number%s.", n, int_range(p, d));
        return -1;
    case PT_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
            out->i = v[0] == 't';
            return 0;
        }
        *why = pool_printf(p, "%s must be true or false.", n);
        return -1;
    case PT_STRING: {
        size_t max = d->max > 0 ? (size_t)d->max : 4096;
        if (valid_text(v, max) && strlen(v) >= (size_t)d->min && (d->valid == NULL || d->valid(v)))
            return 0;
        *why = pool_printf(p, "%s is empty, too long or not in its format.", n);
        return -1;
    }
    case PT_SLUG:
        if (valid_slug(v))
            return 0;
        *why = pool_printf(p, "%s must be a slug (lower-case letters, digits and '-').", n);
        return -1;
    case PT_ENUM:
        if (in_choices(d->choices, v))
            return 0;
        *why = pool_printf(p, "%s must be %s.", n, choices_text(p, d->choices));
        return -1;
    case PT_DATE:
        if (parse_date(v, &y, &m, &day) == 0)
            return 0;
        *why = pool_printf(p, "%s must be a date (YYYY-MM-DD).", n);
        return -1;
    case PT_TIMESTAMP:
        if ((out->s = utc_text(p, v)) != NULL)
            return 0;
        *why = pool_printf(p, "%s must be an RFC 3339 timestamp.", n);
        return -1;
    case PT_TIME_BOUND:
        if (parse_date(v, &y, &m, &day) == 0) {
            out->i = 1;
            return 0;
        }
        if ((out->s = utc_text(p, v)) != NULL) {
            out->i = 2;
            return 0;
        }
        *why = pool_printf(p, "%s must be a date (YYYY-MM-DD) or an RFC 3339 timestamp.", n);
        return -1;
    default:
        *why = pool_printf(p, "%s cannot be given here.", n);
        return -1;
    }
}

/* ---- body fields ------------------------------------------------------ */

#define PARAMS_MAX_NUMBERS 4    /* PT_NUMBERS fields of a route read as lists (more: json-c's objects) */

/* An array's length n against d's bounds; 0 or -1 with *why. */
static int array_length(size_t n, const struct param *d, const char **why)
{
    if ((d->min > 0 && n < (size_t)d->min) || (d->max > 0 && n > (size_t)d->max)) {
        *why = d->min == d->max ? "has the wrong number of items" : "has too few or too many items";
        return -1;
    }
    return 0;
}

/* The array's items against d->items; 0 or -1 with *why. */
static int array_items(struct json_object *v, const struct param *d, const char **why)
{
    size_t n = json_object_array_length(v);
    if (array_length(n, d, why) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct json_object *it = json_object_array_get_idx(v, i);
        json_type t = json_object_get_type(it);
        int ok;
        switch (d->items) {
        case PT_NUMBER: ok = (t == json_type_int || t == json_type_double) && isfinite(json_object_get_double(it)); break;
        case PT_ID:     ok = t == json_type_int && json_object_get_int64(it) >= 1 &&
                             json_object_get_int64(it) <= (1LL << 53); break;
        case PT_INT:    ok = t == json_type_int; break;
        case PT_STRING: ok = t == json_type_string; break;
        case PT_OBJECT: ok = t == json_type_object; break;
        default:        ok = 1; break;
        }
        if (!ok) {
            *why = "has an item of the wrong type";
            return -1;
        }
    }
    return 0;
}

/* A PT_NUMBERS list x[0..n) against d into out; 0 or -1 with *why (the
 * words of a PT_ARRAY of PT_NUMBER, then of a failed extra check). */
static int number_list(const struct param *d, const double *x, size_t n, struct arg *out, const char **why)
{
    if (array_length(n, d, why) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            *why = "has an item of the wrong type";
            return -1;
        }
    if (d->valid_nums != NULL && !d->valid_nums(x, n)) {
        *why = "is not in its format";
        return -1;
    }
    out->nums = x;
    out->n = n;
    return 0;
}

/* A PT_NUMBERS field json-c read (jx_parse_body_nums did not): its items
 * as the fast path reads them (json_object_get_double of an int or a
 * double), then number_list; 0 or -1 with *why. */
static int number_array(struct pool *p, struct json_object *v, const struct param *d, struct arg *out,
                        const char **why)
{
    if (!json_object_is_type(v, json_type_array)) {
        *why = "must be an array";
        return -1;
    }
    size_t n = json_object_array_length(v);
    if (array_length(n, d, why) < 0)
        return -1;
    double *x = pool_alloc(p, (n + 1) * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        struct json_object *it = json_object_array_get_idx(v, i);
        if (!json_object_is_type(it, json_type_int) && !json_object_is_type(it, json_type_double)) {
            *why = "has an item of the wrong type";
            return -1;
        }
        x[i] = json_object_get_double(it);
    }
    return number_list(d, x, n, out, why);
}

/* One body field into out (list: its numbers when the fast path read
 * them, PT_NUMBERS); 0 ok or absent, -1 with *why. */
static int body_field(struct pool *p, struct json_object *o, const struct param *d,
                      const struct jx_numbers *list, struct arg *out, const char **why)
{
    int req = (d->flags & P_REQUIRED) != 0, rc, b;
    long l;
    struct json_object *v = NULL;

    if (list != NULL && list->found)
        return number_list(d, list->v, list->n, out, why);
    if (!json_object_object_get_ex(o, d->name, &v) || v == NULL) {
        if (req)
            *why = "is required";
        return req ? -1 : 0;
    }
    out->j = v;
    switch (d->type) {
    case PT_ID:
        rc = jx_id(o, d->name, req, &out->i, why);
        break;
    case PT_INT:
        rc = jx_int(o, d->name, req, int_min(d), int_max(d), &l, why);
        out->i = l;
        out->d = (double)l;
        break;
    case PT_NUMBER:
        rc = jx_double(o, d->name, req, d->min == 0 && d->max == 0 ? -HUGE_VAL : d->min,
                       d->min == 0 && d->max == 0 ? HUGE_VAL : d->max, &out->d, why);
        break;
    case PT_BOOL:
        rc = jx_bool(o, d->name, req, &b, why);
        out->i = b;
        break;
    case PT_STRING:
    case PT_SLUG:
    case PT_ENUM:
    case PT_DATE:
    case PT_TIMESTAMP:
    case PT_TIME_BOUND:
        rc = jx_string(o, d->name, req, d->max > 0 ? (size_t)d->max : 4096, &out->s, why);
        if (rc == 0 && d->type == PT_STRING && strlen(out->s) < (size_t)d->min) {
            *why = "must not be empty";
            rc = -1;
        } else if (rc == 0 && d->type == PT_STRING && d->valid != NULL && !d->valid(out->s)) {
            *why = "is not in its format";
            rc = -1;
        } else if (rc == 0 && d->type != PT_STRING) {
            const char *msg;
            struct arg a = {0};
            /* reuse the text rules; their sentence names the field itself */
            rc = param_text(p, d, out->s, &a, &msg) < 0 ? -1 : 0;
            out->i = a.i;
            out->s = a.s;
            if (rc < 0)
                *why = "is not in its format";
        }
        break;
    case PT_ARRAY:
        if (!json_object_is_type(v, json_type_array)) {
            *why = "must be an array";
            return -1;
        }
        rc = array_items(v, d, why);
        break;
    case PT_NUMBERS:
        return number_array(p, v, d, out, why);
    case PT_ANY:
        rc = 0;
        break;
    case PT_OBJECT:
        if (!json_object_is_type(v, json_type_object)) {
            *why = "must be an object";
            return -1;
        }
        rc = 0;
        break;
    default:
        *why = "cannot be given here";
        return -1;
    }
    if (rc == 0 && d->valid_json != NULL && !d->valid_json(v)) {
        *why = "is not in its format";
        rc = -1;
    }
    return rc;
}

/* ---- the check -------------------------------------------------------- */

/* An HTML form sends every field, the empty ones too: on a page an empty
 * query value is no value (nor is it carried into the page's links). */
static void drop_empty_query(struct request *req)
{
    int n = 0;
    for (int i = 0; i < req->nquery; i++)
        if (req->query[i].val != NULL && *req->query[i].val != '\0')
            req->query[n++] = req->query[i];
    req->nquery = n;
}

/* 1 when the route reads a JSON body: it declares a body field and the
 * request has a body or the route requires a field of it (a body of only
 * optional fields may be left out). */
static int wants_body(const struct request *req, const struct param *ps)
{
    int declared = 0;
    for (const struct param *d = ps; d->name != NULL; d++)
        if (d->in == IN_BODY) {
            declared = 1;
            if (d->flags & P_REQUIRED)
                return 1;
        }
    return declared && req->body_len > 0;
}

/* The route's PT_NUMBERS body fields, for the body parser to read as
 * lists (at most max of them). */
static int number_fields(const struct param *ps, struct jx_numbers *nums, int max)
{
    int n = 0;
    for (const struct param *d = ps; d->name != NULL; d++)
        if (d->in == IN_BODY && d->type == PT_NUMBERS && n < max)
            nums[n++] = (struct jx_numbers){.key = d->name};
    return n;
}

static const struct jx_numbers *numbers_of(const struct jx_numbers *nums, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(nums[i].key, name) == 0)
            return &nums[i];
    return NULL;
}

int params_or_reply(struct request *req)
{
    const struct param *ps = req->route->params;
    const char *why = NULL;
    struct jx_numbers nums[PARAMS_MAX_NUMBERS];
    int nnums = 0;

    req->nargs = 0;
    if (req->page)
        drop_empty_query(req);
    if (ps == NULL)
        return 0;
    for (int pass = IN_PATH; pass <= IN_HEADER; pass++) {
        struct json_object *body = NULL;
        if (pass == IN_BODY) {
            if (!wants_body(req, ps))
                continue;
            nnums = number_fields(ps, nums, PARAMS_MAX_NUMBERS);
            if ((body = req_json_body_nums_or_reply(req, nums, nnums)) == NULL)
                return -1;
        }
        for (const struct param *d = ps; d->name != NULL; d++) {
            if ((int)d->in != pass)
                continue;
            if (req->nargs == REQ_MAX_ARGS) {
                log_msg("error", "params", "route %s declares more than %d parameters", req->route->name, REQ_MAX_ARGS);
                resp_error(req, 500, "INTERNAL", "The route declares too many parameters.");
                return -1;
            }
            struct arg *a = &req->args[req->nargs++];
            memset(a, 0, sizeof *a);
            a->p = d;
            if (pass == IN_BODY) {
                const struct jx_numbers *list = d->type == PT_NUMBERS ? numbers_of(nums, nnums, d->name) : NULL;
                if (body_field(req->pool, body, d, list, a, &why) < 0) {
                    if (d->code != NULL)
                        resp_error(req, 400, d->code, "%s %s.", d->name, why);
                    else
                        resp_invalid(req, d->name, "%s %s.", d->name, why);
                    return -1;
                }
                a->present = a->j != NULL || a->nums != NULL;
                continue;
            }
            const char *v = pass == IN_PATH ? req_capture(req, d->name)
                          : pass == IN_QUERY ? req_query(req, d->name) : req_header(req, d->name);
            if (v == NULL) {
                if (d->flags & P_REQUIRED) {
                    if (pass == IN_PATH)
                        resp_error(req, 404, "NOT_FOUND", "No such %s.", d->doc);
                    else
                        resp_invalid(req, d->name, "%s is required.", d->name);
                    return -1;
                }
                continue;
            }
            if (param_text(req->pool, d, v, a, &why) < 0) {
                if (pass == IN_PATH)
                    resp_error(req, 404, "NOT_FOUND", "No such %s.", d->doc);
                else
                    resp_invalid(req, d->name, "%s", why);
                return -1;
            }
            a->present = 1;
        }
    }
    return 0;
}

/* ---- reading ---------------------------------------------------------- */

static const struct arg *find(const struct request *req, const char *name)
{
    for (int i = 0; i < req->nargs; i++)
        if (strcmp(req->args[i].p->name, name) == 0)
            return req->args[i].present ? &req->args[i] : NULL;
    if (req->route != NULL && req->route->params != NULL)
        for (const struct param *d = req->route->params; d->name != NULL; d++)
            if (strcmp(d->name, name) == 0)
                return NULL;
    log_msg("error", "params", "route %s reads undeclared parameter %s",
            req->route ? req->route->name : "-", name);
    return NULL;
}

int arg_has(const struct request *req, const char *name)
{
    return find(req, name) != NULL;
}

long long arg_int(const struct request *req, const char *name)
{
    const struct arg *a = find(req, name);
    return a ? a->i : 0;
}

double arg_num(const struct request *req, const char *name)
{
    const struct arg *a = find(req, name);
    return a ? a->d : 0;
}

int arg_bool(const struct request *req, const char *name, int dflt)
{
    const struct arg *a = find(req, name);
    return a ? (int)a->i : dflt;
}

const char *arg_str(const struct request *req, const char *name)
{
    const struct arg *a = find(req, name);
    return a ? a->s : NULL;
}

struct json_object *arg_json(const struct request *req, const char *name)
{
    const struct arg *a = find(req, name);
    return a ? a->j : NULL;
}

const double *arg_nums(const struct request *req, const char *name, size_t *n)
{
    const struct arg *a = find(req, name);
    *n = a ? a->n : 0;
    return a ? a->nums : NULL;
}

void arg_page(const struct request *req, long *limit, long *offset)
{
    *limit = arg_has(req, "limit") ? (long)arg_int(req, "limit") : 100;
    *offset = (long)arg_int(req, "offset");
}

void arg_time_bound(const struct request *req, const char *name, const char **date, const char **ts)
{
    const struct arg *a = find(req, name);
    *date = a && a->i == 1 ? a->s : NULL;
    *ts = a && a->i == 2 ? a->s : NULL;
}

void arg_time_range(const struct request *req, struct time_range *t)
{
    arg_time_bound(req, "from", &t->from_date, &t->from_ts);
    arg_time_bound(req, "to", &t->to_date, &t->to_ts);
}
