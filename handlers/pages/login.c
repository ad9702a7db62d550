/* login.c — GET /dashboard/login (the sign-in form; the browser
 * posts it to POST /api/auth/login, which sets the session cookie, and
 * goes on to ?next=, a dashboard path only) and GET /dashboard/logout
 * (the sign-out button; POST /api/auth/logout with the CSRF token). */
#include "app/handlers.h"
#include "jsonx.h"
#include "page.h"
#include "chrome_store.h"

void h_page_login(struct request *req)
{
    const char *next = arg_str(req, "next");
    struct json_object *ctx = json_object_new_object();

    jx_add_str(ctx, "title", "Sign in");
    jx_add_str(ctx, "next", page_safe_next(next) ? next : PAGE_PREFIX "/");
    jx_add_bool(ctx, "logged_out", arg_has(req, "logged_out"));
    page_render(req, 200, "login", ctx);
}

void h_page_logout(struct request *req)
{
    struct json_object *ctx = page_context(req, "Sign out", NULL);
    if (ctx != NULL)
        page_render(req, 200, "logout", ctx);
}
