/* idempotency.c — idempotent requests (idempotency.h): the key read and
 * checked (idempotency_rules.c), claimed in a transaction around the
 * handler (idempotency_store.c), the handler's answer held until it is
 * kept and committed with the handler's work, and the kept answer
 * replayed to a repeat. Which answers are kept: idem_storable(). */
#include <stdio.h>
#include <string.h>
#include "alert_store.h"
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "idempotency.h"
#include "idempotency_rules.h"
#include "idempotency_store.h"
#include "app/handlers.h"
#include "log.h"
#include "response.h"

/* Whose keys: the caller's own, within the hotel. */
static void scope_of(const struct request *req, char scope[40])
{
    const struct identity *id = identity_of(req);
    switch (id->kind) {
    case CALLER_KIOSK:
        snprintf(scope, 40, "kiosk:%lld", id->kiosk_id);
        break;
    case CALLER_DEVICE:
        snprintf(scope, 40, "device:%lld", id->device_id);
        break;
    case CALLER_USER:
        snprintf(scope, 40, "user:%lld", id->user_id);
        break;
    default:
        snprintf(scope, 40, "system");
        break;
    }
}

/* The held answer's own headers (those the handler added) as kept:
 * "Name: value" lines. */
static const char *headers_text(struct request *req)
{
    const char *s = "";
    for (int i = req->held_first_header; i < req->nheaders; i++)
        s = pool_printf(req->pool, "%s%s%s", s, *s ? "\n" : "", req->headers[i]);
    return s;
}

/* A replay answers without the handler, whose first read confirms a kiosk
 * identity this worker cached: confirmed here instead (a revoked or
 * re-keyed kiosk: 401, never its kept answers). 1, or answered and 0. */
static int caller_stands_or_reply(struct request *req)
{
    long wait = 0;
    char key_hash[AUTH_KEY_HASH_MAX], slug[64];
    if (identity_of(req)->kind != CALLER_KIOSK)
        return 1;
    if (alert_kiosk_throttled(identity_of(req)->kiosk_id, &wait, key_hash, slug) < 0) {
        db_fail_reply(req);
        return 0;
    }
    return identity_kiosk_confirm_or_reply(req, key_hash[0] != '\0' ? key_hash : NULL, slug);
}

/* A repeat: the kept answer again, or 422 for another request's key. */
static void replay(struct request *req, const struct idem_kept *k, const char *fp)
{
    if (!crypto_str_equal(k->fingerprint, fp)) {
        resp_error(req, 422, "IDEMPOTENCY_KEY_REUSED",
                   "This Idempotency-Key was sent with a different request; use a new key for a new request.");
        return;
    }
    const char *h = k->headers;
    while (h != NULL && *h != '\0') {
        const char *end = strchr(h, '\n'), *colon = strstr(h, ": ");
        size_t n = end != NULL ? (size_t)(end - h) : strlen(h);
        if (colon != NULL && colon < h + n)
            resp_header(req, pool_strndup(req->pool, h, (size_t)(colon - h)),
                        pool_strndup(req->pool, colon + 2, n - (size_t)(colon - h) - 2));
        h = end != NULL ? end + 1 : NULL;
    }
    resp_header(req, "Idempotent-Replayed", "true");
    const char *body = k->body != NULL ? k->body : "";
    resp_body(req, k->status, k->content_type != NULL ? k->content_type : "application/json", body, strlen(body));
}

/* After the handler: keep its answer and commit, then send it. An answer
 * that is not kept (idem_storable) rolls the transaction back; so does a
 * 4xx given after a statement failed (the transaction is lost: the 409 of
 * a lost race), which is then sent as it is. Work that cannot be
 * committed with its answer is answered 503: nothing was done. */
static void settle(struct request *req, const char *scope, const char *key, const char *fp,
                   const char *sync_commit)
{
    if (!req->held) {               /* not a JSON answer, or none: nothing to keep */
        if (req->headers_sent)
            log_error("%s answered past the idempotency hold; its work rolled back", req->path);
        db_rollback();
        return;
    }
    int status = req->status;
    int healthy = db_conn() != NULL && PQtransactionStatus(db_conn()) == PQTRANS_INTRANS;
    if (!idem_storable(status) || (!healthy && status >= 400)) {
        db_rollback();
        resp_release(req);
        return;
    }
    if (healthy && idem_keep(req->tenant.id, scope, key, fp, g_config.idempotency_window, sync_commit, status,
                             req->held_type, req->held_body, headers_text(req)) == 0) {
        resp_release(req);
        return;
    }
    db_rollback();
    resp_discard(req);
    log_warn("%s: the answer for an Idempotency-Key could not be kept: %s", req->path, db_last_message());
    resp_error(req, 503, "UNAVAILABLE",
               "The request could not be completed; send it again with the same Idempotency-Key.");
}

void idempotent(struct request *req, void (*handler)(struct request *req))
{
    char key[IDEM_KEY_MAX + 1], fp[IDEM_FP_HEX], scope[40];
    struct idem_kept kept;

    const char *header = arg_str(req, IDEM_HEADER);     /* checked by the route */
    if (header == NULL || idem_key_parse(header, key) < 0) {
        handler(req);
        return;
    }
    scope_of(req, scope);
    idem_fingerprint(req->method, req->path, req->body, req->body_len, fp);
    int ours = idem_claim(req->tenant.id, scope, key, &kept);
    if (ours <= 0) {
        if (ours < 0)
            db_fail_reply(req);
        db_rollback();
        if (ours == 0) {
            if (caller_stands_or_reply(req))
                replay(req, &kept, fp);
            idem_kept_free(&kept);
        }
        return;
    }
    resp_hold(req);
    handler(req);
    settle(req, scope, key, fp, kept.sync_commit);
}
