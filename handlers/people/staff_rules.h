/* staff_rules.h — how a staff member is named to people: "First Last",
 * or "First" alone when the PMS gave no last name (the SQL side of the
 * same rule is SQL_STAFF_NAME, attendance/export_store.h). Pure. */
#ifndef FC_STAFF_RULES_H
#define FC_STAFF_RULES_H

#include "pool.h"

/* "First Last", or first alone when last is NULL or empty; first NULL is
 * taken as empty. A string of pool p. */
char *staff_display_name(struct pool *p, const char *first, const char *last);

#endif
