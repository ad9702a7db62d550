/* request.h — one HTTP request as the worker sees it, and the one parser
 * that fills it from the FastCGI parameters and body.
 * Every string here lives in req->pool and dies with the request. */
#ifndef FC_REQUEST_H
#define FC_REQUEST_H

#include <stddef.h>
#include <json-c/json.h>
#include "http.h"
#include "params.h"
#include "pool.h"

#define REQ_MAX_QUERY 32
#define REQ_MAX_CAPTURES 4
#define REQ_MAX_HEADERS 8
#define REQ_MAX_ARGS 24
#define TOKEN_DIGEST_HEX 67    /* "\\x" + 64 hex digits + NUL: a session token's digest */

struct route;
typedef struct FCGX_Request FCGX_Request;

struct identity;            /* the application's account of the caller */

/* Who is calling, as established by the application's identify hook
 * (fcgi/app.h). The runtime reads only the generic part: the access bits
 * the caller holds, and the session token that CSRF tokens are bound to. */
struct caller {
    unsigned grants;           /* access bits held (router.h); 0 = anonymous */
    int via_cookie;            /* session token came from the cookie, not the header */
    char token_digest[TOKEN_DIGEST_HEX]; /* a signed-in session: auth_token_digest() of
                                          * its token; "" for any other caller */
    char expires_at[32];       /* a session: its expiry, RFC 3339 */
    struct identity *identity; /* the application's, in req->pool; NULL = anonymous */
};

/* The tenant a request is about, as the application's tenant resolver
 * found it (the route's enum tenant_rule). */
struct tenant {
    long long id;              /* 0 = none (or one about to be created) */
    char slug[64];
};

struct request {
    FCGX_Request *fcgx;        /* NULL in unit tests */
    struct pool *pool;

    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* percent-decoded, without the query */
    const char *raw_path;      /* as received (REQUEST_URI without query) */
    const char *query_string;  /* raw, "" when none */
    struct kv query[REQ_MAX_QUERY];
    int nquery;

    const char *client_ip;     /* REMOTE_ADDR from nginx */
    const char *user_agent;
    const char *content_type;
    const char *accept;
    const char *authorization;
    const char *api_key;       /* X-API-Key */
    const char *cookie;
    const char *csrf_token;    /* X-CSRF-Token */
    const char *idempotency_key;   /* Idempotency-Key, as sent (NULL when absent) */
    const char *wal_position;      /* X-WAL-Position, as sent: a write's (db.h db_read_begin) */
    const char *host;
    const char *scheme;
    /* a client certificate nginx checked on its mTLS port (NULL on plain
     * HTTP): $ssl_client_verify ("SUCCESS", "FAILED:<why>", "NONE"),
     * $ssl_client_serial (hex), $ssl_client_s_dn (RFC 2253) */
    const char *tls_client_verify;
    const char *tls_client_serial;
    const char *tls_client_dn;

    const char *body;          /* NUL-terminated copy, NULL when empty */
    size_t body_len;
    struct json_object *json;  /* parsed body, owned by the request */

    const struct route *route;
    int page;                  /* an HTML page (or a path under /dashboard/): errors as HTML */
    struct kv captures[REQ_MAX_CAPTURES];
    int ncaptures;
    struct arg args[REQ_MAX_ARGS];   /* the route's declared parameters, checked (params.h) */
    int nargs;

    struct caller caller;
    struct tenant tenant;

    /* response state (response.c) */
    int status;
    int headers_sent;
    int nheaders;
    const char *headers[REQ_MAX_HEADERS];   /* "Name: value" lines */
    size_t bytes_out;
    int hold;                  /* resp_hold(): keep the answer until resp_release() */
    int held;                  /* an answer is held: status, content type and body below */
    int held_first_header;     /* headers[] from here on were added while holding */
    const char *held_type;
    const char *held_body;     /* in the pool, NUL-terminated */
    size_t held_len;
    const char *error_code;    /* for the log line */
    double t_start;
};

/* What a request is read from: the FastCGI parameters as libfcgi hands
 * them over ("NAME=value" strings, NULL-terminated) and a reader of the
 * body (up to n bytes into buf; the count read, fewer at its end, or -1). */
struct request_source {
    char **envp;
    int (*read)(void *ctx, char *buf, int n);
    void *ctx;
};

/* Fill req from src: parameters, query, headers and the body (at most
 * max_body bytes). Returns 0, or answers the client itself (413
 * PAYLOAD_TOO_LARGE, 400 for a malformed query or length) and returns -1.
 * The parser itself; tests/fuzz/request.c feeds it from memory. */
int request_parse_or_reply(struct request *req, const struct request_source *src, size_t max_body);

/* request_parse_or_reply from the FastCGI request req->fcgx (its
 * parameters and input stream). */
int request_read_or_reply(struct request *req, size_t max_body);

/* Fill the parsed parts of req from plain strings (unit tests, and
 * request_read_or_reply after it has the parameters). Returns 0 or -1
 * with *err set to a static message. */
int request_parse_target(struct request *req, const char *request_uri, const char **err);

/* Query parameter (decoded) or NULL. */
const char *req_query(const struct request *req, const char *name);

/* A request header the parser keeps, by its HTTP name (case-insensitive:
 * "Idempotency-Key"), or NULL (absent, or one it does not keep). */
const char *req_header(const struct request *req, const char *name);

/* Path capture (a {name} of the route's pattern) or NULL. */
const char *req_capture(const struct request *req, const char *name);

/* The body parsed as a JSON object, or answers 400 INVALID_JSON /
 * VALIDATION_ERROR, or 415 UNSUPPORTED_MEDIA_TYPE when its Content-Type is
 * not application/json (http_is_json_type), itself and returns NULL. The object is owned by the
 * request (freed when it ends); do not put it. */
struct json_object *req_json_body_or_reply(struct request *req);
/* The same, the members named in nums read as lists of numbers when the
 * body takes the fast path (jsonx.h: jx_parse_body_nums); the route's
 * PT_NUMBERS fields (params.c). Only the first parse reads them. */
struct jx_numbers;
struct json_object *req_json_body_nums_or_reply(struct request *req, struct jx_numbers *nums, int nnums);

/* Whether the client reached the service over HTTPS (http_is_secure():
 * FACECLOCK_TLS, or nginx's REQUEST_SCHEME). */
int req_is_https(const struct request *req);

/* Whether the client asked for CSV (?format=csv or Accept: text/csv). */
int req_wants_csv(const struct request *req);

/* Release what the request owns (the JSON body) and reset its pool. */
void request_end(struct request *req);

#endif
