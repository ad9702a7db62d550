/* tests/fuzz/sync.c — libFuzzer target: the pure decisions of push and
 * sync (handlers/devices/sync_rules.c) and the device validators they
 * rest on (device_rules.c). The input's first 41 bytes are the numbers
 * (since, the hotel's version and floor, the stored version, the
 * heartbeat's age, counts and flags); the rest, split at the first NUL,
 * is the model asked for and the device's own model, and also runs
 * through valid_device_id, valid_capability and device_status_parse.
 * Asserts the rules of sync_rules.h as stated there, and that
 * push_message fits any buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/sync_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long long take(const uint8_t **p)
{
    int64_t v;
    memcpy(&v, *p, 8);
    *p += 8;
    return (long long)v;
}

static int id_char(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (!first && (c == '.' || c == '_' || c == ':' || c == '-'));
}

static void check_validators(const char *s)
{
    size_t n = strlen(s);
    int ok = n >= 1 && n <= 64;
    enum device_status st;

    for (size_t i = 0; ok && i < n; i++)
        ok = id_char(s[i], i == 0);
    if (valid_device_id(s) != ok)
        abort();
    if (valid_capability(s) != (strcmp(s, "face_recognition") == 0 || strcmp(s, "emotion_monitoring") == 0))
        abort();
    if (device_status_parse(s, &st) == 0 && strcmp(device_status_name(st), s) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 41)
        return 0;
    const uint8_t *p = data;
    long long since = llabs(take(&p) % 1000000), current = llabs(take(&p) % 1000000);
    long long floor = llabs(take(&p) % 1000000), stored = take(&p) % 1000000;
    double age;
    memcpy(&age, p, 8);
    p += 8;
    uint8_t flags = *p++;

    size_t rest = size - 41;
    char *text = malloc(rest + 2);
    memcpy(text, p, rest);
    text[rest] = text[rest + 1] = '\0';
    const char *model = text, *device_model = text + strlen(text) + 1;
    if (device_model > text + rest)
        device_model = text + rest;
    check_validators(model);
    check_validators(device_model);

    struct sync_state s = {current, floor, flags & 1 ? NULL : device_model};
    struct sync_plan plan;
    const char *asked = flags & 2 ? NULL : model;
    sync_decide(since, asked, &s, &plan);
    int model_differs = asked != NULL && *asked != '\0' &&
                        (s.device_model == NULL || strcmp(asked, s.device_model) != 0);
    if (plan.report_version != current)
        abort();
    if ((plan.kind == SYNC_REQUIRE_FULL) != (plan.store_version == -1) ||
        (plan.kind != SYNC_REQUIRE_FULL && plan.store_version != current))
        abort();
    switch (plan.kind) {
    case SYNC_FULL:
        if (model_differs || since != 0)
            abort();
        break;
    case SYNC_INCREMENTAL:
        if (model_differs || !(since > 0 && since >= floor && since < current))
            abort();
        break;
    case SYNC_UP_TO_DATE:
        if (model_differs || since == 0 || since != current)
            abort();
        break;
    case SYNC_REQUIRE_FULL:
        if (!model_differs && (since == 0 || (since >= floor && since <= current)))
            abort();
        break;
    default:
        abort();
    }

    int hb = (flags & 4) != 0;
    int mark = sync_should_mark(&plan, stored, hb, age);
    int want = (plan.store_version >= 0 && plan.store_version != stored) || !hb ||
               age >= SYNC_MARK_SECONDS;
    if (mark != want)
        abort();

    /* a push: the target's failure, the new status, the message in any room */
    struct push_target t = {flags & 8 ? 1 : 0, flags & 16 ? 1 : 0, (enum device_status)((flags >> 5) % 3),
                            (flags & 2) == 0};
    const char *err = push_target_error(&t);
    if ((err == NULL) != (t.found && t.face_recognition && t.holds_profiles && t.status == DEVICE_ONLINE))
        abort();
    int targeted = (int)(since % 50), failed = (int)(current % 50) % (targeted + 1);
    const char *status = push_new_status(targeted, failed);
    if (strcmp(status, targeted > 0 && failed == 0 ? "enrolled" : "pending") != 0)
        abort();
    unsigned long room = 1 + (unsigned long)(flags >> 2) % 64;
    char *buf = malloc(room);
    push_message(targeted, failed, buf, room);
    if (strlen(buf) >= room)
        abort();
    free(buf);
    free(text);
    return 0;
}
