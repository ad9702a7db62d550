/* ca.c — the deployment's certificate authority (ca.h): owns the files
 * under the state directory's ca/ (the CA's key and certificate) and its
 * crl.pem, and the GnuTLS objects made from them. The key is read only
 * into a struct ca and never printed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "ca.h"

#define CA_VALID_YEARS 10
#define SERIAL_BYTES 16

struct ca {
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    char pem[CA_PEM_MAX];
};

static int fail(const char *what, int rc)
{
    fprintf(stderr, "faceclock: CA: %s: %s\n", what, rc < 0 ? gnutls_strerror(rc) : strerror(errno));
    return -1;
}

/* dir/name into out (PATH_MAX). 0 or -1 when too long. */
static int path_of(char out[PATH_MAX], const char *dir, const char *name)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
    return n > 0 && n < PATH_MAX ? 0 : -1;
}

/* Write data[0..len) to path (created, mode), flushed to disk. 0 or -1. */
static int write_new(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) < 0) {
        close(fd);
        return -1;
    }
    return close(fd);
}

/* A random positive serial of SERIAL_BYTES whose first byte is not zero
 * (so that its DER, and nginx's $ssl_client_serial, spell all of it). */
static int new_serial(unsigned char s[SERIAL_BYTES], char hex[CA_SERIAL_HEX])
{
    if (gnutls_rnd(GNUTLS_RND_NONCE, s, SERIAL_BYTES) < 0)
        return -1;
    s[0] = (unsigned char)((s[0] & 0x3f) | 0x40);
    for (int i = 0; i < SERIAL_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", s[i]);
    return 0;
}

static int unhex(const char *hex, unsigned char *out, size_t cap, size_t *n)
{
    size_t len = strlen(hex);
    if (len % 2 != 0 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 0;
}

/* The CA's key and self-signed certificate, as PEM (gnutls_free both). */
static int make_ca(const char *common_name, gnutls_datum_t *key_pem, gnutls_datum_t *crt_pem)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    unsigned char serial[SERIAL_BYTES], id[64];
    char hex[CA_SERIAL_HEX];
    size_t id_size = sizeof id;
    time_t now = time(NULL);
    int rc;

    key_pem->data = crt_pem->data = NULL;
    if ((rc = gnutls_x509_privkey_init(&key)) < 0 ||
        (rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
                                           0)) < 0 ||
        (rc = gnutls_x509_crt_init(&crt)) < 0 || (rc = new_serial(serial, hex)) < 0 ||
        (rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, now - 60)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)CA_VALID_YEARS * 365 * 86400)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, common_name,
                                            (unsigned)strlen(common_name))) < 0 ||
        (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 1, 0)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) < 0 ||
        (rc = gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA1, id, &id_size)) < 0 ||
        (rc = gnutls_x509_crt_set_subject_key_id(crt, id, id_size)) < 0 ||
        (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, key_pem)) < 0 ||
        (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, crt_pem)) < 0) {
        fail("making the CA", rc);
        gnutls_free(key_pem->data);
        key_pem->data = NULL;
        rc = -1;
    }
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return rc < 0 ? -1 : 0;
}

/* Remove the temporary directory tmp and what make_ca_dir put in it. */
static void remove_tmp(const char *tmp)
{
    char p[PATH_MAX];
    if (path_of(p, tmp, "key.pem") == 0)
        unlink(p);
    if (path_of(p, tmp, "cert.pem") == 0)
        unlink(p);
    rmdir(tmp);
}

int ca_ensure(const char *dir, const char *common_name)
{
    char ca_dir[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX];
    struct stat st;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return fail(dir, 0);
    if (path_of(ca_dir, dir, "ca") < 0 || snprintf(tmp, sizeof tmp, "%s/.ca-%ld", dir, (long)getpid()) >= PATH_MAX)
        return fail("state directory path too long", 0);
    if (stat(ca_dir, &st) < 0) {
        gnutls_datum_t key = {NULL, 0}, crt = {NULL, 0};
        remove_tmp(tmp);   /* a leftover of a process that had this pid */
        if (make_ca(common_name, &key, &crt) < 0)
            return -1;
        int ok = mkdir(tmp, 0755) == 0 && path_of(p, tmp, "key.pem") == 0 &&
                 write_new(p, key.data, key.size, 0600) == 0 && path_of(p, tmp, "cert.pem") == 0 &&
                 write_new(p, crt.data, crt.size, 0644) == 0;
        gnutls_memset(key.data, 0, key.size);
        gnutls_free(key.data);
        gnutls_free(crt.data);
        if (!ok) {
            fail(tmp, 0);
            remove_tmp(tmp);
            return -1;
        }
        /* the first rename wins; another process's CA is then kept */
        if (rename(tmp, ca_dir) == 0)
            fprintf(stderr, "faceclock: CA: made a new CA in %s\n", ca_dir);
        else if (errno != EEXIST && errno != ENOTEMPTY) {
            fail(ca_dir, 0);
            remove_tmp(tmp);
            return -1;
        }
        remove_tmp(tmp);
    }
    if (path_of(p, dir, "crl.pem") < 0)
        return fail("state directory path too long", 0);
    if (stat(p, &st) == 0)
        return 0;
    struct ca *ca = ca_load(dir);
    int rc = ca != NULL ? ca_write_crl(ca, dir, NULL, 0, 365) : -1;
    ca_free(ca);
    return rc;
}

struct ca *ca_load(const char *dir)
{
    char p[PATH_MAX];
    gnutls_datum_t d = {NULL, 0};
    struct ca *ca = calloc(1, sizeof *ca);
    int rc;

    if (ca == NULL)
        return NULL;
    if (path_of(p, dir, "ca/cert.pem") < 0 || (rc = gnutls_load_file(p, &d)) < 0 || d.size >= sizeof ca->pem) {
        fprintf(stderr, "faceclock: CA: cannot read %s/ca/cert.pem\n", dir);
        goto out;
    }
    memcpy(ca->pem, d.data, d.size);
    ca->pem[d.size] = '\0';
    if ((rc = gnutls_x509_crt_init(&ca->crt)) < 0 || (rc = gnutls_x509_crt_import(ca->crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
        fail("the CA certificate", rc);
        goto out;
    }
    gnutls_free(d.data);
    d.data = NULL;
    if (path_of(p, dir, "ca/key.pem") < 0 || (rc = gnutls_load_file(p, &d)) < 0) {
        fprintf(stderr, "faceclock: CA: cannot read %s/ca/key.pem\n", dir);
        goto out;
    }
    rc = gnutls_x509_privkey_init(&ca->key);
    if (rc >= 0)
        rc = gnutls_x509_privkey_import(ca->key, &d, GNUTLS_X509_FMT_PEM);
    gnutls_memset(d.data, 0, d.size);
    gnutls_free(d.data);
    if (rc < 0) {
        fail("the CA key", rc);
        ca_free(ca);
        return NULL;
    }
    return ca;
out:
    gnutls_free(d.data);
    ca_free(ca);
    return NULL;
}

void ca_free(struct ca *ca)
{
    if (ca == NULL)
        return;
    if (ca->crt != NULL)
        gnutls_x509_crt_deinit(ca->crt);
    if (ca->key != NULL)
        gnutls_x509_privkey_deinit(ca->key);
    free(ca);
}

const char *ca_cert_pem(const struct ca *ca)
{
    return ca->pem;
}

int ca_sign(const struct ca *ca, const unsigned char *der, size_t len, const char *cn, const char *org, int days,
            struct ca_issued *out)
{
    gnutls_x509_crq_t crq = NULL;
    gnutls_pubkey_t pub = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t in = {(unsigned char *)der, (unsigned)len};
    unsigned char serial[SERIAL_BYTES], id[64], aid[64], fp[32];
    size_t id_size = sizeof id, aid_size = sizeof aid, fp_size = sizeof fp, pem_size = sizeof out->pem - 1;
    time_t now = time(NULL);
    int rc;

    memset(out, 0, sizeof *out);
    out->not_after = now + (time_t)days * 86400;
    if ((rc = gnutls_x509_crq_init(&crq)) < 0 || (rc = gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_DER)) < 0 ||
        (rc = gnutls_pubkey_init(&pub)) < 0 || (rc = gnutls_pubkey_import_x509_crq(pub, crq, 0)) < 0 ||
        (rc = gnutls_x509_crt_init(&crt)) < 0 || (rc = new_serial(serial, out->serial)) < 0 ||
        (rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
        (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, now - 60)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, out->not_after)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, org, (unsigned)strlen(org))) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn))) < 0 ||
        (rc = gnutls_x509_crt_set_pubkey(crt, pub)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
        (rc = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, id, &id_size)) < 0 ||
        (rc = gnutls_x509_crt_set_subject_key_id(crt, id, id_size)) < 0 ||
        (rc = gnutls_x509_crt_get_subject_key_id(ca->crt, aid, &aid_size, NULL)) < 0 ||
        (rc = gnutls_x509_crt_set_authority_key_id(crt, aid, aid_size)) < 0 ||
        (rc = gnutls_x509_crt_sign2(crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (rc = gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_PEM, out->pem, &pem_size)) < 0 ||
        (rc = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fp_size)) < 0) {
        fail("signing a certificate", rc);
        rc = -1;
    } else {
        out->pem[pem_size] = '\0';
        for (size_t i = 0; i < fp_size && i < 32; i++)
            snprintf(out->fingerprint + 2 * i, 3, "%02x", fp[i]);
        rc = 0;
    }
    gnutls_x509_crt_deinit(crt);
    gnutls_pubkey_deinit(pub);
    gnutls_x509_crq_deinit(crq);
    return rc;
}

int ca_write_crl(const struct ca *ca, const char *dir, const struct ca_revoked *revoked, int n, int valid_days)
{
    gnutls_x509_crl_t crl = NULL;
    gnutls_datum_t pem = {NULL, 0};
    unsigned char aid[64], number[8];
    size_t aid_size = sizeof aid;
    time_t now = time(NULL);
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc;

    /* the CRL number grows with time (one a second is enough here) */
    for (int i = 0; i < 8; i++)
        number[i] = (unsigned char)((unsigned long long)now >> (8 * (7 - i)));
    if ((rc = gnutls_x509_crl_init(&crl)) < 0 || (rc = gnutls_x509_crl_set_version(crl, 2)) < 0 ||
        (rc = gnutls_x509_crl_set_this_update(crl, now - 60)) < 0 ||
        (rc = gnutls_x509_crl_set_next_update(crl, now + (time_t)valid_days * 86400)) < 0 ||
        (rc = gnutls_x509_crl_set_number(crl, number, sizeof number)) < 0 ||
        (rc = gnutls_x509_crt_get_subject_key_id(ca->crt, aid, &aid_size, NULL)) < 0 ||
        (rc = gnutls_x509_crl_set_authority_key_id(crl, aid, aid_size)) < 0)
        goto fail;
    for (int i = 0; i < n; i++) {
        unsigned char s[SERIAL_BYTES];
        size_t len;
        if (unhex(revoked[i].serial, s, sizeof s, &len) < 0 || len == 0) {
            rc = GNUTLS_E_INVALID_REQUEST;
            goto fail;
        }
        if ((rc = gnutls_x509_crl_set_crt_serial(crl, s, len, revoked[i].revoked_at)) < 0)
            goto fail;
    }
    if ((rc = gnutls_x509_crl_sign2(crl, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (rc = gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_PEM, &pem)) < 0)
        goto fail;
    gnutls_x509_crl_deinit(crl);
    if (path_of(path, dir, "crl.pem") < 0 ||
        snprintf(tmp, sizeof tmp, "%s/.crl-%ld.pem", dir, (long)getpid()) >= (int)sizeof tmp) {
        gnutls_free(pem.data);
        return fail("state directory path too long", 0);
    }
    unlink(tmp);
    rc = write_new(tmp, pem.data, pem.size, 0644) == 0 && rename(tmp, path) == 0 ? 0 : -1;
    gnutls_free(pem.data);
    if (rc < 0) {
        fail(path, 0);
        unlink(tmp);
    }
    return rc;
fail:
    gnutls_x509_crl_deinit(crl);
    return fail("writing the CRL", rc);
}
