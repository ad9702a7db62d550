/* mqtt_store.c — owns the SQL of the MQTT push (mqtt_store.h): the devices
 * with broker credentials and their ACL tiers, the mqtt_pushes outbox
 * (pending "sync now" per hotel, pending config and action messages per
 * device, sent, trim). */
#include "acl_rules.h"
#include "db.h"
#include "mqtt_store.h"

/* a device in service that provisioned a key since migration 021 */
static struct db_stmt st_credentials = {
    "mqtt_credentials",
    "SELECT h.slug, d.device_id, d.mqtt_hash, d.tier FROM devices d JOIN hotels h ON h.id = d.hotel_id "
    "WHERE d.mqtt_hash IS NOT NULL AND d.deactivated_at IS NULL "
    "AND d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR') ORDER BY h.slug, d.device_id",
    0,
};

static struct db_stmt st_pending = {
    "mqtt_pending",
    "WITH p AS (SELECT hotel_id, max(version) AS version, max(id) AS through FROM mqtt_pushes "
    "           WHERE sent_at IS NULL AND kind = 'sync' GROUP BY hotel_id ORDER BY min(id) LIMIT $1) "
    "SELECT p.hotel_id, p.through, h.slug, p.version, d.device_id, d.tier "
    "FROM p JOIN hotels h ON h.id = p.hotel_id "
    "LEFT JOIN devices d ON d.hotel_id = p.hotel_id AND d.mqtt_hash IS NOT NULL "
    "AND d.deactivated_at IS NULL AND d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR') "
    "ORDER BY p.through, d.device_id",
    0,
};

static struct db_stmt st_mark = {
    "mqtt_mark_sent",
    "UPDATE mqtt_pushes SET sent_at = now() WHERE hotel_id = $1 AND id <= $2 AND sent_at IS NULL AND kind = 'sync'",
    0,
};

/* a config row is worth sending while it is the device's version, an
 * action while it is not acknowledged, either while the device holds
 * broker credentials */
static struct db_stmt st_device_pending = {
    "mqtt_device_pending",
    "SELECT p.id, h.slug, d.device_id, p.kind, p.version, p.action_id, a.action, "
    "d.mqtt_hash IS NOT NULL AND d.deactivated_at IS NULL AND d.lifecycle IN ('PROVISIONED', 'ACTIVE', 'ERROR') "
    "AND CASE WHEN p.kind = 'config' THEN p.version = d.config_version ELSE a.status <> 'acknowledged' END "
    "FROM mqtt_pushes p JOIN hotels h ON h.id = p.hotel_id JOIN devices d ON d.id = p.device_pk "
    "LEFT JOIN device_actions a ON a.id = p.action_id "
    "WHERE p.sent_at IS NULL AND p.kind <> 'sync' ORDER BY p.id LIMIT $1",
    0,
};

static struct db_stmt st_mark_ids = {
    "mqtt_mark_ids",
    "UPDATE mqtt_pushes SET sent_at = now() WHERE id = ANY ($1::bigint[]) AND sent_at IS NULL",
    0,
};

static struct db_stmt st_trim = {
    "mqtt_trim",
    "DELETE FROM mqtt_pushes WHERE sent_at < now() - make_interval(days => $1)",
    0,
};

long long mqtt_store_each_credential(int (*fn)(void *ctx, const struct mqtt_credential *c), void *ctx)
{
    PGresult *r = db_run(&st_credentials, NULL);
    if (r == NULL)
        return -1;
    long long n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        struct mqtt_credential c = {db_str(r, i, 0), db_str(r, i, 1), db_str(r, i, 2),
                                    device_tier_parse(db_str(r, i, 3))};
        n++;
        if (fn(ctx, &c) < 0)
            break;
    }
    PQclear(r);
    return n;
}

long long mqtt_store_each_pending(int limit, int (*fn)(void *ctx, const struct mqtt_push *p), void *ctx)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, limit);
    PGresult *r = db_run(&st_pending, &a);
    if (r == NULL)
        return -1;
    long long n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        struct mqtt_push p = {db_ll(r, i, 0), db_ll(r, i, 1), db_str(r, i, 2), db_ll(r, i, 3), db_str(r, i, 4),
                              device_tier_parse(db_str(r, i, 5))};
        n++;
        if (fn(ctx, &p) < 0)
            break;
    }
    PQclear(r);
    return n;
}

long long mqtt_store_each_device_pending(int limit, int (*fn)(void *ctx, const struct mqtt_device_push *p),
                                         void *ctx)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, limit);
    PGresult *r = db_run(&st_device_pending, &a);
    if (r == NULL)
        return -1;
    long long n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        struct mqtt_device_push p = {db_ll(r, i, 0), db_str(r, i, 1), db_str(r, i, 2), db_str(r, i, 3),
                                     db_ll(r, i, 4), db_ll(r, i, 5),  db_str(r, i, 6), db_bool(r, i, 7)};
        n++;
        if (fn(ctx, &p) < 0)
            break;
    }
    PQclear(r);
    return n;
}

int mqtt_store_mark_ids(const char *ids)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_str(&a, ids);
    return db_exec(&st_mark_ids, &a) < 0 ? -1 : 0;
}

int mqtt_store_mark_sent(long long hotel_id, long long through)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, through);
    return db_exec(&st_mark, &a) < 0 ? -1 : 0;
}

long long mqtt_store_trim(int days)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, days);
    return db_exec(&st_trim, &a);
}
