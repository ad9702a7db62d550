/* migrate.c — `faceclock migrate`: applies sql/NNN_name.sql files in
 * order, each once and each in its own transaction, recorded in
 * schema_migrations, under an advisory lock so concurrent runs wait. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "server.h"
#include "config.h"
#include "db.h"
#include "log.h"

#define MAX_FILES 256

static int is_migration(const char *name)
{
    size_t n = strlen(name);
    return n > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
           name[2] >= '0' && name[2] <= '9' && name[3] == '_' && strcmp(name + n - 4, ".sql") == 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static int applied(PGconn *c, const char *version)
{
    const char *params[1] = {version};
    PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1",
                               1, NULL, params, NULL, NULL, 0);
    int yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    return yes;
}

static int apply(PGconn *c, const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *sql = read_file(path);
    if (sql == NULL) {
        fprintf(stderr, "migrate: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    const char *params[1] = {name};
    if (db_begin() == 0 && db_simple(sql) == 0) {
        PGresult *r = PQexecParams(c, "INSERT INTO schema_migrations (version) VALUES ($1)",
                                   1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_COMMAND_OK && db_commit() == 0)
            rc = 0;
        PQclear(r);
    }
    if (rc < 0) {
        fprintf(stderr, "migrate: %s failed: %s\n", name, db_last_message());
        db_rollback();
    } else {
        printf("migrate: applied %s\n", name);
    }
    free(sql);
    return rc;
}

int cmd_migrate(int argc, char **argv)
{
    const char *url = getenv("FACECLOCK_MIGRATE_URL");
    const char *dir = g_config.sql_dir;
    char *files[MAX_FILES];
    int nfiles = 0, rc = 1;

    if (argc > 1)
        dir = argv[1];
    if (url == NULL || *url == '\0')
        url = g_config.database_url;
    db_init(url);
    PGconn *c = db_conn();
    if (c == NULL) {
        fprintf(stderr, "migrate: cannot connect to the database: %s\n", db_last_message());
        return 1;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "migrate: cannot open %s: %s\n", dir, strerror(errno));
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nfiles < MAX_FILES)
        if (is_migration(e->d_name))
            files[nfiles++] = strdup(e->d_name);
    closedir(d);
    qsort(files, (size_t)nfiles, sizeof files[0], cmp);

    if (db_simple("SET client_min_messages = warning") < 0 ||
        db_simple("SELECT pg_advisory_lock(7270001)") < 0 ||
        db_simple("CREATE TABLE IF NOT EXISTS schema_migrations ("
                  "version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())") < 0) {
        fprintf(stderr, "migrate: %s\n", db_last_message());
        goto out;
    }
    int n = 0;
    for (int i = 0; i < nfiles; i++) {
        if (applied(c, files[i]))
            continue;
        if (apply(c, dir, files[i]) < 0)
            goto out;
        n++;
    }
    printf("migrate: %d applied, %d already up to date\n", n, nfiles - n);
    rc = 0;
out:
    db_simple("SELECT pg_advisory_unlock(7270001)");
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    db_close();
    return rc;
}
