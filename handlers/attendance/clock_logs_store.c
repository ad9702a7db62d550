/* clock_logs_store.c — owns the clock logs' listing (clock_logs_store.h):
 * its filter, the page statement "clocklogs_list", and the CSV export
 * ("clocklogs_export_set" and the COPY of export_sql) with the same
 * filters. */
#include <string.h>
#include "clock_logs_store.h"
#include "db.h"
#include "export_store.h"
#include "jsonx.h"

/* The filters as SQL expressions: $1..$5 in the listing, the transaction's
 * settings in the export. from/to are hotel-local dates of time_in, both
 * inclusive; each bound is evaluated once, before the scan. */
#define LOGS_WHERE(hotel, staff, dept, from_date, to_date)                                        \
    "l.hotel_id = " hotel                                                                         \
    " AND (" staff " IS NULL OR l.staff_id = " staff ")"                                          \
    " AND (" dept " IS NULL OR s.department_id = " dept ")"                                       \
    " AND l.time_in >= coalesce(" SQL_DAY_START(hotel, from_date) ", '-infinity')"                \
    " AND l.time_in < coalesce(" SQL_DAY_START(hotel, "(" to_date ") + 1") ", 'infinity')"

#define LOGS_WHERE_ARGS LOGS_WHERE("$1::bigint", "$2::bigint", "$3::bigint", "$4::date", "$5::date")

#define SETTING_OR_NULL(name, type) "(SELECT nullif(current_setting('faceclock.logs_" name "'), '')::" type ")"
#define LOGS_WHERE_SETTINGS                                                                       \
    LOGS_WHERE("(SELECT current_setting('faceclock.logs_hotel'))::bigint",                        \
               SETTING_OR_NULL("staff", "bigint"), SETTING_OR_NULL("department", "bigint"),       \
               SETTING_OR_NULL("from_date", "date"), SETTING_OR_NULL("to_date", "date"))

#define LOGS_FROM "FROM clock_logs l JOIN staff s ON s.hotel_id = l.hotel_id AND s.id = l.staff_id "
#define LOGS_HOURS SQL_HOURS("extract(epoch FROM coalesce(l.time_out, now()) - l.time_in)")
#define SQL_BOOL(x) "CASE WHEN " x " THEN 'true' ELSE 'false' END"

enum { C_ID, C_STAFF, C_NAME, C_DEPT, C_IN, C_OUT, C_HOURS, C_SHIFT, C_UNROSTERED, C_APPROVED,
       C_FACE, C_SOURCE, C_ACK, C_AUTO, C_TOTAL };

static struct db_stmt st_list = {
    "clocklogs_list",
    "SELECT p.*, c.total FROM (SELECT count(*) AS total " LOGS_FROM "WHERE " LOGS_WHERE_ARGS ") c "
    "LEFT JOIN LATERAL (SELECT l.id, l.staff_id, " SQL_STAFF_NAME("s") ", s.department_id, "
    "fc_ts(l.time_in), fc_ts(l.time_out), " LOGS_HOURS ", l.roster_shift_id, l.is_unrostered, "
    "l.is_approved, l.verified_by_face, l.source, l.long_session_ack_mode, l.auto_closed "
    LOGS_FROM "WHERE " LOGS_WHERE_ARGS " ORDER BY l.time_in DESC, l.id DESC "
    "LIMIT $6 OFFSET $7) p ON true",
    0,
};

/* the export's filters, bound as parameters, never spliced into its SQL,
 * and the number of rows the COPY sends (X-Export-Rows, export_csv()) */
static struct db_stmt st_export_set = {
    "clocklogs_export_set",
    "SELECT set_config('faceclock.logs_hotel', $1, true), "
    "set_config('faceclock.logs_staff', coalesce($2, ''), true), "
    "set_config('faceclock.logs_department', coalesce($3, ''), true), "
    "set_config('faceclock.logs_from_date', coalesce($4, ''), true), "
    "set_config('faceclock.logs_to_date', coalesce($5, ''), true), " EXPORT_PLANNER_SETTINGS ", "
    SQL_EXPORT_ROWS(LOGS_FROM "WHERE " LOGS_WHERE_ARGS),
    0,
};

static const char export_sql[] =
    "COPY (SELECT l.id, l.staff_id, " SQL_CSV_TEXT(SQL_STAFF_NAME("s")) " AS staff_name, s.department_id, "
    SQL_TS("l.time_in") " AS time_in, " SQL_TS("l.time_out") " AS time_out, "
    LOGS_HOURS " AS session_duration_hours, l.roster_shift_id, "
    SQL_BOOL("l.is_unrostered") " AS is_unrostered, " SQL_BOOL("l.is_approved") " AS is_approved, "
    SQL_BOOL("l.verified_by_face") " AS verified_by_face, "
    SQL_CSV_TEXT("l.source") " AS source, " SQL_CSV_TEXT("l.long_session_ack_mode") " AS long_session_ack_mode, "
    SQL_BOOL("l.auto_closed") " AS auto_closed "
    LOGS_FROM "WHERE " LOGS_WHERE_SETTINGS " ORDER BY l.time_in DESC, l.id DESC) "
    "TO STDOUT WITH (FORMAT csv, HEADER)";

void clocklog_filter_of(const struct request *req, struct clocklog_filter *f)
{
    memset(f, 0, sizeof *f);
    f->staff_id = arg_int(req, "staff_id");
    f->department_id = arg_int(req, "department_id");
    f->from = arg_str(req, "from");
    f->to = arg_str(req, "to");
}

/* $2..$5 of both statements */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct clocklog_filter *f = filter;
    db_arg_id(a, f->staff_id);
    db_arg_id(a, f->department_id);
    db_arg_str(a, f->from);
    db_arg_str(a, f->to);
}

static const struct db_json_col clocklog_cols[] = {
    {"id", C_ID, DBJ_INT},
    {"staff_id", C_STAFF, DBJ_INT},
    {"staff_name", C_NAME, DBJ_STR},
    {"department_id", C_DEPT, DBJ_INT_OR_NULL},
    {"time_in", C_IN, DBJ_STR},
    {"time_out", C_OUT, DBJ_STR},
    {"session_duration_hours", C_HOURS, DBJ_HOURS},
    {"roster_shift_id", C_SHIFT, DBJ_INT_OR_NULL},
    {"is_unrostered", C_UNROSTERED, DBJ_BOOL},
    {"is_approved", C_APPROVED, DBJ_BOOL},
    {"verified_by_face", C_FACE, DBJ_BOOL},
    {"source", C_SOURCE, DBJ_STR},
    {"long_session_ack_mode", C_ACK, DBJ_STR},
    {"auto_closed", C_AUTO, DBJ_BOOL},
    {NULL, 0, 0},
};

const struct listing clocklog_listing = {
    .page = &st_list, .total_col = C_TOTAL, .id_col = C_ID, .bind = filter_args, .cols = clocklog_cols,
    .export_set = &st_export_set, .export_sql = export_sql, .export_name = "clock-logs",
};

int clocklog_rows(long long hotel_id, const struct clocklog_filter *f, long limit, long offset,
                  struct json_object **rows, long long *total)
{
    return listing_rows(&clocklog_listing, hotel_id, f, limit, offset, rows, total);
}
