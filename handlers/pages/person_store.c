/* person_store.c — owns the staff member's face status as the face pages
 * show it (person_store.h): one prepared query. */
#include "db.h"
#include "jsonx.h"
#include "page_rules.h"
#include "person_store.h"
#include "people/staff_rules.h"

enum { P_ID, P_CODE, P_FIRST, P_LAST, P_DEPT, P_DEPT_NAME, P_ACTIVE, P_FACE, P_AT, P_CONSENT, P_SOURCE };
static struct db_stmt st_person = {
    "page_person",
    "SELECT s.id, s.employee_code, s.first_name, s.last_name, s.department_id, d.name, s.is_active, "
    "f.staff_id IS NOT NULL, fc_ts(f.registered_at), f.consent_given, f.source "
    "FROM staff s LEFT JOIN departments d ON d.hotel_id = s.hotel_id AND d.id = s.department_id "
    "LEFT JOIN face_data f ON f.hotel_id = s.hotel_id AND f.staff_id = s.id "
    "WHERE s.hotel_id = $1 AND s.id = $2",
    0,
};

int page_person_load(struct request *req, long long staff_id, struct json_object **person,
                     long long *department)
{
    struct db_args a;
    PGresult *r;
    char text[64];

    *person = NULL;
    *department = 0;
    db_args_init(&a);
    db_arg_int(&a, req->tenant.id);
    db_arg_int(&a, staff_id);
    if ((r = db_run(&st_person, &a)) == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 0;
    }
    struct json_object *o = json_object_new_object();
    int face = db_bool(r, 0, P_FACE);
    jx_add_int(o, "id", db_ll(r, 0, P_ID));
    jx_add_str(o, "employee_code", db_str(r, 0, P_CODE));
    jx_add_str(o, "name", staff_display_name(req->pool, db_str(r, 0, P_FIRST), db_str(r, 0, P_LAST)));
    db_json_ll(o, "department_id", r, 0, P_DEPT);
    jx_add_str(o, "department_name", db_str(r, 0, P_DEPT_NAME));
    jx_add_bool(o, "is_active", db_bool(r, 0, P_ACTIVE));
    jx_add_bool(o, "has_face", face);
    jx_add_str(o, "face_registered_at", face ? db_str(r, 0, P_AT) : NULL);
    page_time_text(face ? db_str(r, 0, P_AT) : NULL, text, sizeof text);
    jx_add_str(o, "face_registered_text", face ? text : NULL);
    if (face)
        jx_add_bool(o, "face_consent_given", db_bool(r, 0, P_CONSENT));
    else
        json_object_object_add(o, "face_consent_given", NULL);
    jx_add_str(o, "face_source", face ? db_str(r, 0, P_SOURCE) : NULL);
    *department = db_ll(r, 0, P_DEPT);
    PQclear(r);
    *person = o;
    return 1;
}
