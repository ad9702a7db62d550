/* services.h — the application's services (long-running processes under
 * the master of `faceclock serve`), each in its room's _svc.c;
 * services.c lists them for the runtime (fcgi/app.h: app_services). run
 * returns its exit status once *stop is set. */
#ifndef FC_APP_SERVICES_H
#define FC_APP_SERVICES_H

#include <signal.h>

int publisher_run(volatile sig_atomic_t *stop);   /* live/publisher_svc.c */
int scheduler_run(volatile sig_atomic_t *stop);   /* attendance/scheduler_svc.c */
int notifier_run(volatile sig_atomic_t *stop);    /* notify/notifier_svc.c */
int mqtt_run(volatile sig_atomic_t *stop);        /* devices/mqtt_svc.c */

#endif
