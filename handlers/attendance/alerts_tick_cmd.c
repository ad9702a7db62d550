/* alerts_tick_cmd.c — `faceclock alerts-tick [--hotel SLUG]`: the minute's
 * evaluation of the time-driven alert rules (a session past the hard
 * limit or the overtime threshold, a device offline, a revocation not
 * synced) for every hotel or one, each hotel in its own transaction
 * (alert_tick_hotels, alert_store.c, which the scheduler service runs
 * every minute); what no longer holds is resolved by the system. Prints
 * what it raised and resolved; exits 1 on a database failure or an
 * unknown hotel, 2 on bad usage. */
#include <stdio.h>
#include <string.h>
#include "app/commands.h"
#include "alert_store.h"
#include "config.h"
#include "db.h"

int cmd_alerts_tick(int argc, char **argv)
{
    const char *slug = NULL;
    struct alert_tick_count n = {0, 0};

    if (argc == 3 && strcmp(argv[1], "--hotel") == 0 && argv[2][0] != '\0') {
        slug = argv[2];
    } else if (argc != 1) {
        fprintf(stderr, "usage: faceclock alerts-tick [--hotel SLUG]\n");
        return 2;
    }
    db_init(g_config.database_url);
    int hotels = db_simple("SET client_encoding = 'UTF8'") < 0 ? -1 : alert_tick_hotels(slug, &n);
    if (hotels < 0)
        fprintf(stderr, "alerts-tick: database failure: %s\n", db_last_message());
    else if (hotels == 0 && slug != NULL)
        fprintf(stderr, "alerts-tick: no hotel %s\n", slug);
    else
        printf("alerts-tick: %d hotel(s), %ld raised, %ld resolved\n", hotels, n.raised, n.resolved);
    db_close();
    return hotels < 0 || (hotels == 0 && slug != NULL) ? 1 : 0;
}
