/* pages_person.h — one staff member as the face pages show them
 * (handlers/pages/person_store.c): name, code, department, whether they have
 * face data and since when, and what the hotel's rules (contract 5.3)
 * would say to registering it. Used by the manager's registration page
 * and the staff member's own page. */
#ifndef FC_PAGES_PERSON_H
#define FC_PAGES_PERSON_H

#include <json-c/json.h>
#include "request.h"
#include "attendance/settings_rules.h"

/* Staff member staff_id of the request's hotel as a new JSON object into *person:
 * {id, employee_code, name, department_id, department_name, is_active,
 * has_face, face_registered_at, face_registered_text, face_consent_given,
 * face_source}; *department gets the department id (0: none). 1 found,
 * 0 no such staff member (*person NULL), -1 database failure. */
int page_person_load(struct request *req, long long staff_id, struct json_object **person,
                     long long *department);

/* ctx.rules = {require_consent, refusal, refusal_code, self_disabled}
 * and ctx.self (self): the refusal is
 * the message of the first 5.3 rule that would refuse a registration of
 * this person (self: by themselves) given consent, or null when it would
 * pass. Pure. */
void page_add_face_rules(struct json_object *ctx, const struct attendance_settings *s,
                         long long department, int self);

#endif
