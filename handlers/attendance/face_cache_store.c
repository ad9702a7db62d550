/* face_cache_store.c — per-worker hotel views (face_cache_store.h), one per recently
 * used hotel, least recently used evicted. A reload reads the staff with
 * their sealed descriptors, the departments and the settings, and replaces
 * the hotel's memory whole. */
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "face_cache_store.h"
#include "face_store.h"
#include "log.h"
#include "settings_store.h"

#define CACHE_HOTELS 8

struct hotel_entry {
    long long hotel_id;       /* 0 = free */
    long long version;
    int nfaces, nstaff, ndeps;
    long long *face_ids;
    float *vecs;              /* nfaces rows of DESCRIPTOR_DIM, 64-byte aligned */
    struct cached_staff *staff;
    struct cached_department *deps;
    char *text;               /* every name above, NUL-terminated */
    struct attendance_settings settings;
    unsigned long long used;  /* LRU stamp */
};

static struct hotel_entry cache[CACHE_HOTELS];
static unsigned long long clock_stamp;

static struct db_stmt st_staff = {
    "face_cache_staff",
    "SELECT s.id, s.first_name, s.last_name, coalesce(s.department_id, 0), f.descriptor_enc "
    "FROM staff s LEFT JOIN face_data f ON f.hotel_id = s.hotel_id AND f.staff_id = s.id "
    "WHERE s.hotel_id = $1 AND s.is_active ORDER BY s.id",
    0,
};
static struct db_stmt st_departments = {
    "face_cache_departments",
    "SELECT id, name FROM departments WHERE hotel_id = $1 ORDER BY id",
    0,
};

static void entry_free(struct hotel_entry *e)
{
    free(e->face_ids);
    free(e->vecs);
    free(e->staff);
    free(e->deps);
    free(e->text);
    memset(e, 0, sizeof *e);
}

static PGresult *load_rows(struct db_stmt *st, long long hotel_id)
{
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    return db_run(st, &a);
}

/* Copy s into the text arena at *at. */
static const char *keep(char **at, const char *s)
{
    size_t n = strlen(s) + 1;
    char *out = *at;
    memcpy(out, s, n);
    *at += n;
    return out;
}

/* Fill e (empty) from the two results and the settings. 0 or -1 (memory). */
static int fill(struct hotel_entry *e, const PGresult *staff, const PGresult *deps)
{
    int ns = PQntuples(staff), nd = PQntuples(deps);
    size_t text = 0;
    for (int i = 0; i < ns; i++)
        text += (size_t)PQgetlength(staff, i, 1) + (size_t)PQgetlength(staff, i, 2) + 2;
    for (int i = 0; i < nd; i++)
        text += (size_t)PQgetlength(deps, i, 1) + 1;

    e->face_ids = malloc(sizeof *e->face_ids * (size_t)(ns + 1));
    e->staff = malloc(sizeof *e->staff * (size_t)(ns + 1));
    e->deps = malloc(sizeof *e->deps * (size_t)(nd + 1));
    e->text = malloc(text + 1);
    if (posix_memalign((void **)&e->vecs, 64, sizeof(float) * DESCRIPTOR_DIM * (size_t)(ns + 1)) != 0)
        e->vecs = NULL;
    if (!e->face_ids || !e->staff || !e->deps || !e->text || !e->vecs)
        return -1;

    char *at = e->text;
    for (int i = 0; i < ns; i++) {
        struct cached_staff *s = &e->staff[e->nstaff++];
        s->id = db_ll(staff, i, 0);
        s->first_name = keep(&at, PQgetvalue(staff, i, 1));
        s->last_name = keep(&at, PQgetvalue(staff, i, 2));
        s->department_id = db_ll(staff, i, 3);
        if (PQgetisnull(staff, i, 4))
            continue;
        if (face_unseal(e->hotel_id, s->id, PQgetvalue(staff, i, 4),
                        e->vecs + (size_t)e->nfaces * DESCRIPTOR_DIM) < 0) {
            log_error("face data of staff %lld in hotel %lld does not unseal (wrong FACECLOCK_DATA_KEY?)",
                      s->id, e->hotel_id);
            continue;
        }
        e->face_ids[e->nfaces++] = s->id;
    }
    for (int i = 0; i < nd; i++) {
        e->deps[e->ndeps].id = db_ll(deps, i, 0);
        e->deps[e->ndeps++].name = keep(&at, PQgetvalue(deps, i, 1));
    }
    return 0;
}

/* Reload e as hotel_id at version. The version is read before this is
 * called, so what is loaded is at least that new: a change committed in
 * between moved the version, and the next request reloads again. */
static int load(struct hotel_entry *e, long long hotel_id, long long version)
{
    entry_free(e);
    e->hotel_id = hotel_id;
    e->version = version;
    PGresult *staff = load_rows(&st_staff, hotel_id);
    PGresult *deps = staff ? load_rows(&st_departments, hotel_id) : NULL;
    int rc = -1;
    if (deps != NULL && settings_load(hotel_id, &e->settings) == 0) {
        rc = fill(e, staff, deps);
        if (rc < 0)
            log_error("out of memory for the %d staff of hotel %lld", PQntuples(staff), hotel_id);
    }
    PQclear(staff);
    PQclear(deps);
    if (rc < 0)
        entry_free(e);
    return rc;
}

static void view_of(struct hotel_entry *e, struct hotel_view *v)
{
    e->used = ++clock_stamp;
    v->hotel_id = e->hotel_id;
    v->version = e->version;
    v->set.n = e->nfaces;
    v->set.ids = e->face_ids;
    v->set.vecs = e->vecs;
    v->nstaff = e->nstaff;
    v->staff = e->staff;
    v->ndepartments = e->ndeps;
    v->departments = e->deps;
    v->settings = &e->settings;
}

int face_cache_get(long long hotel_id, long long version, struct hotel_view *v)
{
    struct hotel_entry *e = NULL, *victim = &cache[0];
    for (int i = 0; i < CACHE_HOTELS; i++) {
        if (cache[i].hotel_id == hotel_id)
            e = &cache[i];
        if (cache[i].used < victim->used)
            victim = &cache[i];
    }
    if (e == NULL)
        e = victim;
    if ((e->hotel_id != hotel_id || e->version != version) && load(e, hotel_id, version) < 0)
        return -1;
    view_of(e, v);
    return 0;
}

int face_cache_peek(long long hotel_id, struct hotel_view *v)
{
    for (int i = 0; i < CACHE_HOTELS; i++)
        if (cache[i].hotel_id == hotel_id) {
            view_of(&cache[i], v);
            return 1;
        }
    return 0;
}

/* bsearch() order of anything that starts with its long long id */
static int by_id(const void *key, const void *elem)
{
    long long k = *(const long long *)key, id = *(const long long *)elem;
    return (k > id) - (k < id);
}

const struct cached_staff *hotel_view_staff(const struct hotel_view *v, long long staff_id)
{
    return bsearch(&staff_id, v->staff, (size_t)v->nstaff, sizeof *v->staff, by_id);
}

const char *hotel_view_department(const struct hotel_view *v, long long department_id)
{
    const struct cached_department *d =
        bsearch(&department_id, v->departments, (size_t)v->ndepartments, sizeof *v->departments, by_id);
    return d ? d->name : NULL;
}
