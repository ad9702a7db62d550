/* staff_store.c — owns the staff list's statement and rows (staff_store.h):
 * each staff member as the PMS gave them, with their login name and
 * whether they have face data, filtered by department and activity. */
#include "jsonx.h"
#include "staff_store.h"

static struct db_stmt st_list = {
    "staff_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total FROM staff s WHERE s.hotel_id = $1 "
    "  AND ($2::bigint IS NULL OR s.department_id = $2) AND ($3::boolean IS NULL OR s.is_active = $3)) c "
    "LEFT JOIN LATERAL (SELECT s.id, s.employee_code, s.first_name, s.last_name, s.department_id, "
    "  s.role, s.is_active, u.username, f.staff_id IS NOT NULL "
    "  FROM staff s LEFT JOIN users u ON u.hotel_id = s.hotel_id AND u.staff_id = s.id "
    "  LEFT JOIN face_data f ON f.hotel_id = s.hotel_id AND f.staff_id = s.id "
    "  WHERE s.hotel_id = $1 AND ($2::bigint IS NULL OR s.department_id = $2) "
    "  AND ($3::boolean IS NULL OR s.is_active = $3) ORDER BY s.id LIMIT $4 OFFSET $5) p ON true",
    0,
};

void staff_filter_of(const struct request *req, struct staff_filter *f)
{
    f->department_id = arg_int(req, "department_id");
    f->is_active = arg_str(req, "is_active");
}

/* $2, $3 */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct staff_filter *f = filter;
    db_arg_id(a, f->department_id);
    db_arg_str(a, f->is_active);
}

static struct json_object *staff_json(const void *filter, const PGresult *r, int i)
{
    (void)filter;
    struct json_object *o = json_object_new_object();
    jx_add_int(o, "id", db_ll(r, i, 0));
    jx_add_str(o, "employee_code", db_str(r, i, 1));
    jx_add_str(o, "first_name", db_str(r, i, 2));
    jx_add_str(o, "last_name", db_str(r, i, 3));
    db_json_ll(o, "department_id", r, i, 4);
    jx_add_str(o, "role", db_str(r, i, 5));
    jx_add_bool(o, "is_active", db_bool(r, i, 6));
    jx_add_str(o, "username", db_str(r, i, 7));
    jx_add_bool(o, "has_registered_face", db_bool(r, i, 8));
    return o;
}

const struct listing staff_listing = {
    .page = &st_list, .total_col = 9, .id_col = 0, .bind = filter_args, .row = staff_json,
};

int staff_rows(long long hotel_id, const struct staff_filter *f, long limit, long offset,
               struct json_object **rows, long long *total)
{
    return listing_rows(&staff_listing, hotel_id, f, limit, offset, rows, total);
}
