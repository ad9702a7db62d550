/* nchan_rules.h — reading nchan's status page (the text its
 * nchan_stub_status location answers, "subscribers: 6" among
 * "name: value" lines), for the live subscribers gauge of GET /metrics.
 * Pure. */
#ifndef FC_NCHAN_RULES_H
#define FC_NCHAN_RULES_H

#include <stddef.h>

/* The number on the line "subscribers: N" of the len bytes of text (not
 * NUL-terminated; a line ends at \n, a \r before it is ignored). 0 with
 * *n set, or -1 when there is no such line, or its value is not a
 * decimal number of at most 18 digits, or the line is there twice
 * (*n unchanged). */
int nchan_subscribers_parse(const char *text, size_t len, long long *n);

#endif
