/* push_store.h — a push of a person's face profile in the database
 * (push_store.c): in one face transaction, the person and their face data
 * held, the targets found and judged (sync_rules.h), the profile recorded
 * on each target that takes it (device_profiles, one `push` change each)
 * and the person's enrollment status. It never answers the request: on a
 * database failure it returns -1 (rolled back) and the caller answers
 * with db_fail_reply(). */
#ifndef FC_PUSH_STORE_H
#define FC_PUSH_STORE_H

#include <json-c/json.h>
#include "pool.h"

enum push_mode {
    PUSH_SELECTED,    /* the devices named, in their order, unknown ones too */
    PUSH_ALL,         /* every online face recognition device */
    PUSH_LOCATION,    /* every face recognition device at a location */
};

struct push_order {
    const char *employee_code;
    enum push_mode mode;
    struct json_object *devices;   /* PUSH_SELECTED: an array of device id strings (borrowed) */
    const char *location;          /* PUSH_LOCATION */
};

/* One target's result, in the answer's order. */
struct push_result {
    const char *device_id;
    long long device_pk;      /* devices.id; 0: no such device */
    const char *error;        /* NULL: took the profile (push_target_error()) */
    long long version;        /* of its push change */
};

struct push_outcome {
    struct push_result *results;   /* pool memory */
    int targeted, failed;
    const char *status;            /* the enrollment status now: push_new_status() */
};

/* Push the hotel's active person with face data named by p->employee_code
 * to p's targets (a device named twice counts once, where it is first
 * named), audited (enrollment.pushed) as done by who. 1 with *out (pool
 * memory), committed; 0 when there is no such person with face data
 * (nothing done); -1. */
struct actor;
int push_profile(struct pool *pool, long long hotel_id, const struct push_order *p, const struct actor *who,
                 struct push_outcome *out);

#endif
