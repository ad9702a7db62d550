/* auto_close_store.h — the auto-close of forgotten sessions in the
 * database: the scheduler (scheduler_svc.c) calls it each tick. */
#ifndef FC_AUTO_CLOSE_STORE_H
#define FC_AUTO_CLOSE_STORE_H

#include <time.h>
#include "action_audit_store.h"

/* Close every open session of a hotel whose auto_close is not off once
 * now reaches its time (auto_close_at, scheduler_rules.c): time_out is
 * that time, not now; marked auto_closed and left for the manager's
 * review (is_approved false, approved_at NULL: the pending queue); each in
 * its own transaction with its audit row (clock_log.auto_closed, by who).
 * The number closed, or -1 (db). */
long auto_close_due(time_t now, const struct actor *who);

#endif
