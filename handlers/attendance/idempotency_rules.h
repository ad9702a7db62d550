/* idempotency_rules.h — the pure half of idempotent requests (docs/api.md
 * "Idempotency-Key"; idempotency.c does the rest): the key's syntax, the
 * request's fingerprint, and which answers are kept for a repeat. */
#ifndef FC_IDEMPOTENCY_RULES_H
#define FC_IDEMPOTENCY_RULES_H

#include <stddef.h>

#define IDEM_KEY_MAX 128
#define IDEM_FP_HEX 65             /* 64 hex digits + NUL */

/* The key of an Idempotency-Key header value: 1..IDEM_KEY_MAX characters
 * of [A-Za-z0-9] and - _ . : ~ + / = (a UUID, a ULID, base64 or hex
 * random, a kiosk's own counter), bare or as one quoted string (the
 * draft standard's sf-string, "..."); nothing else, no spaces around it.
 * 0 with the key (without its quotes) in out, or -1. */
int idem_key_parse(const char *header, char out[IDEM_KEY_MAX + 1]);

/* idem_key_parse as a route's check of the header (params.h .valid): 1
 * when header is a key. */
int idem_key_valid(const char *header);

/* The request's fingerprint: SHA-256 over its method, its path and its
 * body's bytes (a repeat is the same bytes, not merely equal JSON), as 64
 * lowercase hex digits. */
void idem_fingerprint(const char *method, const char *path, const char *body, size_t len,
                      char out[IDEM_FP_HEX]);

/* Whether an answer of this status is kept for the key's repeats: every
 * 2xx and every 4xx except 408 and 429 (the caller is told to come back:
 * the retry must do the work); never a 5xx (nothing was done, or the
 * outcome is unknown: the retry does it). */
int idem_storable(int status);

#endif
