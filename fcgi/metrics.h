/* metrics.h — counters shared by all workers through one anonymous shared
 * memory map made by the master before it forks. Each worker writes only
 * its own slot (no locks); GET /metrics sums the slots in Prometheus text
 * format. A respawned worker takes over its predecessor's slot, so the
 * counters only ever grow. */
#ifndef FC_METRICS_H
#define FC_METRICS_H

#include "request.h"

#define METRICS_MAX_WORKERS 64
#define METRICS_MAX_ROUTES 96

int metrics_init(void);                       /* master, before forking */
void metrics_attach_slot(int slot);           /* worker, after fork */
void metrics_set_workers_alive(int n);        /* master */
void metrics_observe(int route_index, int status, double seconds); /* -1 = unrouted */
void metrics_db_error(void);
void metrics_write(struct request *req);      /* answer GET /metrics */

#endif
