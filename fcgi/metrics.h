/* metrics.h — counters shared by all workers through one anonymous shared
 * memory map made by the master before it forks. Each worker writes only
 * its own slot (no locks); GET /metrics sums the slots in Prometheus text
 * format. A respawned worker takes over its predecessor's slot, so the
 * counters only ever grow.
 *
 * Besides its own families (requests, latency per route, database errors,
 * workers alive) the runtime counts the application's: the counters and
 * the score histogram it declares in app.h (app_counters, app_score). A
 * per-tenant counter carries the tenant's slug as a label; to keep the
 * label's cardinality bounded, the first METRICS_MAX_TENANTS tenants seen
 * since the master started are named (a table in the shared map, a slot
 * claimed with one compare-and-swap) and every later one is counted under
 * METRICS_OTHER_TENANT. */
#ifndef FC_METRICS_H
#define FC_METRICS_H

#include "request.h"

#define METRICS_MAX_WORKERS 64
#define METRICS_MAX_ROUTES 96
#define METRICS_MAX_COUNTERS 16
#define METRICS_MAX_TENANTS 32
#define METRICS_OTHER_TENANT "_other"

int metrics_init(void);                       /* master, before forking */
void metrics_attach_slot(int slot);           /* worker, after fork */
int metrics_slot(void);                       /* this process's slot (the master's: METRICS_MAX_WORKERS) */
void metrics_set_workers_alive(int n);        /* master */
void metrics_observe(int route_index, int status, double seconds); /* -1 = unrouted */
void metrics_db_error(void);

/* Add n to the application's counter (an index of app_counters); t names
 * the tenant of a per-tenant counter (NULL or id 0: the other tenants). */
void metrics_count(int counter, const struct tenant *t, unsigned long long n);

/* Add n to a counter when the transaction under way commits (fcgi/db.c
 * calls metrics_pending_commit / metrics_pending_drop). */
void metrics_pending(int counter, unsigned long long n);
void metrics_pending_commit(void);
void metrics_pending_drop(void);

/* One observation of the application's score histogram (app_score). */
void metrics_score(double value);

/* The sum over the workers of a counter: of the tenant named slug (a
 * per-tenant counter; METRICS_OTHER_TENANT for the others), or of the
 * counter (slug NULL, a counter not per tenant). 0 for a tenant not named. */
unsigned long long metrics_counter_sum(int counter, const char *slug);

void metrics_write(struct request *req);      /* answer GET /metrics */

#endif
