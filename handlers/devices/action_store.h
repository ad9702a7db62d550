/* action_store.h — actions queued for devices in the database
 * (action_store.c): queue one, deliver the pending ones with a heartbeat,
 * acknowledge one, list a device's. An action is answered as
 * {"id", "device_id", "action", "status", "created_at", "delivered_at",
 * "acknowledged_at", "result", "error"}. None of them answers the request: on a database
 * failure they return -1 and the caller answers with db_fail_reply(). */
#ifndef FC_ACTION_STORE_H
#define FC_ACTION_STORE_H

#include <json-c/json.h>
#include "app/list_store.h"

struct actor;

/* Queue action (sync_now, restart, send_logs: the route checks it) for
 * the hotel's device in service device_id, audited (device.action_queued)
 * in the same transaction. 1 with *out; 0 no such device; -1. */
int action_queue(long long hotel_id, const char *device_id, const char *action, const struct actor *who,
                 struct json_object **out);

/* Inside the caller's transaction: every action of device device_pk not
 * yet acknowledged, oldest first, marked delivered (the first delivery
 * kept), as *pending [{"id", "action"}] (a new array). 0 or -1. */
int action_deliver(long long device_pk, struct json_object **pending);

/* Device device_pk acknowledges its action id — done, or failed with
 * error (may be NULL) — (again: no change, the first result kept),
 * audited (device.action_acknowledged) the first time, with the fault it
 * makes or ends (docs/iot.md "Errors": LC_FAILED_ACTIONS failed in a row
 * put the device in ERROR, audited device.fault; the next one done takes
 * it out, device.error_cleared). 1 with *out; 0 when the device has no
 * such action; -1. */
int action_ack(long long device_pk, long long hotel_id, const char *device_id, long long id, int failed,
               const char *error, const struct actor *who, struct json_object **out);

/* GET /api/iot/devices/{device_id}/actions: the device's actions, newest
 * first (filter: the device_id, a const char *). */
extern const struct listing action_list;

#endif
