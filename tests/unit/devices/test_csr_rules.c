/* test_csr_rules.c — handlers/devices/csr_rules.h against docs/iot.md
 * "Certificates": a table of certificate requests made here with GnuTLS
 * (keys of each kind, subjects, extensions, forms, a broken signature),
 * each accepted or refused for the device "cam-001", and what is not a
 * request at all (garbage, empty, over 8 KiB). An accepted request's
 * DER is what the request says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "devices/b64_rules.h"
#include "devices/csr_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

enum key_kind { K_P256, K_P384, K_P521, K_RSA1024, K_RSA2048, K_ED25519, K_NKINDS };
enum form { F_PEM, F_B64DER, F_PEM_TAMPERED };

static const struct {
    const char *name;
    enum key_kind key;
    const char *cn, *cn2;       /* cn NULL: no CN; cn2: a second CN */
    int ca;                     /* basic constraints CA:true */
    int crit_unknown;           /* an unknown critical extension */
    int extra;                  /* non-critical extensions of unknown OIDs */
    enum form form;
    int ok;
} cases[] = {
    {"P-256", K_P256, "cam-001", NULL, 0, 0, 0, F_PEM, 1},
    {"P-384", K_P384, "cam-001", NULL, 0, 0, 0, F_PEM, 1},
    {"RSA 2048", K_RSA2048, "cam-001", NULL, 0, 0, 0, F_PEM, 1},
    {"base64 DER", K_P256, "cam-001", NULL, 0, 0, 0, F_B64DER, 1},
    {"CA:false and a few extensions", K_P256, "cam-001", NULL, 0, 0, 3, F_PEM, 1},
    {"P-521: odd curve", K_P521, "cam-001", NULL, 0, 0, 0, F_PEM, 0},
    {"RSA 1024", K_RSA1024, "cam-001", NULL, 0, 0, 0, F_PEM, 0},
    {"Ed25519", K_ED25519, "cam-001", NULL, 0, 0, 0, F_PEM, 0},
    {"wrong CN", K_P256, "cam-002", NULL, 0, 0, 0, F_PEM, 0},
    {"CN prefix", K_P256, "cam-0011", NULL, 0, 0, 0, F_PEM, 0},
    {"CN case", K_P256, "CAM-001", NULL, 0, 0, 0, F_PEM, 0},
    {"no CN", K_P256, NULL, NULL, 0, 0, 0, F_PEM, 0},
    {"two CNs", K_P256, "cam-001", "cam-002", 0, 0, 0, F_PEM, 0},
    {"CA:true", K_P256, "cam-001", NULL, 1, 0, 0, F_PEM, 0},
    {"unknown critical extension", K_P256, "cam-001", NULL, 0, 1, 0, F_PEM, 0},
    {"too many extensions", K_P256, "cam-001", NULL, 0, 0, CSR_MAX_EXTENSIONS + 1, F_PEM, 0},
    {"broken signature", K_P256, "cam-001", NULL, 0, 0, 0, F_PEM_TAMPERED, 0},
};

static gnutls_x509_privkey_t keys[K_NKINDS];

static gnutls_x509_privkey_t key_of(enum key_kind k)
{
    static const struct { gnutls_pk_algorithm_t pk; unsigned bits; } spec[K_NKINDS] = {
        [K_P256] = {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1)},
        [K_P384] = {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1)},
        [K_P521] = {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1)},
        [K_RSA1024] = {GNUTLS_PK_RSA, 1024},
        [K_RSA2048] = {GNUTLS_PK_RSA, 2048},
        [K_ED25519] = {GNUTLS_PK_EDDSA_ED25519, 256},
    };
    if (keys[k] == NULL) {
        ck_assert_int_ge(gnutls_x509_privkey_init(&keys[k]), 0);
        ck_assert_int_ge(gnutls_x509_privkey_generate(keys[k], spec[k].pk, spec[k].bits, 0), 0);
    }
    return keys[k];
}

/* The request of case i, in its form, into out (NUL-terminated). */
static size_t make_csr(int i, char *out, size_t cap)
{
    gnutls_x509_crq_t crq;
    gnutls_x509_privkey_t key = key_of(cases[i].key);
    unsigned char der[CSR_MAX_BYTES];
    size_t n = sizeof der;

    ck_assert_int_ge(gnutls_x509_crq_init(&crq), 0);
    ck_assert_int_ge(gnutls_x509_crq_set_version(crq, 1), 0);
    ck_assert_int_ge(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "acme", 4), 0);
    if (cases[i].cn != NULL)
        ck_assert_int_ge(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, cases[i].cn,
                                                       (unsigned)strlen(cases[i].cn)), 0);
    if (cases[i].cn2 != NULL)
        ck_assert_int_ge(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, cases[i].cn2,
                                                       (unsigned)strlen(cases[i].cn2)), 0);
    ck_assert_int_ge(gnutls_x509_crq_set_key(crq, key), 0);
    if (cases[i].ca || cases[i].extra > 0)
        ck_assert_int_ge(gnutls_x509_crq_set_basic_constraints(crq, cases[i].ca, -1), 0);
    static const unsigned char null_der[] = {0x05, 0x00};
    if (cases[i].crit_unknown)
        ck_assert_int_ge(gnutls_x509_crq_set_extension_by_oid(crq, "1.3.6.1.4.1.99999.1", null_der,
                                                              sizeof null_der, 1), 0);
    for (int e = 0; e < cases[i].extra; e++) {
        char oid[64];
        snprintf(oid, sizeof oid, "1.3.6.1.4.1.99999.2.%d", e + 1);
        ck_assert_int_ge(gnutls_x509_crq_set_extension_by_oid(crq, oid, null_der, sizeof null_der, 0), 0);
    }
    ck_assert_int_ge(gnutls_x509_crq_sign2(crq, key,
                                           cases[i].key == K_ED25519 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA256, 0), 0);
    ck_assert_int_ge(gnutls_x509_crq_export(crq, GNUTLS_X509_FMT_DER, der, &n), 0);
    gnutls_x509_crq_deinit(crq);
    if (cases[i].form == F_PEM_TAMPERED)
        der[n - 8] ^= 0x01;     /* inside the signature value */
    if (cases[i].form == F_B64DER) {
        ck_assert_uint_lt(B64_ENCODED_LEN(n), cap);
        return b64_encode(der, n, out);
    }
    gnutls_datum_t in = {der, (unsigned)n}, pem;
    ck_assert_int_ge(gnutls_pem_base64_encode2("CERTIFICATE REQUEST", &in, &pem), 0);
    ck_assert_uint_lt(pem.size, cap);
    memcpy(out, pem.data, pem.size);
    out[pem.size] = '\0';
    gnutls_free(pem.data);
    return strlen(out);
}

START_TEST(csr_table)
{
    char text[CSR_MAX_BYTES * 2];
    unsigned char der[CSR_MAX_BYTES];
    size_t len = make_csr(_i, text, sizeof text), der_len = 1;
    const char *why = NULL;
    int rc = csr_check(text, len, "cam-001", der, &der_len, &why);

    ck_assert_msg(rc == (cases[_i].ok ? 0 : -1), "%s: %d (%s)", cases[_i].name, rc, why ? why : "accepted");
    if (cases[_i].ok) {
        ck_assert_uint_gt(der_len, 100);
        ck_assert_uint_eq(der[0], 0x30);      /* a DER SEQUENCE */
    } else {
        ck_assert_ptr_nonnull(why);
        ck_assert_uint_gt(strlen(why), 5);
        ck_assert_uint_eq(der_len, 0);
    }
}
END_TEST

static const struct {
    const char *name, *text;
    size_t size;            /* 0: strlen(text); else that many 'A's */
} not_requests[] = {
    {"empty", "", 0},
    {"garbage", "hello, I am a camera", 0},
    {"PEM of nothing", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", 0},
    {"PEM without its end", "-----BEGIN CERTIFICATE REQUEST-----\nMIIB", 0},
    {"base64 of nothing", "AAAAAAAA", 0},
    {"base64 with a space", "MIIB AAAA", 0},
    {"over 8 KiB", NULL, CSR_MAX_BYTES + 1},
};

START_TEST(not_a_request)
{
    static char big[CSR_MAX_BYTES + 2];
    unsigned char der[CSR_MAX_BYTES];
    size_t der_len, len;
    const char *text = not_requests[_i].text, *why = NULL;

    if (text == NULL) {
        memset(big, 'A', not_requests[_i].size);
        big[not_requests[_i].size] = '\0';
        text = big;
    }
    len = strlen(text);
    ck_assert_msg(csr_check(text, len, "cam-001", der, &der_len, &why) == -1, "%s accepted", not_requests[_i].name);
    ck_assert_ptr_nonnull(why);
    ck_assert_uint_eq(der_len, 0);
}
END_TEST

static const struct { const char *in, *want; } serials[] = {
    {"4A3F00112233445566778899AABBCCDD", "4a3f00112233445566778899aabbccdd"},
    {"4a3f00112233445566778899aabbccdd", "4a3f00112233445566778899aabbccdd"},
    {"4A3F00112233445566778899AABBCCD", NULL},        /* 31 digits */
    {"4A3F00112233445566778899AABBCCDDE", NULL},      /* 33 */
    {"4A3F00112233445566778899AABBCCDG", NULL},
    {"-A3F00112233445566778899AABBCCDD", NULL},
    {"", NULL},
    {NULL, NULL},
};

START_TEST(serial_table)
{
    char out[33];
    int rc = cert_serial_normal(serials[_i].in, out);
    if (serials[_i].want == NULL) {
        ck_assert_int_eq(rc, -1);
    } else {
        ck_assert_int_eq(rc, 0);
        ck_assert_str_eq(out, serials[_i].want);
    }
}
END_TEST

static const struct { const char *dn; int ok; } dns[] = {
    {"CN=cam-001,O=acme", 1},
    {"O=acme,CN=cam-001", 1},
    {"CN=cam-002,O=acme", 0},
    {"CN=cam-001,O=other", 0},
    {"CN=cam-001", 0},
    {"O=acme", 0},
    {"CN=cam-001,O=acme,OU=x", 0},
    {"CN=cam-001,CN=cam-001,O=acme", 0},
    {"CN=cam-0011,O=acme", 0},
    {"CN=cam-001+O=acme", 0},
    {"CN=cam\\,001,O=acme", 0},
    {"cn=cam-001,O=acme", 0},
    {"", 0},
    {NULL, 0},
};

START_TEST(dn_table)
{
    ck_assert_msg(cert_dn_is(dns[_i].dn, "cam-001", "acme") == dns[_i].ok, "%s", dns[_i].dn ? dns[_i].dn : "NULL");
}
END_TEST

UNIT_SUITE(suite_csr_rules)
{
    Suite *s = suite_create("csr_rules");
    TCase *tc = tcase_create("csr");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, csr_table, 0, NELEM(cases));
    tcase_add_loop_test(tc, not_a_request, 0, NELEM(not_requests));
    tcase_add_loop_test(tc, serial_table, 0, NELEM(serials));
    tcase_add_loop_test(tc, dn_table, 0, NELEM(dns));
    suite_add_tcase(s, tc);
    return s;
}
