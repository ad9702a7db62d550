/* page_rules.h — the dashboard's small pure rules: a session length as
 * words, the paging window of a list page, a timestamp as text, the
 * navigation (which page each entry shows, and which API decides whether
 * the caller sees it), a select's options, and what the rules of contract 5.3 would say to a
 * registration. No I/O; tests/unit/pages/test_page_rules.c. */
#ifndef FC_PAGE_RULES_H
#define FC_PAGE_RULES_H

#include <stddef.h>
#include <json-c/json.h>
#include "attendance/settings_rules.h"

/* "0 min", "45 min", "3 h 05 min", "12 h 00 min" from hours (rounded to
 * the minute; negative or not finite as 0) into out. */
void page_duration_text(double hours, char *out, size_t size);

/* "2025-11-30 08:58 UTC" from an RFC 3339 UTC timestamp
 * ("2025-11-30T08:58:00Z"); anything else is copied as it is. */
void page_time_text(const char *rfc3339, char *out, size_t size);

/* The window of a list page: rows first..last (1-based, 0 and 0 when
 * empty) of total; the previous page's offset (-1 when none) and the
 * next's (-1 when none). */
struct page_window {
    long long first, last, total;
    long prev_offset, next_offset;
};
void page_window_of(long long total, long offset, long limit, int rows_shown, struct page_window *w);

/* The navigation: each entry is a page, shown to a caller who may use the
 * API route named by method and the path under the hotel (appended to
 * "/api/staff/hotel/<slug>/", or taken as it is when it starts with "/"). */
struct page_nav {
    const char *href;
    const char *label;
    const char *method;
    const char *api_path;
};
extern const struct page_nav page_nav[];
extern const int page_nnav;

/* ctx[key] = [{value, selected}] of the n values, the one equal to
 * current (NULL: none) selected: the options of a <select>. */
void page_add_choices(struct json_object *ctx, const char *key, const char *const *values, int n,
                      const char *current);

/* ctx.rules = {require_consent, refusal, refusal_code, self_disabled}
 * and ctx.self (self): the refusal is the message of the first 5.3 rule
 * that would refuse a registration of this person (of department; self:
 * by themselves) given consent, or null when it would pass. */
void page_add_face_rules(struct json_object *ctx, const struct attendance_settings *s,
                         long long department, int self);

#endif
