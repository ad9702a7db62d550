/* test_ca.c — fcgi/ca.h in a temporary directory: the CA made once (key
 * mode 0600, a self-signed CA certificate) and kept by a second call;
 * four processes making it at once end with one CA and no leftovers; a
 * certificate signed for a request made here chains to the CA with the
 * subject, serial and life asked for, client auth only; the CRL lists
 * what it is given, signed by the CA, and nothing else. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "unit.h"

static char *read_all(const char *path)
{
    gnutls_datum_t d;
    ck_assert_int_ge(gnutls_load_file(path, &d), 0);
    char *s = malloc(d.size + 1);
    memcpy(s, d.data, d.size);
    s[d.size] = '\0';
    gnutls_free(d.data);
    return s;
}

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
    ck_assert_int_lt(snprintf(out, n, "%s/%s", dir, name), (int)n);
}

static void rm_rf(const char *dir)
{
    static const char *const files[] = {"ca/key.pem", "ca/cert.pem", "crl.pem", "ca", NULL};
    char p[512];
    for (int i = 0; files[i] != NULL; i++) {
        path_in(p, sizeof p, dir, files[i]);
        if (unlink(p) < 0)
            rmdir(p);
    }
    rmdir(dir);
}

/* entries of dir other than ca and crl.pem (temporary files left over) */
static int leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && strcmp(e->d_name, "ca") != 0 &&
            strcmp(e->d_name, "crl.pem") != 0)
            n++;
    closedir(d);
    return n;
}

START_TEST(made_once)
{
    char dir[] = "/tmp/fc-ca-XXXXXX", p[512];
    struct stat st;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ca_ensure(dir, "test CA"), 0);
    path_in(p, sizeof p, dir, "ca/key.pem");
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    path_in(p, sizeof p, dir, "ca/cert.pem");
    char *first = read_all(p);
    ck_assert_ptr_nonnull(strstr(first, "BEGIN CERTIFICATE"));
    ck_assert_int_eq(ca_ensure(dir, "test CA"), 0);
    char *second = read_all(p);
    ck_assert_str_eq(first, second);

    /* a self-signed CA */
    gnutls_x509_crt_t crt;
    gnutls_datum_t d = {(unsigned char *)first, (unsigned)strlen(first)};
    unsigned critical = 0, verify = 99;
    ck_assert_int_ge(gnutls_x509_crt_init(&crt), 0);
    ck_assert_int_ge(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
    ck_assert_int_eq(gnutls_x509_crt_get_ca_status(crt, &critical), 1);
    ck_assert_int_ge(gnutls_x509_crt_verify(crt, &crt, 1, 0, &verify), 0);
    ck_assert_uint_eq(verify, 0);
    gnutls_x509_crt_deinit(crt);

    struct ca *ca = ca_load(dir);
    ck_assert_ptr_nonnull(ca);
    ck_assert_str_eq(ca_cert_pem(ca), first);
    ca_free(ca);
    ck_assert_int_eq(leftovers(dir), 0);
    free(first);
    free(second);
    rm_rf(dir);
}
END_TEST

START_TEST(made_once_by_four)
{
    char dir[] = "/tmp/fc-ca-XXXXXX", p[512];
    pid_t pids[4];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (int i = 0; i < 4; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0)
            _exit(ca_ensure(dir, "test CA") == 0 ? 0 : 1);
    }
    for (int i = 0; i < 4; i++) {
        int status = -1;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "process %d failed", i);
    }
    /* one CA: its key matches its certificate, nothing else is left */
    struct ca *ca = ca_load(dir);
    ck_assert_ptr_nonnull(ca);
    path_in(p, sizeof p, dir, "ca/cert.pem");
    char *pem = read_all(p);
    ck_assert_str_eq(ca_cert_pem(ca), pem);
    struct ca_revoked none[1];
    ck_assert_int_eq(ca_write_crl(ca, dir, none, 0, 1), 0);     /* signs with that key */
    ca_free(ca);
    free(pem);
    ck_assert_int_eq(leftovers(dir), 0);
    rm_rf(dir);
}
END_TEST

/* a DER request of a new P-256 key, subject CN=cn */
static size_t request(const char *cn, unsigned char *der, size_t cap)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crq_t crq;
    ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
    ck_assert_int_ge(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                                  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
    ck_assert_int_ge(gnutls_x509_crq_init(&crq), 0);
    ck_assert_int_ge(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)), 0);
    ck_assert_int_ge(gnutls_x509_crq_set_key(crq, key), 0);
    ck_assert_int_ge(gnutls_x509_crq_sign2(crq, key, GNUTLS_DIG_SHA256, 0), 0);
    ck_assert_int_ge(gnutls_x509_crq_export(crq, GNUTLS_X509_FMT_DER, der, &cap), 0);
    gnutls_x509_crq_deinit(crq);
    gnutls_x509_privkey_deinit(key);
    return cap;
}

START_TEST(signs_and_revokes)
{
    char dir[] = "/tmp/fc-ca-XXXXXX", p[512], buf[256], hex[33];
    unsigned char der[4096], serial[32];
    size_t len = request("cam-001", der, sizeof der), size;
    struct ca_issued out;
    time_t t0 = time(NULL);

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ca_ensure(dir, "test CA"), 0);
    struct ca *ca = ca_load(dir);
    ck_assert_ptr_nonnull(ca);
    ck_assert_int_eq(ca_sign(ca, der, len, "cam-001", "acme", 30, &out), 0);
    ck_assert_uint_eq(strlen(out.serial), 32);
    ck_assert_uint_eq(strlen(out.fingerprint), 64);
    ck_assert(out.not_after >= t0 + 30 * 86400 && out.not_after <= time(NULL) + 30 * 86400);

    gnutls_x509_crt_t crt, ca_crt;
    gnutls_datum_t d = {(unsigned char *)out.pem, (unsigned)strlen(out.pem)};
    gnutls_datum_t cd = {(unsigned char *)ca_cert_pem(ca), (unsigned)strlen(ca_cert_pem(ca))};
    unsigned verify = 99, critical = 0;
    ck_assert_int_ge(gnutls_x509_crt_init(&crt), 0);
    ck_assert_int_ge(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
    ck_assert_int_ge(gnutls_x509_crt_init(&ca_crt), 0);
    ck_assert_int_ge(gnutls_x509_crt_import(ca_crt, &cd, GNUTLS_X509_FMT_PEM), 0);
    ck_assert_int_ge(gnutls_x509_crt_verify(crt, &ca_crt, 1, 0, &verify), 0);
    ck_assert_uint_eq(verify, 0);
    ck_assert_int_eq(gnutls_x509_crt_get_ca_status(crt, &critical), 0);
    ck_assert_int_eq((long)gnutls_x509_crt_get_expiration_time(crt), (long)out.not_after);
    size = sizeof buf;
    ck_assert_int_ge(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size), 0);
    ck_assert_str_eq(buf, "cam-001");
    size = sizeof buf;
    ck_assert_int_ge(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, 0, buf, &size), 0);
    ck_assert_str_eq(buf, "acme");
    size = sizeof buf;
    ck_assert_int_ge(gnutls_x509_crt_get_key_purpose_oid(crt, 0, buf, &size, &critical), 0);
    ck_assert_str_eq(buf, GNUTLS_KP_TLS_WWW_CLIENT);
    size = sizeof buf;
    ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(crt, 1, buf, &size, &critical),
                     GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
    size = sizeof serial;
    ck_assert_int_ge(gnutls_x509_crt_get_serial(crt, serial, &size), 0);
    ck_assert_uint_eq(size, 16);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", serial[i]);
    ck_assert_str_eq(hex, out.serial);

    /* a CRL without it, then with it */
    for (int with = 0; with < 2; with++) {
        struct ca_revoked r[1];
        snprintf(r[0].serial, sizeof r[0].serial, "%s", out.serial);
        r[0].revoked_at = t0;
        ck_assert_int_eq(ca_write_crl(ca, dir, r, with, 365), 0);
        path_in(p, sizeof p, dir, "crl.pem");
        char *pem = read_all(p);
        gnutls_x509_crl_t crl;
        gnutls_datum_t ld = {(unsigned char *)pem, (unsigned)strlen(pem)};
        ck_assert_int_ge(gnutls_x509_crl_init(&crl), 0);
        ck_assert_int_ge(gnutls_x509_crl_import(crl, &ld, GNUTLS_X509_FMT_PEM), 0);
        ck_assert_int_ge(gnutls_x509_crl_verify(crl, &ca_crt, 1, 0, &verify), 0);
        ck_assert_uint_eq(verify, 0);
        ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), with);
        ck_assert_int_eq(gnutls_x509_crt_check_revocation(crt, &crl, 1), with);
        gnutls_x509_crl_deinit(crl);
        free(pem);
    }
    ck_assert_int_eq(leftovers(dir), 0);

    /* not a request: refused, nothing signed */
    ck_assert_int_eq(ca_sign(ca, (const unsigned char *)"junk", 4, "cam-001", "acme", 30, &out), -1);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_crt_deinit(ca_crt);
    ca_free(ca);
    rm_rf(dir);
}
END_TEST

START_TEST(no_ca)
{
    char dir[] = "/tmp/fc-ca-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_ptr_null(ca_load(dir));
    rmdir(dir);
}
END_TEST

UNIT_SUITE(suite_ca)
{
    Suite *s = suite_create("ca");
    TCase *tc = tcase_create("ca");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, made_once);
    tcase_add_test(tc, made_once_by_four);
    tcase_add_test(tc, signs_and_revokes);
    tcase_add_test(tc, no_ca);
    suite_add_tcase(s, tc);
    return s;
}
