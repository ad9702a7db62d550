/* tests/fuzz/mqtt_url.c — libFuzzer target: mqtt_url_parse (handlers/
 * devices/mqtt_rules.c) on any text, into an exact-size heap buffer for the
 * host, so ASan sees a byte past it; what it accepts must read back the
 * same: "mqtt://" + host + ":" + port is the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/mqtt_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = data[0] % 80;        /* the first byte picks the host buffer's size */
    char *in = malloc(size);
    memcpy(in, data + 1, size - 1);
    in[size - 1] = '\0';
    char *host = malloc(cap ? cap : 1);
    int port = 0;
    if (mqtt_url_parse(in, host, cap, &port) == 0) {
        char again[128];
        if (port < 1 || port > 65535 || strlen(host) >= cap)
            abort();
        snprintf(again, sizeof again, "mqtt://%s:%d", host, port);
        if (strcmp(again, in) != 0)
            abort();
    }
    free(host);
    free(in);
    return 0;
}
