/* csr_rules.h — whether a device's certificate request (PKCS#10) may be
 * signed (docs/iot.md "Certificates"): its form and size, its own
 * signature, its key, its subject and its extensions; and how nginx
 * names a presented certificate (serial, subject) compared with what was
 * issued. Pure: parses with GnuTLS, no I/O. */
#ifndef FC_CSR_RULES_H
#define FC_CSR_RULES_H

#include <stddef.h>

#define CSR_MAX_BYTES 8192          /* the request as sent (PEM or base64 DER) */
#define CSR_MAX_EXTENSIONS 8

/* Check the request text[0..len) of the device device_id: PEM ("-----BEGIN
 * CERTIFICATE REQUEST-----", or NEW CERTIFICATE REQUEST) or strict base64
 * of the DER; at most CSR_MAX_BYTES; its signature verifies with its own
 * key (proof of possession); the key is EC P-256 or P-384, or RSA of
 * 2048 to 8192 bits; the subject has exactly one CN and it is device_id;
 * no basic constraints asking for a CA; at most CSR_MAX_EXTENSIONS
 * extensions, none critical but basic constraints, key usage, extended
 * key usage and subject alternative name. 0 with the DER in
 * der[0..*der_len) (der holds CSR_MAX_BYTES), or -1 with *why (static,
 * lower case, no full stop). */
int csr_check(const char *text, size_t len, const char *device_id, unsigned char *der, size_t *der_len,
              const char **why);

/* nginx's $ssl_client_serial of a certificate the CA signed (32 hex
 * digits, any case) as the device_certificates row spells it: lower
 * case into out (33 chars). 0, or -1 for anything else. */
int cert_serial_normal(const char *in, char out[33]);

/* Whether nginx's $ssl_client_s_dn (RFC 2253, "CN=cam-001,O=acme") is
 * exactly the subject the CA writes: one CN that is cn and one O that is
 * org, in either order, nothing else (no escapes). 1 or 0. */
int cert_dn_is(const char *dn, const char *cn, const char *org);

#endif
