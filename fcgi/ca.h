/* ca.h — the deployment's certificate authority (fcgi/ca.c, GnuTLS): an
 * ECDSA P-256 key and a self-signed CA certificate made once under the
 * state directory (FACECLOCK_STATE_DIR: ca/key.pem mode 0600 and
 * ca/cert.pem, made together in a directory renamed into place), the
 * signing of a client certificate for a certificate request that the
 * caller has already checked, and the certificate revocation list
 * (crl.pem) that nginx reads with ssl_crl. The key is never logged and
 * never leaves the files and the struct ca. Knows nothing of what the
 * certificates are for. */
#ifndef FC_CA_H
#define FC_CA_H

#include <stddef.h>
#include <time.h>

#define CA_SERIAL_HEX 33         /* 128 bits as lower-case hex + NUL */
#define CA_FINGERPRINT_HEX 65    /* sha256 as lower-case hex + NUL */
#define CA_PEM_MAX 4096          /* a certificate as PEM, NUL-terminated */

struct ca;

/* A certificate the CA signed. */
struct ca_issued {
    char pem[CA_PEM_MAX];
    char serial[CA_SERIAL_HEX];
    char fingerprint[CA_FINGERPRINT_HEX];
    time_t not_after;
};

/* A revoked certificate, for the CRL. */
struct ca_revoked {
    char serial[CA_SERIAL_HEX];
    time_t revoked_at;
};

/* Make the CA under dir when it has none (dir/ca/key.pem 0600 and
 * dir/ca/cert.pem, a CN of common_name), or leave the one there. Safe
 * against other processes doing the same at once: both files are written
 * into a private temporary directory that is renamed to dir/ca only if
 * that does not exist yet (the loser removes its own). Also writes an
 * empty dir/crl.pem when there is none. 0, or -1 with a message on
 * stderr. */
int ca_ensure(const char *dir, const char *common_name);

/* The CA of dir, loaded (ca_free). NULL when dir has none or it cannot
 * be read (a message on stderr). */
struct ca *ca_load(const char *dir);
void ca_free(struct ca *ca);

/* The CA certificate as PEM (borrowed from ca). */
const char *ca_cert_pem(const struct ca *ca);

/* Sign a client certificate (EKU clientAuth, not a CA) for the DER
 * certificate request der[0..len) — its key, nothing else of it — with
 * subject CN=cn, O=org, valid from now for days days, a random 128-bit
 * serial. 0 with *out, or -1. */
int ca_sign(const struct ca *ca, const unsigned char *der, size_t len, const char *cn, const char *org, int days,
            struct ca_issued *out);

/* Write dir/crl.pem, signed by ca, listing revoked[0..n) and valid for
 * valid_days (nginx refuses every client certificate once it has
 * expired: it is written again at each start and each revocation).
 * Written to a temporary file and renamed. 0 or -1. */
int ca_write_crl(const struct ca *ca, const char *dir, const struct ca_revoked *revoked, int n,
                 int valid_days);

#endif
