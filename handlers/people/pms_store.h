/* pms_store.h — a PMS sync in the database, shared by PUT .../pms-sync/
 * (pms.c) and `faceclock import` (pms_cmd.c): applying a validated PMS
 * document (pms_rules.h) in one transaction, and the result as the
 * contract answers it. */
#ifndef FC_PMS_STORE_H
#define FC_PMS_STORE_H

#include <json-c/json.h>
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

/* who is syncing, for the audit rows of departures */
struct pms_actor {
    long long staff_id;       /* 0: the system */
    const char *client_ip;
    const char *user_agent;
};

/* Apply a document pms_validate() accepted to the hotel slug (created
 * when may_create and absent), in one transaction, committed on PMS_OK
 * and rolled back otherwise: PMS_INVALID with *e naming the row,
 * PMS_NOT_FOUND (no such hotel), PMS_DB. */
int pms_apply(const char *slug, int may_create, struct json_object *doc,
              const struct pms_actor *actor, struct pms_result *res, struct pms_error *e);

/* The answer of a sync: {"hotel", "hotel_created", counts...} (caller puts). */
struct json_object *pms_result_json(const char *slug, const struct pms_result *r);

#endif
