/* pms_store.h — a PMS sync in the database, shared by PUT .../pms-sync/
 * (pms.c) and `faceclock import` (pms_cmd.c): applying a validated PMS
 * document (pms_rules.h) in one transaction, and the result as the
 * contract answers it. */
#ifndef FC_PMS_STORE_H
#define FC_PMS_STORE_H

#include <json-c/json.h>
#include "attendance/action_audit_store.h"
#include "pms_rules.h"

/* PMS_INVALID is pms_rules.h's -1 */
enum { PMS_OK = 0, PMS_INVALID = -1, PMS_NOT_FOUND = -2, PMS_DB = -3 };

struct counts {
    long created, updated, unchanged;
};

struct pms_result {
    long long hotel_id;
    int hotel_created;
    struct counts departments, staff, roster, clock_logs;
    int settings_updated;
    long face_data_revoked;
};

/* who is syncing, for the audit rows */
struct pms_actor {
    long long staff_id;       /* face audit rows of departures: 0, the system */
    struct actor who;         /* the action audit rows (attendance/action_audit_store.h) */
};

/* Apply a document pms_validate() accepted to the hotel slug (created
 * when may_create and absent), in one transaction, committed on PMS_OK
 * and rolled back otherwise; the changes that matter to an audit (the
 * hotel made or renamed, settings, logins made or renamed, passwords,
 * roles, departures and returns, and the sync's counts) are audited by
 * actor in the same transaction: PMS_INVALID with *e naming the row,
 * PMS_NOT_FOUND (no such hotel), PMS_DB. */
int pms_apply(const char *slug, int may_create, struct json_object *doc,
              const struct pms_actor *actor, struct pms_result *res, struct pms_error *e);

/* The answer of a sync: {"hotel", "hotel_created", counts...} (caller puts). */
struct json_object *pms_result_json(const char *slug, const struct pms_result *r);

#endif
