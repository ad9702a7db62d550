/* staff_rules.c — owns the display name of a staff member (staff_rules.h).
 * Pure: pool strings only. */
#include "staff_rules.h"

char *staff_display_name(struct pool *p, const char *first, const char *last)
{
    if (first == NULL)
        first = "";
    return (last == NULL || *last == '\0') ? pool_strdup(p, first) : pool_printf(p, "%s %s", first, last);
}
