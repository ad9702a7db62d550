/* mqtt_rules.h — the MQTT push's decisions without I/O (docs/iot.md,
 * "MQTT push"): a device's broker username and topics, the ACL entries of
 * a tier, a line of mosquitto's password file (PBKDF2-SHA512, its "$7$"
 * format), the version and action messages, and the parse of FACECLOCK_MQTT_URL.
 * Pure; unit-tested (tests/unit/devices/test_mqtt_rules.c); the URL parse
 * is fuzzed (tests/fuzz/mqtt_url.c). */
#ifndef FC_MQTT_RULES_H
#define FC_MQTT_RULES_H

#include <stddef.h>

#include "acl_rules.h"

#define MQTT_SALT_BYTES 12       /* mosquitto_passwd's salt */
#define MQTT_HASH_BYTES 64       /* SHA-512 */
#define MQTT_ITERATIONS 101      /* mosquitto_passwd's PBKDF2 iterations */
/* "$7$101$" + base64 salt (16) + "$" + base64 hash (88) + NUL */
#define MQTT_PWHASH_MAX 128
#define MQTT_USER_MAX 160        /* "<hotel_slug>/<device_id>" */
#define MQTT_TOPIC_MAX 200

/* The broker username of a device, "<hotel_slug>/<device_id>", into buf:
 * 0, or -1 when it does not fit or cannot be a username or a topic level
 * in mosquitto's files (a ':' splits a password line, whitespace an ACL
 * line, '+' '#' '/' are topic syntax): such a device keeps polling. */
int mqtt_username(char *buf, size_t cap, const char *slug, const char *device_id);

/* "faceclock/<hotel_slug>/devices/<device_id>/<leaf>" into buf (leaf "#"
 * for the whole subtree): 0, or -1 (does not fit, or not a username as
 * above). */
int mqtt_device_topic(char *buf, size_t cap, const char *slug, const char *device_id, const char *leaf);

/* The topic of an MQTT rule of acl_rules.h for a device (slug and
 * device_id; the ACL_ALL place takes neither: NULL), into buf: 0, or -1
 * (does not fit, not an MQTT rule, or not a username as above). */
int mqtt_acl_topic(char *buf, size_t cap, const struct acl_rule *r, const char *slug, const char *device_id);

/* The acl_file entry of user in tier (enum device_tier), into buf:
 * "user <user>\n" and a "topic <action> <topic>" line for each MQTT rule
 * of acl_rules.h the tier is allowed (a device's from its slug and
 * device_id; the service's take neither: NULL). The length, or -1 (does
 * not fit, or not a valid username). */
int mqtt_acl_entry(char *buf, size_t cap, int tier, const char *user, const char *slug, const char *device_id);

/* The stored hash of secret under salt, in mosquitto's password-file form
 * "$7$101$<base64 salt>$<base64 PBKDF2-HMAC-SHA512>", into out
 * (MQTT_PWHASH_MAX bytes): 0, or -1 (libgcrypt failed). */
int mqtt_password_hash(const char *secret, const unsigned char salt[MQTT_SALT_BYTES], char *out);

/* Whether s is a hash mqtt_password_hash could have written. */
int mqtt_password_hash_valid(const char *s);

/* "<user>:<hash>\n" into buf: the length, or -1 (does not fit, or user or
 * hash not valid). */
int mqtt_passwd_line(char *buf, size_t cap, const char *user, const char *hash);

/* The version message {"version":N} (N >= 0): "sync now" on a device's
 * sync leaf (the hotel's profile version), "fetch your configuration" on
 * its config leaf (its effective config_version). The length, or -1. */
int mqtt_version_message(char *buf, size_t cap, long long version);

/* The action message on a device's actions leaf: {"id":N,"kind":"<kind>"}
 * (id > 0; kind 1 to 32 of a-z and _, as device_actions.action). The
 * length, or -1. Never a secret: the device acknowledges id over HTTP. */
int mqtt_action_message(char *buf, size_t cap, long long id, const char *kind);

/* FACECLOCK_MQTT_URL: "mqtt://<host>:<port>" (host a name or an IPv4
 * address: letters, digits, '.', '-'; port 1-65535; nothing else). 0 with
 * host and *port set, or -1. */
int mqtt_url_parse(const char *url, char *host, size_t host_cap, int *port);

#endif
