/* openapi.h — the OpenAPI 3.1 document of a route table (router.h,
 * params.h): every path and method, who may call it and with which
 * credentials, its parameters and JSON body, and every status and error
 * code it answers — its handler's own (struct route .answers) and the
 * router's refusals that follow from the entry. The document's words that
 * belong to the application (title, the names of the access bits, how each
 * kind of caller authenticates) come from it (app_openapi), so the runtime
 * names none of them. Same table, same bytes. */
#ifndef FC_OPENAPI_H
#define FC_OPENAPI_H

#include <json-c/json.h>
#include "router.h"

/* A credential (components.securitySchemes). */
struct openapi_scheme {
    const char *name;       /* the scheme's key in the document: "apiKey" */
    const char *type;       /* "apiKey" or "http" */
    const char *in;         /* apiKey: "header" or "cookie"; http: NULL */
    const char *key;        /* apiKey: the header or cookie name; http: the scheme ("bearer") */
    const char *doc;
};

/* A kind of caller: one access bit (router.h) and its credentials. */
struct openapi_caller {
    unsigned bit;
    const char *name;       /* as x-access lists it: "manager" */
    const char *schemes;    /* the names of its schemes, space-separated: "bearer cookie" */
};

struct openapi_app {
    const char *title, *version, *description;
    const char *src_dir;                    /* what a route's .src is under: "handlers/" */
    const struct openapi_scheme *schemes;   /* {NULL}-terminated */
    const struct openapi_caller *callers;   /* {0}-terminated: every kind of authenticated caller */
};

/* the application's words (handlers/app/openapi.c) */
extern const struct openapi_app app_openapi;

/* One status a route answers, with its error codes (sorted); bare: also
 * answered without a code (a success, a redirect, /healthz's 503). */
#define OPENAPI_MAX_CODES 12
#define OPENAPI_MAX_STATUSES 16
struct openapi_status {
    int status;
    int bare;
    int ncodes;
    const char *codes[OPENAPI_MAX_CODES];   /* borrowed from the route and static strings */
};

/* The statuses r answers into out[0..max), ascending: its .answers ("201",
 * "409 ALREADY_CLOCKED_IN") and the refusals router_dispatch() gives it:
 *   every route       500 INTERNAL (the worker's answer to a handler that forgot to)
 *   not A_PUBLIC      401 UNAUTHENTICATED (a page: 303 to the sign-in page) and
 *                     503 UNAVAILABLE (checking the credential needs the database);
 *                     403 FORBIDDEN unless every kind of caller may call it;
 *                     403 CSRF_FAILED for a write a cookie caller may make
 *   T_PATH(_CREATE)   404 NOT_FOUND (no such tenant, or another's), 503 UNAVAILABLE
 *   T_CALLER          (not A_PUBLIC) 400 VALIDATION_ERROR and 404 NOT_FOUND: a
 *                     caller of every tenant (A_SYSADMIN) names one in the query,
 *                     on any route it calls, before its role is checked
 *   path params       404 NOT_FOUND
 *   query params      400 VALIDATION_ERROR
 *   body params       400 INVALID_JSON, 413 PAYLOAD_TOO_LARGE, and 400 with each
 *                     field's .code (VALIDATION_ERROR unless it names its own).
 * Returns the count, or -1 for a malformed answer or more than fits. Pure. */
int openapi_statuses(const struct route *r, const struct openapi_app *app,
                     struct openapi_status *out, int max);

/* The document of table[0..n): a new object (the caller puts it), or NULL
 * when an entry's answers are malformed (logged). */
struct json_object *openapi_document(const struct route *table, int n, const struct openapi_app *app);

/* The document of app_routes as JSON text, made on first use and kept for
 * the life of the process (static storage: do not free); NULL when it
 * cannot be made (logged). */
const char *openapi_json(void);

/* `faceclock openapi`: print the application's document. 0, or 1. */
int cmd_openapi(int argc, char **argv);

#endif
