/* test_pms_rules.c — pms_validate (handlers/people/pms_rules.h) against contract
 * section 4 and docs/api.md: a table of documents it must accept and a
 * table it must refuse, each with the exact field it has to name
 * ("staff[1].department_id"), plus the 20 000-row limit; and
 * pms_row_refused: the field each database constraint names; and
 * pms_password_mark: a table of (key, hash, password) beside one
 * reference, equal only when all three are, and a known answer. Documents
 * are written with ' for " to keep the tables readable. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "jsonx.h"
#include "people/pms_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* rows that are valid alone, to build documents from */
#define DEP1   "{'id': 1, 'name': 'Reception'}"
#define DEP2   "{'id': 2, 'name': 'Housekeeping'}"
#define STAFF1 "{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann'}"
#define STAFF2 "{'id': 2, 'employee_code': 'E2', 'first_name': 'Bob'}"
#define SHIFT1 "{'id': 10, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00', 'end_time': '17:00:00'}"
#define SHIFT2 "{'id': 11, 'staff_id': 2, 'date': '2025-11-30', 'start_time': '22:00:00', 'end_time': '06:00:00'}"
#define CLOSED(staff) \
    "{'staff_id': " staff ", 'time_in': '2025-11-29T09:00:00Z', 'time_out': '2025-11-29T17:00:00Z'}"
#define CLOSED_EARLIER(staff) \
    "{'staff_id': " staff ", 'time_in': '2025-11-28T09:00:00Z', 'time_out': '2025-11-28T17:00:00Z'}"
#define OPEN(staff) "{'staff_id': " staff ", 'time_in': '2025-11-30T08:58:00Z', 'time_out': null}"

#define S16  "abcdefghijklmnop"
#define S64  S16 S16 S16 S16
#define S256 S64 S64 S64 S64

/* contract section 4's example, with a real password */
#define CONTRACT_DOC \
    "{'hotel': {'name': 'Grand Hotel', 'timezone': 'Europe/Dublin'}," \
    " 'settings': {'hard_limit_hours': 12}," \
    " 'departments': [{'id': 1, 'name': 'Reception'}]," \
    " 'staff': [{'id': 123, 'employee_code': 'EMP123456', 'first_name': 'John'," \
    "            'last_name': 'Doe', 'department_id': 1, 'role': 'staff'," \
    "            'username': 'john', 'password': 'secret-123', 'is_active': true}]," \
    " 'roster': [{'id': 456, 'staff_id': 123, 'date': '2025-11-30'," \
    "             'start_time': '09:00:00', 'end_time': '17:00:00'," \
    "             'location': 'Front Desk', 'department_id': 1}]," \
    " 'clock_logs': [{'staff_id': 123, 'time_in': '2025-11-30T08:58:00Z'," \
    "                 'time_out': null, 'roster_shift_id': 456}]}"

/* text with every ' turned into ", parsed; the caller puts it */
static struct json_object *
parse(const char *text)
{
    char buf[8192];
    size_t n = strlen(text);
    struct json_object *o;

    ck_assert_uint_lt(n, sizeof(buf));
    for (size_t i = 0; i <= n; i++)
        buf[i] = text[i] == '\'' ? '"' : text[i];
    o = jx_parse(buf, n);
    ck_assert_msg(o != NULL, "test JSON does not parse: %s", buf);
    return o;
}

/* ---- documents that are accepted ------------------------------------------- */

static const char *const doc_ok[] = {
    "{}",
    CONTRACT_DOC,
    /* each section alone */
    "{'hotel': {'name': 'Grand Hotel', 'timezone': 'Europe/Dublin'}}",
    "{'hotel': {'name': 'Grand Hotel'}}",
    "{'hotel': {'timezone': 'UTC'}}",
    "{'hotel': {}}",
    "{'settings': {}}",
    "{'settings': {'face_attendance_enabled': false}}",
    "{'departments': [" DEP1 "]}",
    "{'departments': [" DEP1 ", " DEP2 "]}",
    "{'staff': [" STAFF1 "]}",
    "{'staff': [" STAFF1 ", " STAFF2 "]}",
    "{'roster': [" SHIFT1 "]}",
    "{'clock_logs': [" CLOSED("1") "]}",
    /* empty and null sections are nothing to do */
    "{'departments': [], 'staff': [], 'roster': [], 'clock_logs': []}",
    "{'hotel': null, 'settings': null, 'departments': null, 'staff': null, 'roster': null,"
    " 'clock_logs': null}",
    /* time zones */
    "{'hotel': {'timezone': 'America/New_York'}}",
    "{'hotel': {'timezone': 'America/Argentina/Buenos_Aires'}}",
    "{'hotel': {'timezone': 'Etc/GMT+5'}}",
    "{'hotel': {'timezone': 'America/Port-au-Prince'}}",
    "{'hotel': {'name': 'H\\u00f4tel \\u00c9toile \\u0027s', 'timezone': null}}",
    /* departments: any positive id, unicode names */
    "{'departments': [{'id': 9007199254740992, 'name': 'Caf\\u00e9'}]}",
    /* staff: optional fields present, null or absent; every role */
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'last_name': '',"
    " 'department_id': null, 'role': null, 'username': null, 'password': null,"
    " 'is_active': null}]}",
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': 'staff'},"
    " {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob', 'role': 'manager'},"
    " {'id': 3, 'employee_code': 'E3', 'first_name': 'Cy', 'role': 'hr'},"
    " {'id': 4, 'employee_code': 'E4', 'first_name': 'Di', 'role': 'admin'}]}",
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'is_active': false}]}",
    /* logins: username without password (kept), odd but allowed characters,
     * password lengths at the edges, two people without a login */
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann'}]}",
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann',"
    " 'username': 'A.nn_1@x-y', 'password': 'ten-chars!'}]}",
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann',"
    " 'username': 'ann', 'password': '\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9'}]}",
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann',"
    " 'username': '" S64 "', 'password': '" S256 "'}]}",
    "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann'},"
    " {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob', 'username': 'bob'},"
    " {'id': 3, 'employee_code': 'E3', 'first_name': 'Cy'},"
    " {'id': 4, 'employee_code': 'E4', 'first_name': 'Di'}]}",
    /* one id may appear in different sections */
    "{'departments': [{'id': 1, 'name': 'D'}], 'staff': [{'id': 1, 'employee_code': '1',"
    " 'first_name': 'A', 'department_id': 1}], 'roster': [{'id': 1, 'staff_id': 1,"
    " 'date': '2025-11-30', 'start_time': '09:00:00', 'end_time': '17:00:00',"
    " 'department_id': 1}]}",
    /* roster: overnight shift, day edges, leap day, optional fields null */
    "{'roster': [" SHIFT2 "]}",
    "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '23:59:59',"
    " 'end_time': '00:00:00'}]}",
    "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '00:00:00',"
    " 'end_time': '23:59:59'}]}",
    "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2024-02-29', 'start_time': '09:00:00',"
    " 'end_time': '17:00:00', 'location': null, 'department_id': null}]}",
    "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2000-02-29', 'start_time': '09:00:00',"
    " 'end_time': '09:00:01', 'location': ''}]}",
    "{'roster': [" SHIFT1 ", {'id': 12, 'staff_id': 1, 'date': '2025-11-30',"
    " 'start_time': '09:00:00', 'end_time': '17:00:00'}]}",       /* same person, two shifts */
    /* clock_logs: open sessions (null or absent time_out), one per person */
    "{'clock_logs': [" OPEN("1") "]}",
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z'}]}",
    "{'clock_logs': [" OPEN("1") ", " OPEN("2") "]}",
    "{'clock_logs': [" CLOSED("1") ", " CLOSED_EARLIER("1") ", " OPEN("1") "]}",
    "{'clock_logs': [" OPEN("1") ", " CLOSED("1") "]}",
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z', 'roster_shift_id': null}]}",
    /* fractional seconds, offsets, lower-case t and z */
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00.5Z',"
    " 'time_out': '2025-11-30T17:00:00.123456Z'}]}",
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00.123456789Z'}]}",
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T09:58:00+01:00',"
    " 'time_out': '2025-11-30T12:00:00-05:00'}]}",
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30t08:58:00z',"
    " 'time_out': '2025-11-30T18:00:00+00:00'}]}",
    /* time_out reads earlier than time_in but is later: offsets count */
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T10:00:00+02:00',"
    " 'time_out': '2025-11-30T09:00:00Z'}]}",
    /* an instant session: time_out equal to time_in is not before it */
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:00:00Z',"
    " 'time_out': '2025-11-30T08:00:00Z'}]}",
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T10:00:00+02:00',"
    " 'time_out': '2025-11-30T08:00:00Z'}]}",
    /* a closed session over midnight and the year */
    "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-12-31T22:00:00Z',"
    " 'time_out': '2026-01-01T06:00:00Z'}]}",
};

START_TEST(doc_valid)
{
    struct json_object *doc = parse(doc_ok[_i]);
    struct pms_error err;

    memset(&err, 0, sizeof(err));
    ck_assert_msg(pms_validate(doc, &err) == 0, "refused (%s: %s): %s", err.field, err.message,
                  doc_ok[_i]);
    json_object_put(doc);
}
END_TEST

/* ---- documents that are refused, and the field named ------------------------ */

static const struct { const char *doc; const char *field; } doc_bad[] = {
    /* not an object */
    { "[]", "body" },
    { "'staff'", "body" },
    { "[{'staff': []}]", "body" },
    /* unknown sections */
    { "{'hotels': {}}", "hotels" },
    { "{'Staff': []}", "Staff" },
    { "{'rosters': []}", "rosters" },
    { "{'clock_log': []}", "clock_log" },
    { "{'staff': [], 'extra': 1}", "extra" },
    { "{'': []}", "" },
    /* section of the wrong shape */
    { "{'settings': []}", "settings" },
    { "{'settings': 'none'}", "settings" },
    { "{'settings': true}", "settings" },
    { "{'hotel': []}", "hotel" },
    { "{'hotel': 'Grand Hotel'}", "hotel" },
    { "{'departments': {}}", "departments" },
    { "{'departments': " DEP1 "}", "departments" },
    { "{'staff': " STAFF1 "}", "staff" },
    { "{'staff': 'all'}", "staff" },
    { "{'roster': 1}", "roster" },
    { "{'clock_logs': true}", "clock_logs" },
    /* rows that are not objects */
    { "{'departments': ['Reception']}", "departments[0]" },
    { "{'departments': [" DEP1 ", 2]}", "departments[1]" },
    { "{'staff': [" STAFF1 ", " STAFF2 ", []]}", "staff[2]" },
    { "{'staff': [null]}", "staff[0]" },
    { "{'roster': [" SHIFT1 ", [" SHIFT2 "]]}", "roster[1]" },
    { "{'clock_logs': [null]}", "clock_logs[0]" },
    { "{'clock_logs': ['2025-11-30T08:58:00Z']}", "clock_logs[0]" },
    /* hotel */
    { "{'hotel': {'name': ''}}", "hotel.name" },
    { "{'hotel': {'name': 5}}", "hotel.name" },
    { "{'hotel': {'name': ['Grand']}}", "hotel.name" },
    { "{'hotel': {'name': 'Grand\\u0000Hotel'}}", "hotel.name" },
    { "{'hotel': {'name': 'Grand\\u0007Hotel'}}", "hotel.name" },
    { "{'hotel': {'name': 'Grand', 'timezone': 'Not A/Zone'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': ''}}", "hotel.timezone" },
    { "{'hotel': {'timezone': 'Dublin/'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': 'Europe/../etc/passwd'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': '/etc/localtime'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': 'Europe/'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': 'Europe/Dublin;DROP'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': 'A/B/C/D'}}", "hotel.timezone" },
    { "{'hotel': {'timezone': 1}}", "hotel.timezone" },
    { "{'hotel': {'timezone': true}}", "hotel.timezone" },
    /* departments */
    { "{'departments': [{'name': 'Reception'}]}", "departments[0].id" },
    { "{'departments': [{'id': 1}]}", "departments[0].name" },
    { "{'departments': [{'id': 1, 'name': null}]}", "departments[0].name" },
    { "{'departments': [{'id': '1', 'name': 'R'}]}", "departments[0].id" },
    { "{'departments': [{'id': 0, 'name': 'R'}]}", "departments[0].id" },
    { "{'departments': [{'id': -3, 'name': 'R'}]}", "departments[0].id" },
    { "{'departments': [{'id': 1.5, 'name': 'R'}]}", "departments[0].id" },
    { "{'departments': [{'id': 1.0, 'name': 'R'}]}", "departments[0].id" },
    { "{'departments': [{'id': 9007199254740993, 'name': 'R'}]}", "departments[0].id" },
    { "{'departments': [{'id': 1, 'name': ''}]}", "departments[0].name" },
    { "{'departments': [{'id': 1, 'name': 5}]}", "departments[0].name" },
    { "{'departments': [" DEP1 ", {'id': 2, 'name': ''}]}", "departments[1].name" },
    { "{'departments': [" DEP1 ", " DEP2 ", {'id': 1, 'name': 'Again'}]}", "departments[2].id" },
    /* staff: required fields */
    { "{'staff': [{'employee_code': 'E1', 'first_name': 'Ann'}]}", "staff[0].id" },
    { "{'staff': [{'id': 1, 'first_name': 'Ann'}]}", "staff[0].employee_code" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1'}]}", "staff[0].first_name" },
    { "{'staff': [" STAFF1 ", {'id': 2, 'employee_code': 'E2', 'first_name': null}]}",
      "staff[1].first_name" },
    /* staff: types and values */
    { "{'staff': [{'id': '1', 'employee_code': 'E1', 'first_name': 'Ann'}]}", "staff[0].id" },
    { "{'staff': [{'id': 0, 'employee_code': 'E1', 'first_name': 'Ann'}]}", "staff[0].id" },
    { "{'staff': [{'id': 1, 'employee_code': 123456, 'first_name': 'Ann'}]}", "staff[0].employee_code" },
    { "{'staff': [{'id': 1, 'employee_code': '', 'first_name': 'Ann'}]}", "staff[0].employee_code" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': ''}]}", "staff[0].first_name" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': true}]}", "staff[0].first_name" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'last_name': 5}]}",
      "staff[0].last_name" },
    { "{'staff': [" STAFF1 ", {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob',"
      " 'department_id': '1'}]}", "staff[1].department_id" },
    { "{'staff': [" STAFF1 ", {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob',"
      " 'department_id': 0}]}", "staff[1].department_id" },
    { "{'staff': [" STAFF1 ", {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob',"
      " 'department_id': -1}]}", "staff[1].department_id" },
    { "{'staff': [" STAFF1 ", {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob',"
      " 'department_id': 1.5}]}", "staff[1].department_id" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': 'boss'}]}",
      "staff[0].role" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': 'Admin'}]}",
      "staff[0].role" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': ''}]}",
      "staff[0].role" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': 'staff '}]}",
      "staff[0].role" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': 'system_admin'}]}",
      "staff[0].role" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'role': 1}]}",
      "staff[0].role" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'is_active': 'yes'}]}",
      "staff[0].is_active" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'is_active': 0}]}",
      "staff[0].is_active" },
    /* staff: logins */
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann smith'}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann/x'}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann:x'}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': '\\u00e4nn'}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': ''}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': '" S64 "x'}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 7}]}",
      "staff[0].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'password': 'secret-123'}]}",
      "staff[0].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': null,"
      " 'password': 'secret-123'}]}", "staff[0].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann',"
      " 'password': 'five5'}]}", "staff[0].password" },
    /* under 10 characters, however many bytes they take */
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann',"
      " 'password': 'nine-char'}]}", "staff[0].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann',"
      " 'password': '\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9'}]}", "staff[0].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann'}, {'id': 2, 'employee_code': 'E2',"
      " 'first_name': 'Bob', 'username': 'bob', 'password': 'secret-1'}]}", "staff[1].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann',"
      " 'password': ''}]}", "staff[0].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann',"
      " 'password': '" S256 "x'}]}", "staff[0].password" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'ann',"
      " 'password': 123456}]}", "staff[0].password" },
    /* staff: repeats within the document, named at the later row */
    { "{'staff': [" STAFF1 ", {'id': 1, 'employee_code': 'E9', 'first_name': 'Bob'}]}",
      "staff[1].id" },
    { "{'staff': [" STAFF1 ", " STAFF2 ", {'id': 3, 'employee_code': 'E1', 'first_name': 'Cy'}]}",
      "staff[2].employee_code" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'john'},"
      " {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob', 'username': 'john'}]}",
      "staff[1].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'john'},"
      " " STAFF2 ", {'id': 3, 'employee_code': 'E3', 'first_name': 'Cy', 'username': 'JOHN'}]}",
      "staff[2].username" },
    { "{'staff': [{'id': 1, 'employee_code': 'E1', 'first_name': 'Ann', 'username': 'J.Doe@x'},"
      " {'id': 2, 'employee_code': 'E2', 'first_name': 'Bob', 'username': 'j.doe@X'}]}",
      "staff[1].username" },
    /* roster: required fields */
    { "{'roster': [{'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].id" },
    { "{'roster': [{'id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].staff_id" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30',"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30',"
      " 'start_time': '09:00:00'}]}", "roster[0].end_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': null, 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    /* roster: ids */
    { "{'roster': [{'id': 'a', 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].id" },
    { "{'roster': [{'id': 1, 'staff_id': 0, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].staff_id" },
    { "{'roster': [{'id': 1, 'staff_id': '123', 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].staff_id" },
    { "{'roster': [" SHIFT1 ", " SHIFT2 ", {'id': 10, 'staff_id': 2, 'date': '2025-12-01',"
      " 'start_time': '09:00:00', 'end_time': '17:00:00'}]}", "roster[2].id" },
    /* roster: dates */
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-02-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-02-29', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '1900-02-29', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-13-01', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-00', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '30/11/2025', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30T00:00:00Z',"
      " 'start_time': '09:00:00', 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-1-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': 20251130, 'start_time': '09:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].date" },
    /* roster: times */
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '24:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '24:00:00'}]}", "roster[0].end_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '9:00:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:60:00',"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:60'}]}", "roster[0].end_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00.0',"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': 900,"
      " 'end_time': '17:00:00'}]}", "roster[0].start_time" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '5pm'}]}", "roster[0].end_time" },
    /* roster: start == end (neither a shift nor a 24-hour one) */
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '09:00:00'}]}", "roster[0].end_time" },
    { "{'roster': [" SHIFT1 ", {'id': 2, 'staff_id': 1, 'date': '2025-11-30',"
      " 'start_time': '00:00:00', 'end_time': '00:00:00'}]}", "roster[1].end_time" },
    /* roster: optional fields of the wrong type */
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00', 'location': 5}]}", "roster[0].location" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00', 'department_id': 'Reception'}]}", "roster[0].department_id" },
    { "{'roster': [{'id': 1, 'staff_id': 1, 'date': '2025-11-30', 'start_time': '09:00:00',"
      " 'end_time': '17:00:00', 'department_id': 0}]}", "roster[0].department_id" },
    /* clock_logs: required fields and types */
    { "{'clock_logs': [{'time_in': '2025-11-30T08:58:00Z'}]}", "clock_logs[0].staff_id" },
    { "{'clock_logs': [{'staff_id': 1}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': null}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': '1', 'time_in': '2025-11-30T08:58:00Z'}]}", "clock_logs[0].staff_id" },
    { "{'clock_logs': [{'staff_id': -1, 'time_in': '2025-11-30T08:58:00Z'}]}", "clock_logs[0].staff_id" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': 1764493080}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z',"
      " 'roster_shift_id': '456'}]}", "clock_logs[0].roster_shift_id" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z',"
      " 'roster_shift_id': 0}]}", "clock_logs[0].roster_shift_id" },
    /* clock_logs: timestamps */
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30 08:58:00Z'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-02-30T08:58:00Z'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T24:00:00Z'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00.Z'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00+0100'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z '}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': 'yesterday'}]}", "clock_logs[0].time_in" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z', 'time_out': 'soon'}]}",
      "clock_logs[0].time_out" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z', 'time_out': 0}]}",
      "clock_logs[0].time_out" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z', 'time_out': false}]}",
      "clock_logs[0].time_out" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:58:00Z',"
      " 'time_out': '2025-11-30T17:00:00'}]}", "clock_logs[0].time_out" },
    /* clock_logs: time_out before time_in */
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T17:00:00Z',"
      " 'time_out': '2025-11-30T08:58:00Z'}]}", "clock_logs[0].time_out" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T08:00:00Z',"
      " 'time_out': '2025-11-30T07:59:59Z'}]}", "clock_logs[0].time_out" },
    { "{'clock_logs': [" CLOSED("1") ", {'staff_id': 2, 'time_in': '2025-11-30T08:00:00Z',"
      " 'time_out': '2025-11-30T09:30:00+02:00'}]}", "clock_logs[1].time_out" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2026-01-01T00:00:00Z',"
      " 'time_out': '2025-12-31T23:00:00Z'}]}", "clock_logs[0].time_out" },
    /* clock_logs: two open sessions for one person */
    { "{'clock_logs': [" OPEN("1") ", " CLOSED("1") ", {'staff_id': 1,"
      " 'time_in': '2025-11-30T12:00:00Z', 'time_out': null}]}", "clock_logs[2].time_out" },
    { "{'clock_logs': [" OPEN("2") ", " OPEN("1") ", " OPEN("3") ", {'staff_id': 1,"
      " 'time_in': '2025-11-30T12:00:00Z'}]}", "clock_logs[3].time_out" },
    { "{'clock_logs': [{'staff_id': 1, 'time_in': '2025-11-30T07:00:00Z'}, " OPEN("1") "]}",
      "clock_logs[1].time_out" },
    /* the first bad field is named: sections in order hotel, departments,
     * staff, roster, clock_logs, and rows in order within one */
    { "{'clock_logs': [{'staff_id': 0}], 'staff': [{'id': 0}], 'hotel': {'timezone': 'x/'}}",
      "hotel.timezone" },
    { "{'clock_logs': [{'staff_id': 0}], 'roster': [{'id': 0}], 'staff': [{'id': 0}]}",
      "staff[0].id" },
    { "{'clock_logs': [{'staff_id': 0}], 'roster': [" SHIFT1 ", {'id': 0}]}", "roster[1].id" },
    { "{'staff': [{'id': 1, 'employee_code': '', 'first_name': ''}]}", "staff[0].employee_code" },
    { "{'departments': [" DEP1 ", 'x', {'id': 0}]}", "departments[1]" },
};

START_TEST(doc_invalid)
{
    struct json_object *doc = parse(doc_bad[_i].doc);
    struct pms_error err;

    memset(&err, 0, sizeof(err));
    ck_assert_msg(pms_validate(doc, &err) == -1, "accepted: %s", doc_bad[_i].doc);
    ck_assert_msg(strcmp(err.field, doc_bad[_i].field) == 0, "%s: field \"%s\", want \"%s\" (%s)",
                  doc_bad[_i].doc, err.field, doc_bad[_i].field, err.message);
    ck_assert_msg(err.message[0] != '\0', "%s: no message", doc_bad[_i].doc);
    /* the message names the field too (the document as a whole aside) */
    if (strcmp(doc_bad[_i].field, "body") != 0)
        ck_assert_msg(strstr(err.message, err.field) != NULL, "message \"%s\" does not name %s",
                      err.message, err.field);
    json_object_put(doc);
}
END_TEST

/* ---- the row limit ------------------------------------------------------- */

/* {"<section>": [n rows]}, each row from make_row(k) */
static struct json_object *
big_doc(const char *section, int n, struct json_object *(*make_row)(int))
{
    struct json_object *doc = json_object_new_object(), *arr = json_object_new_array();

    for (int k = 0; k < n; k++)
        json_object_array_add(arr, make_row(k));
    json_object_object_add(doc, section, arr);
    return doc;
}

/* a closed session of staff member k + 1 */
static struct json_object *
closed_log(int k)
{
    struct json_object *r = json_object_new_object();

    json_object_object_add(r, "staff_id", json_object_new_int64(k + 1));
    json_object_object_add(r, "time_in", json_object_new_string("2025-11-30T08:00:00Z"));
    json_object_object_add(r, "time_out", json_object_new_string("2025-11-30T16:00:00Z"));
    return r;
}

static struct json_object *
empty_row(int k)
{
    (void)k;
    return json_object_new_object();
}

START_TEST(row_limit)
{
    static const char *const sections[] = { "departments", "staff", "roster", "clock_logs" };
    struct pms_error err;
    struct json_object *doc;

    /* exactly the limit is fine */
    memset(&err, 0, sizeof(err));
    doc = big_doc("clock_logs", PMS_MAX_ROWS, closed_log);
    ck_assert_msg(pms_validate(doc, &err) == 0, "%s: %s", err.field, err.message);
    json_object_put(doc);

    /* one more is refused in every section, naming the section before any row */
    for (int k = 0; k < NELEM(sections); k++) {
        memset(&err, 0, sizeof(err));
        doc = big_doc(sections[k], PMS_MAX_ROWS + 1, empty_row);
        ck_assert_int_eq(pms_validate(doc, &err), -1);
        ck_assert_str_eq(err.field, sections[k]);
        json_object_put(doc);
    }
}
END_TEST

/* a field name longer than err.field is cut, not overflowed */
START_TEST(long_section_name)
{
    char text[600];
    struct pms_error err;
    struct json_object *doc;

    memset(text, 'x', sizeof(text));
    text[0] = '{';
    text[1] = '"';
    memcpy(text + sizeof(text) - 7, "\": []}", 7);
    doc = jx_parse(text, strlen(text));
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(pms_validate(doc, &err), -1);
    ck_assert_uint_eq(strlen(err.field), sizeof(err.field) - 1);
    ck_assert(strspn(err.field, "x") == sizeof(err.field) - 1);
    json_object_put(doc);
}
END_TEST

/* ---- rows the database refused ------------------------------------------ */

static const struct {
    const char *section;
    size_t row;
    const char *constraint, *field, *message;
} refused[] = {
    { "staff", 3, "staff_department_fk", "staff[3].department_id",
      "staff[3].department_id names a department this hotel does not have." },
    { "staff", 0, "staff_employee_code_unique", "staff[0].employee_code",
      "staff[0].employee_code is already used by another staff member." },
    { "staff", 12, "users_username_unique", "staff[12].username", "staff[12].username is already taken." },
    { "roster", 1, "roster_staff_fk", "roster[1].staff_id",
      "roster[1].staff_id names a staff member this hotel does not have." },
    { "roster", 2, "roster_department_fk", "roster[2].department_id",
      "roster[2].department_id names a department this hotel does not have." },
    { "clock_logs", 0, "clock_logs_staff_fk", "clock_logs[0].staff_id",
      "clock_logs[0].staff_id names a staff member this hotel does not have." },
    { "clock_logs", 4, "clock_logs_shift_fk", "clock_logs[4].roster_shift_id",
      "clock_logs[4].roster_shift_id names a roster shift this hotel does not have." },
    { "clock_logs", 5, "clock_logs_one_open", "clock_logs[5].time_out",
      "clock_logs[5].time_out leaves a second open session for this staff member." },
    { "clock_logs", 6, "clock_logs_out_after_in", "clock_logs[6].time_out",
      "clock_logs[6].time_out must not be before time_in." },
    /* a constraint no document should break: the row, in the database's words */
    { "departments", 7, "departments_pkey", "departments[7]", "departments[7] is not valid: boom." },
    { "staff", 8, "", "staff[8]", "staff[8] is not valid: boom." },
    /* a known name is matched whole, not by its prefix */
    { "staff", 9, "staff_department_fk_x", "staff[9]", "staff[9] is not valid: boom." },
};

START_TEST(row_refused)
{
    struct pms_error err;

    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(pms_row_refused(&err, refused[_i].section, refused[_i].row, refused[_i].constraint, "boom"),
                     -1);
    ck_assert_str_eq(err.field, refused[_i].field);
    ck_assert_str_eq(err.message, refused[_i].message);
}
END_TEST

/* pms_password_mark: the reference is (key 0..31, REF_HASH, REF_PASS) */
#define REF_HASH "$scrypt$ln=14,r=8,p=1$00$11"
#define REF_PASS "secret-pass-1"
static const struct {
    unsigned char key_xor;      /* 0: the reference key */
    const char *hash, *pass;
    int same;                   /* the reference's mark */
} marks[] = {
    {0, REF_HASH, REF_PASS, 1},
    {0, REF_HASH, "secret-pass-2", 0},
    {0, REF_HASH, "Secret-pass-1", 0},
    {0, REF_HASH, REF_PASS " ", 0},
    {0, REF_HASH, "", 0},
    {0, "$scrypt$ln=14,r=8,p=1$01$11", REF_PASS, 0},    /* another salt: another hash */
    {0, REF_HASH "s", "ecret-pass-1", 0},               /* the NUL keeps the parts apart */
    {0, "", REF_HASH REF_PASS, 0},
    {1, REF_HASH, REF_PASS, 0},                         /* another server key */
    {0x80, REF_HASH, REF_PASS, 0},
};

static void mark_of(unsigned char key_xor, const char *hash, const char *pass,
                    unsigned char out[PMS_MARK_LEN])
{
    unsigned char key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (unsigned char)i;
    key[31] ^= key_xor;
    ck_assert_int_eq(pms_password_mark(key, hash, pass, out), 0);
}

START_TEST(password_mark)
{
    unsigned char ref[PMS_MARK_LEN], got[PMS_MARK_LEN];
    mark_of(0, REF_HASH, REF_PASS, ref);
    mark_of(marks[_i].key_xor, marks[_i].hash, marks[_i].pass, got);
    ck_assert_msg((memcmp(ref, got, sizeof ref) == 0) == marks[_i].same,
                  "row %d: mark of (%u, %s, %s) %s the reference's", _i, marks[_i].key_xor,
                  marks[_i].hash, marks[_i].pass, marks[_i].same ? "differs from" : "equals");
}
END_TEST

/* HMAC-SHA-256(HMAC-SHA-256(key, "faceclock:pms-password-mark:v1"),
 * hash || NUL || password), as Python's hmac computes it; a password
 * longer than the document allows is refused. */
START_TEST(password_mark_known)
{
    static const char want[] = "6f25d6e8dab58fe97f13d2d816089c7bc812b1ac17a4ef88ea651b87a89e53d0";
    unsigned char m[PMS_MARK_LEN], key[32] = {0};
    char hex[2 * PMS_MARK_LEN + 1], big[1100];

    mark_of(0, REF_HASH, REF_PASS, m);
    crypto_hex(m, sizeof m, hex);
    ck_assert_str_eq(hex, want);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(pms_password_mark(key, REF_HASH, big, m), -1);
}
END_TEST

UNIT_SUITE(suite_pms_rules)
{
    Suite *s = suite_create("pms_rules");
    TCase *tc;

    tc = tcase_create("documents");
    tcase_add_loop_test(tc, doc_valid, 0, NELEM(doc_ok));
    tcase_add_loop_test(tc, doc_invalid, 0, NELEM(doc_bad));
    tcase_add_test(tc, long_section_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("refused rows");
    tcase_add_loop_test(tc, row_refused, 0, NELEM(refused));
    suite_add_tcase(s, tc);

    tc = tcase_create("password marks");
    tcase_add_loop_test(tc, password_mark, 0, NELEM(marks));
    tcase_add_test(tc, password_mark_known);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, row_limit);
    suite_add_tcase(s, tc);

    return s;
}
