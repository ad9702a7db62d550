/* nchan_store.h — what nginx's nchan module says about itself: the
 * subscribers it holds, read from its status page on the internal
 * unix socket (FACECLOCK_NCHAN_PUB, nginx/faceclock.conf.in's
 * /nchan-status). Never answers the request. */
#ifndef FC_NCHAN_STORE_H
#define FC_NCHAN_STORE_H

/* The subscribers of every channel now: 0 with *n, or -1 (no publisher
 * socket configured, nginx not answering within a second, or not the
 * status page); logged at most once a minute. */
int nchan_subscribers(long long *n);

#endif
