/* notifications.c — the notifications API (docs/api.md "Notifications"):
 * a hotel's endpoints (GET, POST, PATCH, DELETE .../notifications/
 * endpoints/, POST .../{endpoint_id}/test/) and the delivery log (GET
 * .../notifications/deliveries/). The checks are notify_rules.c's, the
 * rows and their audit notify_store.c's; the server's own addresses (a
 * webhook must not point at them) are read here with getifaddrs. */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "app/handlers.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "notify/notify_store.h"
#include "response.h"

/* 1 when addr (family AF_INET or AF_INET6) is one of this host's */
static int own_address(int family, const void *addr)
{
    struct ifaddrs *all, *i;
    int own = 0;

    if (getifaddrs(&all) < 0)
        return 0;
    for (i = all; i != NULL && !own; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
            continue;
        if (family == AF_INET)
            own = memcmp(&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, addr, 4) == 0;
        else
            own = memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, addr, 16) == 0;
    }
    freeifaddrs(all);
    return own;
}

/* The answer to a change of endpoint id: status with o (rc 1), 404 (0),
 * or the database's 503 (-1). */
static void endpoint_reply(struct request *req, int rc, int status, long long id, struct json_object *o)
{
    if (rc == 1)
        resp_json(req, status, o);
    else if (rc == 0)
        resp_error(req, 404, "NOT_FOUND", "No notification endpoint %lld in this hotel.", id);
    else
        db_fail_reply(req);
}

/* The body's fields into f, checked for an endpoint of kind: 0, or -1
 * after answering 400 naming the field. */
static int fields_or_reply(struct request *req, const char *kind, int creating, struct notify_fields *f)
{
    const char *why = NULL;
    int webhook = strcmp(kind, "webhook") == 0;

    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->url = arg_str(req, "url");
    f->address = arg_str(req, "address");
    f->role = arg_str(req, "role");
    f->role_given = arg_has(req, "role");
    f->description = arg_str(req, "description");
    f->events = arg_json(req, "events");
    f->enabled = arg_has(req, "enabled") ? arg_bool(req, "enabled", 1) : (creating ? 1 : -1);
    if (webhook) {
        if (f->address != NULL || f->role_given) {
            const char *field = f->address != NULL ? "address" : "role";
            resp_invalid(req, field, "%s belongs to an email endpoint, not a webhook.", field);
            return -1;
        }
        if (creating && f->url == NULL) {
            resp_invalid(req, "url", "url is required for a webhook.");
            return -1;
        }
        if (f->url != NULL &&
            notify_url_check(f->url, g_config.notify_allow_private, own_address, &why) < 0) {
            resp_invalid(req, "url", "url %s.", why);
            return -1;
        }
    } else {
        if (f->url != NULL) {
            resp_invalid(req, "url", "url belongs to a webhook, not an email endpoint.");
            return -1;
        }
        if (creating && f->address == NULL) {
            resp_invalid(req, "address", "address is required for an email endpoint.");
            return -1;
        }
        if (f->address != NULL && !notify_email_valid(f->address)) {
            resp_invalid(req, "address", "address is not an email address.");
            return -1;
        }
    }
    if (creating && f->events == NULL) {
        resp_invalid(req, "events", "events is required: the event types this endpoint wants.");
        return -1;
    }
    for (size_t i = 0; f->events != NULL && i < json_object_array_length(f->events); i++) {
        const char *p = json_object_get_string(json_object_array_get_idx(f->events, i));
        if (!notify_pattern_valid(p)) {
            resp_invalid(req, "events",
                         "events: \"%.64s\" is not an event type of the catalogue, a family (\"alert.*\") or \"*\".",
                         p);
            return -1;
        }
    }
    return 0;
}

void h_notify_endpoints_list(struct request *req)
{
    listing_reply(req, &notify_endpoint_listing, NULL);
}

void h_notify_endpoint_create(struct request *req)
{
    struct notify_fields f;
    struct json_object *o = NULL;
    struct actor who;

    if (fields_or_reply(req, arg_str(req, "kind"), 1, &f) < 0)
        return;
    actor_of(req, &who);
    switch (notify_endpoint_create(req->tenant.id, &f, &who, &o)) {
    case 1:
        resp_json(req, 201, o);
        return;
    case -2:
        log_error("FACECLOCK_DATA_KEY is not set: a webhook's secret cannot be stored");
        resp_error(req, 503, "UNAVAILABLE", "Webhooks need the server's data key (FACECLOCK_DATA_KEY).");
        return;
    default:
        db_fail_reply(req);
    }
}

void h_notify_endpoint_patch(struct request *req)
{
    long long id = arg_int(req, "endpoint_id");
    struct notify_fields f;
    struct json_object *o = NULL;
    struct actor who;
    char kind[8];

    switch (notify_endpoint_kind(req->tenant.id, id, kind)) {
    case 1:
        break;
    case 0:
        resp_error(req, 404, "NOT_FOUND", "No notification endpoint %lld in this hotel.", id);
        return;
    default:
        db_fail_reply(req);
        return;
    }
    if (fields_or_reply(req, kind, 0, &f) < 0)
        return;
    actor_of(req, &who);
    int rc = notify_endpoint_update(req->tenant.id, id, &f, &who, &o);
    endpoint_reply(req, rc, 200, id, o);
}

void h_notify_endpoint_delete(struct request *req)
{
    long long id = arg_int(req, "endpoint_id");
    struct json_object *o = NULL;
    struct actor who;

    actor_of(req, &who);
    int rc = notify_endpoint_delete(req->tenant.id, id, &who, &o);
    endpoint_reply(req, rc, 200, id, o);
}

void h_notify_endpoint_test(struct request *req)
{
    long long id = arg_int(req, "endpoint_id");
    struct json_object *o = NULL;
    struct actor who;

    actor_of(req, &who);
    int rc = notify_endpoint_test(req->tenant.id, id, &who, &o);
    endpoint_reply(req, rc, 202, id, o);
}

void h_notify_deliveries_list(struct request *req)
{
    struct notify_delivery_filter f;

    notify_delivery_filter_of(req, &f);
    listing_reply(req, &notify_delivery_listing, &f);
}
