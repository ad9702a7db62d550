/* purge_cmd.c — `faceclock purge`: the retention purge (purge_run,
 * purge_store.c) by system:purge, printing what it removed; the scheduler
 * service runs the same once a day. Meant for cron where the service does
 * not run (docs/operations.md). Exits 1 on a database failure, 2 on bad
 * usage. */
#include <stdio.h>
#include "app/commands.h"
#include "config.h"
#include "db.h"
#include "purge_store.h"

int cmd_purge(int argc, char **argv)
{
    struct actor who;
    struct purge_count n;
    const char *step = "";

    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: faceclock purge\n");
        return 2;
    }
    actor_system(&who, "system:purge");
    who.user_agent = "faceclock purge";
    db_init(g_config.database_url);
    int rc = purge_run(&who, stdout, 0, &n, &step);
    if (rc < 0)
        fprintf(stderr, "purge: database failure %s: %s\n", step, db_last_message());
    db_close();
    return rc < 0 ? 1 : 0;
}
