/* corridor.c -- the `corridor` driver: `corridor SUBCOMMAND [options]`.
 *
 * main only dispatches: it answers --help and --version for the driver, then hands the words
 * after the subcommand name to the subcommand's main (argv[0] = its name). The table below
 * is the only list of subcommands; a new one is one more file (corridor_NAME.c defining
 * cli_cmd_NAME), one line here, a declaration in cli.h and its source in corridor.mk.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

extern const cli_command cli_cmd_train; /* corridor_train.c */

static const cli_command *const commands[] = {
    &cli_cmd_probe,
    &cli_cmd_flow,
    &cli_cmd_run,
    &cli_cmd_train,
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const cli_command *
find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void
print_help(void)
{
    printf("Usage: corridor SUBCOMMAND [options]\n"
           "       corridor SUBCOMMAND --help\n"
           "       corridor --help | --version\n"
           "\n"
           "Checks what the theory of gradient-based optimization predicts, exactly\n"
           "differentiated and computed in MPFR arbitrary precision (or in double).\n"
           "\n"
           "Subcommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
    printf("\n"
           "Common options: -l/--loss EXPR, --vars x,y,..., --prec BITS (default %d), --double,\n"
           "--digits D, --format tsv|csv|md|json, -o/--output FILE, -h/--help, -V/--version.\n"
           "Output is a table with a '# key=value' preamble (doc/cli.md).\n"
           "\n"
           "Exit status: 0 success, 1 I/O error, 2 bad input (one line on stderr), 3 diverged\n"
           "or not finite.\n",
           CLI_PREC_DEFAULT);
}

int
main(int argc, char **argv)
{
    const cli_command *cmd;
    const char *word;

    cli_init(argc, argv);
    if (argc < 2)
        cli_die(CLI_EXIT_USAGE, "missing subcommand (see 'corridor --help')");
    word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0)
    {
        print_help();
        return cli_finish(CLI_EXIT_OK);
    }
    if (strcmp(word, "--version") == 0 || strcmp(word, "-V") == 0)
    {
        printf("corridor %s\n", cor_version());
        return cli_finish(CLI_EXIT_OK);
    }
    if (strcmp(word, "help") == 0)
    {
        char help[] = "--help";
        char *sub[3];

        if (argc < 3)
        {
            print_help();
            return cli_finish(CLI_EXIT_OK);
        }
        cmd = find_command(argv[2]);
        if (!cmd)
            cli_die(CLI_EXIT_USAGE, "unknown subcommand '%s' (see 'corridor --help')", argv[2]);
        sub[0] = argv[2];
        sub[1] = help;
        sub[2] = NULL;
        return cmd->main(2, sub);
    }
    if (word[0] == '-')
        cli_die(CLI_EXIT_USAGE, "unknown option '%s' before the subcommand (see 'corridor --help')",
                word);
    cmd = find_command(word);
    if (!cmd)
        cli_die(CLI_EXIT_USAGE, "unknown subcommand '%s' (see 'corridor --help')", word);
    return cmd->main(argc - 1, argv + 1);
}
