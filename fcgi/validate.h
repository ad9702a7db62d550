/* validate.h — the shared typed validators. Every handler validates input
 * with these; none re-parses strings itself. Strict: whole-string parses,
 * range checks, no embedded NULs, UTF-8 checked. Pure; unit-tested. */
#ifndef FC_VALIDATE_H
#define FC_VALIDATE_H

#include <stddef.h>

/* tenant slug: [a-z0-9][a-z0-9-]{0,62}, no trailing '-' */
int valid_slug(const char *s);

/* positive integer id (1 .. 2^53) given as text; 0 or -1 */
int parse_id(const char *s, long long *out);

/* decimal integer within [min,max]; 0 or -1 */
int parse_long(const char *s, long min, long max, long *out);

/* The other way: v's decimal text as "%lld" writes it (and parse_long
 * reads it back), NUL-terminated in out; its length. Without printf's
 * machinery: a statement's whole-number arguments, an answer's head. */
#define LL_TEXT_MAX 21
size_t ll_text(char out[LL_TEXT_MAX], long long v);

/* YYYY-MM-DD (a real calendar date); fills y,m,d; 0 or -1 */
int parse_date(const char *s, int *y, int *m, int *d);

/* HH:MM:SS (00..23, 00..59, 00..59); fills seconds since midnight; 0 or -1 */
int parse_time(const char *s, int *secs);

/* RFC 3339 timestamp with Z or numeric offset, e.g. 2025-11-30T08:58:00Z;
 * fills Unix seconds (and microseconds); 0 or -1 */
int parse_timestamp(const char *s, long long *epoch, int *usec);

/* Valid UTF-8 without control characters other than \t, \n, \r, and at
 * most max_chars characters. 1 = ok. */
int valid_text(const char *s, size_t max_chars);

/* username: 1..64 of [A-Za-z0-9._@-] */
int valid_username(const char *s);

/* IANA-looking time zone name: "UTC", "Japan", or Area/Location[/Sub] of
 * [A-Za-z0-9_+-], at most 64 chars, no "..". (The database then checks
 * that it really exists.) */
int valid_timezone_name(const char *s);

#endif
