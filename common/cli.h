/* Command-line helpers shared by the subcommands (server, agent, image...). */
#ifndef COMMON_CLI_H
#define COMMON_CLI_H

/* If argv[*i] is flag `name` given as --name=value or --name value, returns
 * the value (advancing *i past a separate value); otherwise NULL. */
const char *cli_flag_value(int argc, char **argv, int *i, const char *name);

#endif
