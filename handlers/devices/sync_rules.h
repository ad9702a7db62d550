/* sync_rules.h — the decisions of push and sync (docs/iot.md, "Push and
 * sync") without any I/O: what a sync answers and which version the device
 * is then recorded at; whether a push target can take the profile; the
 * enrollment status and message a push ends with. Pure; unit-tested
 * (tests/unit/test_sync_rules.c). */
#ifndef FC_SYNC_RULES_H
#define FC_SYNC_RULES_H

#include "device_rules.h"

/* What a sync answers. */
enum sync_kind {
    SYNC_FULL,            /* since_version 0: every profile the device holds */
    SYNC_INCREMENTAL,     /* changes newer than since_version, from the change log */
    SYNC_UP_TO_DATE,      /* since_version is the hotel's version: nothing can have changed */
    SYNC_REQUIRE_FULL,    /* full_sync_required: true, empty lists */
};

struct sync_plan {
    enum sync_kind kind;
    long long report_version;  /* "sync_version" of the answer: the hotel's version */
    long long store_version;   /* devices.sync_version afterwards; -1 = leave it */
};

/* The hotel's state as one snapshot reads it. */
struct sync_state {
    long long current;         /* hotels.sync_version */
    long long floor;           /* hotels.sync_floor: changes up to it are trimmed */
    const char *device_model;  /* devices.model */
};

/* Decide a sync for since (>= 0) and the model asked for (NULL or "" =
 * none given). A full sync is required when the model differs from the
 * device's, when since is behind the kept history (0 < since < floor), or
 * ahead of the hotel's version (the device remembers a future: a restored
 * database, another hotel's numbers). A device that is answered is
 * recorded at the version reported; one told to sync in full keeps what it
 * had. */
void sync_decide(long long since, const char *model, const struct sync_state *s,
                 struct sync_plan *out);

/* A sync refreshes devices.last_heartbeat_at at most this often (the
 * heartbeat endpoint is the exact one; online means under 90 s), so a
 * device that polls without news costs no write most of the time. */
#define SYNC_MARK_SECONDS 10

/* Whether a sync decided as p must write the device row: when the version
 * recorded changes (stored: devices.sync_version now), or the last
 * heartbeat is missing or SYNC_MARK_SECONDS old or more (age in seconds;
 * a negative age, a clock step, counts as fresh). */
int sync_should_mark(const struct sync_plan *p, long long stored, int has_heartbeat,
                     double heartbeat_age);

/* A push target as the database sees it. */
struct push_target {
    int found;                 /* a device of the hotel, not deactivated */
    int face_recognition;      /* capability = face_recognition */
    enum device_status status; /* device_rules.h: provisioning, online, offline */
    int holds_profiles;        /* its ACL tier may sync (acl_rules.h): not a display or gateway */
};

/* NULL when the target takes the profile, else the result's "error":
 * "Device not found", "Device does not support face recognition",
 * "Device's tier holds no profiles", "Device not provisioned", "Device
 * offline" (checked in that order). */
const char *push_target_error(const struct push_target *t);

/* "enrolled" when at least one device was targeted and none failed,
 * else "pending". */
const char *push_new_status(int targeted, int failed);

/* The answer's "message" into buf: "Profile pushed to 2 devices",
 * "Profile push partially failed", "Profile push failed",
 * "No devices to push to". */
void push_message(int targeted, int failed, char *buf, unsigned long size);

#endif
