/* settings.h — attendance settings in the database (settings.c). */
#ifndef FC_SETTINGS_H
#define FC_SETTINGS_H

#include "settings_rules.h"

/* Load a hotel's settings (defaults when it has no row); inside a
 * transaction the row stays locked until it ends. 0 or -1 (db). */
int settings_load(long long hotel_id, struct attendance_settings *s);

/* Insert or replace a hotel's settings. 0 or -1 (db). */
int settings_store(long long hotel_id, const struct attendance_settings *s);

/* The first department id in s that the hotel does not have, 0 if none,
 * -1 on a database failure. */
long long settings_unknown_department(long long hotel_id, const struct attendance_settings *s);

#endif
