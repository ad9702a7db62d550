/* audit_verify_cmd.c — `faceclock audit-verify [--hotel SLUG]`: walks each
 * hotel's audit chain (sql/009_audit_chain.sql: its face audit rows and,
 * since 012_action_audit.sql, its action audit rows, one sequence across
 * both) in chain_seq order, and the system's chain of action rows without
 * a hotel,
 * a page at a time, recomputing every hash in C (chain_rules.h) from the
 * row's canonical form, and names the first row of a hotel that does not
 * match. Exit 0 when every chain holds, 1 when one does not or the
 * database fails, 2 on bad usage. Reads only. */
#include <stdio.h>
#include <string.h>
#include "app/commands.h"
#include "chain_rules.h"
#include "config.h"
#include "db.h"

#define PAGE 1000           /* rows a page: the LIMIT of "audit_verify_page" */

/* $1: one hotel's slug, or NULL for all and the system's chain (0) */
static struct db_stmt st_hotels = {
    "audit_verify_hotels",
    "SELECT 0, '(system)' WHERE $1::text IS NULL "
    "UNION ALL (SELECT id, slug FROM hotels WHERE $1::text IS NULL OR slug = $1 ORDER BY slug)",
    0,
};

/* the next rows of a chain from both tables, each side read along its
 * (hotel, chain_seq) index */
enum { V_TABLE, V_ID, V_SEQ, V_HASH, V_CANON };
static struct db_stmt st_page = {
    "audit_verify_page",
    "SELECT * FROM ("
    "(SELECT 'face_audit_log' AS t, a.id, a.chain_seq, encode(a.hash, 'hex'), fc_audit_canonical(a) "
    " FROM face_audit_log a WHERE a.hotel_id = $1 AND a.chain_seq > $2 ORDER BY a.chain_seq LIMIT 1000) "
    "UNION ALL "
    "(SELECT 'action_audit_log', b.id, b.chain_seq, encode(b.hash, 'hex'), fc_action_canonical(b) "
    " FROM action_audit_log b WHERE coalesce(b.hotel_id, 0) = $1 AND b.chain_seq > $2 "
    " ORDER BY b.chain_seq LIMIT 1000)) u ORDER BY chain_seq LIMIT 1000",
    0,
};

/* One hotel's chain: 0 holds (rows and head printed), 1 broken (the row
 * named), -1 the database failed. */
static int verify_hotel(long long hotel_id, const char *slug)
{
    struct chain_walk w;
    struct db_args a;
    PGresult *r;
    long long rows = 0;
    char head[2 * CHAIN_HASH_LEN + 1] = "";

    chain_start(&w);
    for (;;) {
        int n;
        db_args_init(&a);
        db_arg_int(&a, hotel_id);
        db_arg_int(&a, w.seq);
        if ((r = db_run(&st_page, &a)) == NULL)
            return -1;
        n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            enum chain_fault f = chain_step(&w, db_ll(r, i, V_SEQ), db_str(r, i, V_HASH),
                                            PQgetvalue(r, i, V_CANON), (size_t)PQgetlength(r, i, V_CANON));
            if (f != CHAIN_OK) {
                printf("%s: BROKEN at %s id %lld (chain_seq %lld): it %s; "
                       "the %lld rows before it hold\n",
                       slug, db_str(r, i, V_TABLE), db_ll(r, i, V_ID), db_ll(r, i, V_SEQ),
                       chain_fault_text(f), rows);
                PQclear(r);
                return 1;
            }
            snprintf(head, sizeof head, "%s", db_str(r, i, V_HASH));
            rows++;
        }
        PQclear(r);
        if (n < PAGE)
            break;
    }
    printf("%s: ok, %lld rows, head chain_seq %lld hash %s\n", slug, rows, w.seq, rows ? head : "-");
    return 0;
}

int cmd_audit_verify(int argc, char **argv)
{
    const char *slug = NULL;
    struct db_args a;
    PGresult *r;
    int broken = 0, failed = 0;

    if (argc == 3 && strcmp(argv[1], "--hotel") == 0 && argv[2][0] != '\0') {
        slug = argv[2];
    } else if (argc != 1) {
        fprintf(stderr, "usage: faceclock audit-verify [--hotel SLUG]\n");
        return 2;
    }
    db_init(g_config.database_url);
    db_args_init(&a);
    db_arg_str(&a, slug);
    if (db_simple("SET client_encoding = 'UTF8'") < 0 || (r = db_run(&st_hotels, &a)) == NULL) {
        fprintf(stderr, "audit-verify: database failure: %s\n", db_last_message());
        db_close();
        return 1;
    }
    if (slug != NULL && PQntuples(r) == 0) {
        fprintf(stderr, "audit-verify: no hotel %s\n", slug);
        PQclear(r);
        db_close();
        return 1;
    }
    for (int i = 0; i < PQntuples(r) && !failed; i++) {
        switch (verify_hotel(db_ll(r, i, 0), PQgetvalue(r, i, 1))) {
        case 0:
            break;
        case 1:
            broken++;
            break;
        default:
            fprintf(stderr, "audit-verify: database failure: %s\n", db_last_message());
            failed = 1;
        }
    }
    PQclear(r);
    db_close();
    if (!failed)
        printf("%s\n", broken ? "audit chain BROKEN" : "audit chain ok");
    return broken || failed ? 1 : 0;
}
