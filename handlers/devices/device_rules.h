/* device_rules.h — the rules of edge devices and their events (docs/iot.md)
 * that need no database: connectivity status from the last heartbeat, the
 * lifecycle a device is shown with, and the validators of device ids,
 * capabilities, locations, event ids, event timestamps and event metadata.
 * Pure (no I/O); tests/unit/test_device_rules.c pins every rule down. */
#ifndef FC_DEVICE_RULES_H
#define FC_DEVICE_RULES_H

#include <stddef.h>
#include <json-c/json.h>

#define DEVICE_ONLINE_SECONDS 90     /* a heartbeat younger than this: online */
#define DEVICE_TOKEN_SECONDS 300     /* a provisioning token's life */
#define EVENT_METADATA_MAX 16384     /* bytes of an event's metadata, serialized */

enum device_status { DEVICE_PROVISIONING = 0, DEVICE_ONLINE, DEVICE_OFFLINE };

/* provisioning until provisioned; then online when there was a heartbeat
 * less than DEVICE_ONLINE_SECONDS ago (a negative age, a heartbeat written
 * after the reader's clock started, counts as online), else offline. */
enum device_status device_status(int provisioned, int has_heartbeat, double age_seconds);

/* "provisioning" / "online" / "offline" */
const char *device_status_name(enum device_status s);

/* The reverse; 0, or -1 for any other string (NULL included). */
int device_status_parse(const char *name, enum device_status *out);

/* The lifecycle reported for a device stored with lifecycle `stored`:
 * OFFLINE when it has a key (PROVISIONED, ACTIVE, ERROR) but is not
 * online, else `stored` itself (DISABLED stays DISABLED)
 * (the returned pointer is `stored` or a static string). */
const char *device_lifecycle_shown(const char *stored, enum device_status s);

/* [A-Za-z0-9][A-Za-z0-9._:-]{0,63}, as the devices table checks. 1 = ok. */
int valid_device_id(const char *s);

/* "face_recognition" or "emotion_monitoring". 1 = ok. */
int valid_capability(const char *s);

/* EV1-<10..16 digits: epoch milliseconds>-<4..64 of [A-Za-z0-9]>, as the
 * device_events table checks. 1 = ok. */
int valid_event_id(const char *s);

/* location_geo: v NULL (absent or JSON null) → *present = 0; else an
 * array of exactly two finite numbers [lon, lat] with lon in [-180, 180]
 * and lat in [-90, 90] → *present = 1 and *lon, *lat. 0, or -1 with *why
 * set to a static message. */
int device_geo_from_json(struct json_object *v, int *present, double *lon, double *lat,
                         const char **why);

/* An RFC 3339 timestamp (fcgi/validate.h parse_timestamp) from 1970 to
 * 9999 written into out (at least 40 bytes) as the exact UTC text
 * "YYYY-MM-DD HH:MM:SS.uuuuuu+00" PostgreSQL reads without guessing. 0 or
 * -1 (malformed or out of range). */
int event_timestamp_text(const char *s, char *out, size_t outlen);

/* An event's metadata: a JSON object whose serialized form is at most
 * EVENT_METADATA_MAX bytes, holding no string with a NUL character, no
 * number that is not finite (PostgreSQL's jsonb takes neither) and no
 * integer json-c could not hold in 64 bits. 0, or -1 with *why set to a
 * static message. */
int event_metadata_check(struct json_object *o, const char **why);

/* The same three checks as a route's declared validators (1 = ok). */
int valid_device_geo(struct json_object *v);
int valid_event_timestamp(const char *s);
int valid_event_metadata(struct json_object *o);

#endif
