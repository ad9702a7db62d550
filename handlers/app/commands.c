/* commands.c — the application's commands (fcgi/app.h: app_commands),
 * which `faceclock <name>` runs and --help lists after the runtime's
 * serve and migrate. */
#include "app.h"
#include "commands.h"

const struct command app_commands[] = {
    {"import", "import <hotel-slug> <file.json | ->",
     "PMS sync from a file (same rules as the API)", cmd_import},
    {"purge", "purge",
     "remove face data past each hotel's retention\n"
     "(audited REVOKED \"retention expired\", and by system:purge)\n"
     "and expired sessions, login failures, used tokens; for cron", cmd_purge},
    {"audit-verify", "audit-verify [--hotel SLUG]",
     "check each hotel's audit hash chain (face and action rows)\n"
     "and the system's; names the first row that does not match\n"
     "(exit 1)", cmd_audit_verify},
    {"rekey", "rekey [--hotel SLUG]",
     "re-seal biometric data (faces, thumbnails) under\n"
     "FACECLOCK_DATA_KEY, online; then the old keys can go", cmd_rekey},
    {"alerts-tick", "alerts-tick [--hotel SLUG]",
     "evaluate the time-driven alert rules (hard limit, overtime,\n"
     "device offline, unsynced revocation) and resolve what\n"
     "cleared; for the scheduler, every minute", cmd_alerts_tick},
    {"ca-init", "ca-init",
     "make the devices' CA under FACECLOCK_STATE_DIR if absent\n"
     "(ca/key.pem 0600, ca/cert.pem, an empty crl.pem)", cmd_ca_init},
    {"ca-crl", "ca-crl",
     "write FACECLOCK_STATE_DIR/crl.pem again from the database\n"
     "(every revoked device certificate not yet expired)", cmd_ca_crl},
};

const int app_ncommands = (int)(sizeof app_commands / sizeof app_commands[0]);
