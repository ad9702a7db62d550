/* tests/fuzz/wal_position.c — libFuzzer target: a WAL position as a
 * client carries it back (X-WAL-Position header, fc_wal cookie;
 * db_lsn_parse, fcgi/db.c), any bytes up to the first NUL as the FastCGI
 * parameter would carry them. Asserts that an accepted input is exactly
 * 1-8 hex digits, '/', 1-8 hex digits; that the number it gives, written
 * back as PostgreSQL writes an LSN (%X/%X), parses again to itself; and
 * that a refused input leaves the output alone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t hex_run(const char *s)
{
    return strspn(s, "0123456789abcdefABCDEF");
}

/* the documented rule, written apart from the parser */
static int is_position(const char *s)
{
    size_t a = hex_run(s);
    if (a < 1 || a > 8 || s[a] != '/')
        return 0;
    size_t b = hex_run(s + a + 1);
    return b >= 1 && b <= 8 && s[a + 1 + b] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), back[40];
    unsigned long long lsn = 42, again = 0;

    memcpy(text, data, size);
    text[size] = '\0';
    int rc = db_lsn_parse(text, &lsn);
    if (rc != 0 && rc != -1)
        abort();
    if ((rc == 0) != is_position(text))
        abort();
    if (rc != 0 && lsn != 42)
        abort();
    if (rc == 0) {
        snprintf(back, sizeof back, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xffffffffu));
        if (db_lsn_parse(back, &again) != 0 || again != lsn)
            abort();
    }
    free(text);
    return 0;
}
