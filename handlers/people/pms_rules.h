/* pms_rules.h — validation of a PMS sync document (contract section 4)
 * before anything touches the database: shapes, formats, ranges and
 * duplicates within the document. Pure; unit-tested. */
#ifndef FC_PMS_RULES_H
#define FC_PMS_RULES_H

#include <json-c/json.h>

#define PMS_MAX_ROWS 20000

struct pms_error {
    char field[96];           /* e.g. "staff[3].department_id" */
    char message[256];
};

/* 0, or -1 with err naming the first bad field. */
int pms_validate(struct json_object *doc, struct pms_error *err);

#endif
