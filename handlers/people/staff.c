/* staff.c — GET .../staff/: the hotel's staff as the PMS gave them, with
 * their login name and whether they have face data (staff_listing,
 * staff_store.c), filtered by ?department_id= &is_active=. */
#include "app/handlers.h"
#include "staff_store.h"

void h_staff_list(struct request *req)
{
    struct staff_filter f;

    staff_filter_of(req, &f);
    listing_reply(req, &staff_listing, &f);
}
