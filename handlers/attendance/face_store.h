/* face_store.h — a staff member's face data in the database, sealed
 * (fcgi/seal.h: AES-256-GCM under the data key ring, each record naming
 * its key, bound to what it is, hotel and staff id) like their enrollment
 * thumbnail, and the face audit log rows that go with every change. Registration and
 * revocation (contract 5.3, 5.4) begin their own transaction; the other
 * functions run inside the caller's and none of them commits. None of
 * them answers the request. */
#ifndef FC_FACE_STORE_H
#define FC_FACE_STORE_H

#include <stddef.h>
#include "descriptor_rules.h"
#include "pool.h"
#include "seal.h"

/* What a sealed record holds: part of what it is bound to. */
enum sealed_kind {
    SEALED_FACE,      /* face_data.descriptor_enc: a descriptor (DESCRIPTOR_BYTES) */
    SEALED_THUMB,     /* enrollments.thumbnail: a JPEG (once stored in clear) */
    SEALED_NOTIFY,    /* notification_endpoints.secret_enc: a webhook's secret (the id in
                         place of staff_id: the endpoint's) */
};

/* Size of "\x" + hex of n bytes sealed, with its NUL. */
#define SEALED_HEX_SIZE(n) (2 + 2 * ((n) + SEAL_OVERHEAD) + 1)

/* plain[0..n) sealed under the current data key for (kind, hotel,
 * staff), as bytea hex text ("\x...") into out (SEALED_HEX_SIZE(n)).
 * 0, or -1 (no data key: logged). */
int sealed_hex(enum sealed_kind kind, long long hotel_id, long long staff_id, const void *plain,
               size_t n, char *out);

/* A stored record (bytea as PostgreSQL returns it) opened into plain
 * (cap bytes): 0 with *n, and *current (when not NULL) 1 if it is already
 * sealed under the current key. A thumbnail stored in clear before
 * sealing comes back as it is (*current 0). -1: not one of ours, no key
 * of the ring opens it, or it does not fit. */
int sealed_open(enum sealed_kind kind, long long hotel_id, long long staff_id, const char *bytea,
                unsigned char *plain, size_t cap, size_t *n, int *current);

struct audit_entry {
    long long hotel_id;
    long long staff_id;
    const char *action;       /* REGISTERED, REVOKED, RE_REGISTERED, FORCED_CLOCK_IN */
    long long performed_by;   /* staff id of who did it; 0 = the system */
    const char *reason;       /* NULL for none */
    int consent_given;
    const char *client_ip;    /* NULL for none */
    const char *user_agent;   /* NULL for none */
};

/* Begin a transaction that will change face data, device profiles or the
 * change log of a hotel: it locks the hotel's row first, the order every
 * such writer (and PMS sync) follows, so they queue instead of
 * deadlocking. 0 or -1. */
int face_tx_begin(long long hotel_id);

/* Append an audit row. Returns its id, or -1 (db failure). */
long long audit_append(const struct audit_entry *e);

/* Store (insert or replace) a staff member's descriptor, sealed. *replaced tells
 * whether one existed. 0, or -1 (db failure or no data key). */
int face_store_put(long long hotel_id, long long staff_id, const float *descriptor,
                   int consent, const char *source, long long registered_by, int *replaced);

/* Who changes whose face data, and from where: the audit row's fields. */
struct face_change {
    long long hotel_id;
    long long staff_id;
    long long by;             /* staff id of who does it; 0 = none */
    const char *client_ip;    /* NULL for none */
    const char *user_agent;   /* NULL for none */
};

/* What face_register() and face_revoke() did. */
enum face_outcome {
    FACE_FAILED = -1,         /* a database failure (or no data key), rolled back */
    FACE_DONE,
    FACE_NO_STAFF,            /* no (active, for a registration) staff member c->staff_id */
    FACE_REFUSED,             /* a registration refused by the rules of 5.3 */
    FACE_NO_DATA,             /* a revocation of a staff member without face data */
};

/* Why a registration is refused: face_registration_refusal()'s answer. */
struct face_refusal {
    int status;
    const char *code, *message;    /* static */
};

/* A registration (contract 5.3) in one face transaction it begins: lock
 * the active staff member, apply the rules in the contract's order (self:
 * the caller registers their own face), store d with consent and source,
 * and append the REGISTERED / RE_REGISTERED audit row. FACE_DONE with
 * *audit_id, the transaction open for the caller to add to and commit;
 * else rolled back: FACE_NO_STAFF, FACE_REFUSED with *why, FACE_FAILED. */
enum face_outcome face_register(const struct face_change *c, const float *d, int self, int consent,
                                const char *source, long long *audit_id, struct face_refusal *why);

/* A revocation (contract 5.4) in one face transaction: lock the staff
 * member, delete their face data and audit it as REVOKED with reason;
 * *name gets their "First Last" (from pool). FACE_DONE with *audit_id,
 * committed; else rolled back: FACE_NO_STAFF, FACE_NO_DATA (with *name),
 * FACE_FAILED. */
enum face_outcome face_revoke(const struct face_change *c, const char *reason, struct pool *pool,
                              const char **name, long long *audit_id);

/* Delete a staff member's face data and audit it as REVOKED with reason.
 * Returns the audit row id, 0 when there was no face data, -1 on failure. */
long long face_store_revoke(long long hotel_id, long long staff_id, const char *reason,
                            long long performed_by, const char *client_ip,
                            const char *user_agent);

/* Unseal a stored descriptor (hex bytea text as PostgreSQL returns it):
 * sealed_open() of SEALED_FACE. 0 or -1. */
int face_unseal(long long hotel_id, long long staff_id, const char *bytea_hex, float *out);

#endif
