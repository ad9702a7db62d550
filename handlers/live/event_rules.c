/* event_rules.c — pure: notification payloads of faceclock_events, the
 * event types, the nchan channels an event is published to, and a
 * catch-up's gap and cursor. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "live/event_rules.h"

int event_type_valid(const char *type)
{
    size_t n = strlen(type);
    if (n < 3 || n > EVENT_TYPE_MAX)
        return 0;
    int words = 1;
    size_t word = 0;                 /* length of the current word */
    for (size_t i = 0; i < n; i++) {
        char c = type[i];
        if (c == '.') {
            if (word == 0)
                return 0;
            words++;
            word = 0;
        } else if ((c >= 'a' && c <= 'z') || (c == '_' && words > 1)) {
            word++;
        } else {
            return 0;
        }
    }
    return word > 0 && words >= 2;
}

static int get_ll(struct json_object *o, const char *key, long long *v)
{
    struct json_object *x;
    if (!json_object_object_get_ex(o, key, &x))
        return 0;                    /* absent */
    if (!json_object_is_type(x, json_type_int))
        return -1;
    *v = json_object_get_int64(x);
    return 1;
}

int event_note_parse(const char *payload, size_t len, struct event_note *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > 8000)
        return -1;
    struct json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return -1;
    struct json_object *o = json_tokener_parse_ex(tok, payload, (int)len);
    int whole = json_tokener_get_error(tok) == json_tokener_success &&
                json_tokener_get_parse_end(tok) == len;
    json_tokener_free(tok);
    int rc = -1;
    struct json_object *t;
    if (o == NULL || !whole || !json_object_is_type(o, json_type_object))
        goto out;
    if (get_ll(o, "id", &out->id) < 0 || out->id < 0)
        goto out;
    if (get_ll(o, "hotel_id", &out->hotel_id) != 1 || out->hotel_id <= 0)
        goto out;
    if (!json_object_object_get_ex(o, "type", &t) || !json_object_is_type(t, json_type_string))
        goto out;
    const char *type = json_object_get_string(t);
    if ((size_t)json_object_get_string_len(t) != strlen(type) || !event_type_valid(type))
        goto out;
    snprintf(out->type, sizeof out->type, "%s", type);
    rc = 0;
out:
    json_object_put(o);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

int event_passthrough(const struct event_note *n)
{
    return n->id == 0 && strncmp(n->type, "alert.", 6) == 0;
}

int event_for_kiosk(const char *type)
{
    return strcmp(type, "clock.in") == 0 || strcmp(type, "clock.out") == 0;
}

int event_channel_path(char *buf, size_t cap, const char *slug, long long kiosk)
{
    size_t n = strlen(slug);
    if (n == 0 || n > 63 || strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        return -1;
    int w = kiosk > 0 ? snprintf(buf, cap, "/pub/hotel/%s/kiosk/%lld", slug, kiosk)
                      : snprintf(buf, cap, "/pub/hotel/%s", slug);
    return w > 0 && (size_t)w < cap ? 0 : -1;
}

int event_catchup_gap(long long after, long long through)
{
    return after < through;
}

long long event_catchup_next(long long after, long long last)
{
    return last > after ? last : after;
}
