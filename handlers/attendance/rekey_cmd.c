/* rekey_cmd.c — `faceclock rekey [--hotel SLUG]`: re-seals every sealed
 * record (face_data.descriptor_enc, enrollments.thumbnail, the webhook
 * secrets of notification_endpoints.secret_enc) that
 * is not yet under the current data key, so that the old keys
 * (FACECLOCK_DATA_KEY_OLD) can then be dropped. Online: it reads a batch
 * of rows at a time (keyset order, no lock) and re-seals each row in its
 * own statement, which changes it only if it still holds what was read (a
 * face registered meanwhile is already under the current key); a
 * re-sealed face moves neither the face caches nor the devices' change
 * log (sql/011_reseal.sql). Idempotent: rows under the current key are
 * never read. Prints its progress; exits 1 when a row opens under no key
 * of the ring (named) or the database fails, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/commands.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "action_audit_store.h"
#include "face_store.h"
#include "jsonx.h"

#define REKEY_BATCH 200
#define REKEY_BATCH_TEXT "200"

/* $1 hotel slug or NULL, ($2, $3) the last row done, $4 the current
 * key's header: the next rows not sealed under it */
#define REKEY_NEXT(table, col) \
    "SELECT t.hotel_id, t.staff_id, t." col " FROM " table " t JOIN hotels h ON h.id = t.hotel_id " \
    "WHERE ($1::text IS NULL OR h.slug = $1) AND (t.hotel_id, t.staff_id) > ($2, $3) " \
    "AND t." col " IS NOT NULL AND substring(t." col " from 1 for 6) IS DISTINCT FROM $4::bytea " \
    "ORDER BY t.hotel_id, t.staff_id LIMIT " REKEY_BATCH_TEXT
/* $3 the row re-sealed, if it still holds $4 */
#define REKEY_PUT(table, col) \
    "UPDATE " table " SET " col " = $3::bytea WHERE hotel_id = $1 AND staff_id = $2 AND " col " = $4::bytea"

static struct db_stmt st_face_next = {"rekey_face_next", REKEY_NEXT("face_data", "descriptor_enc"), 0};
static struct db_stmt st_face_put = {"rekey_face_put", REKEY_PUT("face_data", "descriptor_enc"), 0};
static struct db_stmt st_thumb_next = {"rekey_thumb_next", REKEY_NEXT("enrollments", "thumbnail"), 0};
static struct db_stmt st_thumb_put = {"rekey_thumb_put", REKEY_PUT("enrollments", "thumbnail"), 0};
/* a webhook's secret is sealed under its endpoint's id in place of a staff id */
static struct db_stmt st_secret_next = {
    "rekey_secret_next",
    "SELECT t.hotel_id, t.id, t.secret_enc FROM notification_endpoints t JOIN hotels h ON h.id = t.hotel_id "
    "WHERE ($1::text IS NULL OR h.slug = $1) AND (t.hotel_id, t.id) > ($2, $3) "
    "AND t.secret_enc IS NOT NULL AND substring(t.secret_enc from 1 for 6) IS DISTINCT FROM $4::bytea "
    "ORDER BY t.hotel_id, t.id LIMIT " REKEY_BATCH_TEXT,
    0,
};
static struct db_stmt st_secret_put = {
    "rekey_secret_put",
    "UPDATE notification_endpoints SET secret_enc = $3::bytea WHERE hotel_id = $1 AND id = $2 AND secret_enc = $4::bytea",
    0,
};

/* One table's sealed records and how they are walked. */
struct sealed_table {
    const char *name;
    enum sealed_kind kind;
    struct db_stmt *next, *put;
};

struct tally {
    long long resealed, changed, unopened;
};

/* Re-seal one stored record under the current key. 0 (done, or changed
 * meanwhile, or it does not open: counted), -1 on a database failure. */
static int reseal(const struct sealed_table *t, long long hotel_id, long long staff_id, const char *stored,
                  struct tally *n)
{
    size_t cap = strlen(stored) / 2, len = 0;
    unsigned char *plain = malloc(cap + 1);
    char *hex = NULL;
    int rc = -1;

    if (plain == NULL)
        return -1;
    if (sealed_open(t->kind, hotel_id, staff_id, stored, plain, cap, &len, NULL) < 0) {
        fprintf(stderr, "rekey: %s of hotel %lld staff %lld opens under no key of the ring\n", t->name,
                hotel_id, staff_id);
        n->unopened++;
        rc = 0;
        goto out;
    }
    if ((hex = malloc(SEALED_HEX_SIZE(len))) == NULL ||
        sealed_hex(t->kind, hotel_id, staff_id, plain, len, hex) < 0)
        goto out;
    struct db_args a;
    db_args_init(&a);
    db_arg_int(&a, hotel_id);
    db_arg_int(&a, staff_id);
    db_arg_str(&a, hex);
    db_arg_str(&a, stored);
    long changed = db_exec(t->put, &a);
    if (changed < 0)
        goto out;
    if (changed == 1)
        n->resealed++;
    else
        n->changed++;
    rc = 0;
out:
    memset(plain, 0, cap + 1);
    free(plain);
    free(hex);
    return rc;
}

/* Walk table t of hotel slug (NULL: every hotel). 0 or -1 (database). */
static int rekey_table(const struct sealed_table *t, const char *slug, const char *header,
                       struct tally *n)
{
    long long hotel_id = 0, staff_id = 0;

    for (;;) {
        struct db_args a;
        PGresult *r;
        db_args_init(&a);
        db_arg_str(&a, slug);
        db_arg_int(&a, hotel_id);
        db_arg_int(&a, staff_id);
        db_arg_str(&a, header);
        if ((r = db_run(t->next, &a)) == NULL)
            return -1;
        int rows = PQntuples(r);
        for (int i = 0; i < rows; i++) {
            hotel_id = db_ll(r, i, 0);
            staff_id = db_ll(r, i, 1);
            if (reseal(t, hotel_id, staff_id, PQgetvalue(r, i, 2), n) < 0) {
                PQclear(r);
                return -1;
            }
        }
        PQclear(r);
        if (rows > 0)
            printf("%s: %lld re-sealed so far\n", t->name, n->resealed);
        fflush(stdout);
        if (rows < REKEY_BATCH)
            return 0;
    }
}

int cmd_rekey(int argc, char **argv)
{
    static const struct sealed_table tables[] = {
        {"face_data", SEALED_FACE, &st_face_next, &st_face_put},
        {"enrollments", SEALED_THUMB, &st_thumb_next, &st_thumb_put},
        {"notification_endpoints", SEALED_NOTIFY, &st_secret_next, &st_secret_put},
    };
    unsigned char header[SEAL_HEADER_LEN];
    char header_hex[2 + 2 * SEAL_HEADER_LEN + 1] = "\\x";
    const char *slug = NULL;
    int unopened = 0;
    struct json_object *run;
    struct actor who;

    if (argc == 3 && strcmp(argv[1], "--hotel") == 0 && argv[2][0] != '\0') {
        slug = argv[2];
    } else if (argc != 1) {
        fprintf(stderr, "usage: faceclock rekey [--hotel SLUG]\n");
        return 2;
    }
    if (seal_current_header(&g_config.data_keys, header) < 0) {
        fprintf(stderr, "rekey: FACECLOCK_DATA_KEY is not set (the key to re-seal under)\n");
        return 1;
    }
    crypto_hex(header, sizeof header, header_hex + 2);
    db_init(g_config.database_url);
    run = json_object_new_object();
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        struct tally n = {0, 0, 0};
        if (rekey_table(&tables[i], slug, header_hex, &n) < 0) {
            fprintf(stderr, "rekey: database failure: %s\n", db_last_message());
            json_object_put(run);
            db_close();
            return 1;
        }
        printf("%s: %lld re-sealed, %lld changed meanwhile, %lld opened under no key\n", tables[i].name,
               n.resealed, n.changed, n.unopened);
        unopened |= n.unopened > 0;
        struct json_object *t = json_object_new_object();
        jx_add_int(t, "resealed", n.resealed);
        jx_add_int(t, "changed", n.changed);
        jx_add_int(t, "unopened", n.unopened);
        json_object_object_add(run, tables[i].name, t);
    }
    /* the run, in the system's audit rows (it may span every hotel) */
    jx_add_str(run, "key_header", header_hex + 2);
    actor_system(&who, "system:rekey");
    char target[80] = "";
    if (slug != NULL)
        snprintf(target, sizeof target, "hotel:%s", slug);
    if (action_audit_one(&who, 0, "data.rekeyed", target, NULL, run) < 0) {
        fprintf(stderr, "rekey: database failure auditing the run: %s\n", db_last_message());
        db_close();
        return 1;
    }
    db_close();
    printf("%s\n", unopened ? "rekey INCOMPLETE: keep the old keys" : "rekey done: the old keys can be dropped");
    return unopened ? 1 : 0;
}
