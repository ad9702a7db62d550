/* main.c — the faceclock binary: subcommand dispatch. */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "config.h"
#include "crypto.h"
#include "log.h"
#include "server.h"

static void usage(FILE *f)
{
    fputs("usage: faceclock <command> [args]\n"
          "\n"
          "commands:\n"
          "  serve                     run the FastCGI master and its workers\n"
          "  migrate [sql-dir]         apply the numbered SQL migrations once each\n"
          "  import <hotel-slug> <file.json | ->\n"
          "                            PMS sync from a file (same rules as the API)\n"
          "  purge                     remove face data past each hotel's retention\n"
          "                            (audited REVOKED \"retention expired\"); for cron\n"
          "  openapi                   print the API's OpenAPI 3.1 document\n"
          "  --help                    this text\n"
          "\n"
          "environment: FACECLOCK_SOCKET (unix path or host:port), FACECLOCK_WORKERS,\n"
          "  DATABASE_URL, FACECLOCK_MIGRATE_URL, FACECLOCK_ADMIN_KEY, FACECLOCK_USER,\n"
          "  FACECLOCK_MAX_BODY, FACECLOCK_MAX_REQUESTS, FACECLOCK_TOKEN_TTL,\n"
          "  FACECLOCK_SCRYPT_LOG_N, FACECLOCK_LOGIN_MAX_FAILURES, FACECLOCK_LOGIN_WINDOW,\n"
          "  FACECLOCK_DATA_KEY, FACECLOCK_SYNC_HISTORY_DAYS, FACECLOCK_SQL_DIR,\n"
          "  FACECLOCK_TEMPLATES,\n"
          "  FACECLOCK_CONFIG (file of KEY=VALUE lines, re-read on SIGHUP)\n"
          "see docs/operations.md\n", f);
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
    if (strcmp(argv[1], "serve") == 0)
        return master_run();
    log_init(argv[1]);
    if (strcmp(argv[1], "migrate") == 0)
        return cmd_migrate(argc - 1, argv + 1);
    if (strcmp(argv[1], "import") == 0) {
        if (crypto_init() < 0)
            return 1;
        return cmd_import(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "purge") == 0)
        return cmd_purge(argc - 1, argv + 1);
    if (strcmp(argv[1], "openapi") == 0)
        return cmd_openapi(argc - 1, argv + 1);
    fprintf(stderr, "faceclock: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
