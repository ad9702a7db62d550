/* mqtt_store.h — the MQTT push's SQL (sql/021_mqtt.sql): the devices that
 * hold broker credentials (the broker's password and ACL files are
 * written from them), the pending "sync now" versions with the devices
 * each goes to, each device's own pending config and action messages,
 * marking them sent, trimming old sent rows. */
#ifndef FC_MQTT_STORE_H
#define FC_MQTT_STORE_H

struct mqtt_credential {
    const char *slug;          /* the hotel's */
    const char *device_id;
    const char *hash;          /* devices.mqtt_hash */
    int tier;                  /* devices.tier: enum device_tier (acl_rules.h), 0 unknown */
};

/* Hand each device in service with credentials to fn (0: go on, -1:
 * stop), by hotel slug and device id. The count, or -1 (database). */
long long mqtt_store_each_credential(int (*fn)(void *ctx, const struct mqtt_credential *c), void *ctx);

struct mqtt_push {
    long long hotel_id;
    long long through;         /* the highest pending row of the hotel */
    const char *slug;
    long long version;         /* the hotel's newest pending version */
    const char *device_id;     /* NULL: the hotel has no device with credentials */
    int tier;                  /* the device's enum device_tier (acl_rules.h) */
};

/* The pending pushes, one per hotel (at most limit hotels, the oldest
 * first), once per device of the hotel with credentials. The count of
 * rows handed over, or -1. */
long long mqtt_store_each_pending(int limit, int (*fn)(void *ctx, const struct mqtt_push *p), void *ctx);

/* A device's own pending message (sql/024_location_config.sql): its
 * config version moved (kind "config") or an action was queued for it
 * ("action"). */
struct mqtt_device_push {
    long long id;              /* the mqtt_pushes row */
    const char *slug, *device_id;
    const char *kind;          /* "config" or "action" */
    long long version;         /* config: the device's config_version then */
    long long action_id;       /* action: its id and kind */
    const char *action;
    int send;                  /* 0: nothing to send (a newer version is pending, the action is
                                * acknowledged, the device has no credentials now): only marked */
};

/* The pending device messages, oldest first, at most limit: the count
 * handed to fn (0: go on, -1: stop), or -1. */
long long mqtt_store_each_device_pending(int limit, int (*fn)(void *ctx, const struct mqtt_device_push *p),
                                         void *ctx);

/* The rows of ids (a PostgreSQL array literal "{1,2}") marked sent. 0 or
 * -1. */
int mqtt_store_mark_ids(const char *ids);

/* The hotel's pending rows up to through marked sent. 0 or -1. */
int mqtt_store_mark_sent(long long hotel_id, long long through);

/* Delete rows sent more than days ago: the count, or -1. */
long long mqtt_store_trim(int days);

#endif
