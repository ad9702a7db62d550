/* tests/fuzz/timeparse.c — libFuzzer target: the time parsers of
 * fcgi/validate.c (parse_date, parse_time, parse_timestamp,
 * valid_timezone_name, parse_long) and the hotel-local day arithmetic of
 * handlers/attendance/roster_rules.c. Every parser runs on the whole
 * input; an input "date|start|end|now|early" also builds a shift from
 * the parts and picks it as a scan at `now` would. Asserts that an
 * accepted date, time or timestamp is the canonical spelling of what was
 * read (a timestamp re-written in UTC parses to the same instant), that
 * the two days_from_civil agree and invert, that an accepted time zone
 * name is in the documented alphabet and shape, and that a shift's window
 * and length and roster_pick agree with each other. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/roster_rules.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* H. Hinnant's civil_from_days: the inverse the harness checks with */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static long long floor_div(long long a, long long b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void check_date(const char *s)
{
    int y, m, d, y2, m2, d2;
    char buf[32];

    if (parse_date(s, &y, &m, &d) != 0)
        return;
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    if (strcmp(buf, s) != 0)
        abort();
    civil_from_days(days_from_civil(y, m, d), &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        abort();
    if (local_epoch(y, m, d, 0) != days_from_civil(y, m, d) * 86400)
        abort();
}

static void check_time(const char *s)
{
    int secs;
    char buf[32];

    if (parse_time(s, &secs) != 0)
        return;
    if (secs < 0 || secs >= 86400)
        abort();
    snprintf(buf, sizeof buf, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
    if (strcmp(buf, s) != 0)
        abort();
}

static void check_timestamp(const char *s)
{
    long long epoch, e2;
    int usec, u2, y, m, d, secs;
    char date[11], time[9], buf[64];

    if (parse_timestamp(s, &epoch, &usec) != 0)
        return;
    if (usec < 0 || usec > 999999)
        abort();
    /* its own date and time parse alone, and the offset is what remains */
    memcpy(date, s, 10);
    date[10] = '\0';
    memcpy(time, s + 11, 8);
    time[8] = '\0';
    if (parse_date(date, &y, &m, &d) != 0 || parse_time(time, &secs) != 0)
        abort();
    long long off = days_from_civil(y, m, d) * 86400 + secs - epoch;
    if (off <= -86400 || off >= 86400 || off % 60 != 0)
        abort();
    /* written again in UTC: the same instant (years 1..9999 only) */
    long long days = floor_div(epoch, 86400);
    int sod = (int)(epoch - days * 86400);
    civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return;
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d, sod / 3600,
             sod / 60 % 60, sod % 60, usec);
    if (parse_timestamp(buf, &e2, &u2) != 0 || e2 != epoch || u2 != usec)
        abort();
}

static int tz_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '+' || c == '-';
}

static void check_timezone(const char *s)
{
    if (!valid_timezone_name(s) || strcmp(s, "UTC") == 0)
        return;
    size_t n = strlen(s);
    int slashes = 0;

    if (n == 0 || n > 64 || strstr(s, "..") != NULL || s[0] == '/' || s[n - 1] == '/')
        abort();
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/') {
            slashes++;
            if (s[i + 1] == '/' || s[i + 1] == '-' || s[i + 1] == '+' || s[i + 1] == '_')
                abort();
        } else if (!tz_char(s[i])) {
            abort();
        }
    }
    if (slashes > 2 || !(tz_char(s[0]) && s[0] != '-' && s[0] != '+' && s[0] != '_'))
        abort();
}

/* "date|start|end|now|early": one shift, and the same shift a day later */
static void check_roster(char *s)
{
    char *f[5];
    int nf = 0;
    struct shift sh[2];
    long early;
    long long now, from, to;
    int usec, start, end;

    char *rest = s;
    for (nf = 0; nf < 5; nf++)
        if ((f[nf] = strsep(&rest, "|")) == NULL)
            return;
    if (rest != NULL)               /* more than five parts */
        return;
    if (parse_date(f[0], &sh[0].year, &sh[0].month, &sh[0].day) != 0 || parse_time(f[1], &start) != 0 ||
        parse_time(f[2], &end) != 0 || parse_timestamp(f[3], &now, &usec) != 0 ||
        parse_long(f[4], 0, 1440, &early) != 0)
        return;
    sh[0].id = 1;
    sh[0].start_secs = start;
    sh[0].end_secs = end;
    sh[1] = sh[0];
    sh[1].id = 2;
    civil_from_days(days_from_civil(sh[0].year, sh[0].month, sh[0].day) + 1, &sh[1].year,
                    &sh[1].month, &sh[1].day);

    double hours = shift_planned_hours(&sh[0]);
    roster_window(&sh[0], early, &from, &to);
    if (!(hours > 0 && hours <= 24) || 
        to - from != (long long)(hours * 3600 + 0.5) + (long long)early * 60)
        abort();
    int in0 = now >= from && now <= to;
    roster_window(&sh[1], early, &from, &to);
    int in1 = now >= from && now <= to;
    int pick = roster_pick(sh, 2, now, early);
    if ((pick < 0) != (!in0 && !in1) || (pick == 0 && !in0) || (pick == 1 && !in1))
        abort();
    if (roster_pick(sh, 1, now, early) != (in0 ? 0 : -1))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    memcpy(s, data, size);
    s[size] = '\0';
    long v;
    if (parse_long(s, -1440, 1440, &v) == 0 && (v < -1440 || v > 1440))
        abort();
    check_date(s);
    check_time(s);
    check_timestamp(s);
    check_timezone(s);
    check_roster(s);            /* last: it cuts s at each '|' */
    free(s);
    return 0;
}
