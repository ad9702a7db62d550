/* sync_rules.c — owns the pure decisions of push and sync (sync_rules.h):
 * the kind of sync answer, the versions it reports and records and when it
 * writes the device row; a push target's failure, a push's new enrollment
 * status and message. */
#include <stdio.h>
#include <string.h>
#include "sync_rules.h"

void sync_decide(long long since, const char *model, const struct sync_state *s,
                 struct sync_plan *out)
{
    out->report_version = s->current;
    out->store_version = s->current;
    if (model != NULL && *model != '\0' &&
        (s->device_model == NULL || strcmp(model, s->device_model) != 0))
        out->kind = SYNC_REQUIRE_FULL;
    else if (since == 0)
        out->kind = SYNC_FULL;
    else if (since < s->floor || since > s->current)
        out->kind = SYNC_REQUIRE_FULL;
    else if (since == s->current)
        out->kind = SYNC_UP_TO_DATE;
    else
        out->kind = SYNC_INCREMENTAL;
    if (out->kind == SYNC_REQUIRE_FULL)
        out->store_version = -1;
}

int sync_should_mark(const struct sync_plan *p, long long stored, int has_heartbeat,
                     double heartbeat_age)
{
    if (p->store_version >= 0 && p->store_version != stored)
        return 1;
    return !has_heartbeat || heartbeat_age >= SYNC_MARK_SECONDS;
}

const char *push_target_error(const struct push_target *t)
{
    if (!t->found)
        return "Device not found";
    if (!t->face_recognition)
        return "Device does not support face recognition";
    if (!t->holds_profiles)
        return "Device's tier holds no profiles";
    if (t->status == DEVICE_PROVISIONING)
        return "Device not provisioned";
    if (t->status != DEVICE_ONLINE)
        return "Device offline";
    return NULL;
}

const char *push_new_status(int targeted, int failed)
{
    return targeted > 0 && failed == 0 ? "enrolled" : "pending";
}

void push_message(int targeted, int failed, char *buf, unsigned long size)
{
    if (targeted == 0)
        snprintf(buf, size, "No devices to push to");
    else if (failed == 0)
        snprintf(buf, size, "Profile pushed to %d device%s", targeted, targeted == 1 ? "" : "s");
    else if (failed < targeted)
        snprintf(buf, size, "Profile push partially failed");
    else
        snprintf(buf, size, "Profile push failed");
}
