/* tests/fuzz/pms.c — libFuzzer target: the PMS sync document validator
 * (pms_validate, handlers/people/pms_rules.c) on any JSON text, parsed as
 * the request body is (jx_parse). Asserts that it decides the same way
 * twice, that a refusal names a field (a section, a row "staff[3].id",
 * the body, or the unknown key, "" included) and a message that ends its
 * sentence, and
 * that pms_row_refused names every row and constraint. The "settings"
 * section is the settings target's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "people/pms_rules.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sections[] = {"hotel", "settings", "departments", "staff", "roster",
                                       "clock_logs", "body"};

static void check_error(const struct pms_error *e, struct json_object *doc)
{
    size_t nf = strnlen(e->field, sizeof e->field), nm = strnlen(e->message, sizeof e->message);
    int known = 0;

    if (nf == sizeof e->field || nm == 0 || nm == sizeof e->message)
        abort();
    /* an empty field is only the unknown section "" named as it is */
    if (nf == 0 && !json_object_object_get_ex(doc, "", NULL))
        abort();
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        size_t n = strlen(sections[i]);
        known |= strncmp(e->field, sections[i], n) == 0 &&
                 (e->field[n] == '\0' || e->field[n] == '.' || e->field[n] == '[');
    }
    /* else the unknown section itself (its key may be cut to fit) */
    if (!known && json_object_is_type(doc, json_type_object)) {
        int found = 0;
        json_object_object_foreach(doc, key, val) {
            (void)val;
            found |= strncmp(key, e->field, nf) == 0;
        }
        if (!found)
            abort();
    } else if (!known) {
        abort();
    }
    if (nm + 1 < sizeof e->message && e->message[nm - 1] != '.')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct pms_error e1, e2;

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *doc = jx_parse(text, size);
    free(text);
    if (doc == NULL)
        return 0;

    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    int rc = pms_validate(doc, &e1);
    if (rc != 0 && rc != -1)
        abort();
    if (pms_validate(doc, &e2) != rc || memcmp(&e1, &e2, sizeof e1) != 0)
        abort();
    if (rc == -1)
        check_error(&e1, doc);

    /* a row the database refused, named from the input's bytes */
    static const char *const cons[] = {"staff_department_fk", "users_username_unique",
                                       "clock_logs_one_open", "no_such_constraint"};
    size_t row = size > 0 ? (size_t)data[0] * 1000003u : 0;
    if (pms_row_refused(&e1, "clock_logs", row, cons[size % 4], "a database's message") != -1 ||
        strncmp(e1.field, "clock_logs[", 11) != 0 || e1.message[0] == '\0')
        abort();
    json_object_put(doc);
    return 0;
}
