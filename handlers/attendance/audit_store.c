/* audit_store.c — owns the face audit log's listing (audit_store.h): its
 * filter, the keyset page statements ("audit_list", "audit_list_before")
 * with the capped count ("audit_count") and the planner's estimate of
 * the rows ("audit_estimate"), the same for one staff member's rows
 * ("audit_list_staff", ...), and the CSV export
 * ("audit_export_set" and the COPY of export_sql) with the same filters.
 * tests/bench/audit_bench.py reads those three from this file. */
#include <string.h>
#include "audit_store.h"
#include "db.h"
#include "export_store.h"
#include "jsonx.h"

/* The filters, given as SQL expressions: $1..$7 in the listing, the
 * transaction's settings in the export. Each bound is one uncorrelated
 * expression, which PostgreSQL evaluates once, before the scan of the
 * (hotel_id, created_at DESC, id DESC) index. A date bound is the
 * hotel-local day, inclusive; a timestamp bound is that instant, inclusive. */
#define AUDIT_WHERE(hotel, staff, action, from_date, from_ts, to_date, to_ts) \
    AUDIT_WHERE_DAY(DAY_START_OR_NULL, hotel, staff, action, from_date, from_ts, to_date, to_ts)
#define AUDIT_WHERE_DAY(day, hotel, staff, action, from_date, from_ts, to_date, to_ts)            \
    "a.hotel_id = " hotel                                                                         \
    " AND " staff                                                                                 \
    " AND (" action " IS NULL OR a.action = " action ")"                                          \
    " AND a.created_at >= coalesce(" from_ts ", " day(hotel, from_date) ", '-infinity')"          \
    " AND a.created_at <= coalesce(" to_ts ", " day(hotel, "(" to_date ") + 1")                   \
    " - interval '1 microsecond', 'infinity')"
/* a day's start, NULL without a date: written so that the planner folds
 * an absent bound to ±infinity (a known constant) instead of guessing the
 * selectivity of a subquery's value, which made it sort every row of the
 * hotel for a page (the partitioned log, sql/027) */
#define DAY_START_OR_NULL(hotel, date) \
    "CASE WHEN (" date ") IS NULL THEN NULL::timestamptz ELSE " SQL_DAY_START(hotel, date) " END"

/* the staff filter: a staff member or any (NULL), or one staff member: a
 * statement of its own, whose generic plan reads the (hotel, staff) index
 * (with the NULL branch it reads the hotel's whole log in order, filtered) */
#define ANY_STAFF(staff) "(" staff " IS NULL OR a.staff_id = " staff ")"
#define ONE_STAFF(staff) "a.staff_id = " staff
#define AUDIT_WHERE_OF(staff) AUDIT_WHERE("$1::bigint", staff("$2::bigint"), "$3::text", "$4::date", \
                                          "$5::timestamptz", "$6::date", "$7::timestamptz")
#define AUDIT_WHERE_ARGS AUDIT_WHERE_OF(ANY_STAFF)

#define SETTING(name) "(SELECT current_setting('faceclock.audit_" name "'))"
#define SETTING_OR_NULL(name, type) "(SELECT nullif(current_setting('faceclock.audit_" name "'), '')::" type ")"
#define AUDIT_WHERE_SETTINGS                                                                      \
    AUDIT_WHERE(HOTEL_SETTING, ANY_STAFF(SETTING_OR_NULL("staff", "bigint")),       \
                SETTING_OR_NULL("action", "text"), SETTING_OR_NULL("from_date", "date"),          \
                SETTING_OR_NULL("from_ts", "timestamptz"), SETTING_OR_NULL("to_date", "date"),    \
                SETTING_OR_NULL("to_ts", "timestamptz"))

#define AUDIT_FROM                                                                                \
    "FROM face_audit_log a JOIN staff s ON s.hotel_id = a.hotel_id AND s.id = a.staff_id "        \
    "LEFT JOIN staff pb ON pb.hotel_id = a.hotel_id AND pb.id = a.performed_by "
/* the slug of the one hotel the rows belong to, looked up once */
#define AUDIT_SLUG(hotel) "(SELECT slug FROM hotels WHERE id = " hotel ")"
#define HOTEL_SETTING SETTING("hotel") "::bigint"

enum { C_ID, C_HOTEL, C_STAFF, C_STAFF_NAME, C_ACTION, C_BY, C_BY_NAME, C_REASON, C_CONSENT,
       C_CREATED, C_KEY };

/* the keyset pages (list_store.h): $8/$9 the boundary, $10 the limit,
 * $11 the offset; the capped count: $8 the cap + 1. The page's rows are
 * chosen in a subquery of the log alone, in index order, and named after:
 * joined first, the planner may start from the hotel's staff and sort all
 * their rows for one page when it misjudges a time bound's share. */
#define AUDIT_PAGE(staff, bound, order, limit)                                                        \
    "SELECT a.id, " AUDIT_SLUG("$1") ", a.staff_id, " SQL_STAFF_NAME("s") ", a.action, a.performed_by, " \
    SQL_STAFF_NAME("pb") ", a.reason, a.consent_given, fc_ts(a.created_at), " SQL_KEY_US("a.created_at") " " \
    "FROM (SELECT a.* FROM face_audit_log a WHERE " AUDIT_WHERE_OF(staff) " AND " bound order " " limit ") a " \
    "JOIN staff s ON s.hotel_id = a.hotel_id AND s.id = a.staff_id "                                   \
    "LEFT JOIN staff pb ON pb.hotel_id = a.hotel_id AND pb.id = a.performed_by" order
#define AUDIT_AFTER(staff)                                                                            \
    AUDIT_PAGE(staff, SQL_KEY_AFTER("a.created_at", "a.id", "$8", "$9"), SQL_KEY_DESC("a.created_at", "a.id"), \
               "LIMIT $10 OFFSET $11")
#define AUDIT_BEFORE(staff) \
    AUDIT_PAGE(staff, SQL_KEY_BEFORE("a.created_at", "a.id", "$8", "$9"), SQL_KEY_ASC("a.created_at", "a.id"), \
               "LIMIT $10")

/* without a time bound, the kept counts (sql/027_audit_partitions.sql):
 * exact at any size; else the rows counted up to the cap ($8); the kept
 * count of the filter without its time bound third (an upper bound); and
 * the planner's estimate of the rows (list_store.h) */
#define NO_TIME "$4::date IS NULL AND $5::timestamptz IS NULL AND $6::date IS NULL AND $7::timestamptz IS NULL"
#define AUDIT_COUNT(staff)                                                                            \
    "SELECT CASE WHEN " NO_TIME " THEN k.n "                                                          \
    "ELSE (SELECT count(*) FROM (SELECT 1 FROM face_audit_log a WHERE " AUDIT_WHERE_OF(staff) " LIMIT $8) c) END, " \
    NO_TIME ", k.n FROM (SELECT coalesce(sum(c.n), 0) AS n FROM face_audit_counts c "                  \
    "WHERE c.hotel_id = $1::bigint AND ($2::bigint IS NULL OR c.staff_id = $2::bigint) "              \
    "AND ($3::text IS NULL OR c.action = $3::text)) k"
/* the estimate's day: the UTC day (within a day of the hotel's), a value
 * the planner can read, where a subquery's (the hotel's time zone) gets
 * a guessed share of the rows */
#define UTC_DAY(hotel, date) "(" date ")::timestamp AT TIME ZONE 'UTC'"
#define AUDIT_ESTIMATE(staff)                                                                          \
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM face_audit_log a WHERE "                                       \
    AUDIT_WHERE_DAY(UTC_DAY, "$1::bigint", staff("$2::bigint"), "$3::text", "$4::date", "$5::timestamptz", \
                    "$6::date", "$7::timestamptz")

static struct db_stmt st_list = {"audit_list", AUDIT_AFTER(ANY_STAFF), 0};
static struct db_stmt st_list_before = {"audit_list_before", AUDIT_BEFORE(ANY_STAFF), 0};
static struct db_stmt st_count = {"audit_count", AUDIT_COUNT(ANY_STAFF), 0};
static struct db_stmt st_estimate = {"audit_estimate", AUDIT_ESTIMATE(ANY_STAFF), 0};
static struct db_stmt st_list_staff = {"audit_list_staff", AUDIT_AFTER(ONE_STAFF), 0};
static struct db_stmt st_list_staff_before = {"audit_list_staff_before", AUDIT_BEFORE(ONE_STAFF), 0};
static struct db_stmt st_count_staff = {"audit_count_staff", AUDIT_COUNT(ONE_STAFF), 0};
static struct db_stmt st_estimate_staff = {"audit_estimate_staff", AUDIT_ESTIMATE(ONE_STAFF), 0};

/* the export's filters, bound as parameters, never spliced into its SQL;
 * the number of rows the COPY sends (X-Export-Rows); and the head of the
 * hotel's audit chain (sql/009_audit_chain.sql, face and action rows:
 * 012_action_audit.sql) in the export's snapshot,
 * "<chain_seq> <hash hex>", sent as the response header
 * X-Audit-Chain-Head (export_csv()) */
static struct db_stmt st_export_set = {
    "audit_export_set",
    "SELECT set_config('faceclock.audit_hotel', $1, true), "
    "set_config('faceclock.audit_staff', coalesce($2, ''), true), "
    "set_config('faceclock.audit_action', coalesce($3, ''), true), "
    "set_config('faceclock.audit_from_date', coalesce($4, ''), true), "
    "set_config('faceclock.audit_from_ts', coalesce($5, ''), true), "
    "set_config('faceclock.audit_to_date', coalesce($6, ''), true), "
    "set_config('faceclock.audit_to_ts', coalesce($7, ''), true), " EXPORT_PLANNER_SETTINGS ", "
    SQL_EXPORT_ROWS(AUDIT_FROM "WHERE " AUDIT_WHERE_ARGS) ", "
    "fc_audit_chain_head($1::bigint) AS \"X-Audit-Chain-Head\"",
    0,
};

static const char export_sql[] =
    "COPY (SELECT a.id, " SQL_CSV_TEXT(AUDIT_SLUG(HOTEL_SETTING)) " AS hotel, a.staff_id AS staff, "
    SQL_CSV_TEXT(SQL_STAFF_NAME("s")) " AS staff_name, " SQL_CSV_TEXT("a.action") " AS action, a.performed_by, "
    SQL_CSV_TEXT(SQL_STAFF_NAME("pb")) " AS performed_by_name, " SQL_CSV_TEXT("a.reason") " AS reason, "
    "CASE WHEN a.consent_given THEN 'true' ELSE 'false' END AS consent_given, "
    SQL_CSV_TEXT("host(a.client_ip)") " AS client_ip, " SQL_CSV_TEXT("a.user_agent") " AS user_agent, "
    SQL_TS("a.created_at") " AS created_at "
    AUDIT_FROM "WHERE " AUDIT_WHERE_SETTINGS " ORDER BY a.created_at DESC, a.id DESC) "
    "TO STDOUT WITH (FORMAT csv, HEADER)";

void audit_filter_of(const struct request *req, struct audit_filter *f)
{
    memset(f, 0, sizeof *f);
    f->staff_id = arg_int(req, "staff_id");
    f->action = arg_str(req, "action");
    arg_time_range(req, &f->when);
}

/* $2..$7 of both statements */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct audit_filter *f = filter;
    db_arg_id(a, f->staff_id);
    db_arg_str(a, f->action);
    db_arg_time_range(a, &f->when);
}

/* the rows are counted (no kept count) under a time bound */
static int counted(const void *filter)
{
    const struct audit_filter *f = filter;
    return f->when.from_date != NULL || f->when.from_ts != NULL || f->when.to_date != NULL || f->when.to_ts != NULL;
}

static const struct db_json_col audit_cols[] = {
    {"id", C_ID, DBJ_INT},
    {"hotel", C_HOTEL, DBJ_STR},
    {"staff", C_STAFF, DBJ_INT},
    {"staff_name", C_STAFF_NAME, DBJ_STR},
    {"action", C_ACTION, DBJ_STR},
    {"performed_by", C_BY, DBJ_INT_OR_NULL},
    {"performed_by_name", C_BY_NAME, DBJ_STR},
    {"reason", C_REASON, DBJ_STR},
    {"consent_given", C_CONSENT, DBJ_BOOL},
    {"created_at", C_CREATED, DBJ_STR},
    {NULL, 0, 0},
};

static const struct listing audit_listing = {
    .after = &st_list, .before = &st_list_before, .count = &st_count, .key_col = C_KEY, .cursor = "face-audit",
    .estimate = &st_estimate, .counted = counted, .generic = 1, .id_col = C_ID, .bind = filter_args,
    .cols = audit_cols, .export_set = &st_export_set, .export_sql = export_sql, .export_name = "face-audit",
};

/* one staff member's rows: the same list (its cursors, its export) read
 * by the statements of their own */
static const struct listing audit_staff_listing = {
    .after = &st_list_staff, .before = &st_list_staff_before, .count = &st_count_staff, .key_col = C_KEY,
    .estimate = &st_estimate_staff, .counted = counted, .generic = 1, .cursor = "face-audit", .id_col = C_ID,
    .bind = filter_args, .cols = audit_cols, .export_set = &st_export_set, .export_sql = export_sql,
    .export_name = "face-audit",
};

const struct listing *audit_listing_of(const struct audit_filter *f)
{
    return f->staff_id > 0 ? &audit_staff_listing : &audit_listing;
}

int audit_rows(long long hotel_id, const struct audit_filter *f, long limit, long offset,
               struct json_object **rows, long long *total)
{
    return listing_rows(audit_listing_of(f), hotel_id, f, limit, offset, rows, total);
}
