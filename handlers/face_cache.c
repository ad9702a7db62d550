/* face_cache.c — per-worker descriptor sets, one per recently used hotel,
 * least recently used evicted. */
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "face_cache.h"
#include "face_store.h"
#include "log.h"

#define CACHE_HOTELS 8

struct hotel_faces {
    long long hotel_id;       /* 0 = free */
    long long version;
    int n, cap;
    long long *ids;
    float *vecs;              /* n rows of DESCRIPTOR_DIM, 16-byte aligned */
    unsigned long long used;  /* LRU stamp */
};

static struct hotel_faces cache[CACHE_HOTELS];
static unsigned long long clock_stamp;

static struct db_stmt st_load = {
    "face_cache_load",
    "SELECT f.staff_id, f.descriptor_enc FROM face_data f "
    "JOIN staff s ON s.hotel_id = f.hotel_id AND s.id = f.staff_id "
    "WHERE f.hotel_id = $1 AND s.is_active ORDER BY f.staff_id",
    0,
};

static int reserve(struct hotel_faces *h, int n)
{
    if (n <= h->cap)
        return 0;
    int cap = n + n / 4 + 16;
    long long *ids = realloc(h->ids, sizeof *ids * (size_t)cap);
    if (ids == NULL)
        return -1;
    h->ids = ids;
    float *vecs = NULL;
    if (posix_memalign((void **)&vecs, 64, sizeof(float) * DESCRIPTOR_DIM * (size_t)cap) != 0)
        return -1;
    free(h->vecs);            /* old contents are replaced by the load */
    h->vecs = vecs;
    h->cap = cap;
    return 0;
}

static int load(struct hotel_faces *h, long long hotel_id, long long version)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    PGresult *r = db_run(&st_load, &a);
    if (r == NULL)
        return -1;
    int rows = PQntuples(r);
    if (reserve(h, rows) < 0) {
        PQclear(r);
        log_error("out of memory for %d descriptors", rows);
        h->hotel_id = 0;
        return -1;
    }
    h->n = 0;
    for (int i = 0; i < rows; i++) {
        long long staff = db_ll(r, i, 0);
        if (face_unseal(hotel_id, staff, db_str(r, i, 1), h->vecs + (size_t)h->n * DESCRIPTOR_DIM) < 0) {
            log_error("face data of staff %lld in hotel %lld does not unseal (wrong FACECLOCK_DATA_KEY?)",
                      staff, hotel_id);
            continue;
        }
        h->ids[h->n++] = staff;
    }
    PQclear(r);
    h->hotel_id = hotel_id;
    h->version = version;
    return 0;
}

int face_cache_get(long long hotel_id, long long version, struct face_set *set)
{
    struct hotel_faces *h = NULL, *victim = &cache[0];
    for (int i = 0; i < CACHE_HOTELS; i++) {
        if (cache[i].hotel_id == hotel_id)
            h = &cache[i];
        if (cache[i].used < victim->used)
            victim = &cache[i];
    }
    if (h == NULL) {
        h = victim;
        h->hotel_id = 0;
    }
    if (h->hotel_id != hotel_id || h->version != version) {
        if (load(h, hotel_id, version) < 0)
            return -1;
    }
    h->used = ++clock_stamp;
    set->n = h->n;
    set->ids = h->ids;
    set->vecs = h->vecs;
    return 0;
}

int face_cache_peek(long long hotel_id, long long *version, struct face_set *set)
{
    for (int i = 0; i < CACHE_HOTELS; i++)
        if (cache[i].hotel_id == hotel_id) {
            *version = cache[i].version;
            set->n = cache[i].n;
            set->ids = cache[i].ids;
            set->vecs = cache[i].vecs;
            return 1;
        }
    return 0;
}
