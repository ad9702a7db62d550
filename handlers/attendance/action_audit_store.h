/* action_audit_store.h — the action audit log (sql/012_action_audit.sql):
 * every state change that is not a face event, one row each, written in
 * the transaction of the change by whichever store makes it, chained with
 * the face audit log of its hotel; and its listing (app/list_store.h: a
 * JSON page newest first, or a CSV export with the chain's head). */
#ifndef FC_ACTION_AUDIT_STORE_H
#define FC_ACTION_AUDIT_STORE_H

#include <json-c/json.h>
#include "request.h"
#include "app/list_store.h"

/* Who changes something, and from where. */
struct actor {
    char name[96];              /* "user:<username>", "kiosk:<id>", "device:<device_id>",
                                 * "system:admin-key", "system:purge", "anonymous", … */
    const char *client_ip;      /* NULL for none (commands) */
    const char *user_agent;     /* NULL for none */
};

/* The request's caller as an actor: its identity (app/access.h), its
 * address and user agent (borrowed from req). */
void actor_of(const struct request *req, struct actor *who);

/* A command or another part of the system as an actor ("system:purge"). */
void actor_system(struct actor *who, const char *name);

/* Add one change to a batch: {"action", "target", "old_value",
 * "new_value"} appended to *batch (a JSON array, made when NULL; its
 * owner puts it). action is "<thing>.<verb>" (settings.changed,
 * kiosk.revoked, …), target what it acted on ("kiosk:12"; NULL: nothing
 * named); old_value and new_value (NULL: none) are taken by the batch. */
void action_note(struct json_object **batch, const char *action, const char *target,
                 struct json_object *old_value, struct json_object *new_value);

/* Append every change of batch (NULL or empty: nothing), done by who in
 * the hotel (0: the system's chain), in one statement inside the caller's
 * transaction (or on its own when none is open). It takes the hotel's
 * chain lock until that transaction ends, so call it last, right before
 * the commit. 0 or -1 (db). */
int action_audit_append(const struct actor *who, long long hotel_id, struct json_object *batch);

/* One change (action_note) appended at once (action_audit_append); takes
 * old_value and new_value. 0 or -1 (db). */
int action_audit_one(const struct actor *who, long long hotel_id, const char *action, const char *target,
                     struct json_object *old_value, struct json_object *new_value);

/* ?actor= &action= &target= &from= &to= */
struct action_filter {
    const char *actor, *action, *target;     /* NULL: any */
    struct time_range when;
};

/* The filter from the route's declared parameters (arg_*). */
void action_filter_of(const struct request *req, struct action_filter *f);

/* The action audit log of the request's hotel (0: the system's rows),
 * newest first; its filter is a struct action_filter. */
extern const struct listing action_audit_listing;

#endif
