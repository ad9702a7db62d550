/* log.c — logfmt lines to stderr: ts, level, component, pid, func, msg. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static const char *component = "faceclock";

void log_init(const char *name)
{
    component = name;
    setvbuf(stderr, NULL, _IOLBF, 0);
}

double now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void log_msg(const char *level, const char *func, const char *fmt, ...)
{
    char msg[1024], ts[32];
    struct timespec now;
    struct tm tm;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    /* one write per line so lines of different workers do not interleave */
    char line[1400];
    int n = snprintf(line, sizeof line, "ts=%s.%03ldZ level=%s comp=%s pid=%d func=%s %s\n",
                     ts, now.tv_nsec / 1000000, level, component, (int)getpid(), func, msg);
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        if (write(STDERR_FILENO, line, len) < 0) { /* nowhere to report */ }
    }
}
