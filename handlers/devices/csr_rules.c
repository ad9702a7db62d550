/* csr_rules.c — the checks of a device's certificate request
 * (csr_rules.h), on the GnuTLS parser; the request's key is what the
 * CA signs (fcgi/ca.c), nothing else of it is copied. */
#include <string.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "b64_rules.h"
#include "csr_rules.h"

/* the extensions that may be critical: basic constraints, key usage,
 * extended key usage, subject alternative name */
static const char *const known_critical[] = {"2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17", NULL};

static int is_known(const char *oid)
{
    for (int i = 0; known_critical[i] != NULL; i++)
        if (strcmp(oid, known_critical[i]) == 0)
            return 1;
    return 0;
}

/* The request's key: NULL when allowed, else why not. */
static const char *key_refusal(gnutls_x509_crq_t crq)
{
    unsigned bits = 0;
    int alg = gnutls_x509_crq_get_pk_algorithm(crq, &bits);

    if (alg == GNUTLS_PK_RSA)
        return bits < 2048 ? "an RSA key must have at least 2048 bits"
             : bits > 8192 ? "an RSA key may have at most 8192 bits" : NULL;
    if (alg != GNUTLS_PK_ECDSA)
        return "the key must be EC P-256 or P-384, or RSA of at least 2048 bits";
    gnutls_pubkey_t pub;
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    if (gnutls_pubkey_init(&pub) < 0)
        return "the key cannot be read";
    if (gnutls_pubkey_import_x509_crq(pub, crq, 0) < 0 || gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0)
        curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_pubkey_deinit(pub);
    return curve == GNUTLS_ECC_CURVE_SECP256R1 || curve == GNUTLS_ECC_CURVE_SECP384R1
        ? NULL : "an EC key must be on the curve P-256 or P-384";
}

/* The subject: NULL when its one CN is device_id, else why not. */
static const char *subject_refusal(gnutls_x509_crq_t crq, const char *device_id)
{
    char cn[256];
    size_t size = sizeof cn - 1;

    if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &size) < 0)
        return "the subject must have a CN, the device's id";
    cn[size] = '\0';
    if (strlen(cn) != size || strcmp(cn, device_id) != 0)
        return "the subject's CN must be the device's id";
    char other[256];
    size = sizeof other;
    if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 1, 0, other, &size) !=
        GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return "the subject must have only one CN";
    return NULL;
}

/* The extensions: NULL when acceptable, else why not. */
static const char *extensions_refusal(gnutls_x509_crq_t crq)
{
    unsigned critical = 0, ca = 0;
    int pathlen, rc;

    rc = gnutls_x509_crq_get_basic_constraints(crq, &critical, &ca, &pathlen);
    if (rc >= 0 && ca)
        return "a device's certificate cannot be a CA";
    if (rc < 0 && rc != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return "its basic constraints cannot be read";
    for (unsigned i = 0;; i++) {
        char oid[128];
        size_t oid_size = sizeof oid;
        rc = gnutls_x509_crq_get_extension_info(crq, i, oid, &oid_size, &critical);
        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            return NULL;
        if (rc < 0)
            return "its extensions cannot be read";
        if (i >= CSR_MAX_EXTENSIONS)
            return "it has too many extensions";
        if (critical && !is_known(oid))
            return "it has an unknown critical extension";
    }
}

/* The request as DER into der: from PEM, or strict base64. */
static const char *decode(const char *text, size_t len, gnutls_x509_crq_t crq, unsigned char *der, size_t *der_len)
{
    static const char pem[] = "-----BEGIN ";

    if (len >= sizeof pem - 1 && memcmp(text, pem, sizeof pem - 1) == 0) {
        gnutls_datum_t in = {(unsigned char *)text, (unsigned)len};
        size_t n = CSR_MAX_BYTES;
        if (gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_PEM) < 0 ||
            gnutls_x509_crq_export(crq, GNUTLS_X509_FMT_DER, der, &n) < 0)
            return "it is not a PEM certificate request";
        *der_len = n;
        return NULL;
    }
    if (b64_decode(text, len, der, CSR_MAX_BYTES, der_len) != B64_OK)
        return "it is neither PEM nor base64 of a DER certificate request";
    gnutls_datum_t in = {der, (unsigned)*der_len};
    if (gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_DER) < 0)
        return "it is not a DER certificate request";
    return NULL;
}

int csr_check(const char *text, size_t len, const char *device_id, unsigned char *der, size_t *der_len,
              const char **why)
{
    gnutls_x509_crq_t crq;

    *der_len = 0;
    if (len == 0) {
        *why = "it is empty";
        return -1;
    }
    if (len > CSR_MAX_BYTES) {
        *why = "it is larger than 8 KiB";
        return -1;
    }
    if (gnutls_x509_crq_init(&crq) < 0) {
        *why = "it cannot be read";
        return -1;
    }
    *why = decode(text, len, crq, der, der_len);
    if (*why == NULL && gnutls_x509_crq_verify(crq, 0) < 0)
        *why = "its signature does not verify with its key";
    if (*why == NULL)
        *why = key_refusal(crq);
    if (*why == NULL)
        *why = subject_refusal(crq, device_id);
    if (*why == NULL)
        *why = extensions_refusal(crq);
    gnutls_x509_crq_deinit(crq);
    if (*why != NULL) {
        *der_len = 0;
        return -1;
    }
    return 0;
}

int cert_serial_normal(const char *in, char out[33])
{
    if (in == NULL || strlen(in) != 32)
        return -1;
    for (int i = 0; i < 32; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -1;
        out[i] = c;
    }
    out[32] = '\0';
    return 0;
}

/* Whether rdn[0..len) is "<name>=<value>" exactly. */
static int rdn_is(const char *rdn, size_t len, const char *name, const char *value)
{
    size_t n = strlen(name), v = strlen(value);
    return len == n + 1 + v && memcmp(rdn, name, n) == 0 && rdn[n] == '=' && memcmp(rdn + n + 1, value, v) == 0;
}

int cert_dn_is(const char *dn, const char *cn, const char *org)
{
    int cns = 0, orgs = 0;

    if (dn == NULL || *dn == '\0' || strchr(dn, '\\') != NULL || strchr(dn, '+') != NULL)
        return 0;
    for (const char *p = dn;;) {
        size_t len = strcspn(p, ",");
        if (rdn_is(p, len, "CN", cn))
            cns++;
        else if (rdn_is(p, len, "O", org))
            orgs++;
        else
            return 0;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return cns == 1 && orgs == 1;
}
