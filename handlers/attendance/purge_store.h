/* purge_store.h — the retention purge, one function for `faceclock purge`
 * and the scheduler service (purge_store.c says what it removes). */
#ifndef FC_PURGE_STORE_H
#define FC_PURGE_STORE_H

#include <stdio.h>
#include "action_audit_store.h"

struct purge_count {
    long long face_data, auth_tokens, auth_failures, confirmation_tokens;
};

/* Run the purge as who (a system actor), printing each hotel's removals
 * to out (NULL: silent) and counting them in *n. 0, or -1 on a database
 * failure with *step naming what failed (the face data's removals are
 * then rolled back or already committed, each hotel's with its audit). */
int purge_run(const struct actor *who, FILE *out, struct purge_count *n, const char **step);

#endif
