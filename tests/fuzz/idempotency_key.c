/* tests/fuzz/idempotency_key.c — libFuzzer target: an Idempotency-Key
 * header value (idem_key_parse, handlers/attendance/idempotency_rules.c),
 * any bytes up to the first NUL as the FastCGI parameter would carry
 * them. Asserts that an accepted key is 1..128 characters of the allowed
 * set, equals the input or the input without one pair of surrounding
 * quotes, parses again to itself (bare and quoted), and that
 * idem_key_valid agrees; that a refused input has a character outside
 * the set, no length in bounds, or unbalanced quotes; and that the
 * fingerprint of the bytes as a body is 64 lowercase hex digits and the
 * same twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/idempotency_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int allowed(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == ':' || c == '~' || c == '+' || c == '/' || c == '=';
}

/* whether s[0..n) would be a key by the documented rule */
static int is_key(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    if (n < 1 || n > IDEM_KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!allowed((unsigned char)s[i]))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), key[IDEM_KEY_MAX + 1], again[IDEM_KEY_MAX + 1];
    char quoted[IDEM_KEY_MAX + 3];

    memcpy(text, data, size);
    text[size] = '\0';
    size_t n = strlen(text);
    int rc = idem_key_parse(text, key);
    if (rc != 0 && rc != -1)
        abort();
    if ((rc == 0) != is_key(text, n) || idem_key_valid(text) != (rc == 0))
        abort();
    if (rc == 0) {
        size_t k = strlen(key);
        if (k < 1 || k > IDEM_KEY_MAX)
            abort();
        for (size_t i = 0; i < k; i++)
            if (!allowed((unsigned char)key[i]))
                abort();
        if (!(strcmp(key, text) == 0 || (k + 2 == n && text[0] == '"' && memcmp(text + 1, key, k) == 0)))
            abort();
        if (idem_key_parse(key, again) != 0 || strcmp(again, key) != 0)
            abort();
        quoted[0] = '"';
        memcpy(quoted + 1, key, k);
        quoted[k + 1] = '"';
        quoted[k + 2] = '\0';
        if (idem_key_parse(quoted, again) != 0 || strcmp(again, key) != 0)
            abort();
    }
    char fp[IDEM_FP_HEX], fp2[IDEM_FP_HEX];
    idem_fingerprint("POST", "/p", (const char *)data, size, fp);
    idem_fingerprint("POST", "/p", (const char *)data, size, fp2);
    if (strlen(fp) != 64 || strspn(fp, "0123456789abcdef") != 64 || strcmp(fp, fp2) != 0)
        abort();
    free(text);
    return 0;
}
