/* pool.c — per-request memory arena: a list of chunks, bump allocation. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pool.h"

#define CHUNK_SIZE (16 * 1024)

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct pool {
    struct chunk *head;     /* current chunk; the first one is kept on reset */
    size_t bytes;
};

static struct chunk *chunk_new(size_t size)
{
    struct chunk *c = malloc(sizeof *c + size);
    if (c == NULL)
        abort();
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct pool *pool_new(void)
{
    struct pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        abort();
    p->head = chunk_new(CHUNK_SIZE);
    p->bytes = CHUNK_SIZE;
    return p;
}

void pool_reset(struct pool *p)
{
    struct chunk *c = p->head;
    while (c->next != NULL) {       /* free all but the oldest (last) chunk */
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    c->used = 0;
    p->head = c;
    p->bytes = c->size;
}

void pool_free(struct pool *p)
{
    if (p == NULL)
        return;
    pool_reset(p);
    free(p->head);
    free(p);
}

void *pool_alloc(struct pool *p, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n)
        abort();
    struct chunk *c = p->head;
    if (c->size - c->used < need) {
        size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;
        c = chunk_new(size);
        c->next = p->head;
        p->head = c;
        p->bytes += size;
    }
    void *r = c->data + c->used;
    c->used += need;
    memset(r, 0, n);
    return r;
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
    char *r = pool_alloc(p, n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *pool_strdup(struct pool *p, const char *s)
{
    return s == NULL ? NULL : pool_strndup(p, s, strlen(s));
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    char *r = pool_alloc(p, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return r;
}

size_t pool_bytes(const struct pool *p)
{
    return p->bytes;
}
