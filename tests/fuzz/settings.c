/* tests/fuzz/settings.c — libFuzzer target: a hotel's attendance settings
 * patch (settings_apply_patch, handlers/attendance/settings_rules.c) on
 * any JSON text, applied to the defaults as PUT .../attendance/settings/
 * and a PMS sync's "settings" section apply it. Asserts that a refusal
 * names a field and a reason, that what is accepted passes
 * settings_check, and that the settings' own JSON (what the API answers
 * and a client sends back) is accepted again and reads back the same;
 * that face_registration_refusal answers 400 or 403 with a message; that
 * auto_close is one of its modes and auto_close_after_hours in 0–24; and
 * that the auto-close time of the settings (auto_close_at,
 * scheduler_rules.c) is never before the clock-in, and 0 only when
 * auto-close is off. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/scheduler_rules.h"
#include "attendance/settings_rules.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct attendance_settings s, again;
    const char *field = NULL, *why = NULL;

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *patch = jx_parse(text, size);
    free(text);
    if (!json_object_is_type(patch, json_type_object))
        goto out;

    settings_defaults(&s);
    if (settings_apply_patch(&s, patch, &field, &why) != 0) {
        if (field == NULL || why == NULL || *why == '\0')
            abort();
        goto out;
    }
    if (settings_check(&s, &field, &why) != 0)
        abort();
    if (s.auto_close < AUTO_CLOSE_OFF || s.auto_close > AUTO_CLOSE_HARD_LIMIT ||
        !(s.auto_close_after_hours >= 0 && s.auto_close_after_hours <= 24))
        abort();
    const time_t time_in = 1764892800, ends[] = {0, time_in - 3600, time_in + 8 * 3600};
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        time_t at = auto_close_at(s.auto_close, s.auto_close_after_hours, s.hard_limit_hours, time_in, ends[k]);
        if ((at == 0) != (s.auto_close == AUTO_CLOSE_OFF) || (at != 0 && at < time_in))
            abort();
    }

    /* the answer's JSON, sent back as a patch, is the same settings */
    struct json_object *shown = settings_to_json(&s);
    const char *t1 = json_object_to_json_string_ext(shown, JSON_C_TO_STRING_PLAIN);
    struct json_object *back = jx_parse(t1, strlen(t1));
    settings_defaults(&again);
    if (back == NULL || settings_apply_patch(&again, back, &field, &why) != 0)
        abort();
    struct json_object *shown2 = settings_to_json(&again);
    if (strcmp(t1, json_object_to_json_string_ext(shown2, JSON_C_TO_STRING_PLAIN)) != 0)
        abort();
    if (again.ndepartments != s.ndepartments ||
        memcmp(again.departments, s.departments, sizeof s.departments[0] * (size_t)s.ndepartments) != 0)
        abort();
    json_object_put(shown2);
    json_object_put(back);
    json_object_put(shown);

    for (int k = 0; k < 8; k++) {
        int status = 0;
        const char *msg = NULL;
        long long dep = k & 4 ? (s.ndepartments > 0 ? s.departments[0] : 0) : 0;
        const char *code = face_registration_refusal(&s, dep, k & 1, k & 2, &status, &msg);
        if (code != NULL && ((status != 400 && status != 403) || msg == NULL || *msg == '\0'))
            abort();
    }
out:
    json_object_put(patch);
    return 0;
}
