/* export_store.h — CSV exports streamed straight from PostgreSQL to the client
 * (COPY ... TO STDOUT), in constant memory whatever the number of rows,
 * and the SQL fragments the attendance listings and their exports share. */
#ifndef FC_EXPORT_H
#define FC_EXPORT_H

#include "db.h"
#include "request.h"

/* "First Last" ("First" when there is no last name) of a staff row alias,
 * as staff_display_name() (people/staff_rules.c) writes it in C. */
#define SQL_STAFF_NAME(s) \
    "CASE WHEN " s ".last_name = '' THEN " s ".first_name " \
    "ELSE " s ".first_name || ' ' || " s ".last_name END"

/* A text column of an export, safe to open in a spreadsheet: a value
 * starting with = + - @ tab or CR gets a leading ' (fc_csv_cell,
 * sql/008_csv_cell.sql). Every text column of every export goes through
 * it; numbers, booleans and timestamps are not text the client wrote. */
#define SQL_CSV_TEXT(x) "fc_csv_cell(" x ")"

/* Hours from a numeric number of seconds, 2 decimals, half away from zero:
 * the same value safety_hours() (safety_rules.c) gives. */
#define SQL_HOURS(secs) "round(round((" secs ") / 36) / 100, 2)"

/* RFC 3339 UTC with Z, exactly as fc_ts() (sql/001_core.sql) writes it.
 * Exports spell it out: fc_ts() is declared IMMUTABLE over the STABLE
 * to_char(), so PostgreSQL cannot inline it and calls it as a function,
 * which triples the cost of a million-row export. */
#define SQL_TS(t) "to_char((" t ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Appended to an export's set_config() statement. The COPY's filters are
 * settings, so the planner cannot see their values and guesses a handful
 * of rows; left alone it then joins the staff table by a nested loop
 * rescanning it for every audit row (35 s for a million rows). Hash joins
 * and one sort are right for an export of any size, and JIT compilation
 * only adds its start-up time to them. Both last until the transaction
 * ends. */
#define EXPORT_PLANNER_SETTINGS \
    "set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)"

/* The column of an export's set_config() statement that promises the
 * number of data rows its COPY sends: count(*) over the COPY's own FROM
 * and WHERE (written with the statement's parameters, as the listing's
 * page counts its total), in the same snapshot, so the two agree. It
 * becomes the response header X-Export-Rows (export_csv()); a client
 * that counts fewer rows, or sees the transfer end early, holds a cut
 * export. */
#define SQL_EXPORT_ROWS(from_where) "(SELECT count(*) " from_where ") AS \"X-Export-Rows\""

/* The instant a hotel-local date (a SQL date expression) begins in the
 * hotel's time zone; NULL when the date is NULL. */
#define SQL_DAY_START(hotel, date) \
    "(SELECT (" date ")::timestamp AT TIME ZONE timezone FROM hotels WHERE id = " hotel ")"

/* Answer the request with CSV: in one read-only transaction (one
 * snapshot), run set_stmt (a prepared SELECT set_config('faceclock.…',
 * $n, true), … that puts the export's filter values in place as
 * transaction-local settings; each of its columns named "X-…" that is not
 * NULL becomes a response header of that name and value, and one of them
 * must be SQL_EXPORT_ROWS), then
 * copy_sql (COPY (SELECT … current_setting('faceclock.…') …) TO STDOUT
 * WITH (FORMAT csv, HEADER)) straight to the client, rows ending in CRLF
 * (RFC 4180), as an attachment named filename. Always answers: a failure
 * before the first data row is an ordinary JSON error; after it the status
 * is gone, so it is logged and the connection to nginx cut without
 * FCGI_END_REQUEST (resp_abort(), fcgi/response.h), which nginx passes on
 * as an incomplete transfer. A COPY that sent another number of rows than
 * X-Export-Rows promised is such a failure too. */
void export_csv(struct request *req, struct db_stmt *set_stmt, const struct db_args *a,
                const char *copy_sql, const char *filename);

#endif
