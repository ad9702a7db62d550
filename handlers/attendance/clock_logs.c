/* clock_logs.c — GET .../attendance/clock-logs/ (contract 5.7): a
 * hotel's clock logs, newest first, filtered by hotel-local dates, staff
 * member and department, as a JSON page or a CSV export (the listing of
 * clock_logs_store.c). Staff callers see only their own logs. */
#include "app/handlers.h"
#include "clock_logs_store.h"
#include "response.h"

void h_clocklogs_list(struct request *req)
{
    struct clocklog_filter f;

    clocklog_filter_of(req, &f);
    if (identity_of(req)->kind == CALLER_USER && identity_of(req)->role == ROLE_STAFF) {
        if (f.staff_id != 0 && f.staff_id != identity_of(req)->staff_id) {
            resp_error(req, 403, "FORBIDDEN", "Staff may see only their own clock logs.");
            return;
        }
        f.staff_id = identity_of(req)->staff_id;
    }
    listing_reply(req, &clocklog_listing, &f);
}
