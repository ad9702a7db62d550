/* alerts_tick_cmd.c — `faceclock alerts-tick [--hotel SLUG]`: the minute's
 * evaluation of the time-driven alert rules (a session past the hard
 * limit or the overtime threshold, a device offline, a revocation not
 * synced) for every hotel or one, each hotel in its own transaction
 * (alert_tick, alert_store.c); what no longer holds is resolved by the
 * system. For the scheduler (issue 13), or cron meanwhile. Prints what it
 * raised and resolved; exits 1 on a database failure or an unknown
 * hotel, 2 on bad usage. */
#include <stdio.h>
#include <string.h>
#include "app/commands.h"
#include "alert_store.h"
#include "config.h"
#include "db.h"

static struct db_stmt st_hotels = {
    "alerts_tick_hotels", "SELECT id FROM hotels WHERE $1::text IS NULL OR slug = $1 ORDER BY id", 0,
};

int cmd_alerts_tick(int argc, char **argv)
{
    const char *slug = NULL;
    struct alert_tick_count n = {0, 0};
    struct db_args a;
    PGresult *r;
    int failed = 0;

    if (argc == 3 && strcmp(argv[1], "--hotel") == 0 && argv[2][0] != '\0') {
        slug = argv[2];
    } else if (argc != 1) {
        fprintf(stderr, "usage: faceclock alerts-tick [--hotel SLUG]\n");
        return 2;
    }
    db_init(g_config.database_url);
    db_args_init(&a);
    db_arg_str(&a, slug);
    if (db_simple("SET client_encoding = 'UTF8'") < 0 || (r = db_run(&st_hotels, &a)) == NULL) {
        fprintf(stderr, "alerts-tick: database failure: %s\n", db_last_message());
        db_close();
        return 1;
    }
    if (slug != NULL && PQntuples(r) == 0) {
        fprintf(stderr, "alerts-tick: no hotel %s\n", slug);
        PQclear(r);
        db_close();
        return 1;
    }
    int hotels = PQntuples(r);
    for (int i = 0; i < hotels && !failed; i++)
        if (alert_tick(db_ll(r, i, 0), &n) < 0) {
            fprintf(stderr, "alerts-tick: database failure: %s\n", db_last_message());
            failed = 1;
        }
    PQclear(r);
    db_close();
    if (!failed)
        printf("alerts-tick: %d hotel(s), %ld raised, %ld resolved\n", hotels, n.raised, n.resolved);
    return failed;
}
