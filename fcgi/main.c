/* main.c — the faceclock binary: subcommand dispatch over the runtime's
 * commands (serve, migrate) and the application's (fcgi/app.h), and the
 * --help text that lists them all. */
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "config.h"
#include "log.h"
#include "openapi.h"
#include "server.h"

#define HELP_COLUMN 28

static int serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return master_run();
}

static const struct command runtime_commands[] = {
    {"serve", "serve", "run the FastCGI master and its workers", serve},
    {"migrate", "migrate [sql-dir]", "apply the numbered SQL migrations once each", cmd_migrate},
    {"openapi", "openapi", "print the API's OpenAPI 3.1 document", cmd_openapi},
};
static const int runtime_ncommands = (int)(sizeof runtime_commands / sizeof runtime_commands[0]);

/* "  synopsis", then each line of help from HELP_COLUMN (on the next line
 * when the synopsis reaches it) */
static void usage_command(FILE *f, const struct command *c)
{
    int col = fprintf(f, "  %s", c->synopsis);
    const char *line = c->help;

    if (col >= HELP_COLUMN) {
        fputc('\n', f);
        col = 0;
    }
    for (;;) {
        size_t len = strcspn(line, "\n");
        fprintf(f, "%*s%.*s\n", HELP_COLUMN - col, "", (int)len, line);
        col = 0;
        if (line[len] == '\0')
            break;
        line += len + 1;
    }
}

static void usage(FILE *f)
{
    fputs("usage: faceclock <command> [args]\n"
          "\n"
          "commands:\n", f);
    for (int i = 0; i < runtime_ncommands; i++)
        usage_command(f, &runtime_commands[i]);
    for (int i = 0; i < app_ncommands; i++)
        usage_command(f, &app_commands[i]);
    fputs("  --help                    this text\n"
          "\n"
          "environment: FACECLOCK_SOCKET (unix path or host:port), FACECLOCK_WORKERS,\n"
          "  DATABASE_URL, FACECLOCK_MIGRATE_URL, FACECLOCK_ADMIN_KEY, FACECLOCK_USER,\n"
          "  FACECLOCK_SOCKET_GROUP, FACECLOCK_ALLOWED_PEERS (TCP: peers allowed),\n"
          "  FACECLOCK_MAX_BODY, FACECLOCK_MAX_REQUESTS, FACECLOCK_TOKEN_TTL,\n"
          "  FACECLOCK_SCRYPT_LOG_N, FACECLOCK_LOGIN_MAX_FAILURES, FACECLOCK_LOGIN_WINDOW,\n"
          "  FACECLOCK_DATA_KEY, FACECLOCK_DATA_KEY_OLD, FACECLOCK_KEY_HASH_KEY,\n"
          "  FACECLOCK_SYNC_HISTORY_DAYS, FACECLOCK_SQL_DIR,\n"
          "  FACECLOCK_TEMPLATES, FACECLOCK_REQUEST_DEADLINE (seconds, default 30),\n"
          "  FACECLOCK_CONFIG (file of KEY=VALUE lines, re-read on SIGHUP)\n"
          "see docs/operations.md\n", f);
}

static const struct command *command_named(const char *name)
{
    for (int i = 0; i < runtime_ncommands; i++)
        if (strcmp(runtime_commands[i].name, name) == 0)
            return &runtime_commands[i];
    for (int i = 0; i < app_ncommands; i++)
        if (strcmp(app_commands[i].name, name) == 0)
            return &app_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (config_load() < 0)
        return 2;
    const struct command *c = command_named(argv[1]);
    if (c == NULL) {
        fprintf(stderr, "faceclock: unknown command \"%s\"\n", argv[1]);
        usage(stderr);
        return 2;
    }
    log_init(argv[1]);
    return c->run(argc - 1, argv + 1);
}
