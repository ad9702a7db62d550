/* response.h — the one response writer: status, headers, JSON bodies,
 * JSON errors ({"code","message"[,"field"]}) and streamed bodies.
 * Exactly one response per request; the worker answers 500 INTERNAL if a
 * handler returns without answering. */
#ifndef FC_RESPONSE_H
#define FC_RESPONSE_H

#include <stddef.h>
#include <json-c/json.h>
#include "request.h"

/* Add a header line ("Name: value") before the body is sent. */
void resp_header(struct request *req, const char *name, const char *value);

/* Send body as JSON. Takes ownership of body (puts it), NULL sends "{}". */
void resp_json(struct request *req, int status, struct json_object *body);
/* Send s[0..len), JSON text already written as resp_json() writes it
 * (plain, '/' not escaped), the same way (held like it). */
void resp_json_text(struct request *req, int status, const char *s, size_t len);

/* Send a JSON list page: the array, X-Total-Count and (when more rows
 * follow) Link: <...>; rel="next" built from the request's own path and
 * query with offset replaced. Takes ownership of array. */
void resp_json_page(struct request *req, struct json_object *array,
                    long long total, long offset, long limit);

/* Any body: body[0..len) as content_type, with status and the headers
 * added so far. */
void resp_body(struct request *req, int status, const char *content_type, const char *body, size_t len);

/* Holding an answer: after resp_hold(), the next JSON answer (resp_json,
 * resp_error, resp_invalid, ...) is kept in req (status, held_type,
 * held_body, held_len: what it would send, in the pool) instead of being
 * sent, and resp_sent() is true. resp_release() sends it; resp_discard()
 * forgets it and the headers added since resp_hold(), so that another
 * answer takes its place
 * (sent at once). For a caller that must commit what the answer says
 * (an idempotent request's stored answer) before answering. */
void resp_hold(struct request *req);
void resp_release(struct request *req);
void resp_discard(struct request *req);

/* What a list page links to and says of the whole list (docs/api.md,
 * "Lists"). */
struct page_links {
    long long total;            /* X-Total-Count */
    int estimated;              /* total is a lower bound: X-Total-Count-Estimated: true */
    long next_offset;           /* >= 0: rel="next" is the query with ?offset= this */
    const char *next, *prev;    /* cursor tokens: rel="next" / rel="prev" with ?cursor= */
};

/* Send a JSON list page with its links: X-Total-Count (and
 * X-Total-Count-Estimated), and one Link header naming rel="next" and
 * rel="prev" when there are such pages, each the request's own path and
 * query with offset and cursor replaced. Takes ownership of array. */
void resp_json_list(struct request *req, struct json_object *array, const struct page_links *k);
/* The same with the array's JSON text, written as resp_json() writes it
 * (a page written row by row: handlers/app/list_store.c, db_row_text). */
void resp_json_list_text(struct request *req, const char *array, size_t len, const struct page_links *k);

/* An HTML page: body[0..len) as text/html; charset=utf-8 (copied). */
void resp_html(struct request *req, int status, const char *body, size_t len);

/* A redirect (303 after a form, 302 ...) to location, with an empty body. */
void resp_redirect(struct request *req, int status, const char *location);

/* {"code","message"} with status; for a page request (req->page) the
 * same error as an HTML page instead (fcgi/page.h). */
void resp_error(struct request *req, int status, const char *code,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* 400 VALIDATION_ERROR naming the field. */
void resp_invalid(struct request *req, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 204 or any status with an empty body. */
void resp_empty(struct request *req, int status);

/* Streaming: send status and headers now, then any number of writes.
 * Memory stays constant: libfcgi flushes its buffer as it fills. */
void resp_stream_begin(struct request *req, int status, const char *content_type);
int resp_write(struct request *req, const char *data, size_t len);

/* A streamed answer that failed after its headers went out: the status
 * cannot change any more, and ending the FastCGI request normally would
 * present a truncated body as a whole one. The connection to nginx is cut
 * without FCGI_END_REQUEST instead; nginx passes that on as an incomplete
 * transfer because it expects END_REQUEST (fastcgi_keep_conn on, as
 * nginx/faceclock.conf.in ships; with it off nginx would take the end of
 * the connection for the end of the body). */
void resp_abort(struct request *req);

int resp_sent(const struct request *req);

#endif
