/* tests/fuzz/config.c — libFuzzer target: a FACECLOCK_CONFIG file
 * (fcgi/config.c: load_file, every setting's parser, FACECLOCK_PURGE_AT's
 * HH:MM among them) read by config_load() from the input's bytes. A file
 * it refuses must leave no setting past its bounds unrefused: checked on
 * what it accepts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/fc-fuzz-config-%d", (int)getpid());
        setenv("FACECLOCK_CONFIG", path, 1);
    }
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (config_load() == 0) {
        if (g_config.purge_at < 0 || g_config.purge_at >= 24 * 60 || g_config.workers < 1 ||
            g_config.request_deadline < 1)
            abort();
    }
    return 0;
}
