/* log.h — structured log lines to stderr (logfmt: key=value ...).
 * One line per request is written by the worker; errors carry __func__.
 * Never pass descriptors, passwords, tokens or keys to these functions. */
#ifndef FC_LOG_H
#define FC_LOG_H

void log_init(const char *component);   /* "master", "worker", "migrate", ... */
void log_msg(const char *level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(...)  log_msg("info", __func__, __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __func__, __VA_ARGS__)
#define log_error(...) log_msg("error", __func__, __VA_ARGS__)

double now_monotonic(void);              /* seconds, CLOCK_MONOTONIC */

#endif
