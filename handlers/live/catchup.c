/* catchup.c — GET /api/staff/hotel/{hotel_slug}/events/ (docs/api.md
 * "Live events", catching up): a subscriber whose stream was cut asks
 * for the hotel's events after the last id it holds and gets them from
 * the outbox (event_store_after), in the messages nchan carries, a page
 * at a time, with the cursor of the next page and whether some of what
 * it asked for was trimmed already (then it reloads what it shows). The
 * router has checked the caller (as for live.hotel) and ?after=, ?limit=. */
#include "app/handlers.h"
#include "db.h"
#include "jsonx.h"
#include "live/event_rules.h"
#include "live/event_store.h"
#include "params.h"
#include "response.h"

void h_live_catchup(struct request *req)
{
    long long after = arg_int(req, "after");
    int limit = arg_has(req, "limit") ? (int)arg_int(req, "limit") : CATCHUP_LIMIT;
    struct json_object *events;
    long long through;
    int more;

    if (event_store_after(req->tenant.id, after, limit, &events, &more, &through) < 0) {
        db_fail_reply(req);
        return;
    }
    size_t n = json_object_array_length(events);
    long long last = 0;
    if (n > 0) {
        struct json_object *id = NULL;
        json_object_object_get_ex(json_object_array_get_idx(events, n - 1), "id", &id);
        last = json_object_get_int64(id);
    }
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "events", events);
    jx_add_bool(o, "has_more", more);
    jx_add_int(o, "next", event_catchup_next(after, last));
    jx_add_bool(o, "gap", event_catchup_gap(after, through));
    resp_json(req, 200, o);
}
