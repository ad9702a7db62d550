/* server.h — the runtime's own commands: serve, the prefork master
 * (master.c) and the worker loop (worker.c), and migrate (migrate.c).
 * The master opens the FastCGI socket, forks FACECLOCK_WORKERS workers,
 * respawns the dead with back-off, drains on SIGTERM/SIGINT and replaces
 * workers one by one on SIGHUP, retiring each old one once its successor
 * is connected to the database. Each worker loops on FCGX_Accept_r. */
#ifndef FC_SERVER_H
#define FC_SERVER_H

int master_run(void);                  /* `faceclock serve`; exit status */
/* Never returns to the master code. Once connected to the database (or
 * having tried), the worker writes one byte to ready_fd and closes it;
 * -1 when nobody waits for that. */
int worker_run(int listen_fd, int slot, int ready_fd);

/* `faceclock migrate [sql-dir]` (argv from "migrate" on); exit status */
int cmd_migrate(int argc, char **argv);

#endif
