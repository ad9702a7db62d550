/* face_store.h — a staff member's face data in the database, sealed with
 * AES-256-GCM under FACECLOCK_DATA_KEY (bound to hotel and staff id), and
 * the face audit log rows that go with every change. All functions run
 * inside the caller's transaction; none of them commits. */
#ifndef FC_FACE_STORE_H
#define FC_FACE_STORE_H

#include "descriptor_rules.h"
#include "request.h"

/* Bytes of a sealed descriptor. */
#define FACE_SEALED_LEN (DESCRIPTOR_DIM * 4 + 28)

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

/* Store (insert or replace) a staff member's descriptor. *replaced tells
 * whether one existed. 0, or -1 (db failure or no data key). */
int face_store_put(long long hotel_id, long long staff_id, const float *descriptor,
                   int consent, const char *source, long long registered_by, int *replaced);

/* A registration (contract 5.3) in one face transaction it begins: lock
 * the active staff member, apply the rules in the contract's order (self:
 * the caller registers their own face), store d with source, and append
 * the REGISTERED / RE_REGISTERED audit row. Returns 1 with *audit_id, the
 * transaction open for the caller to add to and commit; 0 after answering
 * (404 "No active staff member <who> in this hotel." or the rule's
 * refusal) and rolling back; -1 on a database failure (the caller answers
 * and rolls back). */
int face_register(struct request *req, long long staff_id, const char *who, const float *d,
                  int self, int consent, const char *source, long long *audit_id);

/* Delete a staff member's face data and audit it as REVOKED with reason.
 * Returns the audit row id, 0 when there was no face data, -1 on failure. */
long long face_store_revoke(long long hotel_id, long long staff_id, const char *reason,
                            long long performed_by, const char *client_ip,
                            const char *user_agent);

/* Unseal a stored descriptor (hex bytea text as PostgreSQL returns it). */
int face_unseal(long long hotel_id, long long staff_id, const char *bytea_hex, float *out);

#endif
