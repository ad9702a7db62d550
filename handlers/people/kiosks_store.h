/* kiosks_store.h — a hotel's kiosks in the database (kiosks_store.c): the
 * kiosk as JSON {"id", "name", "created_at", "revoked_at"}, making one,
 * listing them, revoking one, and naming the kiosk a caller is. None of
 * them answers the request; on a database failure they return NULL or -1
 * and db_last_status() says why. */
#ifndef FC_KIOSKS_STORE_H
#define FC_KIOSKS_STORE_H

#include <json-c/json.h>
#include "app/list_store.h"

/* A new kiosk's id, taken before its key is made (the key names it).
 * 0 with *id, or -1. */
int kiosk_next_id(long long *id);

/* Store kiosk id of the hotel: its name, the hash of its key, the user
 * who made it (0: none), audited (kiosk.created) as done by who, in one
 * transaction. The kiosk as JSON (caller owns), or NULL. */
struct actor;
struct json_object *kiosk_insert(long long hotel_id, long long id, const char *name, const char *key_hash,
                                 const struct actor *who, long long created_by);

/* Every kiosk of the hotel (revoked ones too), by id, as JSON; no filter. */
extern const struct listing kiosk_listing;

/* listing_rows() of kiosk_listing: 0 with *rows (a new JSON array the
 * caller owns) and *total, or -1 on a database failure. */
int kiosk_rows(long long hotel_id, long limit, long offset, struct json_object **rows, long long *total);

/* Revoke kiosk id of the hotel (its first revocation is kept, and
 * audited as kiosk.revoked done by who, in the same transaction). 1 with
 * *kiosk (JSON, caller owns), 0 when the hotel has no such kiosk, -1. */
int kiosk_revoke(long long hotel_id, long long id, const struct actor *who, struct json_object **kiosk);

/* Add "name", "hotel" (slug) and "hotel_name" of kiosk id of the hotel
 * to o. 1, 0 when the hotel has no such kiosk, -1. */
int kiosk_describe(long long hotel_id, long long id, struct json_object *o);

#endif
