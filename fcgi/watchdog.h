/* watchdog.h — the request deadline (FACECLOCK_REQUEST_DEADLINE). Every
 * worker notes on a board in shared memory (mapped by the master before it
 * forks) when it took its current request and which route that is; the
 * master reads the board and kills (SIGKILL) a worker busy on one request
 * past the deadline plus a grace second, names the route in the log and
 * forks a replacement. nginx's fastcgi_read_timeout is the deadline itself,
 * so the client has its 504 by then. The database's own timeouts (set on
 * each worker's connection, db.c) end a wait there before the deadline, so
 * that a request blocked in PostgreSQL is answered 503 by its worker. */
#ifndef FC_WATCHDOG_H
#define FC_WATCHDOG_H

#include <sys/types.h>

#define WATCHDOG_GRACE_S 1.0        /* after the deadline, before the kill */
#define WATCHDOG_IDLE 1e9           /* watchdog_due_in of a worker between requests */

/* Pure. Seconds until a request taken at busy_since (monotonic; 0 = none)
 * overruns limit seconds: <= 0 when it has. */
double watchdog_due_in(double busy_since, double now, double limit);
/* Pure. statement_timeout and lock_timeout for a deadline of deadline_s
 * seconds, in ms: a second less (at least half), left for the answer. */
long watchdog_statement_ms(int deadline_s);

/* Pure. The monotonic instant by which a worker must have had its
 * database answers for a request it took at now_mono (now_wall: the same
 * instant on the wall clock): half a second before nginx's deadline (at
 * least half the deadline), counted from when nginx sent the request
 * (sent: the FastCGI parameter FACECLOCK_REQUEST_START, nginx's $msec; a
 * request may wait in the socket's queue first) or, when that is missing,
 * unparsable or implausible, from now. db.c waits no longer (then drops
 * the connection: what it had sent and not committed dies with it) and the
 * request is answered 503: nothing is committed after nginx gave up. */
double watchdog_db_deadline(double now_mono, double now_wall, const char *sent, int deadline_s);

/* master */
int watchdog_init(void);                      /* before forking; -1 with errno */
int watchdog_claim(void);                     /* a board entry for the next fork, or -1 */
void watchdog_assign(int entry, pid_t pid);   /* after fork(); pid < 0: it failed */
/* A worker has been reaped: frees its entry and writes to what (for the
 * log) " on route R for Ns" when it died busy, else "". */
void watchdog_release(pid_t pid, char *what, size_t size);
/* Kill the workers past the deadline; seconds until the next one may be. */
double watchdog_check(double now);

/* worker */
void watchdog_attach(int entry);              /* in the child, right after fork() */
void watchdog_begin(void);                    /* a request accepted */
void watchdog_route(int route_index);         /* ... routed to app_routes[route_index] */
void watchdog_end(void);                      /* ... answered */

#endif
