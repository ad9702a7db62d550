/* tests/fuzz/insights_period.c — libFuzzer target: the Insights period
 * (handlers/attendance/insights_rules.c) from any from / to / today
 * texts (split at the first two NUL bytes). A date that reads as a day
 * number writes back as the very same text; an accepted period is
 * 1..INSIGHTS_MAX_DAYS days of real dates, from before to; a refused one
 * has a message naming from or to. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/insights_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const char *date)
{
    long long day = insights_day_number(date);
    if (day < 0)
        return;
    char back[11];
    insights_day_text(day, back);
    if (strcmp(back, date) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3);
    memcpy(buf, data, size);
    memset(buf + size, 0, 3);
    const char *from = buf, *to = from + strlen(from) + 1;
    if (to > buf + size)
        to = buf + size + 1;
    const char *today = to + strlen(to) + 1;
    if (today > buf + size + 1)
        today = buf + size + 2;
    round_trip(from);
    round_trip(to);
    round_trip(today);

    char f[11], t[11];
    int days = -1;
    for (int mask = 0; mask < 4; mask++) {
        enum insights_period_result res = insights_period(mask & 1 ? from : NULL, mask & 2 ? to : NULL, today,
                                                          f, t, &days);
        if (res == PERIOD_OK) {
            long long df = insights_day_number(f), dt = insights_day_number(t);
            if (df < 0 || dt < df || days != dt - df + 1 || days < 1 || days > INSIGHTS_MAX_DAYS)
                abort();
        } else {
            const char *field = NULL, *why = insights_period_message(res, &field);
            if (why == NULL || field == NULL || (strcmp(field, "from") != 0 && strcmp(field, "to") != 0))
                abort();
        }
    }
    free(buf);
    return 0;
}
