/* purge_store.h — the retention purge, one function for `faceclock purge`
 * and the scheduler service (purge_store.c says what it removes). */
#ifndef FC_PURGE_STORE_H
#define FC_PURGE_STORE_H

#include <stdio.h>
#include "action_audit_store.h"

struct purge_count {
    long long face_data, auth_tokens, auth_failures, confirmation_tokens;
};

/* Run the purge as who (a system actor) in one transaction, with its
 * audit rows and, when record, the scheduler's record of the run
 * (scheduler_runs' purge last_run: now); once committed, print each
 * hotel's removals to out (NULL: silent) and count them in *n. 0, or -1
 * on a database failure with *step naming what failed: then nothing was
 * removed, audited or recorded. */
int purge_run(const struct actor *who, FILE *out, int record, struct purge_count *n, const char **step);

#endif
