/* pms_cmd.c — `faceclock import <hotel-slug> <file.json | ->`: a PMS sync
 * from a file, by the same rules (pms_rules.c) and in the same one
 * transaction (pms_store.c) as PUT .../pms-sync/ (pms.c), as the system
 * (it may create the hotel). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/commands.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "jsonx.h"
#include "pms_store.h"
#include "validate.h"

int cmd_import(int argc, char **argv)
{
    enum { MAX_DOC = 64 * 1024 * 1024 };
    struct pms_error err;
    struct pms_result res;
    struct pms_actor actor = {.staff_id = 0};
    FILE *f;
    char *buf;
    size_t n = 0;
    int rc = 1;

    if (argc != 3 || !valid_slug(argv[1])) {
        fprintf(stderr, "usage: faceclock import <hotel-slug> <file.json | ->\n");
        return 2;
    }
    if (crypto_init() < 0)
        return 1;
    f = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "rb");
    if (f == NULL) {
        fprintf(stderr, "import: cannot read %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    buf = malloc(MAX_DOC + 1);
    if (buf != NULL)
        n = fread(buf, 1, MAX_DOC + 1, f);
    if (f != stdin)
        fclose(f);
    if (buf == NULL || n > MAX_DOC) {
        fprintf(stderr, "import: the document is larger than %d bytes\n", MAX_DOC);
        free(buf);
        return 1;
    }
    buf[n] = '\0';
    struct json_object *doc = jx_parse(buf, n);
    free(buf);
    if (doc == NULL) {
        fprintf(stderr, "import: %s is not valid JSON\n", argv[2]);
        return 1;
    }
    db_init(g_config.database_url);
    if (pms_validate(doc, &err) < 0) {
        fprintf(stderr, "import: %s: %s\n", err.field, err.message);
        goto out;
    }
    actor_system(&actor.who, "system:import");
    actor.who.user_agent = "faceclock import";
    switch (pms_apply(argv[1], 1, doc, &actor, &res, &err)) {
    case PMS_OK: {
        struct json_object *o = pms_result_json(argv[1], &res);
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
        json_object_put(o);
        rc = 0;
        break;
    }
    case PMS_INVALID:
        fprintf(stderr, "import: %s: %s\n", err.field, err.message);
        break;
    default:
        fprintf(stderr, "import: database failure: %s\n", db_last_message());
        break;
    }
out:
    json_object_put(doc);
    db_close();
    return rc;
}
