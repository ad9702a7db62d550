/* ctoken_rules.h — confirmation tokens for the unrostered flow (contract 5.5,
 * 5.6): signed with HMAC-SHA-256, bound to a hotel and a staff member,
 * expiring, and carrying a random nonce the database remembers once used.
 * Format: "<hotel_id>.<staff_id>.<expires unix>.<nonce 32 hex>.<mac 64 hex>".
 * Pure apart from randomness for the nonce. */
#ifndef FC_CTOKEN_H
#define FC_CTOKEN_H

#include <stddef.h>

#define CTOKEN_MAX 160
#define CTOKEN_TTL 120        /* seconds */

/* Make a token; key is 32 bytes. out holds CTOKEN_MAX. 0 or -1 (ids must
 * be positive, expires not negative). */
int ctoken_make(const unsigned char *key, long long hotel_id, long long staff_id,
                long long expires, char *out);

/* Check a token for hotel_id at time now. 0 with *staff_id, *expires and
 * nonce (33 bytes) filled; -1 (outputs zeroed) when malformed, forged, for
 * another hotel, or expired. A token is valid while now <= expires: the
 * second it expires at is still inside its CTOKEN_TTL. Strict: decimal
 * fields are digits only (no sign, space or leading zero), the nonce and
 * MAC exactly 32 and 64 lowercase hex digits, nothing after the MAC, and
 * the MAC is compared in constant time. (Reuse is the database's to know.) */
int ctoken_check(const unsigned char *key, const char *token, long long hotel_id,
                 long long now, long long *staff_id, long long *expires, char *nonce);

#endif
