/* validate.c — the shared typed validators declared in validate.h: slugs,
 * ids, bounded integers, dates, times, RFC 3339 timestamps, UTF-8 text,
 * usernames and time zone names. Pure (no I/O, no locale, no TZ), so every
 * rule here is pinned down by tests/unit/test_validate.c.
 *
 * Conventions: valid_*() return 1 (ok) or 0; parse_*() return 0 or -1 and
 * write their outputs only on success. A NULL string is always invalid.
 * Integers are plain ASCII decimal over the whole string: no whitespace,
 * no '+', no exponent, no hex; leading zeros are allowed ("007" is 7). */
#include "validate.h"

#include <limits.h>
#include <string.h>

#define ID_MAX (1LL << 53)        /* largest id a JSON number carries exactly */

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_lower_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z');
}

static int
is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* Exactly n digits at s; their value into *out. 0 or -1. */
static int
fixed_digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Unsigned decimal over the whole of s, at most limit; 0 or -1. */
static int
parse_magnitude(const char *s, unsigned long long limit, unsigned long long *out)
{
    unsigned long long v = 0;

    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (!is_digit(*s))
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int
valid_slug(const char *s)
{
    size_t n;

    if (s == NULL || !is_lower_alnum(s[0]))
        return 0;
    for (n = 1; s[n] != '\0'; n++) {
        if (n >= 63)
            return 0;
        if (!is_lower_alnum(s[n]) && s[n] != '-')
            return 0;
    }
    return s[n - 1] != '-';
}

int
parse_id(const char *s, long long *out)
{
    unsigned long long v;

    if (s == NULL || parse_magnitude(s, (unsigned long long)ID_MAX, &v) == -1 || v == 0)
        return -1;
    *out = (long long)v;
    return 0;
}

int
parse_long(const char *s, long min, long max, long *out)
{
    unsigned long long mag;
    long v;
    int neg = 0;

    if (s == NULL || min > max)
        return -1;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    /* the magnitude of LONG_MIN is LONG_MAX + 1 */
    if (parse_magnitude(s, (unsigned long long)LONG_MAX + neg, &mag) == -1)
        return -1;
    if (neg)
        v = mag == 0 ? 0 : -(long)(mag - 1) - 1;
    else
        v = (long)mag;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

size_t
ll_text(char out[LL_TEXT_MAX], long long v)
{
    char b[LL_TEXT_MAX], *p = b + sizeof b;
    /* the magnitude as unsigned: LLONG_MIN's has no signed form */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(b + sizeof b - p);
    memcpy(out, p, n);
    return n - 1;
}

static int
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* "YYYY-MM-DD" at s (no terminator check); years 0001..9999. 0 or -1. */
static int
date_at(const char *s, int *y, int *m, int *d)
{
    int yy, mm, dd;

    if (fixed_digits(s, 4, &yy) == -1 || s[4] != '-' ||
        fixed_digits(s + 5, 2, &mm) == -1 || s[7] != '-' ||
        fixed_digits(s + 8, 2, &dd) == -1)
        return -1;
    if (yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(yy, mm))
        return -1;
    *y = yy;
    *m = mm;
    *d = dd;
    return 0;
}

/* "HH:MM:SS" at s (no terminator check); no 24:00:00, no leap second. */
static int
time_at(const char *s, int *secs)
{
    int h, mi, se;

    if (fixed_digits(s, 2, &h) == -1 || s[2] != ':' ||
        fixed_digits(s + 3, 2, &mi) == -1 || s[5] != ':' ||
        fixed_digits(s + 6, 2, &se) == -1)
        return -1;
    if (h > 23 || mi > 59 || se > 59)
        return -1;
    *secs = h * 3600 + mi * 60 + se;
    return 0;
}

int
parse_date(const char *s, int *y, int *m, int *d)
{
    int yy, mm, dd;

    if (s == NULL || strlen(s) != 10 || date_at(s, &yy, &mm, &dd) == -1)
        return -1;
    *y = yy;
    *m = mm;
    *d = dd;
    return 0;
}

int
parse_time(const char *s, int *secs)
{
    int v;

    if (s == NULL || strlen(s) != 8 || time_at(s, &v) == -1)
        return -1;
    *secs = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); no time zone, no libc. */
static long long
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD('T'|'t')HH:MM:SS[.1-9 digits]('Z'|'z'|(+|-)HH:MM) */
int
parse_timestamp(const char *s, long long *epoch, int *usec)
{
    int y, m, d, secs, us = 0, off = 0;

    if (s == NULL || strnlen(s, 11) < 11 || date_at(s, &y, &m, &d) == -1)
        return -1;
    if (s[10] != 'T' && s[10] != 't')
        return -1;
    s += 11;
    if (strnlen(s, 8) < 8 || time_at(s, &secs) == -1)
        return -1;
    s += 8;

    if (*s == '.') {
        int ndig = 0;

        for (s++; is_digit(*s); s++, ndig++) {
            if (ndig >= 9)
                return -1;
            if (ndig < 6)
                us = us * 10 + (*s - '0');
        }
        if (ndig == 0)
            return -1;
        for (; ndig < 6; ndig++)
            us *= 10;
    }

    if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
        off = 0;
    } else if (s[0] == '+' || s[0] == '-') {
        int oh, om;

        if (strlen(s) != 6 || fixed_digits(s + 1, 2, &oh) == -1 || s[3] != ':' ||
            fixed_digits(s + 4, 2, &om) == -1 || oh > 23 || om > 59)
            return -1;
        off = (oh * 60 + om) * 60;
        if (s[0] == '-')
            off = -off;
    } else {
        return -1;
    }

    if (epoch != NULL)
        *epoch = days_from_civil(y, m, d) * 86400 + secs - off;
    if (usec != NULL)
        *usec = us;
    return 0;
}

/* Length of the UTF-8 sequence at s, or 0 when it is malformed, overlong,
 * a surrogate, beyond U+10FFFF, or a control character (C0 except \t \n
 * \r, DEL, C1). */
static size_t
utf8_char(const unsigned char *s)
{
    unsigned char c = s[0];

    if (c < 0x80) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 0;
        return c == 0x7f ? 0 : 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {                  /* U+0080..U+07FF */
        if ((s[1] & 0xc0) != 0x80)
            return 0;
        if (c == 0xc2 && s[1] < 0xa0)               /* C1 controls */
            return 0;
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {                  /* U+0800..U+FFFF */
        unsigned char lo = 0x80, hi = 0xbf;

        if (c == 0xe0)
            lo = 0xa0;                              /* overlong */
        else if (c == 0xed)
            hi = 0x9f;                              /* surrogates */
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {                  /* U+10000..U+10FFFF */
        unsigned char lo = 0x80, hi = 0xbf;

        if (c == 0xf0)
            lo = 0x90;                              /* overlong */
        else if (c == 0xf4)
            hi = 0x8f;                              /* > U+10FFFF */
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
            (s[3] & 0xc0) != 0x80)
            return 0;
        return 4;
    }
    return 0;      /* continuation byte, 0xc0/0xc1 overlong, 0xf5.. */
}

int
valid_text(const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t nchars = 0;

    if (s == NULL)
        return 0;
    while (*p != '\0') {
        size_t len = utf8_char(p);      /* stops at a NUL: it is no continuation */

        if (len == 0 || ++nchars > max_chars)
            return 0;
        p += len;
    }
    return 1;
}

int
valid_username(const char *s)
{
    size_t n;

    if (s == NULL)
        return 0;
    for (n = 0; s[n] != '\0'; n++) {
        char c = s[n];

        if (n >= 64)
            return 0;
        if (!is_alnum(c) && c != '.' && c != '_' && c != '@' && c != '-')
            return 0;
    }
    return n > 0;
}

int
valid_timezone_name(const char *s)
{
    size_t n;
    int segs = 1;

    if (s == NULL)
        return 0;
    if (strcmp(s, "UTC") == 0)
        return 1;
    /* each segment starts with a letter or digit; '.' is not in the
     * alphabet, so "..", "./" and friends cannot occur */
    if (!is_alnum(s[0]))
        return 0;
    for (n = 1; s[n] != '\0'; n++) {
        char c = s[n];

        if (n >= 64)
            return 0;
        if (c == '/') {
            if (++segs > 3 || !is_alnum(s[n + 1]))
                return 0;
        } else if (!is_alnum(c) && c != '_' && c != '+' && c != '-') {
            return 0;
        }
    }
    return 1;           /* "GMT", "Japan", "EST5EDT" are IANA names too */
}
