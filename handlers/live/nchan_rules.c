/* nchan_rules.c — owns the reading of nchan's status page text
 * (nchan_rules.h). */
#include <string.h>
#include "live/nchan_rules.h"

#define KEY "subscribers:"
#define MAX_DIGITS 18

/* The value of one line (without its end) when it is the subscribers
 * line: 1 with *n, 0 for another line, -1 for a bad value. */
static int line_value(const char *p, size_t len, long long *n)
{
    size_t k = sizeof KEY - 1, digits = 0;
    long long v = 0;

    if (len < k || memcmp(p, KEY, k) != 0)
        return 0;
    while (k < len && p[k] == ' ')
        k++;
    for (; k < len && p[k] >= '0' && p[k] <= '9'; k++, digits++) {
        if (digits == MAX_DIGITS)
            return -1;
        v = v * 10 + (p[k] - '0');
    }
    if (digits == 0 || k != len)
        return -1;
    *n = v;
    return 1;
}

int nchan_subscribers_parse(const char *text, size_t len, long long *n)
{
    int found = 0;
    long long got = 0;
    size_t i = 0;

    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - text) : len, l = end - i;
        if (l > 0 && text[i + l - 1] == '\r')
            l--;
        long long v;
        int rc = line_value(text + i, l, &v);
        if (rc < 0 || (rc == 1 && found))
            return -1;
        if (rc == 1) {
            got = v;
            found = 1;
        }
        i = end + 1;
    }
    if (!found)
        return -1;
    *n = got;
    return 0;
}
