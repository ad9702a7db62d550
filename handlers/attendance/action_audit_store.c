/* action_audit_store.c — owns the action audit log's rows
 * (action_audit_store.h): the actor a caller is, the append every store
 * calls inside its own transaction, and the listing with its CSV export
 * ("action_audit_list", "action_audit_export_set" and the COPY of
 * export_sql), filtered by actor, action, target and time. */
#include <stdio.h>
#include <string.h>
#include "action_audit_store.h"
#include "app/access.h"
#include "app/counters.h"
#include "db.h"
#include "export_store.h"

void actor_of(const struct request *req, struct actor *who)
{
    const struct identity *id = identity_of(req);

    switch (id->kind) {
    case CALLER_SYSADMIN:
        snprintf(who->name, sizeof who->name, "system:admin-key");
        break;
    case CALLER_USER:
        snprintf(who->name, sizeof who->name, "user:%s", id->username);
        break;
    case CALLER_KIOSK:
        snprintf(who->name, sizeof who->name, "kiosk:%lld", id->kiosk_id);
        break;
    case CALLER_DEVICE:
        snprintf(who->name, sizeof who->name, "device:%s", id->device_name);
        break;
    default:
        snprintf(who->name, sizeof who->name, "anonymous");
    }
    who->client_ip = req->client_ip;
    who->user_agent = req->user_agent;
}

void actor_system(struct actor *who, const char *name)
{
    snprintf(who->name, sizeof who->name, "%s", name);
    who->client_ip = NULL;
    who->user_agent = NULL;
}

/* $3: the batch, a JSON array; its rows are inserted (and chained) in
 * its order */
static struct db_stmt st_append = {
    "action_audit_append",
    "INSERT INTO action_audit_log (hotel_id, actor, action, target, old_value, new_value, client_ip, "
    "user_agent) SELECT $1, $2, e->>'action', coalesce(e->>'target', ''), "
    "nullif(e->'old_value', 'null'::jsonb), nullif(e->'new_value', 'null'::jsonb), $4::inet, "
    "coalesce($5, '') FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n",
    0,
};

void action_note(struct json_object **batch, const char *action, const char *target,
                 struct json_object *old_value, struct json_object *new_value)
{
    struct json_object *e = json_object_new_object();

    if (*batch == NULL)
        *batch = json_object_new_array();
    json_object_object_add(e, "action", json_object_new_string(action));
    if (target != NULL)
        json_object_object_add(e, "target", json_object_new_string(target));
    json_object_object_add(e, "old_value", old_value);
    json_object_object_add(e, "new_value", new_value);
    json_object_array_add(*batch, e);
}

int action_audit_append(const struct actor *who, long long hotel_id, struct json_object *batch)
{
    struct db_args a;

    if (batch == NULL || json_object_array_length(batch) == 0)
        return 0;
    db_args_init(&a);
    db_arg_id(&a, hotel_id);
    db_arg_str(&a, who->name);
    db_arg_str(&a, json_object_to_json_string_ext(batch, JSON_C_TO_STRING_PLAIN));
    db_arg_str(&a, who->client_ip);
    db_arg_str(&a, who->user_agent);
    if (db_exec(&st_append, &a) < 0)
        return -1;
    db_count(CTR_AUDIT_ACTION, json_object_array_length(batch));
    return 0;
}

int action_audit_one(const struct actor *who, long long hotel_id, const char *action, const char *target,
                     struct json_object *old_value, struct json_object *new_value)
{
    struct json_object *batch = NULL;
    int rc;

    action_note(&batch, action, target, old_value, new_value);
    rc = action_audit_append(who, hotel_id, batch);
    json_object_put(batch);
    return rc;
}

/* ---- the listing ------------------------------------------------------ */

/* The filters as SQL expressions: $1..$8 in the page, the transaction's
 * settings in the export. A date bound is the hotel-local day, inclusive
 * (UTC days for the system's rows); a timestamp bound is that instant. An
 * absent date is NULL before any subquery, so that the planner folds the
 * bound to ±infinity (audit_store.c's DAY_START_OR_NULL). */
#define DAY_START(hotel, date)                                                                   \
    "CASE WHEN (" date ") IS NULL THEN NULL::timestamptz ELSE coalesce(" SQL_DAY_START(hotel, date) \
    ", (" date ")::timestamp AT TIME ZONE 'UTC') END"
#define ACTION_WHERE(hotel, actor, action, target, from_date, from_ts, to_date, to_ts)             \
    "coalesce(a.hotel_id, 0) = " hotel                                                           \
    " AND (" actor " IS NULL OR a.actor = " actor ")"                                            \
    " AND (" action " IS NULL OR a.action = " action ")"                                         \
    " AND (" target " IS NULL OR a.target = " target ")"                                         \
    " AND a.created_at >= coalesce(" from_ts ", " DAY_START(hotel, from_date) ", '-infinity')"   \
    " AND a.created_at <= coalesce(" to_ts ", " DAY_START(hotel, "(" to_date ") + 1")            \
    " - interval '1 microsecond', 'infinity')"

#define ACTION_WHERE_ARGS ACTION_WHERE("$1::bigint", "$2::text", "$3::text", "$4::text", "$5::date", \
                                       "$6::timestamptz", "$7::date", "$8::timestamptz")

#define SETTING_OR_NULL(name, type) "(SELECT nullif(current_setting('faceclock.action_" name "'), '')::" type ")"
#define HOTEL_SETTING "(SELECT current_setting('faceclock.action_hotel'))::bigint"
#define ACTION_WHERE_SETTINGS                                                                    \
    ACTION_WHERE(HOTEL_SETTING, SETTING_OR_NULL("actor", "text"), SETTING_OR_NULL("action", "text"), \
                 SETTING_OR_NULL("target", "text"), SETTING_OR_NULL("from_date", "date"),        \
                 SETTING_OR_NULL("from_ts", "timestamptz"), SETTING_OR_NULL("to_date", "date"),  \
                 SETTING_OR_NULL("to_ts", "timestamptz"))
#define ACTION_SLUG "(SELECT slug FROM hotels WHERE id = a.hotel_id)"

enum { C_ID, C_HOTEL, C_ACTOR, C_ACTION, C_TARGET, C_OLD, C_NEW, C_IP, C_UA, C_CREATED, C_SEQ, C_KEY };

/* the keyset pages (list_store.h): $9/$10 the boundary, $11 the limit,
 * $12 the offset; the capped count: $9 the cap + 1 */
#define ACTION_COLS                                                                               \
    "SELECT a.id, " ACTION_SLUG ", a.actor, a.action, a.target, a.old_value, a.new_value, "       \
    "host(a.client_ip), a.user_agent, fc_ts(a.created_at), a.chain_seq, " SQL_KEY_US("a.created_at") " " \
    "FROM action_audit_log a WHERE " ACTION_WHERE_ARGS " AND "

static struct db_stmt st_list = {
    "action_audit_list",
    ACTION_COLS SQL_KEY_AFTER("a.created_at", "a.id", "$9", "$10") SQL_KEY_DESC("a.created_at", "a.id")
    " LIMIT $11 OFFSET $12",
    0,
};

static struct db_stmt st_list_before = {
    "action_audit_list_before",
    ACTION_COLS SQL_KEY_BEFORE("a.created_at", "a.id", "$9", "$10") SQL_KEY_ASC("a.created_at", "a.id")
    " LIMIT $11",
    0,
};

/* filtered by action alone (or not at all), the kept counts
 * (sql/027_audit_partitions.sql): exact at any size; else the rows
 * counted up to the cap */
#define ACTION_COUNTED "$2::text IS NULL AND $4::text IS NULL AND $5::date IS NULL AND $6::timestamptz IS NULL " \
                       "AND $7::date IS NULL AND $8::timestamptz IS NULL"
static struct db_stmt st_count = {
    "action_audit_count",
    "SELECT CASE WHEN " ACTION_COUNTED " THEN (SELECT coalesce(sum(c.n), 0) FROM action_audit_counts c "
    "WHERE c.hotel = $1::bigint AND ($3::text IS NULL OR c.action = $3::text)) "
    "ELSE (SELECT count(*) FROM (SELECT 1 FROM action_audit_log a WHERE " ACTION_WHERE_ARGS " LIMIT $9) c) END, "
    ACTION_COUNTED,
    0,
};

/* the filters as settings, the rows the COPY sends (X-Export-Rows) and
 * the head of the chain in the export's snapshot (X-Audit-Chain-Head) */
static struct db_stmt st_export_set = {
    "action_audit_export_set",
    "SELECT set_config('faceclock.action_hotel', $1, true), "
    "set_config('faceclock.action_actor', coalesce($2, ''), true), "
    "set_config('faceclock.action_action', coalesce($3, ''), true), "
    "set_config('faceclock.action_target', coalesce($4, ''), true), "
    "set_config('faceclock.action_from_date', coalesce($5, ''), true), "
    "set_config('faceclock.action_from_ts', coalesce($6, ''), true), "
    "set_config('faceclock.action_to_date', coalesce($7, ''), true), "
    "set_config('faceclock.action_to_ts', coalesce($8, ''), true), " EXPORT_PLANNER_SETTINGS ", "
    SQL_EXPORT_ROWS("FROM action_audit_log a WHERE " ACTION_WHERE_ARGS) ", "
    "fc_audit_chain_head($1::bigint) AS \"X-Audit-Chain-Head\"",
    0,
};

static const char export_sql[] =
    "COPY (SELECT a.id, " SQL_CSV_TEXT(ACTION_SLUG) " AS hotel, " SQL_CSV_TEXT("a.actor") " AS actor, "
    SQL_CSV_TEXT("a.action") " AS action, " SQL_CSV_TEXT("a.target") " AS target, "
    SQL_CSV_TEXT("a.old_value::text") " AS old_value, " SQL_CSV_TEXT("a.new_value::text") " AS new_value, "
    SQL_CSV_TEXT("host(a.client_ip)") " AS client_ip, " SQL_CSV_TEXT("a.user_agent") " AS user_agent, "
    SQL_TS("a.created_at") " AS created_at, a.chain_seq "
    "FROM action_audit_log a WHERE " ACTION_WHERE_SETTINGS " ORDER BY a.created_at DESC, a.id DESC) "
    "TO STDOUT WITH (FORMAT csv, HEADER)";

void action_filter_of(const struct request *req, struct action_filter *f)
{
    memset(f, 0, sizeof *f);
    f->actor = arg_str(req, "actor");
    f->action = arg_str(req, "action");
    f->target = arg_str(req, "target");
    arg_time_range(req, &f->when);
}

/* $2..$8 of both statements */
static void filter_args(struct db_args *a, const void *filter)
{
    const struct action_filter *f = filter;
    db_arg_str(a, f->actor);
    db_arg_str(a, f->action);
    db_arg_str(a, f->target);
    db_arg_time_range(a, &f->when);
}

static const struct db_json_col action_cols[] = {
    {"id", C_ID, DBJ_INT},
    {"hotel", C_HOTEL, DBJ_STR},
    {"actor", C_ACTOR, DBJ_STR},
    {"action", C_ACTION, DBJ_STR},
    {"target", C_TARGET, DBJ_STR},
    {"old_value", C_OLD, DBJ_JSON},
    {"new_value", C_NEW, DBJ_JSON},
    {"client_ip", C_IP, DBJ_STR},
    {"user_agent", C_UA, DBJ_STR},
    {"created_at", C_CREATED, DBJ_STR},
    {"chain_seq", C_SEQ, DBJ_INT},
    {NULL, 0, 0},
};

const struct listing action_audit_listing = {
    .after = &st_list, .before = &st_list_before, .count = &st_count, .key_col = C_KEY,
    .cursor = "action-audit", .id_col = C_ID, .bind = filter_args, .cols = action_cols, .generic = 1,
    .export_set = &st_export_set, .export_sql = export_sql, .export_name = "action-audit",
};
