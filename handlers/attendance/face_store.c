/* face_store.c — owns sealed face data rows and face audit log rows
 * (face_store.h): registration and revocation with their rules and
 * audit rows, the hotel lock every face writer takes first, and the
 * sealing and unsealing of biometric records (descriptors, enrollment
 * thumbnails) under the data key ring. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/counters.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "alert_store.h"
#include "face_store.h"
#include "log.h"
#include "people/staff_rules.h"
#include "settings_store.h"
#include "settings_rules.h"

static struct db_stmt st_target = {
    "face_target",
    "SELECT coalesce(s.department_id, 0), " SETTINGS_COLS " "
    "FROM staff s JOIN attendance_settings a ON a.hotel_id = s.hotel_id "
    "WHERE s.hotel_id = $1 AND s.id = $2 AND s.is_active FOR UPDATE OF s",
    0,
};

static struct db_stmt st_staff_name = {
    "face_staff_name",
    "SELECT first_name, last_name FROM staff WHERE hotel_id = $1 AND id = $2 FOR UPDATE", 0,
};

static struct db_stmt st_audit = {
    "face_audit_append",
    "INSERT INTO face_audit_log (hotel_id, staff_id, action, performed_by, reason, consent_given, "
    "client_ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7::inet, coalesce($8, '')) RETURNING id",
    0,
};
static struct db_stmt st_put = {
    "face_put",
    "INSERT INTO face_data AS f (hotel_id, staff_id, descriptor_enc, consent_given, source, registered_by) "
    "VALUES ($1, $2, $3::bytea, $4, $5, $6) "
    "ON CONFLICT (hotel_id, staff_id) DO UPDATE SET descriptor_enc = EXCLUDED.descriptor_enc, "
    "consent_given = EXCLUDED.consent_given, source = EXCLUDED.source, "
    "registered_by = EXCLUDED.registered_by, registered_at = now() "
    "RETURNING (xmax <> 0)",
    0,
};
static struct db_stmt st_delete = {
    "face_delete",
    "DELETE FROM face_data WHERE hotel_id = $1 AND staff_id = $2 RETURNING consent_given", 0,
};

static struct db_stmt st_lock_hotel = {
    "face_lock_hotel", "SELECT 1 FROM hotels WHERE id = $1 FOR NO KEY UPDATE", 0,
};

int face_tx_begin(long long hotel_id)
{
    struct db_args a;
    if (db_begin() < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    if (db_exec(&st_lock_hotel, &a) < 0) {
        db_rollback();
        return -1;
    }
    return 0;
}

long long audit_append(const struct audit_entry *e)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, e->hotel_id);
    db_arg_int(&a, e->staff_id);
    db_arg_str(&a, e->action);
    db_arg_id(&a, e->performed_by);
    db_arg_str(&a, e->reason);
    db_arg_bool(&a, e->consent_given);
    db_arg_str(&a, e->client_ip);
    db_arg_str(&a, e->user_agent);
    PGresult *r = db_run(&st_audit, &a);
    if (r == NULL)
        return -1;
    long long id = db_ll(r, 0, 0);
    PQclear(r);
    db_count(CTR_AUDIT_FACE, 1);
    return id;
}

/* "faceclock:<kind>:<hotel>:<staff>" — what a sealed record is bound to */
static size_t aad(char *buf, size_t size, enum sealed_kind kind, long long hotel_id, long long staff_id)
{
    int n = snprintf(buf, size, "faceclock:%s:%lld:%lld", kind == SEALED_FACE ? "face" : kind == SEALED_THUMB ? "thumb" : "notify",
                     hotel_id, staff_id);
    return n > 0 ? (size_t)n : 0;
}

/* The length of kind's records sealed before key ids (0: none). */
static size_t legacy_len(enum sealed_kind kind)
{
    return kind == SEALED_FACE ? DESCRIPTOR_BYTES + CRYPTO_SEAL_OVERHEAD : 0;
}

int sealed_hex(enum sealed_kind kind, long long hotel_id, long long staff_id, const void *plain,
               size_t n, char *out)
{
    unsigned char *sealed;
    char ad[96];

    if (g_config.data_keys.n == 0) {
        log_error("FACECLOCK_DATA_KEY is not set: biometric data cannot be stored");
        return -1;
    }
    if ((sealed = malloc(n + SEAL_OVERHEAD)) == NULL)
        return -1;
    int rc = seal_record(&g_config.data_keys, ad, aad(ad, sizeof ad, kind, hotel_id, staff_id), plain, n,
                         sealed);
    if (rc == 0) {
        memcpy(out, "\\x", 2);
        crypto_hex(sealed, n + SEAL_OVERHEAD, out + 2);
    }
    free(sealed);
    return rc;
}

int sealed_open(enum sealed_kind kind, long long hotel_id, long long staff_id, const char *bytea,
                unsigned char *plain, size_t cap, size_t *n, int *current)
{
    unsigned char *raw;
    size_t len = 0;
    char ad[96];
    int rc = -1;

    if (bytea == NULL || (raw = PQunescapeBytea((const unsigned char *)bytea, &len)) == NULL)
        return -1;
    if (current != NULL)
        *current = seal_is_current(&g_config.data_keys, raw, len, legacy_len(kind));
    if (seal_form_of(raw, len, legacy_len(kind)) == SEAL_CLEAR) {
        if (kind == SEALED_THUMB && len <= cap) {
            memcpy(plain, raw, len);
            *n = len;
            rc = 0;
        }
    } else {
        rc = seal_open(&g_config.data_keys, ad, aad(ad, sizeof ad, kind, hotel_id, staff_id), raw, len,
                       legacy_len(kind), plain, cap, n);
    }
    PQfreemem(raw);
    return rc;
}

static void from_bytes(const unsigned char *in, float *d)
{
    for (int i = 0; i < DESCRIPTOR_DIM; i++) {
        unsigned int u = (unsigned int)in[4 * i] | (unsigned int)in[4 * i + 1] << 8 |
                         (unsigned int)in[4 * i + 2] << 16 | (unsigned int)in[4 * i + 3] << 24;
        memcpy(&d[i], &u, 4);
    }
}

int face_store_put(long long hotel_id, long long staff_id, const float *descriptor,
                   int consent, const char *source, long long registered_by, int *replaced)
{
    unsigned char plain[DESCRIPTOR_BYTES];
    char hex[SEALED_HEX_SIZE(DESCRIPTOR_BYTES)];
    struct db_args a;

    descriptor_to_le(descriptor, plain);
    int rc = sealed_hex(SEALED_FACE, hotel_id, staff_id, plain, sizeof plain, hex);
    memset(plain, 0, sizeof plain);
    if (rc < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, hex);
    db_arg_bool(&a, consent);
    db_arg_str(&a, source);
    db_arg_id(&a, registered_by);
    PGresult *r = db_run(&st_put, &a);
    if (r == NULL)
        return -1;
    *replaced = db_bool(r, 0, 0);
    PQclear(r);
    return 0;
}

long long face_store_revoke(long long hotel_id, long long staff_id, const char *reason,
                            long long performed_by, const char *client_ip,
                            const char *user_agent)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    PGresult *r = db_run(&st_delete, &a);
    if (r == NULL)
        return -1;
    int had = PQntuples(r) == 1, consent = had && db_bool(r, 0, 0);
    PQclear(r);
    if (!had)
        return 0;
    struct audit_entry e = {hotel_id, staff_id, "REVOKED", performed_by, reason, consent,
                            client_ip, user_agent};
    return audit_append(&e);
}

int face_unseal(long long hotel_id, long long staff_id, const char *bytea_hex, float *out)
{
    unsigned char plain[DESCRIPTOR_BYTES];
    size_t n = 0;

    if (sealed_open(SEALED_FACE, hotel_id, staff_id, bytea_hex, plain, sizeof plain, &n, NULL) < 0 ||
        n != sizeof plain) {
        memset(plain, 0, sizeof plain);
        return -1;
    }
    from_bytes(plain, out);
    memset(plain, 0, sizeof plain);
    return 0;
}

/* Begin c's face transaction and run st, which locks staff member
 * c->staff_id's row ($1 the hotel, $2 the staff member). 1 with *r (the
 * row; the caller PQclear()s), 0 when there is none, -1 on a database
 * failure; the transaction, once begun, is left open. */
static int lock_staff(const struct face_change *c, struct db_stmt *st, PGresult **r)
{
    struct db_args a;

    if (face_tx_begin(c->hotel_id) < 0)
        return -1;
    db_args_init(&a);
    db_arg_int(&a, c->hotel_id);
    db_arg_int(&a, c->staff_id);
    if ((*r = db_run(st, &a)) == NULL)
        return -1;
    if (PQntuples(*r) == 0) {
        PQclear(*r);
        return 0;
    }
    return 1;
}

enum face_outcome face_register(const struct face_change *c, const float *d, int self, int consent,
                                const char *source, long long *audit_id, struct face_refusal *why)
{
    enum face_outcome out = FACE_FAILED;
    struct attendance_settings s;
    PGresult *r;
    int found, replaced = 0;

    if ((found = lock_staff(c, &st_target, &r)) <= 0) {
        out = found < 0 ? FACE_FAILED : FACE_NO_STAFF;
        goto out;
    }
    long long department = db_ll(r, 0, 0);
    settings_from_row(r, 0, 1, &s);
    PQclear(r);
    if ((why->code = face_registration_refusal(&s, department, self, consent, &why->status,
                                               &why->message)) != NULL) {
        out = FACE_REFUSED;
        goto out;
    }
    if (face_store_put(c->hotel_id, c->staff_id, d, consent, source, c->by, &replaced) < 0)
        goto out;
    struct audit_entry e = {c->hotel_id, c->staff_id, replaced ? "RE_REGISTERED" : "REGISTERED", c->by, NULL,
                            consent, c->client_ip, c->user_agent};
    if ((*audit_id = audit_append(&e)) < 0)
        goto out;
    return FACE_DONE;
out:
    db_rollback();
    return out;
}

enum face_outcome face_revoke(const struct face_change *c, const char *reason, struct pool *pool,
                              const char **name, long long *audit_id)
{
    enum face_outcome out = FACE_FAILED;
    PGresult *r;
    int found;

    if ((found = lock_staff(c, &st_staff_name, &r)) <= 0) {
        out = found < 0 ? FACE_FAILED : FACE_NO_STAFF;
        goto out;
    }
    *name = staff_display_name(pool, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    PQclear(r);
    *audit_id = face_store_revoke(c->hotel_id, c->staff_id, reason, c->by, c->client_ip, c->user_agent);
    if (*audit_id == 0)
        out = FACE_NO_DATA;
    if (*audit_id <= 0 || alert_after_revocation(c->hotel_id, c->staff_id, reason) < 0 || db_commit() < 0)
        goto out;
    return FACE_DONE;
out:
    db_rollback();
    return out;
}
