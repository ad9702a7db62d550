/* tests/fuzz/notify_url.c — libFuzzer target: the notifications' checks
 * (handlers/notify/notify_rules.c) on a heap copy of the input: the
 * webhook URL check with and without the allow-private setting (what it
 * accepts is http(s) with a host, no user name, no space or control
 * character; what it accepts without the setting it accepts with it),
 * the email address check (an accepted address has one '@' and nothing a
 * mail header could be broken with) and the event pattern check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notify/notify_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int never_own(int family, const void *addr)
{
    (void)family;
    (void)addr;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    const char *why = NULL;
    int strict = notify_url_check(s, 0, never_own, &why);
    int loose = notify_url_check(s, 1, NULL, &why);
    if (strict == 0 && loose != 0)
        abort();
    if (loose == 0) {
        size_t n = strlen(s);
        if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0)
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
                abort();
        const char *a = strstr(s, "://") + 3;
        size_t alen = strcspn(a, "/?#");
        if (alen == 0 || memchr(a, '@', alen) != NULL || n > NOTIFY_URL_MAX)
            abort();
    } else if (why == NULL) {
        abort();                    /* a refusal always says why */
    }
    if (notify_email_valid(s)) {
        const char *at = strchr(s, '@');
        if (at == NULL || strchr(at + 1, '@') != NULL || strpbrk(s, "\r\n \t<>\"(),:;[]\\") != NULL ||
            strlen(s) > NOTIFY_EMAIL_MAX)
            abort();
    }
    if (notify_pattern_valid(s) && strcmp(s, "*") != 0 && strchr(s, '.') == NULL)
        abort();
    free(s);
    return 0;
}
