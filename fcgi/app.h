/* app.h — all the runtime asks of the application (handlers/app/): its
 * route table, who a credential belongs to, which tenant a request is
 * about, its commands and its services. The runtime knows nothing else
 * of it. */
#ifndef FC_APP_H
#define FC_APP_H

#include <signal.h>
#include "auth.h"
#include "router.h"

/* The route table (handlers/app/routes.c). */
extern const struct route app_routes[];
extern const int app_nroutes;

/* Identify the caller of a route that is not public from its credential
 * (X-API-Key, or a session token: auth_session_token()), filling
 * req->caller: its grants and the application's identity. AUTH_NONE: no
 * credential presented; AUTH_INVALID: one that is wrong, expired or
 * revoked; AUTH_DB_DOWN: could not check. (handlers/app/identity_store.c) */
enum auth_result app_identify(struct request *req);

/* Fill req->tenant by req->route's tenant rule, once the caller is
 * identified. 0, or answers (400, 404, 503) and returns -1.
 * (handlers/app/tenant_store.c) */
int app_tenant_or_reply(struct request *req);

/* The application's check of a route's scope (route.scope, not NULL) for
 * the identified caller, once access and tenant allow it: 0, or answers
 * (403 with the application's code) and returns -1.
 * (handlers/app/scope.c) */
int app_scope_or_reply(struct request *req);

/* A subcommand of the faceclock binary. run gets argv from the command's
 * name on and returns the exit status. --help prints the synopsis and,
 * from column 28, each line of help. */
struct command {
    const char *name;
    const char *synopsis;      /* "migrate [sql-dir]" */
    const char *help;          /* lines separated by '\n' */
    int (*run)(int argc, char **argv);
};

/* The application's commands, after the runtime's serve and migrate
 * (handlers/app/commands.c). */
extern const struct command app_commands[];
extern const int app_ncommands;

/* The application's counters and score histogram, counted by
 * metrics_count / metrics_pending / metrics_score and rendered by
 * GET /metrics (fcgi/metrics.c). Each counter is one series: its family,
 * fixed labels ("" or `k="v"`), and whether it also carries the tenant
 * label (app_tenant_label="<slug>"). A family's entries are contiguous.
 * (handlers/app/counters.c) */
struct app_counter {
    const char *family;        /* "<name>_total" */
    const char *help;
    const char *labels;
    int per_tenant;
};
extern const struct app_counter app_counters[];
extern const int app_ncounters;
extern const char app_tenant_label[];

/* A histogram of scores in [0, 1]: family, help and bucket bounds. */
struct app_histogram {
    const char *family;
    const char *help;
    const double *bounds;
    int nbounds;
};
extern const struct app_histogram app_score;

/* A long-running process of the application, supervised by the master
 * of `faceclock serve` like a worker (fcgi/master.c): forked at start,
 * respawned with back-off when it dies, asked to stop with SIGTERM on
 * shutdown and replaced on SIGHUP (the old one stopped before the new
 * one starts: never two of one service at once), named in the log and
 * in its process name ("svc:<name>", /proc/<pid>/comm). It
 * has no FastCGI socket. run() returns its exit status once *stop is set
 * (SIGTERM), checking it at least every second; the database layer is
 * initialised (db_init) but not connected. */
struct service {
    const char *name;          /* "publisher": the log's process name */
    int (*run)(volatile sig_atomic_t *stop);
};

/* The application's services (handlers/app/services.c). */
extern const struct service app_services[];
extern const int app_nservices;

#endif
