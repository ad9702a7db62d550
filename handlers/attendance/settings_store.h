/* settings_store.h — a hotel's attendance settings row in the database
 * (settings_store.c). */
#ifndef FC_SETTINGS_STORE_H
#define FC_SETTINGS_STORE_H

#include <libpq-fe.h>
#include "settings_rules.h"

/* The settings columns, in the order settings_from_row() reads them. */
#define SETTINGS_COLS \
    "face_attendance_enabled, face_attendance_min_confidence, require_face_consent, " \
    "allow_face_self_registration, face_data_retention_days, face_attendance_departments::text, " \
    "break_warning_hours, overtime_warning_hours, hard_limit_hours, enforce_limits, " \
    "clock_in_early_minutes, duplicate_scan_seconds, auto_close, auto_close_after_hours, device_auth"

/* Read SETTINGS_COLS starting at column col of a result row. */
void settings_from_row(const PGresult *r, int row, int col, struct attendance_settings *s);

/* Load a hotel's settings (defaults when it has no row); inside a
 * transaction the row stays locked until it ends. 0 or -1 (db). */
int settings_load(long long hotel_id, struct attendance_settings *s);

/* Inside a transaction: store the settings `after` in place of `before`
 * and audit what changed (settings.changed, the changed members' old and
 * new values) as done by who; nothing when nothing changed. 1 stored, 0
 * unchanged, -1 (db). */
struct actor;
int settings_save(long long hotel_id, const struct attendance_settings *before,
                  const struct attendance_settings *after, const struct actor *who);

/* The first department id in s that the hotel does not have, 0 if none,
 * -1 on a database failure. */
long long settings_unknown_department(long long hotel_id, const struct attendance_settings *s);

#endif
