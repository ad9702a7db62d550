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

static const struct db_json_col staff_cols[] = {
    {"id", 0, DBJ_INT},
    {"employee_code", 1, DBJ_STR},
    {"first_name", 2, DBJ_STR},
    {"last_name", 3, DBJ_STR},
    {"department_id", 4, DBJ_INT_OR_NULL},
    {"role", 5, DBJ_STR},
    {"is_active", 6, DBJ_BOOL},
    {"username", 7, DBJ_STR},
    {"has_registered_face", 8, DBJ_BOOL},
    {NULL, 0, 0},
};

const struct listing staff_listing = {
    .page = &st_list, .total_col = 9, .id_col = 0, .bind = filter_args, .cols = staff_cols,
};

int staff_rows(long long hotel_id, const struct staff_filter *f, long limit, long offset,
               struct json_object **rows, long long *total)
{
    return listing_rows(&staff_listing, hotel_id, f, limit, offset, rows, total);
}
