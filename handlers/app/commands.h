/* commands.h — the application's subcommands of the faceclock binary,
 * each in its room's _cmd.c; commands.c lists them for the runtime
 * (fcgi/app.h: app_commands). argv starts at the command's name. */
#ifndef FC_APP_COMMANDS_H
#define FC_APP_COMMANDS_H

int cmd_import(int argc, char **argv);    /* people/pms_cmd.c */
int cmd_purge(int argc, char **argv);     /* attendance/purge_cmd.c */
int cmd_audit_verify(int argc, char **argv);   /* attendance/audit_verify_cmd.c */
int cmd_rekey(int argc, char **argv);     /* attendance/rekey_cmd.c */
int cmd_alerts_tick(int argc, char **argv);    /* attendance/alerts_tick_cmd.c */
int cmd_ca_init(int argc, char **argv);   /* devices/ca_cmd.c */
int cmd_ca_crl(int argc, char **argv);    /* devices/ca_cmd.c */

#endif
