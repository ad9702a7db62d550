/* app.h — all the runtime asks of the application (handlers/app/): its
 * commands. The runtime knows nothing else of it. */
#ifndef FC_APP_H
#define FC_APP_H

/* A subcommand of the faceclock binary. run gets argv from the command's
 * name on and returns the exit status. --help prints the synopsis and,
 * from column 28, each line of help. */
struct command {
    const char *name;
    const char *synopsis;      /* "migrate [sql-dir]" */
    const char *help;          /* lines separated by '\n' */
    int (*run)(int argc, char **argv);
};

/* The application's commands, after the runtime's serve and migrate
 * (handlers/app/commands.c). */
extern const struct command app_commands[];
extern const int app_ncommands;

#endif
