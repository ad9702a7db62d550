/* mqtt_rules.c — the MQTT push's pure decisions (mqtt_rules.h): usernames,
 * topics, ACL entries (from acl_rules.c's table), password-file lines,
 * the "sync now" message and the broker URL. Owns nothing: every output goes to the caller's buffer. */
#include <gcrypt.h>
#include <stdio.h>
#include <string.h>

#include "b64_rules.h"
#include "mqtt_rules.h"

/* a hotel slug or device id that can stand in a username and a topic level */
static int level_ok(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return 0;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 0x7f || c == ':' || c == '/' || c == '+' || c == '#')
            return 0;
    }
    return 1;
}

/* a username: one or two levels joined by '/' */
static int user_ok(const char *u)
{
    char a[MQTT_USER_MAX];
    if (u == NULL || strlen(u) >= sizeof a)
        return 0;
    snprintf(a, sizeof a, "%s", u);
    char *slash = strchr(a, '/');
    if (slash == NULL)
        return level_ok(a);
    *slash = '\0';
    return level_ok(a) && level_ok(slash + 1);
}

static int fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap ? n : -1;
}

int mqtt_username(char *buf, size_t cap, const char *slug, const char *device_id)
{
    if (!level_ok(slug) || !level_ok(device_id))
        return -1;
    return fits(snprintf(buf, cap, "%s/%s", slug, device_id), cap) < 0 ? -1 : 0;
}

int mqtt_device_topic(char *buf, size_t cap, const char *slug, const char *device_id, const char *leaf)
{
    if (!level_ok(slug) || !level_ok(device_id) || leaf == NULL || leaf[0] == '\0')
        return -1;
    return fits(snprintf(buf, cap, "faceclock/%s/devices/%s/%s", slug, device_id, leaf), cap) < 0 ? -1 : 0;
}

int mqtt_acl_topic(char *buf, size_t cap, const struct acl_rule *r, const char *slug, const char *device_id)
{
    if (r == NULL || r->via != ACL_MQTT)
        return -1;
    switch (r->place) {
    case ACL_OWN:
        return mqtt_device_topic(buf, cap, slug, device_id, r->what);
    case ACL_HOTEL:
        if (!level_ok(slug))
            return -1;
        return fits(snprintf(buf, cap, "faceclock/%s/devices/%s", slug, r->what), cap) < 0 ? -1 : 0;
    case ACL_ALL:
        return fits(snprintf(buf, cap, "faceclock/%s", r->what), cap) < 0 ? -1 : 0;
    }
    return -1;
}

int mqtt_acl_entry(char *buf, size_t cap, int tier, const char *user, const char *slug, const char *device_id)
{
    char topic[MQTT_TOPIC_MAX];
    int len;

    if (!user_ok(user) || (len = fits(snprintf(buf, cap, "user %s\n", user), cap)) < 0)
        return -1;
    for (int i = 0; i < acl_nrules; i++) {
        const struct acl_rule *r = &acl_rules[i];
        if (r->via != ACL_MQTT || !acl_allows(r, tier))
            continue;
        if (mqtt_acl_topic(topic, sizeof topic, r, slug, device_id) < 0)
            return -1;
        int n = fits(snprintf(buf + len, cap - (size_t)len, "topic %s %s\n", acl_action_name(r->action), topic),
                     cap - (size_t)len);
        if (n < 0)
            return -1;
        len += n;
    }
    return len;
}

int mqtt_password_hash(const char *secret, const unsigned char salt[MQTT_SALT_BYTES], char *out)
{
    unsigned char dk[MQTT_HASH_BYTES];
    char s64[B64_ENCODED_LEN(MQTT_SALT_BYTES) + 1], h64[B64_ENCODED_LEN(MQTT_HASH_BYTES) + 1];

    if (gcry_kdf_derive(secret, strlen(secret), GCRY_KDF_PBKDF2, GCRY_MD_SHA512, salt, MQTT_SALT_BYTES,
                        MQTT_ITERATIONS, sizeof dk, dk) != 0)
        return -1;
    b64_encode(salt, MQTT_SALT_BYTES, s64);
    b64_encode(dk, sizeof dk, h64);
    return fits(snprintf(out, MQTT_PWHASH_MAX, "$7$%d$%s$%s", MQTT_ITERATIONS, s64, h64), MQTT_PWHASH_MAX) < 0
               ? -1 : 0;
}

int mqtt_password_hash_valid(const char *s)
{
    static const char head[] = "$7$101$";
    size_t n, salt = B64_ENCODED_LEN(MQTT_SALT_BYTES), hash = B64_ENCODED_LEN(MQTT_HASH_BYTES);

    if (s == NULL || strncmp(s, head, sizeof head - 1) != 0)
        return 0;
    s += sizeof head - 1;
    if (strlen(s) != salt + 1 + hash || s[salt] != '$')
        return 0;
    return b64_decoded_size(s, salt, &n) == 0 && n == MQTT_SALT_BYTES &&
           b64_decoded_size(s + salt + 1, hash, &n) == 0 && n == MQTT_HASH_BYTES;
}

int mqtt_passwd_line(char *buf, size_t cap, const char *user, const char *hash)
{
    if (!user_ok(user) || !mqtt_password_hash_valid(hash))
        return -1;
    return fits(snprintf(buf, cap, "%s:%s\n", user, hash), cap);
}

int mqtt_version_message(char *buf, size_t cap, long long version)
{
    if (version < 0)
        return -1;
    return fits(snprintf(buf, cap, "{\"version\":%lld}", version), cap);
}

int mqtt_action_message(char *buf, size_t cap, long long id, const char *kind)
{
    if (id <= 0 || kind == NULL || *kind == '\0' || strlen(kind) > 32 ||
        strspn(kind, "abcdefghijklmnopqrstuvwxyz_") != strlen(kind))
        return -1;
    return fits(snprintf(buf, cap, "{\"id\":%lld,\"kind\":\"%s\"}", id, kind), cap);
}

int mqtt_url_parse(const char *url, char *host, size_t host_cap, int *port)
{
    static const char scheme[] = "mqtt://";
    const char *h, *colon;
    size_t n;
    long p = 0;

    if (url == NULL || strncmp(url, scheme, sizeof scheme - 1) != 0)
        return -1;
    h = url + sizeof scheme - 1;
    n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
    colon = h + n;
    if (n == 0 || n >= host_cap || *colon != ':')
        return -1;
    const char *d = colon + 1;
    if (*d == '\0' || *d == '0' || strspn(d, "0123456789") != strlen(d) || strlen(d) > 5)
        return -1;
    for (; *d != '\0'; d++)
        p = p * 10 + (*d - '0');
    if (p < 1 || p > 65535)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = (int)p;
    return 0;
}
