/* idempotency_rules.c — the key's syntax, the request fingerprint and
 * which answers are kept (idempotency_rules.h). Pure. */
#include <string.h>
#include "crypto.h"
#include "idempotency_rules.h"

static int key_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-_.:~+/=", c) != NULL);
}

int idem_key_parse(const char *header, char out[IDEM_KEY_MAX + 1])
{
    size_t n = strlen(header);
    if (n >= 2 && header[0] == '"' && header[n - 1] == '"') {
        header++;
        n -= 2;
    }
    if (n == 0 || n > IDEM_KEY_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!key_char((unsigned char)header[i]))
            return -1;
    memcpy(out, header, n);
    out[n] = '\0';
    return 0;
}

int idem_key_valid(const char *header)
{
    char key[IDEM_KEY_MAX + 1];
    return idem_key_parse(header, key) == 0;
}

void idem_fingerprint(const char *method, const char *path, const char *body, size_t len,
                      char out[IDEM_FP_HEX])
{
    unsigned char head[32], fp[32];
    /* each string with its NUL: "POST" + "/x" never reads as "POS" + "T/x" */
    crypto_sha256_2(method, strlen(method) + 1, path, strlen(path) + 1, head);
    crypto_sha256_2(head, sizeof head, body != NULL ? body : "", body != NULL ? len : 0, fp);
    crypto_hex(fp, sizeof fp, out);
}

int idem_storable(int status)
{
    if (status >= 200 && status < 300)
        return 1;
    return status >= 400 && status < 500 && status != 408 && status != 429;
}
