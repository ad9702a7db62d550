/* services.c — the application's services (fcgi/app.h: app_services),
 * which the master of `faceclock serve` forks and supervises beside its
 * workers. A new one (the scheduler, the notifier) is one line here and
 * its room's _svc.c. */
#include "app.h"
#include "services.h"

const struct service app_services[] = {
    {"publisher", publisher_run},
    {"scheduler", scheduler_run},
    {"notifier", notifier_run},
    {"mqtt", mqtt_run},
};

const int app_nservices = (int)(sizeof app_services / sizeof app_services[0]);
