/* subscribe.c — the endpoints nginx's nchan asks before it lets a live
 * events subscriber in (nchan_authorize_request, nginx/faceclock.conf.in):
 * a 2xx admits, anything else is passed to the subscriber. The router has
 * already checked the caller (a hotel's manager, hr, admin or the system
 * administrator for hotel:<slug>; a kiosk for kiosk:<id>) and the hotel;
 * what is left is a kiosk naming its own channel. The answer names the
 * channel (for a client calling the route directly). */
#include <stdio.h>
#include <json-c/json.h>
#include "app/handlers.h"
#include "jsonx.h"
#include "params.h"
#include "response.h"

static void admit(struct request *req, const char *channel)
{
    struct json_object *o = json_object_new_object();
    jx_add_str(o, "channel", channel);
    resp_json(req, 200, o);
}

void h_live_hotel(struct request *req)
{
    char channel[80];
    snprintf(channel, sizeof channel, "hotel:%s", req->tenant.slug);
    admit(req, channel);
}

void h_live_kiosk(struct request *req)
{
    long long kiosk = arg_int(req, "kiosk_id");
    if (kiosk != identity_of(req)->kiosk_id) {
        resp_error(req, 404, "NOT_FOUND", "No such kiosk.");
        return;
    }
    char channel[40];
    snprintf(channel, sizeof channel, "kiosk:%lld", kiosk);
    admit(req, channel);
}
