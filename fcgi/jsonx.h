/* jsonx.h — reading typed fields out of a parsed JSON object, answering
 * 400 VALIDATION_ERROR (with "field") on a wrong type or value. Each
 * *_or_reply returns 0 when the value is usable (or absent and optional),
 * or -1 after it has answered the client. Strings are borrowed from the
 * JSON object and live as long as it does. */
#ifndef FC_JSONX_H
#define FC_JSONX_H

#include <json-c/json.h>
#include "request.h"

#define JX_OPTIONAL 0
#define JX_REQUIRED 1

/* present (and not JSON null)? 1/0 */
int jx_has(struct json_object *o, const char *key);

int jx_string_or_reply(struct request *req, struct json_object *o, const char *key,
                       int required, size_t max_chars, const char **out);
int jx_id_or_reply(struct request *req, struct json_object *o, const char *key,
                   int required, long long *out);
int jx_int_or_reply(struct request *req, struct json_object *o, const char *key,
                    int required, long min, long max, long *out);
int jx_double_or_reply(struct request *req, struct json_object *o, const char *key,
                       int required, double min, double max, double *out);
int jx_bool_or_reply(struct request *req, struct json_object *o, const char *key,
                     int required, int *out);

/* Same checks without answering: 0 ok/absent, -1 invalid with *why set to a
 * static message. Used where errors are collected per row (PMS sync). */
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

/* Helpers for building answers: add key -> value, taking ownership. */
void jx_add_str(struct json_object *o, const char *key, const char *v);  /* NULL -> null */
void jx_add_int(struct json_object *o, const char *key, long long v);
void jx_add_bool(struct json_object *o, const char *key, int v);
void jx_add_double(struct json_object *o, const char *key, double v, int decimals);
/* v written with 15 significant digits (0.85, not 0.84999999999999998) */
void jx_add_number(struct json_object *o, const char *key, double v);

#endif
