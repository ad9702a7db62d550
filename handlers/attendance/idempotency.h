/* idempotency.h — idempotent requests (docs/api.md "Idempotency-Key"):
 * a route's handler run once per key its caller sends, its answer kept
 * and given again to the key's repeats. */
#ifndef FC_IDEMPOTENCY_H
#define FC_IDEMPOTENCY_H

#include "idempotency_rules.h"
#include "params.h"
#include "request.h"

/* Run handler for req once per Idempotency-Key of its caller in the
 * hotel (no key: handler as it is). The key is claimed, the handler runs
 * and its answer is kept in one transaction (the handler's own
 * transactions become savepoints of it: db.h), so an answered request's
 * work and kept answer commit together and a failed one leaves neither.
 * A repeat of the request with the key gets the kept answer (same status
 * and body, plus Idempotent-Replayed: true) without running handler; one
 * sent while the first runs waits for it. Answers of its own (the
 * router checks the key's syntax: P_IDEMPOTENCY_KEY): 422
 * IDEMPOTENCY_KEY_REUSED for the key of a different request, 503 when
 * the answer could not be kept (then nothing was done). The handler must
 * answer with JSON (resp_json and the error writers). */
void idempotent(struct request *req, void (*handler)(struct request *req));

/* The route's declaration of the header (routes.c .params): checked by
 * the router, 400 VALIDATION_ERROR with field "Idempotency-Key". */
#define IDEM_HEADER "Idempotency-Key"
#define P_IDEMPOTENCY_KEY \
    {IDEM_HEADER, IN_HEADER, PT_STRING, 0, 1, IDEM_KEY_MAX + 2, .valid = idem_key_valid, \
     .doc = "Optional: 1-128 characters of A-Z a-z 0-9 - _ . : ~ + / = (a UUID), bare or quoted. " \
            "A repeat with the key gets the first answer again (Idempotent-Replayed: true); " \
            "the key of a different request is 422 IDEMPOTENCY_KEY_REUSED (docs/api.md)."}

#endif
