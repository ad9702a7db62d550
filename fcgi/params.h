/* params.h — a route's declared parameters (kcgi-style): where each comes
 * from (path capture, query, JSON body field), its type, bounds and
 * whether it is required. The router checks them all before the handler
 * runs (params_or_reply), and the handler reads the parsed values only
 * (arg_*). The same declarations make the route's OpenAPI entry
 * (fcgi/openapi.c), so what is documented is what is enforced.
 *
 * Answers of a failed check, in declaration order:
 *   path   -> 404 NOT_FOUND "No such <doc>." (a path names an object)
 *   query  -> 400 VALIDATION_ERROR with "field"; on a page route empty
 *             values are dropped first (an HTML form sends every field)
 *   body   -> 400 INVALID_JSON (no body, not JSON, not an object), then
 *             400 VALIDATION_ERROR with "field" per declared field,
 *             or the param's own .code (e.g. INVALID_FACE_DATA)
 *   header -> 400 VALIDATION_ERROR with "field" (the header's name, as
 *             req_header() knows it; PT_STRING only). */
#ifndef FC_PARAMS_H
#define FC_PARAMS_H

#include <stddef.h>
#include <json-c/json.h>

struct pool;
struct request;

enum param_in { IN_PATH = 1, IN_QUERY, IN_BODY, IN_HEADER };

enum param_type {
    PT_ID = 1,          /* a positive whole number, 1 .. 2^53 */
    PT_INT,             /* a whole number in [min, max] */
    PT_NUMBER,          /* a finite number in [min, max] (body only) */
    PT_BOOL,            /* true / false (in a query: "true" / "false") */
    PT_STRING,          /* UTF-8 text, min..max characters, no control characters */
    PT_SLUG,            /* [a-z0-9][a-z0-9-]{0,62}, no trailing '-' */
    PT_ENUM,            /* exactly one of .choices */
    PT_DATE,            /* YYYY-MM-DD, a real calendar date */
    PT_TIMESTAMP,       /* RFC 3339 with Z or an offset */
    PT_TIME_BOUND,      /* a list filter's bound: a PT_DATE or a PT_TIMESTAMP */
    PT_ARRAY,           /* a JSON array of min..max items of type .items */
    PT_OBJECT,          /* a JSON object (its fields: the handler's rules) */
    PT_ANY,             /* any JSON value; the handler's rules decide (body only) */
    PT_NUMBERS,         /* a JSON array of min..max finite numbers, read as doubles
                           (arg_nums) without a JSON object per number (body only) */
};

#define P_NO_MAX 1e19    /* a whole number's max when it has none (LONG_MAX) */

#define P_REQUIRED 1u    /* absent (or JSON null) is an error */

struct param {
    const char *name;
    enum param_in in;
    enum param_type type;
    unsigned flags;                 /* P_* */
    double min, max;                /* INT/NUMBER: value; STRING: characters;
                                       ARRAY: items; both 0: no bound */
    enum param_type items;          /* ARRAY: the items' type (NUMBER, ID, INT, STRING, OBJECT) */
    const char *const *choices;     /* ENUM: NULL-terminated */
    int (*valid)(const char *);     /* STRING: an extra check (1 = ok), e.g. an id format */
    int (*valid_json)(struct json_object *);   /* body: an extra check of the value (1 = ok) */
    int (*valid_nums)(const double *, size_t); /* NUMBERS: an extra check of the list (1 = ok) */
    const char *code;               /* body: the error code when invalid (default VALIDATION_ERROR) */
    const char *doc;                /* path: the object's name ("item"); others: one line */
};

/* One parsed value (request.h keeps REQ_MAX_ARGS of them). */
struct arg {
    const struct param *p;
    int present;
    long long i;                    /* ID, INT, BOOL (0/1), TIME_BOUND (1 date, 2 timestamp) */
    double d;                       /* NUMBER (and INT) */
    const char *s;                  /* STRING, SLUG, ENUM, DATE, TIMESTAMP; TIME_BOUND: the
                                       date as given or the timestamp as exact UTC text */
    struct json_object *j;          /* body values (borrowed from req->json); not NUMBERS */
    const double *nums;             /* NUMBERS: the list (from the request's pool) */
    size_t n;                       /* NUMBERS: its length */
};

/* Check every declaration of the request's route against the request and
 * fill req->args. 0, or -1 after answering. */
int params_or_reply(struct request *req);

/* Check one text value against a declaration (path and query rules). 0 ok
 * (out filled), -1 with *why a message (pool string). Pure but for the pool. */
int param_text(struct pool *p, const struct param *d, const char *v, struct arg *out, const char **why);

/* The parsed values, by declared name. Asking for a name the route does
 * not declare is a programming error: it is logged and reads as absent. */
int arg_has(const struct request *req, const char *name);
long long arg_int(const struct request *req, const char *name);         /* 0 when absent */
double arg_num(const struct request *req, const char *name);            /* 0 when absent */
int arg_bool(const struct request *req, const char *name, int dflt);
const char *arg_str(const struct request *req, const char *name);       /* NULL when absent */
struct json_object *arg_json(const struct request *req, const char *name);  /* NULL when absent */
const double *arg_nums(const struct request *req, const char *name, size_t *n); /* NULL, 0 when absent */
/* The page of a list: ?limit= (default 100) and ?offset= (default 0). */
void arg_page(const struct request *req, long *limit, long *offset);
/* A PT_TIME_BOUND: *date (as given) or *ts (exact UTC text); both NULL when absent. */
void arg_time_bound(const struct request *req, const char *name, const char **date, const char **ts);

/* A list's ?from= and ?to= (PT_TIME_BOUND each), as dates or instants. */
struct time_range {
    const char *from_date, *from_ts, *to_date, *to_ts;     /* NULL: not given */
};
void arg_time_range(const struct request *req, struct time_range *t);

#endif
