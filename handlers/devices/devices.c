/* devices.c — the edge-device registry (docs/iot.md, "Devices" and
 * "Lifecycle"): a hotel's admins register a device (answered with a
 * one-time provisioning token, or into the inventory without one), list
 * the devices with their connectivity counts, and move a device through
 * its lifecycle: allocate it to a location, issue a token, clear its
 * error, disable, enable, deactivate (decommission: its key is revoked,
 * what it held is logged as removed); the public exchange of a token for
 * the device's API key; and the device's own heartbeat. Tokens and keys
 * are made here and stored only as scrypt hashes (device_store.c). A
 * device may send a certificate request with its token, and later for a
 * renewal: it gets a client certificate of the deployment's CA (docs/iot.md
 * "Certificates"; csr_rules.c, cert_store.c); disabling or decommissioning
 * revokes its certificates and rewrites the CRL. */
#include <stdio.h>
#include <string.h>
#include "attendance/action_audit_store.h"
#include "auth.h"
#include "config.h"
#include "cert_store.h"
#include "crypto.h"
#include "csr_rules.h"
#include "db.h"
#include "device_rules.h"
#include "device_store.h"
#include "heartbeat_rules.h"
#include "app/handlers.h"
#include "jsonx.h"
#include "mqtt_rules.h"
#include "response.h"

/* A provisioning token (32 random bytes as hex) and its scrypt hash. 0,
 * or answered 500 and -1. */
static int new_token_or_reply(struct request *req, char token[65], char hash[CRYPTO_HASH_MAX])
{
    if (crypto_random_hex(token, 32) < 0 || crypto_hash_secret(token, g_config.scrypt_log_n, hash) < 0) {
        resp_error(req, 500, "INTERNAL", "Could not make a provisioning token.");
        return -1;
    }
    return 0;
}

void h_devices_create(struct request *req)
{
    struct device_reg d = {arg_str(req, "device_id"), arg_str(req, "display_name"), arg_str(req, "device_category"),
                           arg_str(req, "capability"), arg_str(req, "location_label"), arg_str(req, "serial_number"),
                           arg_str(req, "mac_address"), arg_str(req, "tier"), 0, 0, 0};
    int with_token = arg_bool(req, "provision", 1);
    char token[65], hash[CRYPTO_HASH_MAX];
    struct json_object *device = NULL;
    struct actor who;
    const char *why;

    device_geo_from_json(arg_json(req, "location_geo"), &d.has_geo, &d.lon, &d.lat, &why);   /* checked by the route */
    /* "" is none (an empty field of the devices page's form) */
    if (d.location_label != NULL && *d.location_label == '\0')
        d.location_label = NULL;
    if (d.serial_number != NULL && *d.serial_number == '\0')
        d.serial_number = NULL;
    if (d.mac_address != NULL && *d.mac_address == '\0')
        d.mac_address = NULL;
    if (with_token && new_token_or_reply(req, token, hash) < 0)
        return;
    actor_of(req, &who);
    switch (device_create(req->tenant.id, &d, with_token ? token : NULL, hash, &who, &device)) {
    case 1:
        resp_json(req, 201, device);
        return;
    case 0:
        resp_error(req, 409, "CONFLICT", "This hotel already has a device %s.", d.device_id);
        return;
    default:
        db_fail_reply(req);
    }
}

void h_devices_list(struct request *req)
{
    struct device_filter f;

    device_filter_of(req, &f);
    listing_reply(req, &device_list, &f);
}

/* Answer a store's 1 (status with the device), 0 (404), DEVICE_REFUSED
 * (409 INVALID_TRANSITION: act is not allowed from lifecycle from) or -1
 * (database failure). */
static void device_answer(struct request *req, int rc, int status, struct json_object *device, enum lc_action act,
                          enum lifecycle from)
{
    switch (rc) {
    case 1:
        resp_json(req, status, device);
        return;
    case 0:
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    case DEVICE_REFUSED:
        resp_error(req, 409, "INVALID_TRANSITION", "Cannot %s a device from %s.", lc_action_name(act),
                   lifecycle_name(from));
        return;
    default:
        db_fail_reply(req);
    }
}

/* The admin's transition act of the path's device, answered. */
static void transition(struct request *req, enum lc_action act, const struct device_change *c, int status)
{
    struct json_object *device = NULL;
    enum lifecycle from = LC_COUNT;
    struct actor who;

    actor_of(req, &who);
    int rc = device_transition(req->tenant.id, arg_str(req, "device_id"), act, c, &who, &device, &from);
    if (rc == 1 && (act == LA_DISABLE || act == LA_DECOMMISSION))
        (void)device_crl_write();   /* its certificates are refused already; logged if not written */
    device_answer(req, rc, status, device, act, from);
}

void h_devices_allocate(struct request *req)
{
    struct device_change c = {.location_label = arg_str(req, "location_label"), .tier = arg_str(req, "tier")};
    const char *why;

    device_geo_from_json(arg_json(req, "location_geo"), &c.has_geo, &c.lon, &c.lat, &why);   /* checked by the route */
    transition(req, LA_ALLOCATE, &c, 200);
}

void h_devices_token(struct request *req)
{
    char token[65], hash[CRYPTO_HASH_MAX];
    struct device_change c = {.token = token, .token_hash = hash};

    if (new_token_or_reply(req, token, hash) < 0)
        return;
    transition(req, LA_TOKEN, &c, 201);
}

void h_devices_clear_error(struct request *req)
{
    transition(req, LA_CLEAR_ERROR, &(struct device_change){0}, 200);
}

void h_devices_disable(struct request *req)
{
    transition(req, LA_DISABLE, &(struct device_change){0}, 200);
}

void h_devices_enable(struct request *req)
{
    transition(req, LA_ENABLE, &(struct device_change){0}, 200);
}

void h_devices_deactivate(struct request *req)
{
    transition(req, LA_DECOMMISSION, &(struct device_change){0}, 200);
}

/* The request's "csr" checked for device_id into der. 0, or answered
 * 400 INVALID_CSR and -1. */
static int csr_or_reply(struct request *req, const char *csr, const char *device_id, unsigned char *der, size_t *len)
{
    const char *why;

    if (csr_check(csr, strlen(csr), device_id, der, len, &why) == 0)
        return 0;
    resp_error(req, 400, "INVALID_CSR", "The certificate request is refused: %s.", why);
    return -1;
}

/* The certificate's fields of an answer. */
static void cert_json(struct json_object *o, const struct device_cert *c)
{
    jx_add_str(o, "certificate", c->issued.pem);
    jx_add_str(o, "ca_certificate", c->ca_pem);
    jx_add_str(o, "expires_at", c->expires_at);
    jx_add_str(o, "certificate_serial", c->issued.serial);
}

static void no_ca_reply(struct request *req)
{
    resp_error(req, 503, "UNAVAILABLE", "Certificates cannot be issued now; retry later.");
}

void h_devices_provision(struct request *req)
{
    const char *device_id = arg_str(req, "device_id"), *token = arg_str(req, "provisioning_token");
    const char *csr = arg_str(req, "csr");
    char key[AUTH_KEY_MAX], key_hash[AUTH_KEY_HASH_MAX], token_hash[CRYPTO_HASH_MAX];
    char mqtt_hash[MQTT_PWHASH_MAX];
    unsigned char der[CSR_MAX_BYTES], salt[MQTT_SALT_BYTES];
    size_t der_len = 0;
    struct device_cert cert;
    long long device_pk = 0;
    int rc;

    /* a refused request changes nothing: the token stays unused */
    if (csr != NULL && csr_or_reply(req, csr, device_id, der, &der_len) < 0)
        return;
    rc = device_token_owner(device_id, token, &device_pk, token_hash);
    if (rc > 0 && csr != NULL) {
        int made = device_cert_sign(device_pk, der, der_len, &cert);
        if (made == 0) {
            no_ca_reply(req);
            return;
        }
        rc = made < 0 ? -1 : rc;
    }
    /* the key is also the device's broker password (docs/iot.md "MQTT push") */
    if (rc > 0 && (auth_new_key("dev", device_pk, key, key_hash) < 0 || crypto_random(salt, sizeof salt) < 0 ||
                   mqtt_password_hash(key, salt, mqtt_hash) < 0)) {
        resp_error(req, 500, "INTERNAL", "Could not make a key.");
        return;
    }
    if (rc > 0) {   /* 0 when used, replaced or expired meanwhile */
        struct actor who;
        actor_of(req, &who);        /* anonymous: the device proves itself by the token */
        snprintf(who.name, sizeof who.name, "device:%s", device_id);
        rc = device_provision(device_pk, token_hash, key_hash, mqtt_hash, csr != NULL ? &cert : NULL, &who);
    }
    if (rc < 0) {
        db_fail_reply(req);
        return;
    }
    if (rc == 0) {
        resp_error(req, 403, "FORBIDDEN", "The provisioning token is invalid, used or expired.");
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "device_id", device_id);
    jx_add_str(o, "api_key", key);
    if (csr != NULL)
        cert_json(o, &cert);
    resp_json(req, 200, o);
}

void h_devices_certificate(struct request *req)
{
    const struct identity *me = identity_of(req);
    const char *device_id = arg_str(req, "device_id");
    unsigned char der[CSR_MAX_BYTES];
    size_t der_len = 0;
    struct device_cert cert;
    struct actor who;

    if (strcmp(device_id, me->device_name) != 0) {   /* a device speaks only for itself */
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    if (arg_str(req, "csr") == NULL) {
        resp_error(req, 400, "INVALID_CSR", "A certificate request (csr) is required.");
        return;
    }
    if (csr_or_reply(req, arg_str(req, "csr"), device_id, der, &der_len) < 0)
        return;
    int made = device_cert_sign(me->device_id, der, der_len, &cert);
    if (made <= 0) {
        if (made == 0)
            no_ca_reply(req);
        else
            db_fail_reply(req);
        return;
    }
    actor_of(req, &who);
    int found = device_cert_issue(me->device_id, req->tenant.id, device_id, &cert, &who);
    if (found <= 0) {
        if (found == 0)
            resp_error(req, 404, "NOT_FOUND", "No such device.");
        else
            db_fail_reply(req);
        return;
    }
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "device_id", device_id);
    cert_json(o, &cert);
    resp_json(req, 201, o);
}

void h_devices_heartbeat(struct request *req)
{
    /* the body is optional: {"error": "..."} reports a fault; the metrics
     * and the receipt of heartbeat_rules.h are optional too */
    const char *device_id = arg_str(req, "device_id"), *error = arg_str(req, "error");
    struct json_object *device = NULL;
    struct heartbeat hb;
    const char *field, *why;

    /* a device speaks only for itself; any other id does not exist for it */
    if (strcmp(device_id, identity_of(req)->device_name) != 0) {
        resp_error(req, 404, "NOT_FOUND", "No such device.");
        return;
    }
    if (heartbeat_parse(req->json, &hb, &field, &why) < 0) {
        resp_invalid(req, field, "%s %s.", field, why);
        return;
    }
    if (error != NULL && *error == '\0')
        error = NULL;
    int found = device_heartbeat(identity_of(req)->device_id, req->tenant.id, error, &hb, &device);
    if (found == DEVICE_AHEAD) {
        resp_invalid(req, "applied_version", "applied_version is past the hotel's version.");
        return;
    }
    if (found == DEVICE_CONFIG_AHEAD) {
        resp_invalid(req, "applied_config_version", "applied_config_version is past the device's config_version.");
        return;
    }
    device_answer(req, found, 200, device, error != NULL ? LA_FAULT : LA_HEARTBEAT, LC_COUNT);
}
