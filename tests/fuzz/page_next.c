/* tests/fuzz/page_next.c — libFuzzer target: the login redirect's rules
 * (fcgi/page.c): page_safe_next and page_login_location. Checks, by a
 * rule written apart from the code: a target called safe is under
 * /dashboard/ or /enroll/, made of URI characters, and its path has no
 * empty, "." or ".." segment a browser would normalize away (nor a
 * percent-encoded dot); the login location is the login page, with a
 * ?next= that decodes to a safe target when it has one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int safe_by_rule(const char *t)
{
    size_t n;
    if (strncmp(t, "/dashboard/", 11) == 0)
        n = 10;
    else if (strncmp(t, "/enroll/", 8) == 0)
        n = 7;
    else
        return 0;
    for (const char *s = t; *s != '\0'; s++)
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%", *s) == NULL ||
            strncasecmp(s, "%2e", 3) == 0)
            return 0;
    /* the path's segments after the prefix */
    const char *s = t + n;
    size_t plen = strcspn(s, "?");
    while (plen > 0) {
        s++, plen--;                                    /* the '/' */
        size_t seg = strcspn(s, "/?");
        if (seg > plen)
            seg = plen;
        if ((seg == 0 && plen > 0) || (seg == 1 && s[0] == '.') || (seg == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        s += seg;
        plen -= seg;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pool *pool;

    if (pool == NULL)
        pool = pool_new();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    if (page_safe_next(text) && !safe_by_rule(text))
        abort();
    /* the same text as a raw path and a query string */
    const char *q = strchr(text, '?');
    const char *raw = q ? pool_strndup(pool, text, (size_t)(q - text)) : text;
    const char *loc = page_login_location(pool, raw, q ? q + 1 : "");
    if (strcmp(loc, PAGE_LOGIN) != 0) {
        struct kv kv[2];
        const char *pre = PAGE_LOGIN "?";
        if (strncmp(loc, pre, strlen(pre)) != 0 ||
            http_parse_query(pool, loc + strlen(pre), kv, 2) != 1 ||
            strcmp(kv[0].key, "next") != 0 || !page_safe_next(kv[0].val))
            abort();
    }
    pool_reset(pool);
    free(text);
    return 0;
}
