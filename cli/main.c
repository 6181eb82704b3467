/* main.c - the tradewar program: global options and subcommand dispatch. */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#ifdef TW_HAVE_OPENBLAS
/* OpenBLAS spins its own threads, which only waste CPU beside ours (wars run
 * best responses in parallel): one thread unless the user says otherwise. */
extern void openblas_set_num_threads(int);
#endif

static const char usage_text[] =
    "Usage: tradewar [-q|-v] COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Counterfactual equilibria of multi-country, multi-sector trade models.\n"
    "\n"
    "Commands:\n"
    "  solve SCENARIO   solve a scenario file and report welfare, trade and output changes\n"
    "  info             describe a data set: dimensions, totals, largest flows, validity\n"
    "  optimal          a government's optimal policy given everyone else's (best response)\n"
    "  war              the Nash equilibrium of a tariff war among players\n"
    "  talks            cooperative tariffs and Nash bargaining, the war as threat point\n"
    "  enforce AGREEMENT  whether an agreement enforces itself (Bagwell-Staiger)\n"
    "  waves            generate the 2018-20 US-China tariff-wave scenarios from the\n"
    "                   monthly tariffs by NAICS3 sector\n"
    "  report SCENARIO  compare a scenario's first stage with each later one: welfare,\n"
    "                   wages, trade, tariff revenue, sectors, elasticity range, charts\n"
    "  timeline SCENARIO  solve every stage of a scenario and chart the path\n"
    "  sweep SCENARIO   many solves: parameter grids, scenario lists, Monte Carlo draws of\n"
    "                   the elasticities (threads, MPI, resumable); means and quantiles\n"
    "  gravity SUBCOMMAND  gravity estimation: PPML with high-dimensional fixed effects\n"
    "                   (estimate), theta from tariffs (elasticities), one-sector\n"
    "                   counterfactuals and trade-cost scenarios (counterfactual, scenario)\n"
    "  import SOURCE    a published table as a data set (icio: an OECD ICIO table, with\n"
    "                   regions, sectors, tariffs, elasticities; gravity: a long trade table)\n"
    "  tariffs ACTION   `tariffs aggregate`: tariff lines by product to tariffs by\n"
    "                   sector, with a coverage report\n"
    "  help [COMMAND]   show help for a command\n"
    "\n"
    "Options:\n"
    "  -h, --help       show this help and exit\n"
    "      --version    show the version and exit\n"
    "  -q, --quiet      no progress messages on stderr (errors are still printed)\n"
    "  -v, --verbose    more detail on stderr\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  the solver did not converge (what there is is printed; stderr says why)\n"
    "  2  usage error (bad command line)\n"
    "  3  bad data or scenario (the message names file, line and value)\n"
    "  4  I/O or internal error\n"
    "\n"
    "Run 'tradewar COMMAND --help' for a command's options; docs/cli.md has the details.\n";

static int version(void)
{
    printf("tradewar %s (libtradewar %s)\n", TW_VERSION_STRING, tw_version());
    return CLI_OK;
}

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv, int first, cli_ctx ctx);
    void (*help)(FILE *f);
} command;

static const command commands[] = {
    {"solve", cmd_solve, cmd_solve_help},          {"info", cmd_info, cmd_info_help},
    {"optimal", cmd_optimal, cmd_optimal_help},    {"war", cmd_war, cmd_war_help},
    {"talks", cmd_talks, cmd_talks_help},          {"enforce", cmd_enforce, cmd_enforce_help},
    {"waves", cmd_waves, cmd_waves_help},          {"report", cmd_report, cmd_report_help},
    {"timeline", cmd_timeline, cmd_timeline_help}, {"sweep", cmd_sweep, cmd_sweep_help},
    {"gravity", cmd_gravity, cmd_gravity_help},    {"import", cmd_import, cmd_import_help},
    {"tariffs", cmd_tariffs, cmd_tariffs_help},
};

static const command *find_command(const char *name)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(commands[k].name, name) == 0)
            return &commands[k];
    return NULL;
}

/* tradewar help [COMMAND] */
static int help(int argc, char **argv, int first)
{
    if (first >= argc) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    const command *c = find_command(argv[first]);
    if (!c)
        return cli_usage_error(NULL, "no command '%s'", argv[first]);
    c->help(stdout);
    return CLI_OK;
}

/* ---- shell completion ------------------------------------------------------ */

/* The long options in a command's --help text (every "--name" in it), once each. */
static int complete_flags(const command *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return CLI_FAILURE;
    if (c)
        c->help(f);
    else
        fputs(usage_text, f);
    fclose(f);
    char seen[8192] = " ";
    for (const char *p = text; p && (p = strstr(p, "--")) != NULL;) {
        const char *e = p + 2;
        while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '-')
            e++;
        char word[80];
        int n = (int)(e - p);
        if (n > 3 && n < (int)sizeof word - 2 &&
            (p == text || p[-1] == ' ' || p[-1] == '(' || p[-1] == '`' || p[-1] == '\n')) {
            snprintf(word, sizeof word, " %.*s ", n, p);
            if (!strstr(seen, word) && strlen(seen) + strlen(word) < sizeof seen) {
                strcat(seen, word + 1);
                printf("%.*s\n", n, p);
            }
        }
        p = e;
    }
    free(text);
    return CLI_OK;
}

/*
 * tradewar __complete WHAT [ARG] - words for the shell completion scripts
 * (completion/tradewar.bash, completion/_tradewar), one a line; not in --help:
 *   commands               the commands
 *   flags [CMD]            the options of CMD (of the program without CMD)
 *   countries|sectors [DIR]  the codes of data set DIR (default: the bundled one)
 */
static int complete(int argc, char **argv, int first)
{
    const char *what = first < argc ? argv[first] : "";
    const char *arg = first + 1 < argc ? argv[first + 1] : NULL;
    if (strcmp(what, "commands") == 0) {
        for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
            puts(commands[k].name);
        puts("help");
        return CLI_OK;
    }
    if (strcmp(what, "flags") == 0) {
        const command *c = arg ? find_command(arg) : NULL;
        if (arg && !c)
            return CLI_USAGE;
        return complete_flags(c);
    }
    int countries = strcmp(what, "countries") == 0;
    if (!countries && strcmp(what, "sectors") != 0)
        return cli_usage_error("__complete", "commands, flags [CMD], countries [DIR] or "
                                             "sectors [DIR]");
    char buf[4096];
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_any(arg ? arg : cli_default_data(buf, sizeof buf), &m, &err) != TW_OK)
        return CLI_BAD_INPUT; /* quietly: the shell shows no codes */
    size_t n = countries ? tw_model_countries(m) : tw_model_sectors(m);
    for (size_t k = 0; k < n; k++)
        puts(countries ? tw_model_country_code(m, k) : tw_model_sector_code(m, k));
    tw_model_free(m);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {1};
    /* A file-size limit (ulimit -f) must be an I/O error like a full disk:
     * the write fails with EFBIG, the output batch is abandoned and its
     * temporary files removed, exit 4 (the default action kills the program
     * and leaves them behind). */
    signal(SIGXFSZ, SIG_IGN);
#ifdef TW_HAVE_OPENBLAS
    if (!getenv("OPENBLAS_NUM_THREADS"))
        openblas_set_num_threads(1);
#endif
    cli_args a;
    cli_args_init(&a, argc, argv, 1, NULL);
    for (;;) {
        cli_arg_kind kind = cli_args_next(&a);
        if (kind == ARG_END) {
            fputs(usage_text, stderr);
            return CLI_USAGE;
        }
        if (kind == ARG_OPERAND)
            break;
        if (cli_is(&a, "--help", "-h", 0)) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (cli_is(&a, "--version", NULL, 0))
            return version();
        if (!cli_common_option(&a, &ctx, NULL))
            return cli_usage_error(NULL, "unknown option '%s'", a.arg);
    }
    if (strcmp(a.arg, "help") == 0)
        return help(argc, argv, a.next);
    if (strcmp(a.arg, "__complete") == 0)
        return complete(argc, argv, a.next);
    const command *c = find_command(a.arg);
    if (!c)
        return cli_usage_error(NULL, "no command '%s' (solve, info, help)", a.arg);
    return c->run(argc, argv, a.next, ctx);
}
