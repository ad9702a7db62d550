/* receipts.c — GET /api/iot/revocations (docs/iot.md, "Receipts"): the
 * hotel's face revocations, newest first, each with the devices that
 * still hold it (their applied version below the revocation's) and since
 * when, complete when none does; ?pending= and ?staff_id= filter. The
 * listing is receipt_store.c's; receipts themselves arrive with a
 * device's heartbeat (devices.c) or sync (sync.c). */
#include "app/handlers.h"
#include "params.h"
#include "receipt_store.h"

void h_revocations_list(struct request *req)
{
    struct revocation_filter f = {arg_has(req, "pending") ? arg_bool(req, "pending", 0) : -1,
                                  arg_int(req, "staff_id")};

    listing_reply(req, &revocation_list, &f);
}
