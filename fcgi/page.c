/* page.c — owns the page template set (loaded by the master, inherited by
 * the workers), rendering pages and HTML error pages, and the pure rules
 * of page paths: what is a page path, the login redirect and its ?next=. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"
#include "log.h"
#include "page.h"
#include "response.h"
#include "template.h"

static struct tpl_set *templates;

int page_templates_load(const char *dir)
{
    char err[256] = "";
    struct tpl_set *s = tpl_set_load(dir, err, sizeof err);

    if (s == NULL) {
        log_error("templates in %s not loaded: %s%s", dir, err,
                  templates != NULL ? "; keeping the ones loaded before" : "");
        return -1;
    }
    if (tpl_set_get(s, "error") == NULL)
        log_warn("templates in %s have no \"error\" template; error pages are plain", dir);
    tpl_set_free(templates);
    templates = s;
    log_info("templates loaded from %s", dir);
    return 0;
}

void page_templates_free(void)
{
    tpl_set_free(templates);
    templates = NULL;
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Sign-in needed";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Not possible here";
    case 409: return "Conflict";
    case 503: return "Unavailable";
    default:  return status >= 500 ? "Server error" : "Error";
    }
}

/* s HTML-escaped, as a pool string */
static const char *escaped(struct pool *p, const char *s)
{
    char *buf = NULL;
    size_t used = 0, cap = 0;
    tpl_escape_append(&buf, &used, &cap, s, strlen(s));
    const char *out = pool_strndup(p, buf != NULL ? buf : "", used);
    free(buf);
    return out;
}

/* A page that needs no template: the error when there is no set. */
static void plain_error(struct request *req, int status, const char *message)
{
    const char *title = status_title(status);
    const char *html = pool_printf(req->pool,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>%s — faceclock</title></head><body><main><h1>%s</h1><p>%s</p>"
        "<p><a href=\"/dashboard/\">Back to the dashboard</a></p></main></body></html>\n",
        title, title, escaped(req->pool, message));
    resp_html(req, status, html, strlen(html));
}

void page_error(struct request *req, int status, const char *code, const char *field,
                const char *message)
{
    const struct tpl *t = templates != NULL ? tpl_set_get(templates, "error") : NULL;

    if (t == NULL) {
        plain_error(req, status, message);
        return;
    }
    struct json_object *ctx = json_object_new_object();
    json_object_object_add(ctx, "title", json_object_new_string(status_title(status)));
    json_object_object_add(ctx, "status", json_object_new_int(status));
    json_object_object_add(ctx, "code", json_object_new_string(code));
    json_object_object_add(ctx, "message", json_object_new_string(message));
    if (field != NULL)
        json_object_object_add(ctx, "field", json_object_new_string(field));
    json_object_object_add(ctx, "signed_in", json_object_new_boolean(req->caller.token_digest[0] != '\0'));
    size_t len = 0;
    char *html = tpl_render(t, ctx, templates, &len);
    json_object_put(ctx);
    resp_html(req, status, html, len);
    free(html);
}

void page_render(struct request *req, int status, const char *name, struct json_object *ctx)
{
    const struct tpl *t = templates != NULL ? tpl_set_get(templates, name) : NULL;

    if (t == NULL) {
        json_object_put(ctx);
        log_error("no template \"%s\"", name);
        req->page = 1;
        resp_error(req, 500, "INTERNAL", "This page cannot be shown.");
        return;
    }
    size_t len = 0;
    char *html = tpl_render(t, ctx, templates, &len);
    json_object_put(ctx);
    resp_html(req, status, html, len);
    free(html);
}

/* ---- pure rules ------------------------------------------------------- */

/* the prefixes of page paths */
static const char *const page_prefixes[] = {PAGE_PREFIX, PAGE_ENROLL};
#define NPREFIXES (sizeof page_prefixes / sizeof page_prefixes[0])

/* The prefix path starts with, followed by end (its index) or '/' (under
 * it); NULL for none. */
static const char *page_prefix_of(const char *path)
{
    for (size_t i = 0; path != NULL && i < NPREFIXES; i++) {
        size_t n = strlen(page_prefixes[i]);
        if (strncmp(path, page_prefixes[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return page_prefixes[i];
    }
    return NULL;
}

int page_path(const char *path)
{
    return page_prefix_of(path) != NULL;
}

#define URI_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%"

int page_safe_next(const char *next)
{
    const char *prefix = page_prefix_of(next);
    if (prefix == NULL || next[strlen(prefix)] != '/')
        return 0;
    for (const char *s = next; *s != '\0'; s++) {
        /* the characters of a URI's path and query (RFC 3986), nothing else */
        if (strchr(URI_CHARS, *s) == NULL)
            return 0;
        /* "." and ".." segments (also percent-encoded) would leave the pages
         * once the browser normalizes the path; so would "//" */
        if (strncasecmp(s, "%2e", 3) == 0)
            return 0;
        if (*s == '/') {
            size_t dots = strspn(s + 1, ".");
            const char *after = s + 1 + dots;
            if (s[1] == '/' || (dots > 0 && (*after == '/' || *after == '?' || *after == '\0')))
                return 0;
        }
    }
    return 1;
}

const char *page_login_location(struct pool *p, const char *raw_path, const char *query_string)
{
    const char *target = raw_path;

    if (target == NULL)
        return PAGE_LOGIN;
    if (query_string != NULL && *query_string != '\0')
        target = pool_printf(p, "%s?%s", raw_path, query_string);
    /* a bare prefix means its index */
    const char *prefix = page_prefix_of(target);
    if (prefix != NULL && strcmp(target, prefix) == 0)
        target = pool_printf(p, "%s/", prefix);
    if (!page_safe_next(target))
        return PAGE_LOGIN;
    return pool_printf(p, "%s?%s", PAGE_LOGIN, http_query_append(p, "", "next", target));
}
