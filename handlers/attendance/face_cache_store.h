/* face_cache_store.h — each worker keeps, per hotel it serves, what a scan
 * decides with: the active staff (names, departments) and their
 * descriptors, unsealed, the department names and the attendance settings.
 * It reloads a hotel only when the hotel's face_version (moved by triggers
 * on face data, staff, departments and settings: sql/002, sql/006)
 * differs from the one it loaded. A scan then costs no decryption, no
 * descriptor traffic and no reading of what rarely changes. */
#ifndef FC_FACE_CACHE_H
#define FC_FACE_CACHE_H

#include "match_rules.h"
#include "settings_rules.h"

/* Both start with their id: face_cache.c looks either up by it. */
struct cached_staff {
    long long id;
    const char *first_name, *last_name;
    long long department_id;          /* 0 = none */
};
struct cached_department {
    long long id;
    const char *name;
};

/* One hotel as of one version. Memory owned by the cache, valid until the
 * next face_cache_get() or face_cache_peek(). */
struct hotel_view {
    long long hotel_id;
    long long version;
    struct face_set set;              /* the active staff with face data */
    int nstaff;                       /* every active staff member, by id */
    const struct cached_staff *staff;
    int ndepartments;                 /* by id */
    const struct cached_department *departments;
    const struct attendance_settings *settings;
};

/* The hotel as of `version` (loaded when this worker holds another). 0, or
 * -1 on a database failure. */
int face_cache_get(long long hotel_id, long long version, struct hotel_view *v);

/* The hotel as this worker holds it, whatever its version: 1 with *v
 * filled, 0 when it holds none. No database. */
int face_cache_peek(long long hotel_id, struct hotel_view *v);

/* An active staff member of the view, or NULL. */
const struct cached_staff *hotel_view_staff(const struct hotel_view *v, long long staff_id);

/* A department's name, or NULL when the hotel has no such department. */
const char *hotel_view_department(const struct hotel_view *v, long long department_id);

#endif
