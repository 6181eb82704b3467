/*
 * cmd_import.c - `tradewar import SOURCE ...`: turn a published table into a
 * tradewar data set. One subcommand per source, in the table below (`gravity`
 * here, cli/cmd_import_gravity.c).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

void cmd_import_help(FILE *f)
{
    fputs("Usage: tradewar import SOURCE [OPTIONS]\n"
          "\n"
          "Turn a published table into a tradewar data set. Sources:\n"
          "  gravity FILE  a long bilateral trade table (CSV or Stata .dta): one sector\n"
          "\n"
          "Run 'tradewar import SOURCE --help' for its options.\n",
          f);
}

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv, int first, cli_ctx ctx);
} import_source;

static const import_source sources[] = {
    {"gravity", cmd_import_gravity},
};

int cmd_import(int argc, char **argv, int first, cli_ctx ctx)
{
    if (first >= argc) {
        cmd_import_help(stderr);
        return CLI_USAGE;
    }
    const char *what = argv[first];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
        cmd_import_help(stdout);
        return CLI_OK;
    }
    for (size_t k = 0; k < sizeof sources / sizeof *sources; k++)
        if (strcmp(sources[k].name, what) == 0)
            return sources[k].run(argc, argv, first + 1, ctx);
    return cli_usage_error("import", "no source '%s' (gravity)", what);
}
