/* action_audit.c — GET /api/staff/hotel/{slug}/action-audit-logs/ and, for
 * the system administrator, GET /api/action-audit-logs/ (the system's
 * rows: sign-in failures of unknown names, purge and rekey runs): the
 * action audit log, newest first, filtered by actor, action, target and
 * time, as a JSON page or a CSV export (action_audit_store.c). */
#include "app/handlers.h"
#include "action_audit_store.h"

void h_action_audit_list(struct request *req)
{
    struct action_filter f;

    action_filter_of(req, &f);
    listing_reply(req, &action_audit_listing, &f);
}
