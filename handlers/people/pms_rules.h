/* pms_rules.h — validation of a PMS sync document (contract section 4)
 * before anything touches the database: shapes, formats, ranges and
 * duplicates within the document; and how a row the database refused is
 * named to the client; the mark that proves a re-synced password is the
 * one already hashed. Pure; unit-tested. */
#ifndef FC_PMS_RULES_H
#define FC_PMS_RULES_H

#include <stddef.h>
#include <json-c/json.h>

#define PMS_MAX_ROWS 20000
/* the fewest characters (not bytes) a password set through a sync may
 * have (OWASP: at least 8 with MFA; with a password alone, more) */
#define PMS_PASSWORD_MIN 10

struct pms_error {
    char field[96];           /* e.g. "staff[3].department_id" */
    char message[256];
};

/* 0, or -1 with err naming the first bad field. */
int pms_validate(struct json_object *doc, struct pms_error *err);

/* Fill e with field and the formatted message. Returns -1. */
int pms_fail(struct pms_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Row i of a section broke the database constraint named constraint
 * (db_message the database's words): e names the row's field the
 * constraint is about ("staff[3].department_id"), or the row itself with
 * db_message when the constraint is not one a document can break.
 * Returns -1. */
int pms_row_refused(struct pms_error *e, const char *section, size_t i, const char *constraint,
                    const char *db_message);

/* The mark of password beside the scrypt hash it was hashed into:
 * HMAC-SHA-256 under a key derived from key (the server's 32-byte data
 * key) of hash, a NUL and password; out gets 32 bytes. A re-sync whose
 * mark equals the stored one (constant time) sends the password already
 * hashed, proven without an scrypt; bound to hash, so a hash written by
 * any other path is not proven by an old mark. 0, or -1 (too long). */
#define PMS_MARK_LEN 32
int pms_password_mark(const unsigned char key[32], const char *hash, const char *password,
                      unsigned char out[PMS_MARK_LEN]);

#endif
