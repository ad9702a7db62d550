/* device_rules.c — the database-free rules of edge devices and events
 * declared in device_rules.h: connectivity status, the lifecycle shown,
 * and the validators the device and event handlers share. Pure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "device_rules.h"
#include "validate.h"

enum device_status device_status(int provisioned, int has_heartbeat, double age_seconds)
{
    if (!provisioned)
        return DEVICE_PROVISIONING;
    if (has_heartbeat && age_seconds < DEVICE_ONLINE_SECONDS)
        return DEVICE_ONLINE;
    return DEVICE_OFFLINE;
}

static const char *const status_names[] = {"provisioning", "online", "offline"};

const char *device_status_name(enum device_status s)
{
    return status_names[s];
}

int device_status_parse(const char *name, enum device_status *out)
{
    for (int i = 0; name != NULL && i < (int)(sizeof status_names / sizeof status_names[0]); i++)
        if (strcmp(name, status_names[i]) == 0) {
            *out = (enum device_status)i;
            return 0;
        }
    return -1;
}

const char *device_lifecycle_shown(const char *stored, enum device_status s)
{
    /* only a device that has a key is "offline": a disabled one is shown
     * as such, whatever its last heartbeat */
    int keyed = stored != NULL && (strcmp(stored, "PROVISIONED") == 0 || strcmp(stored, "ACTIVE") == 0 ||
                                   strcmp(stored, "ERROR") == 0);
    return s == DEVICE_OFFLINE && keyed ? "OFFLINE" : stored;
}

static int is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int valid_device_id(const char *s)
{
    size_t n;

    if (s == NULL || !is_alnum(s[0]))
        return 0;
    n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");
    return s[n] == '\0' && n <= 64;
}

int valid_capability(const char *s)
{
    return s != NULL && (strcmp(s, "face_recognition") == 0 || strcmp(s, "emotion_monitoring") == 0);
}

int valid_event_id(const char *s)
{
    size_t digits, rest;

    if (s == NULL || strncmp(s, "EV1-", 4) != 0)
        return 0;
    s += 4;
    digits = strspn(s, "0123456789");
    if (digits < 10 || digits > 16 || s[digits] != '-')
        return 0;
    s += digits + 1;
    for (rest = 0; is_alnum(s[rest]); rest++)
        ;
    return s[rest] == '\0' && rest >= 4 && rest <= 64;
}

/* one finite JSON number (not a boolean) within [min, max] */
static int number_in(struct json_object *v, double min, double max, double *out)
{
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_double(v);
    return isfinite(*out) && *out >= min && *out <= max ? 0 : -1;
}

int device_geo_from_json(struct json_object *v, int *present, double *lon, double *lat,
                         const char **why)
{
    *present = 0;
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2) {
        *why = "location_geo must be [longitude, latitude] or null.";
        return -1;
    }
    if (number_in(json_object_array_get_idx(v, 0), -180, 180, lon) < 0) {
        *why = "The longitude must be a number from -180 to 180.";
        return -1;
    }
    if (number_in(json_object_array_get_idx(v, 1), -90, 90, lat) < 0) {
        *why = "The latitude must be a number from -90 to 90.";
        return -1;
    }
    *present = 1;
    return 0;
}

int event_timestamp_text(const char *s, char *out, size_t outlen)
{
    long long epoch;
    int usec;
    struct tm tm;

    /* 253402300800 = 10000-01-01T00:00:00Z */
    if (parse_timestamp(s, &epoch, &usec) < 0 || epoch < 0 || epoch >= 253402300800LL ||
        gmtime_r(&(time_t){(time_t)epoch}, &tm) == NULL)
        return -1;
    int n = snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* every string NUL-free and every number finite, at any depth; json-c
 * saturates an integer beyond 64 bits to UINT64_MAX or INT64_MIN, so those
 * two values stand for a number it could not keep */
static int metadata_values_ok(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return (size_t)json_object_get_string_len(v) == strlen(json_object_get_string(v));
    case json_type_double:
        return isfinite(json_object_get_double(v));
    case json_type_int:
        return json_object_get_uint64(v) != UINT64_MAX && json_object_get_int64(v) != INT64_MIN;
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (!metadata_values_ok(json_object_array_get_idx(v, i)))
                return 0;
        return 1;
    case json_type_object: {
        json_object_object_foreach(v, key, val) {
            (void)key;
            if (!metadata_values_ok(val))
                return 0;
        }
        return 1;
    }
    default:
        return 1;
    }
}

int event_metadata_check(struct json_object *o, const char **why)
{
    size_t len = 0;

    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        *why = "metadata must be a JSON object.";
        return -1;
    }
    if (!metadata_values_ok(o)) {
        *why = "metadata must not hold NUL characters, or numbers that are not finite or beyond 64 bits.";
        return -1;
    }
    if (json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len) == NULL ||
        len > EVENT_METADATA_MAX) {
        *why = "metadata must be at most 16 KiB as JSON.";
        return -1;
    }
    return 0;
}

int valid_device_geo(struct json_object *v)
{
    double lon, lat;
    int present;
    const char *why;
    return device_geo_from_json(v, &present, &lon, &lat, &why) == 0;
}

int valid_event_timestamp(const char *s)
{
    char out[40];
    return event_timestamp_text(s, out, sizeof out) == 0;
}

int valid_event_metadata(struct json_object *o)
{
    const char *why;
    return event_metadata_check(o, &why) == 0;
}
