/* server.h — the prefork master (master.c) and the worker loop (worker.c).
 * The master opens the FastCGI socket, forks FACECLOCK_WORKERS workers,
 * respawns the dead with back-off, drains on SIGTERM/SIGINT and replaces
 * workers one by one on SIGHUP. Each worker loops on FCGX_Accept_r. */
#ifndef FC_SERVER_H
#define FC_SERVER_H

int master_run(void);                  /* `faceclock serve`; exit status */
int worker_run(int listen_fd, int slot);   /* never returns to the master code */

#endif
