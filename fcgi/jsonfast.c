/* jsonfast.c — owns the fast path of the body parser (jsonfast.h): one
 * pass over a small flat JSON object, building the json-c objects jx_parse
 * would, or for a member the route reads as numbers the doubles json-c's
 * items hold. It recognises a strict subset of JSON and says NULL for the
 * rest; tests/fuzz/jsonfast.c holds it to jx_parse's answer on any input. */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "pool.h"

#define FAST_MAX_KEY 64         /* longer keys: not ours (json-c reads them) */
#define FAST_MAX_INT_DIGITS 18  /* fits int64 whatever the digits: no clamping to mimic */
#define FAST_MAX_LIST 512       /* numbers of a list read as doubles (more: json-c's objects) */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* the length of the number text at s (what the grammar took) */
static size_t number_len(const char *s)
{
    return strspn(s, "0123456789+-.eE");
}

/* A double serializes as its own text, as json_object_new_double_s keeps
 * it, but borrowed from the body rather than copied. */
static int number_text(struct json_object *o, struct printbuf *pb, int level, int flags)
{
    (void)level;
    (void)flags;
    const char *s = json_object_get_userdata(o);
    return printbuf_memappend(pb, s, (int)number_len(s));
}

/* The powers of ten that are exact doubles. */
static const double exact_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* m × 10^e10 correctly rounded, as strtod gives it, when Clinger's fast
 * path applies: m at most 2^53 and |e10| at most 22 are both exact
 * doubles, so the one multiplication or division rounds once, correctly
 * (IEEE arithmetic in double, not wider: FLT_EVAL_METHOD 0). 1, or 0 when
 * it does not apply. */
static int exact_double(uint64_t m, int e10, double *out)
{
#if FLT_EVAL_METHOD == 0
    if (m > (1ULL << 53) || e10 < -22 || e10 > 22)
        return 0;
    *out = e10 < 0 ? (double)m / exact_pow10[-e10] : (double)m * exact_pow10[e10];
    return 1;
#else
    (void)m;
    (void)e10;
    (void)out;
    return 0;
#endif
}

/* A JSON number at *pp (RFC 8259: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)
 * as json-c reads it: an int64 without fraction or exponent (*is_double
 * 0, *i), else a double (*is_double 1, *d: strtod's value, exact_double
 * when it applies, else strtod itself). 0 with *pp past it, or -1 when not
 * one we take. The one scanner of numbers: number() makes json-c objects
 * of its answers, number_list() a member's flat array of doubles. */
static inline __attribute__((always_inline)) int scan_number(const char **pp, const char *end, int *is_double,
                                                             long long *i, double *d)
{
    /* the text ends in a NUL (jx_parse_fast_nums checks it): *end may be
     * read, and is none of the characters looked for */
    const char *s = *pp, *p = s, *i0, *i1, *f0, *f1, *q;
    int exp = 0, exp_digits = 0;
    uint64_t m = 0;

    *is_double = 0;
    if (*p == '-')
        p++;
    i0 = p;
    if (*p == '0')
        p++;
    else
        while (is_digit(*p))
            p++;
    if (p == i0)
        return -1;
    i1 = f0 = f1 = p;
    if (*p == '.') {
        f0 = ++p;
        while (is_digit(*p))
            p++;
        if (p == f0)
            return -1;
        f1 = p;
        *is_double = 1;
    }
    if (*p == 'e' || *p == 'E') {
        int neg = 0;
        p++;
        if (*p == '+' || *p == '-')
            neg = *p++ == '-';
        const char *x = p;
        while (is_digit(*p)) {
            if (exp_digits < 6)
                exp = exp * 10 + (*p - '0');
            exp_digits += exp != 0 || exp_digits != 0;
            p++;
        }
        if (p == x)
            return -1;
        exp = neg ? -exp : exp;
        *is_double = 1;
    }
    /* what follows a number in our grammar: ws , ] } (else not ours) */
    if (p >= end || !(is_ws(*p) || *p == ',' || *p == ']' || *p == '}'))
        return -1;
    if (!*is_double) {
        if (i1 - i0 > FAST_MAX_INT_DIGITS)
            return -1;
        for (q = i0; q < i1; q++)
            m = m * 10 + (uint64_t)(*q - '0');
        *i = *s == '-' ? -(long long)m : (long long)m;
        *pp = p;
        return 0;
    }
    /* the significant digits: from the first that is not a leading zero */
    for (q = i0; q < i1 && *q == '0'; q++)
        ;
    if (q == i1)
        for (q = f0; q < f1 && *q == '0'; q++)
            ;
    long sig = q < i1 ? (i1 - q) + (f1 - f0) : f1 - q;
    if (sig <= 19 && exp_digits < 6) {
        for (; q < i1; q++)
            m = m * 10 + (uint64_t)(*q - '0');
        for (q = q > f0 ? q : f0; q < f1; q++)
            m = m * 10 + (uint64_t)(*q - '0');
        if (exact_double(m, exp - (int)(f1 - f0), d)) {
            *d = *s == '-' ? -*d : *d;
            *pp = p;
            return 0;
        }
    }
    char *stop;
    *d = strtod(s, &stop);
    if (stop != p)
        return -1;
    *pp = p;
    return 0;
}

/* A number at *pp as the json-c object jx_parse builds. NULL when not one
 * we take. */
static struct json_object *number(const char **pp, const char *end)
{
    const char *s = *pp;
    int is_double;
    long long i;
    double d;

    if (scan_number(pp, end, &is_double, &i, &d) < 0)
        return NULL;
    if (!is_double)
        return json_object_new_int64(i);
    struct json_object *o = json_object_new_double(d);
    if (o != NULL)
        json_object_set_serializer(o, number_text, (void *)s, NULL);
    return o;
}

/* A string of printable ASCII without escapes at *pp (the opening quote):
 * its text in [*s, *s + *n). 0, or -1 when not one we take. */
static int plain_string(const char **pp, const char *end, const char **s, size_t *n)
{
    const char *p = *pp + 1;
    *s = p;
    while (p < end && *p != '"') {
        if (*p < 0x20 || *p > 0x7e || *p == '\\')
            return -1;
        p++;
    }
    if (p == end)
        return -1;
    *n = (size_t)(p - *s);
    *pp = p + 1;
    return 0;
}

/* A flat array of at most FAST_MAX_LIST numbers at *pp (the '['). NULL
 * when not one we take. */
static struct json_object *number_array(const char **pp, const char *end)
{
    const char *p = skip_ws(*pp + 1, end);
    struct json_object *a = json_object_new_array();
    size_t n = 0;

    if (a == NULL)
        return NULL;
    if (*p == ']') {
        *pp = p + 1;
        return a;
    }
    for (;;) {
        struct json_object *v = n < FAST_MAX_LIST ? number(&p, end) : NULL;
        if (v == NULL || json_object_array_add(a, v) < 0) {
            json_object_put(v);
            break;
        }
        n++;
        p = skip_ws(p, end);
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (*p == ']') {
            *pp = p + 1;
            return a;
        }
        break;
    }
    json_object_put(a);
    return NULL;
}

/* The same flat array of numbers at *pp (the '[') as doubles in the pool,
 * each as json_object_get_double reads json-c's item (an int64 as a
 * double). 0, or -1 when not one we take (more than FAST_MAX_LIST). */
static int number_list(const char **pp, const char *end, struct pool *pool, struct jx_numbers *out)
{
    const char *p = skip_ws(*pp + 1, end);
    double v[FAST_MAX_LIST];
    size_t n = 0;

    if (*p != ']') {
        for (;;) {
            int is_double;
            long long i;
            if (n == FAST_MAX_LIST || scan_number(&p, end, &is_double, &i, &v[n]) < 0)
                return -1;
            if (!is_double)
                v[n] = (double)i;
            n++;
            p = skip_ws(p, end);
            if (*p == ',') {
                p = skip_ws(p + 1, end);
                continue;
            }
            if (*p == ']')
                break;
            return -1;
        }
    }
    double *copy = pool_alloc(pool, (n + 1) * sizeof *copy);
    memcpy(copy, v, n * sizeof *v);
    *pp = p + 1;
    out->v = copy;
    out->n = n;
    out->found = 1;
    return 0;
}

/* the entry of nums for key, if it has one */
static struct jx_numbers *numbers_for(struct jx_numbers *nums, int nnums, const char *key)
{
    for (int i = 0; i < nnums; i++)
        if (strcmp(nums[i].key, key) == 0)
            return &nums[i];
    return NULL;
}

/* One member's value at *pp into *out (NULL for null). 0, or -1 when
 * not one we take. */
static int value(const char **pp, const char *end, struct json_object **out)
{
    static const char *const words[] = {"true", "false", "null"};
    const char *p = *pp, *s;
    size_t n;

    *out = NULL;
    if (p == end)
        return -1;
    switch (*p) {
    case '"':
        if (plain_string(&p, end, &s, &n) < 0)
            return -1;
        *out = json_object_new_string_len(s, (int)n);
        break;
    case '[':
        *out = number_array(&p, end);
        break;
    case 't':
    case 'f':
    case 'n': {
        int w = *p == 't' ? 0 : *p == 'f' ? 1 : 2;
        size_t wl = strlen(words[w]);
        if ((size_t)(end - p) <= wl || memcmp(p, words[w], wl) != 0)
            return -1;
        p += wl;
        if (!(is_ws(*p) || *p == ',' || *p == '}'))
            return -1;
        *pp = p;
        if (w == 2)
            return 0;
        *out = json_object_new_boolean(w == 0);
        return *out != NULL ? 0 : -1;
    }
    default:
        *out = number(&p, end);
        break;
    }
    if (*out == NULL)
        return -1;
    *pp = p;
    return 0;
}

struct json_object *jx_parse_fast_nums(const char *text, size_t len, struct jx_numbers *nums, int nnums,
                                       struct pool *pool)
{
    const char *p = text, *end = text + len;
    struct json_object *o;

    for (int i = 0; i < nnums; i++)
        nums[i].found = 0;
    if (len > (size_t)0x7ffffffe || text[len] != '\0')
        return NULL;
    p = skip_ws(p, end);
    if (p == end || *p != '{' || (o = json_object_new_object()) == NULL)
        return NULL;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        goto close;
    for (;;) {
        char key[FAST_MAX_KEY + 1];
        const char *k;
        size_t kn;
        struct json_object *v;
        struct jx_numbers *list;

        if (p == end || *p != '"' || plain_string(&p, end, &k, &kn) < 0 || kn > FAST_MAX_KEY)
            goto fail;
        memcpy(key, k, kn);
        key[kn] = '\0';
        list = numbers_for(nums, nnums, key);
        if (json_object_object_get_ex(o, key, NULL) || (list != NULL && list->found))
            goto fail;          /* a repeated key: json-c's rules */
        p = skip_ws(p, end);
        if (p == end || *p != ':')
            goto fail;
        p = skip_ws(p + 1, end);
        if (list != NULL && p < end && *p == '[') {
            if (number_list(&p, end, pool, list) < 0)
                goto fail;
        } else if (value(&p, end, &v) < 0 || json_object_object_add(o, key, v) < 0) {
            json_object_put(v);
            goto fail;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            break;
        goto fail;
    }
close:
    if (skip_ws(p + 1, end) == end)
        return o;
fail:
    json_object_put(o);
    for (int i = 0; i < nnums; i++)
        nums[i].found = 0;
    return NULL;
}

struct json_object *jx_parse_fast(const char *text, size_t len)
{
    return jx_parse_fast_nums(text, len, NULL, 0, NULL);
}

static int same_value(struct json_object *a, struct json_object *b)
{
    json_type t = json_object_get_type(a);
    if (t != json_object_get_type(b))
        return 0;
    switch (t) {
    case json_type_null:
        return 1;
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    case json_type_int:
        return json_object_get_int64(a) == json_object_get_int64(b) &&
               json_object_get_uint64(a) == json_object_get_uint64(b);
    case json_type_double: {
        double x = json_object_get_double(a), y = json_object_get_double(b);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    case json_type_string:
        return json_object_get_string_len(a) == json_object_get_string_len(b) &&
               memcmp(json_object_get_string(a), json_object_get_string(b),
                      (size_t)json_object_get_string_len(a)) == 0;
    case json_type_array: {
        size_t n = json_object_array_length(a);
        if (n != json_object_array_length(b))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!same_value(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
                return 0;
        return 1;
    }
    case json_type_object: {
        struct json_object_iterator ia = json_object_iter_begin(a), ea = json_object_iter_end(a);
        struct json_object_iterator ib = json_object_iter_begin(b), eb = json_object_iter_end(b);
        for (; !json_object_iter_equal(&ia, &ea); json_object_iter_next(&ia), json_object_iter_next(&ib)) {
            if (json_object_iter_equal(&ib, &eb) ||
                strcmp(json_object_iter_peek_name(&ia), json_object_iter_peek_name(&ib)) != 0 ||
                !same_value(json_object_iter_peek_value(&ia), json_object_iter_peek_value(&ib)))
                return 0;
        }
        return json_object_iter_equal(&ib, &eb);
    }
    }
    return 0;
}

int jx_same(struct json_object *a, struct json_object *b)
{
    if (!same_value(a, b))
        return 0;
    if (a == NULL)
        return 1;
    /* the serialization last: it is cached in each object */
    size_t la, lb;
    const char *sa = json_object_to_json_string_length(a, JSON_C_TO_STRING_PLAIN, &la);
    const char *sb = json_object_to_json_string_length(b, JSON_C_TO_STRING_PLAIN, &lb);
    return la == lb && memcmp(sa, sb, la) == 0;
}
