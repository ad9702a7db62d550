/* tests/fuzz/event.c — libFuzzer target: event_note_parse (handlers/live/
 * event_rules.c), the parser of faceclock_events notification payloads,
 * on a heap copy of exactly the input (no terminator, so ASan sees a read
 * past the end); what it accepts must be a valid event, and parsing its
 * own re-serialised form gives the same note. Then the channel path of
 * the input as a key: accepted only for a slug, and then "/pub/hotel/<key>". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/event_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    memcpy(in, data, size);
    struct event_note n, again;
    if (event_note_parse(in, size, &n) == 0) {
        if (!event_type_valid(n.type) || n.hotel_id <= 0 || n.id < 0)
            abort();
        char buf[256];
        int w = snprintf(buf, sizeof buf, "{\"id\":%lld,\"type\":\"%s\",\"hotel_id\":%lld}", n.id, n.type,
                         n.hotel_id);
        if (event_note_parse(buf, (size_t)w, &again) != 0 || again.id != n.id ||
            again.hotel_id != n.hotel_id || strcmp(again.type, n.type) != 0)
            abort();
    } else if (n.id != 0 || n.hotel_id != 0 || n.type[0] != '\0') {
        abort();                    /* a refusal leaves nothing half-filled */
    }
    char key[80], path[96];
    size_t k = size < sizeof key - 1 ? size : sizeof key - 1;
    memcpy(key, data, k);
    key[k] = '\0';
    if (event_channel_path(path, sizeof path, key, 0) == 0) {
        if (strncmp(path, "/pub/hotel/", 11) != 0 || strcmp(path + 11, key) != 0 ||
            strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(key))
            abort();
    }
    free(in);
    return 0;
}
