/* receipt_store.h — receipts in the database (receipt_store.c): the
 * version of the change log a device reports it has applied, and which
 * devices still hold each face revocation (docs/iot.md, "Receipts"). None
 * of them answers the request: on a database failure they return -1 and
 * the caller answers with db_fail_reply(). */
#ifndef FC_RECEIPT_STORE_H
#define FC_RECEIPT_STORE_H

#include "app/list_store.h"

/* Device device_pk of the hotel has applied the change log up to
 * applied (devices.applied_version, applied_at now), in the caller's
 * transaction if one is open. 1; 0 when applied is past the hotel's
 * current version (nothing stored: receipt_version_ok()) or the device
 * is gone; -1. */
int receipt_record(long long device_pk, long long hotel_id, long long applied);

/* The revocations list's filter: ?pending= and ?staff_id=. */
struct revocation_filter {
    int pending;               /* -1 any, 0 complete only, 1 pending only */
    long long staff_id;        /* 0: anyone */
};

/* GET /api/iot/revocations: the hotel's face revocations (the 'remove'
 * changes of one transaction for one person), newest first, each
 * {"staff_id", "employee_id", "revoked_at", "version", "devices",
 * "pending_count", "complete", "pending_devices": [{"device_id", "since",
 * "applied_version", "applied_at"}]}. A device decommissioned in that
 * transaction, or registered again since, does not count. */
extern const struct listing revocation_list;

#endif
