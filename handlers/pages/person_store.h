/* person_store.h — one staff member as the face pages show them
 * (handlers/pages/person_store.c): name, code, department, whether they
 * have face data and since when. Used by the manager's registration page
 * and the staff member's own page, with page_add_face_rules()
 * (page_rules.h). */
#ifndef FC_PAGES_PERSON_H
#define FC_PAGES_PERSON_H

#include <json-c/json.h>
#include "request.h"

/* Staff member staff_id of the request's hotel as a new JSON object into *person:
 * {id, employee_code, name, department_id, department_name, is_active,
 * has_face, face_registered_at, face_registered_text, face_consent_given,
 * face_source}; *department gets the department id (0: none). 1 found,
 * 0 no such staff member (*person NULL), -1 database failure. */
int page_person_load(struct request *req, long long staff_id, struct json_object **person,
                     long long *department);

#endif
