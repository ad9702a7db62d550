/* cert_store.h — the client certificates of edge devices
 * (sql/020_device_certs.sql, docs/iot.md "Certificates"): the CA's
 * signature for a device's checked request (csr_rules.h), the row of
 * each certificate issued, the revocation of a device's certificates and
 * the CRL written from the database. None of them answers the request. */
#ifndef FC_CERT_STORE_H
#define FC_CERT_STORE_H

#include <stddef.h>
#include "ca.h"

struct actor;

/* A certificate made for a device, and the CA's own (for the answer). */
struct device_cert {
    struct ca_issued issued;
    char ca_pem[CA_PEM_MAX];
    char expires_at[32];        /* issued.not_after, RFC 3339 UTC */
};

/* Sign the checked request der[0..len) for the device device_pk: subject
 * CN=its device_id, O=its hotel's slug, FACECLOCK_DEVICE_CERT_DAYS days,
 * by the CA under FACECLOCK_STATE_DIR. 1 with *out; 0 when the CA is not
 * there or cannot sign (logged); -1 (db). */
int device_cert_sign(long long device_pk, const unsigned char *der, size_t len, struct device_cert *out);

/* Record c as issued to the device device_pk, inside the caller's
 * transaction (device_provision). 0 or -1. */
int device_cert_record(long long device_pk, const struct device_cert *c);

/* A renewal: record c for the device device_pk (device_id) of the hotel, audited as
 * device.certificate_issued by who, in its own transaction. The device's
 * earlier certificates stay valid until they expire or are revoked. 1; 0
 * when the device is no longer active; -1. */
int device_cert_issue(long long device_pk, long long hotel_id, const char *device_id, const struct device_cert *c,
                      const struct actor *who);

/* Revoke every certificate of the device device_pk not revoked yet,
 * inside the caller's transaction (deactivating or disabling the
 * device): from its commit on, faceclock refuses them. The count
 * revoked, or -1. After the commit, call device_crl_write() when it is
 * above 0, so that nginx refuses them too after its next reload. */
int device_certs_revoke(long long device_pk);

/* Write the CRL (FACECLOCK_STATE_DIR/crl.pem) from the database: every
 * revoked certificate not expired yet, signed by the CA, valid a year.
 * One writer at a time (a lock file beside it). 0, or -1 (logged). */
int device_crl_write(void);

#endif
