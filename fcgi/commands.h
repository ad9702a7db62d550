/* commands.h — the subcommands of the faceclock binary besides serve. */
#ifndef FC_COMMANDS_H
#define FC_COMMANDS_H

int cmd_migrate(int argc, char **argv);   /* migrate.c */
int cmd_openapi(int argc, char **argv);   /* openapi.c */
int cmd_import(int argc, char **argv);    /* handlers/people/pms.c */
int cmd_purge(int argc, char **argv);     /* handlers/attendance/purge_cmd.c */

#endif
