/* pool.h — per-request memory arena.
 * Everything a request allocates (parsed strings, captures, scratch) comes
 * from its pool and is released at once by pool_reset() when the request
 * ends, so error paths cannot leak. Allocation failure aborts the process
 * (the master respawns the worker); callers never check for NULL. */
#ifndef FC_POOL_H
#define FC_POOL_H

#include <stddef.h>

struct pool;

struct pool *pool_new(void);                 /* caller frees with pool_free */
void pool_free(struct pool *p);
void pool_reset(struct pool *p);             /* drop all allocations, keep first chunk */
void *pool_alloc(struct pool *p, size_t n);  /* zeroed, 16-byte aligned */
char *pool_strdup(struct pool *p, const char *s);
char *pool_strndup(struct pool *p, const char *s, size_t n);
char *pool_printf(struct pool *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t pool_bytes(const struct pool *p);     /* bytes currently held */

#endif
