/* audit.c — GET .../attendance/clock-logs/face-audit-logs/ (contract
 * 5.8): the hotel's face audit log, newest first, filtered by staff
 * member, action and time, as a JSON page or a CSV export (the listing of
 * audit_store.c). Nothing here changes the log. */
#include "app/handlers.h"
#include "audit_store.h"

void h_audit_list(struct request *req)
{
    struct audit_filter f;

    audit_filter_of(req, &f);
    listing_reply(req, audit_listing_of(&f), &f);
}
