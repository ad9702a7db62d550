/* csrf.h — the dashboard's CSRF tokens (docs/pages.md, "Sessions and
 * CSRF"). A request authenticated by the fc_token cookie whose method is
 * not GET or HEAD must carry X-CSRF-Token: the hex HMAC-SHA-256 of the
 * session token's SHA-256 digest under a key derived from
 * FACECLOCK_KEY_HASH_KEY (by default FACECLOCK_DATA_KEY). The token is bound to the session (a new login gets
 * a new one, logout voids it) and needs no storage. Bearer and key callers
 * are not affected: a browser never adds those headers by itself. */
#ifndef FC_CSRF_H
#define FC_CSRF_H

#include "request.h"

#define CSRF_TOKEN_HEX 65        /* 64 hex digits and the NUL */

/* The CSRF key from the data key (32 bytes each). 0 or -1. Pure. */
int csrf_derive_key(const unsigned char base_key[32], unsigned char key[32]);

/* The token of a session given its token digest as the database stores it
 * ("\\x" + 64 hex digits, struct caller's token_digest) into out
 * (CSRF_TOKEN_HEX bytes). 0, or -1 for a malformed digest. Pure. */
int csrf_token_for(const unsigned char key[32], const char *token_digest, char *out);

/* 1 when presented (may be NULL) is the token of that session, compared
 * in constant time; 0 otherwise. Pure. */
int csrf_token_ok(const unsigned char key[32], const char *token_digest, const char *presented);

/* Whether a request needs the token: a caller authenticated by the
 * session cookie, with a method other than GET and HEAD. Pure. */
int csrf_required(const char *method, const struct caller *c);

/* The session's token for the current caller (from g_config's data key)
 * into out; 0, or -1 when there is none (no session, or no data key). */
int csrf_token_of(const struct caller *c, char *out);

/* The check the router runs: 1 when the request may proceed. */
int csrf_request_ok(const struct request *req);

#endif
