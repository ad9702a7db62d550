/* tests/fuzz/query.c — libFuzzer target: the HTTP text parsers of
 * fcgi/http.c a request reaches before any route: the request target
 * (request_parse_target: path and query), the query string, percent-
 * decoding and the Cookie header.
 *
 * Input: the first byte picks the cookie name asked for; the rest is both
 * the request target and the Cookie header. Checks what must hold: every
 * decoded pair has a key and a value, at most REQ_MAX_QUERY of them, and
 * the pairs re-encoded with http_query_append parse back to the same
 * pairs; a cookie's value holds no ';'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"fc_session", "theme", "a", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pool *pool;
    const char *err = NULL;

    if (size < 1)
        return 0;
    if (pool == NULL)
        pool = pool_new();
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    struct request req;
    memset(&req, 0, sizeof req);
    req.pool = pool;
    if (request_parse_target(&req, text, &err) == 0) {
        if (req.nquery < 0 || req.nquery > REQ_MAX_QUERY || req.path == NULL)
            abort();
        char *again = "";
        for (int i = 0; i < req.nquery; i++) {
            if (req.query[i].key == NULL || req.query[i].val == NULL)
                abort();
            again = http_query_append(pool, again, req.query[i].key, req.query[i].val);
        }
        struct kv back[REQ_MAX_QUERY];
        int n = http_parse_query(pool, again, back, REQ_MAX_QUERY);
        /* an empty part ("&&") gave no pair, and each re-encoded pair is
         * a non-empty "k=v" (even "="), so the counts match */
        if (n != req.nquery)
            abort();
        for (int i = 0; i < n; i++)
            if (strcmp(back[i].key, req.query[i].key) != 0 || strcmp(back[i].val, req.query[i].val) != 0)
                abort();
    } else if (err == NULL) {
        abort();
    }

    const char *c = http_cookie(pool, text, names[data[0] % 4]);
    if (c != NULL && (strlen(c) > size || strchr(c, ';') != NULL))
        abort();                                /* a value ends at its ';' */
    (void)http_unescape(pool, text, size - 1, data[0] & 1);
    pool_reset(pool);
    free(text);
    return 0;
}
