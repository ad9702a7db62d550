/* cert_store.c — owns the device_certificates table (cert_store.h): the
 * rows of the certificates issued and revoked, the CA's signature of a
 * device's request (the CA itself is fcgi/ca.c, under the state
 * directory) and the CRL rewritten from those rows. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>
#include "attendance/action_audit_store.h"
#include "cert_store.h"
#include "config.h"
#include "db.h"
#include "jsonx.h"
#include "log.h"

#define CRL_MAX_REVOKED 100000
#define CRL_VALID_DAYS 365

static struct db_stmt st_subject = {
    "device_cert_subject",
    "SELECT d.device_id, h.slug FROM devices d JOIN hotels h ON h.id = d.hotel_id "
    "WHERE d.id = $1 AND d.deactivated_at IS NULL",
    0,
};

static struct db_stmt st_record = {
    "device_cert_record",
    "INSERT INTO device_certificates (device_pk, serial, fingerprint, not_after) "
    "SELECT id, $2, $3, to_timestamp($4) FROM devices WHERE id = $1 AND deactivated_at IS NULL "
    "RETURNING device_pk",
    0,
};

static struct db_stmt st_revoke = {
    "device_certs_revoke",
    "UPDATE device_certificates SET revoked_at = now() WHERE device_pk = $1 AND revoked_at IS NULL",
    0,
};

static struct db_stmt st_revoked = {
    "device_certs_revoked",
    "SELECT serial, extract(epoch FROM revoked_at)::bigint FROM device_certificates "
    "WHERE revoked_at IS NOT NULL AND not_after > now() ORDER BY id LIMIT $1",
    0,
};

int device_cert_sign(long long device_pk, const unsigned char *der, size_t len, struct device_cert *out)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    if ((r = db_run(&st_subject, &a)) == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 0;
    }
    struct ca *ca = ca_load(g_config.state_dir);
    int ok = ca != NULL && ca_sign(ca, der, len, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), g_config.device_cert_days,
                                   &out->issued) == 0;
    PQclear(r);
    if (ok) {
        struct tm tm;
        snprintf(out->ca_pem, sizeof out->ca_pem, "%s", ca_cert_pem(ca));
        gmtime_r(&out->issued.not_after, &tm);
        strftime(out->expires_at, sizeof out->expires_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    } else {
        log_error("the device CA under %s cannot sign (faceclock ca-init makes it)", g_config.state_dir);
    }
    ca_free(ca);
    return ok;
}

/* 1 recorded, 0 the device is not active, -1 */
static int record(long long device_pk, const struct device_cert *c)
{
    struct db_args a;
    PGresult *r;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    db_arg_str(&a, c->issued.serial);
    db_arg_str(&a, c->issued.fingerprint);
    db_arg_int(&a, (long long)c->issued.not_after);
    if ((r = db_run(&st_record, &a)) == NULL)
        return -1;
    int n = PQntuples(r);
    PQclear(r);
    return n == 1;
}

int device_cert_record(long long device_pk, const struct device_cert *c)
{
    return record(device_pk, c) == 1 ? 0 : -1;
}

int device_cert_issue(long long device_pk, long long hotel_id, const char *device_id, const struct device_cert *c,
                      const struct actor *who)
{
    char target[80];

    if (db_begin() < 0)
        return -1;
    int found = record(device_pk, c);
    if (found <= 0) {
        db_rollback();
        return found;
    }
    struct json_object *now = json_object_new_object();
    jx_add_str(now, "serial", c->issued.serial);
    jx_add_str(now, "expires_at", c->expires_at);
    snprintf(target, sizeof target, "device:%s", device_id);
    if (action_audit_one(who, hotel_id, "device.certificate_issued", target, NULL, now) < 0 || db_commit() < 0) {
        db_rollback();
        return -1;
    }
    return 1;
}

int device_certs_revoke(long long device_pk)
{
    struct db_args a;

    db_args_init(&a);
    db_arg_int(&a, device_pk);
    long n = db_exec(&st_revoke, &a);
    return n < 0 ? -1 : (int)n;
}

int device_crl_write(void)
{
    char lock_path[PATH_MAX];
    struct db_args a;
    PGresult *r = NULL;
    int rc = -1;

    if (snprintf(lock_path, sizeof lock_path, "%s/crl.lock", g_config.state_dir) >= (int)sizeof lock_path)
        return -1;
    int fd = open(lock_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        log_error("cannot lock %s", lock_path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    /* read under the lock: the last writer has the newest rows */
    db_args_init(&a);
    db_arg_int(&a, CRL_MAX_REVOKED);
    struct ca *ca = ca_load(g_config.state_dir);
    if (ca != NULL && (r = db_run(&st_revoked, &a)) != NULL) {
        int n = PQntuples(r);
        struct ca_revoked *list = calloc((size_t)n + 1, sizeof *list);
        for (int i = 0; list != NULL && i < n; i++) {
            snprintf(list[i].serial, sizeof list[i].serial, "%s", PQgetvalue(r, i, 0));
            list[i].revoked_at = (time_t)db_ll(r, i, 1);
        }
        rc = list != NULL ? ca_write_crl(ca, g_config.state_dir, list, n, CRL_VALID_DAYS) : -1;
        free(list);
        PQclear(r);
    }
    if (rc < 0)
        log_error("the CRL under %s was not written", g_config.state_dir);
    ca_free(ca);
    close(fd);   /* releases the lock */
    return rc;
}
