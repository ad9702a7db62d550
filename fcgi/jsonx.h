/* jsonx.h — the strict JSON parser, reading typed fields out of a parsed
 * JSON object (each says why a value is refused), and small builders for
 * answers. Strings read are borrowed from the JSON object and live as long
 * as it does. */
#ifndef FC_JSONX_H
#define FC_JSONX_H

#include <json-c/json.h>

#define JX_OPTIONAL 0
#define JX_REQUIRED 1

/* present (and not JSON null)? 1/0 */
int jx_has(struct json_object *o, const char *key);

/* 0 ok/absent, -1 invalid with *why set to a static message (a phrase:
 * "is required", "must be a string"). Route parameters (params.c) and the
 * PMS document's rows (errors collected per row) read fields with these. */
int jx_string(struct json_object *o, const char *key, int required, size_t max_chars,
              const char **out, const char **why);
int jx_id(struct json_object *o, const char *key, int required, long long *out,
          const char **why);
int jx_int(struct json_object *o, const char *key, int required, long min, long max,
           long *out, const char **why);
int jx_double(struct json_object *o, const char *key, int required, double min,
              double max, double *out, const char **why);
int jx_bool(struct json_object *o, const char *key, int required, int *out,
            const char **why);

/* Parse text[0..len) as one JSON value with a depth limit and strict mode;
 * text[len] must be the terminating NUL.
 * Returns a new object (caller puts it) or NULL when malformed. */
struct json_object *jx_parse(const char *text, size_t len);

/* jx_parse for a request body: the small flat bodies most requests send
 * take the fast path (jsonfast.h: the same object, or none), the rest
 * json-c's tokener. Numbers' texts are borrowed from text: it must outlive
 * the object (the request's body does its JSON). */
struct json_object *jx_parse_body(const char *text, size_t len);

/* jx_parse_body, the members named in nums read as lists of numbers where
 * the fast path takes the body (jsonfast.h: jx_parse_fast_nums); where
 * json-c reads it, they are in the object and no entry is found. */
struct jx_numbers;
struct pool;
struct json_object *jx_parse_body_nums(const char *text, size_t len, struct jx_numbers *nums, int nnums,
                                       struct pool *pool);

/* Helpers for building answers: add key -> value, taking ownership. */
void jx_add_str(struct json_object *o, const char *key, const char *v);  /* NULL -> null */
void jx_add_int(struct json_object *o, const char *key, long long v);
void jx_add_bool(struct json_object *o, const char *key, int v);
void jx_add_double(struct json_object *o, const char *key, double v, int decimals);
struct json_object *jx_rounded(double v, int decimals);   /* the number jx_add_double adds */

/* The members of two objects that differ (by value; a member only one has
 * counts, as null on the other side): *old_out and *new_out get new
 * objects (the caller puts both) of those members' values before and
 * after. Returns how many differ. */
int jx_diff(struct json_object *before, struct json_object *after, struct json_object **old_out,
            struct json_object **new_out);

/* v written with the fewest significant digits from 15 up that read back
 * as exactly v (0.85, not 0.84999999999999998; 9.999999999999991 in full) */
void jx_add_number(struct json_object *o, const char *key, double v);

/* o as json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE) writes it, byte for byte, in one buffer
 * (json-c keeps a printbuf in every object it writes, and formats each
 * whole number with snprintf): an answer's body (resp_json). Objects,
 * arrays, strings, whole numbers and booleans are written as json-c's own
 * serializers write them; a double through its own (json-c's, or the text
 * json_object_new_double_s or jsonfast gave it), the one type given
 * serializers of its own here. Returns the text (NUL-terminated; the caller
 * frees it) and its length in *len. */
char *jx_serialize(struct json_object *o, size_t *len);

/* A JSON text being written piece by piece, in one growing buffer (buf:
 * malloc'd, the writer's owner frees it; {NULL, 0, 0} to start), with the
 * writers jx_serialize uses: raw text, a string as json-c escapes it, a
 * whole number, and any value as jx_serialize writes it. A page of list
 * rows is written so (db_row_text). */
struct jx_out {
    char *buf;
    size_t len, cap;
};
void jx_put_raw(struct jx_out *o, const char *s, size_t n);
void jx_put_string(struct jx_out *o, const char *s, size_t n);
void jx_put_ll(struct jx_out *o, long long v);
void jx_put_value(struct jx_out *o, struct json_object *v);

#endif
