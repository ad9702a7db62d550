/* page.h — the page runtime: the template set (the .mustache files of templates/,
 * fcgi/template.h) loaded by the master before it forks and drops
 * privileges, re-read on SIGHUP (a set that does not load is refused and
 * the old one kept); rendering a page as text/html; HTML error pages for
 * page requests; and the small pure rules of page paths (the login
 * redirect and its ?next=). */
#ifndef FC_PAGE_H
#define FC_PAGE_H

#include <json-c/json.h>
#include "request.h"

#define PAGE_PREFIX "/dashboard"
#define PAGE_LOGIN PAGE_PREFIX "/login"
#define PAGE_ENROLL "/enroll"    /* the enrollment page: a page path too */

/* Load every template of dir as the current set. 0, or -1 (logged) with
 * the previous set, if any, left in place. */
int page_templates_load(const char *dir);

/* Drop the current set (at exit, and in tests). */
void page_templates_free(void);

/* Render template `name` with ctx and answer it with status as text/html
 * (Cache-Control: no-store, like every answer). Takes ownership of ctx
 * (puts it); NULL is an empty context. An unknown template is logged and
 * answered 500 as an HTML error page. */
void page_render(struct request *req, int status, const char *name, struct json_object *ctx);

/* The error page (template "error", or a fixed page when the set has none)
 * with status, the error code, the field (may be NULL) and message. Used by
 * resp_error()/resp_invalid() for page requests; call those instead. */
void page_error(struct request *req, int status, const char *code, const char *field,
                const char *message);

/* Whether path is a page path: "/dashboard", "/enroll" or under either. Pure. */
int page_path(const char *path);

/* Whether next may be redirected to after a login: a path under
 * /dashboard/ or /enroll/ made of a URI's path and query characters only
 * (no space, quote, angle bracket, backslash or control character), with
 * no "//" and no "." or ".." segment (also percent-encoded). Pure. */
int page_safe_next(const char *next);

/* "/dashboard/login?next=<raw_path[?query]>" percent-encoded, for an
 * unauthenticated page request (pool string); a bare prefix ("/dashboard",
 * "/enroll") means its index. A target that is not page_safe_next() is
 * left out. Pure. */
const char *page_login_location(struct pool *p, const char *raw_path, const char *query_string);

#endif
