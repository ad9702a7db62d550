/* sync_store.h — what a device's sync reads and writes in the database
 * (sync_store.c): the device's and the hotel's state, the profiles to add
 * and the people to remove, row by row, and the version the device is
 * recorded at. None of them answers the request: on a database failure
 * they return -1 and the caller answers with db_fail_reply(). */
#ifndef FC_SYNC_STORE_H
#define FC_SYNC_STORE_H

#include <json-c/json.h>
#include "pool.h"
#include "sync_rules.h"

/* A device's sync state, read in one statement. */
struct sync_device {
    struct sync_state hotel;   /* for sync_decide(); device_model is pool memory */
    long long total;           /* profiles the device holds (total_enrolled) */
    const char *now;           /* the database's now, RFC 3339 (pool): synced_at */
    long long stored;          /* devices.sync_version */
    int has_heartbeat;
    double heartbeat_age;      /* seconds */
};

/* Read the state of the hotel's device device_pk. 1; 0 when it is gone
 * (deactivated since it was authenticated); -1. */
int sync_device_load(struct pool *pool, long long device_pk, long long hotel_id, struct sync_device *d);

/* Hand row() each change a sync answers, in constant memory: with since 0
 * every profile the device holds, else the profiles pushed to it or whose
 * face data was replaced after since, then the people taken off it after
 * since (additions first). An addition is the profile as the answer lists
 * it ({"user_id", "embedding", "dim", "model", "display_name"}), a removal
 * the employee code as a JSON string; item is borrowed for the call.
 * row() returns 0 to go on or -1 to stop. 0; -1 on a database failure or
 * when row() stopped (the caller knows which from its ctx); -2 when face
 * data does not unseal (logged), before that row reached row(). */
int sync_changes(long long device_pk, long long hotel_id, long long since,
                 int (*row)(void *ctx, int removal, struct json_object *item), void *ctx);

/* The device was seen now: record it, at version holding total profiles
 * when version >= 0. 0 or -1. */
int sync_device_mark(long long device_pk, long long hotel_id, long long version, long long total);

#endif
