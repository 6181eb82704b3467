/*
 * cmd_tariffs.c - `tradewar tariffs aggregate`: applied tariffs by product
 * line to tariffs by the data set's sectors, through a concordance, with a
 * coverage report. The averaging is the library's (src/tariffs.c).
 */
#include "cli.h"
#include "outdir.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cmd_tariffs_help(FILE *f)
{
    fputs("Usage: tradewar tariffs aggregate --lines LINES.csv --concordance MAP.csv\n"
          "                                  [--weights TRADE.csv] --output tariffs.csv\n"
          "                                  [--coverage COVERAGE.csv] [-q|-v]\n"
          "\n"
          "Turn applied tariffs by product line into tariffs by sector, for\n"
          "`tradewar import icio --tariffs` or a data set's tariffs.csv.\n"
          "\n"
          "  LINES.csv     importer,exporter,code,rate (HS6, HS8 or any code the concordance\n"
          "                knows; rates as fractions, kept in the unit given)\n"
          "  MAP.csv       code,sector[,share]: the sector a code belongs to (share: the part\n"
          "                of the code's trade counted in the sector, default 1)\n"
          "  TRADE.csv     importer,exporter,code,value: trade weights; without them each\n"
          "                sector's rate is the simple average of its lines\n"
          "\n"
          "Writes tariffs.csv (exporter,importer,sector,rate) and, with --coverage, a CSV\n"
          "with each sector's rate, lines and the share of its trade (or codes) the rate\n"
          "rests on. Prints a summary on stderr: the coverage and the codes that did not map.\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 bad input file, 4 I/O error.\n",
          f);
}

typedef struct agg_out {
    const tw_tariff_report *r;
} agg_out;

static int write_tariffs(FILE *f, void *user)
{
    const tw_tariff_report *r = ((agg_out *)user)->r;
    fputs("exporter,importer,sector,rate\n", f);
    for (size_t k = 0; k < tw_tariff_report_rows(r); k++) {
        const char *imp, *exp, *sec;
        double rate, cov, covered, total;
        size_t lines;
        tw_tariff_report_row(r, k, &imp, &exp, &sec, &rate, &cov, &lines, &covered, &total);
        if (strcmp(imp, exp) != 0) /* a country levies nothing on itself */
            fprintf(f, "%s,%s,%s,%.17g\n", exp, imp, sec, rate);
    }
    return 0;
}

static int write_coverage(FILE *f, void *user)
{
    const tw_tariff_report *r = ((agg_out *)user)->r;
    fputs("importer,exporter,sector,rate,lines,covered,total,coverage\n", f);
    for (size_t k = 0; k < tw_tariff_report_rows(r); k++) {
        const char *imp, *exp, *sec;
        double rate, cov, covered, total;
        size_t lines;
        tw_tariff_report_row(r, k, &imp, &exp, &sec, &rate, &cov, &lines, &covered, &total);
        fprintf(f, "%s,%s,%s,%.17g,%zu,%.17g,%.17g,%.17g\n", imp, exp, sec, rate, lines, covered,
                total, cov);
    }
    fputs("# unmapped codes: code,lines,trade\n", f);
    for (size_t k = 0; k < tw_tariff_report_unmapped(r); k++) {
        const char *code;
        size_t lines;
        double trade;
        tw_tariff_report_unmapped_code(r, k, &code, &lines, &trade);
        fprintf(f, "# unmapped,%s,%zu,%.17g\n", code, lines, trade);
    }
    return 0;
}

static void summary(const cli_ctx *ctx, const tw_tariff_report *r, int weighted)
{
    double lo = INFINITY;
    for (size_t k = 0; k < tw_tariff_report_rows(r); k++) {
        const char *imp, *exp, *sec;
        double rate, cov, covered, total;
        size_t lines;
        tw_tariff_report_row(r, k, &imp, &exp, &sec, &rate, &cov, &lines, &covered, &total);
        if (cov < lo)
            lo = cov;
    }
    cli_note(ctx, 1, "%zu importer x exporter x sector rates (%s); lowest coverage %.4g",
             tw_tariff_report_rows(r), weighted ? "trade-weighted" : "simple averages",
             tw_tariff_report_rows(r) ? lo : NAN);
    size_t n = tw_tariff_report_unmapped(r);
    if (n)
        cli_note(ctx, 1, "%zu code%s did not map to a sector:", n, n == 1 ? "" : "s");
    for (size_t k = 0; k < n && k < 20; k++) {
        const char *code;
        size_t lines;
        double trade;
        tw_tariff_report_unmapped_code(r, k, &code, &lines, &trade);
        cli_note(ctx, 1, "  unmapped %s: %zu line%s, trade %.6g", code, lines,
                 lines == 1 ? "" : "s", trade);
    }
    if (n > 20)
        cli_note(ctx, 1, "  ... and %zu more (see --coverage)", n - 20);
}

static int cmd_tariffs_aggregate(int argc, char **argv, int first, cli_ctx ctx)
{
    const char *lines = NULL, *conc = NULL, *weights = NULL, *output = NULL, *coverage = NULL;
    static const char *const names[] = {"--lines", "--concordance", "--weights", "--output",
                                        "--coverage"};
    const char **const slots[] = {&lines, &conc, &weights, &output, &coverage};
    cli_args a;
    cli_args_init(&a, argc, argv, first, "tariffs aggregate");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_OPERAND)
            return cli_usage_error("tariffs aggregate", "unexpected argument '%s'", a.arg);
        if (cli_is(&a, "--help", "-h", 0)) {
            cmd_tariffs_help(stdout);
            return CLI_OK;
        }
        int got = cli_stored_option(&a, names, slots, sizeof names / sizeof *names);
        if (got < 0)
            return cli_bad_value(&a, "a file");
        if (got == 0 && !cli_common_option(&a, &ctx, NULL))
            return cli_usage_error("tariffs aggregate", "unknown option '%s'", a.arg);
    }
    if (!lines || !conc || !output)
        return cli_usage_error("tariffs aggregate", "--lines, --concordance and --output are "
                                                    "required");
    tw_error err = {0};
    tw_tariff_report *r = NULL;
    tw_status st = tw_tariffs_aggregate_files(lines, conc, weights, &r, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    summary(&ctx, r, weights != NULL);
    agg_out u = {r};
    char why[512];
    int rc = CLI_OK;
    /* each output file is written whole or not at all */
    char dir[4096], name[1024];
    const char *targets[2] = {output, coverage};
    int (*writers[2])(FILE *, void *) = {write_tariffs, write_coverage};
    for (int k = 0; k < 2 && rc == CLI_OK; k++) {
        if (!targets[k])
            continue;
        const char *slash = strrchr(targets[k], '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - targets[k]) : 1,
                 slash ? targets[k] : ".");
        snprintf(name, sizeof name, "%s", slash ? slash + 1 : targets[k]);
        batch_file f = {name, writers[k]};
        if (batch_write_files(dir, 0, &f, 1, &u, why, sizeof why) != 0) {
            cli_error("cannot write %s: %s", targets[k], why);
            rc = CLI_FAILURE;
        }
    }
    tw_tariff_report_free(r);
    return rc;
}

int cmd_tariffs(int argc, char **argv, int first, cli_ctx ctx)
{
    if (first >= argc) {
        cmd_tariffs_help(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
        cmd_tariffs_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[first], "aggregate") == 0)
        return cmd_tariffs_aggregate(argc, argv, first + 1, ctx);
    return cli_usage_error("tariffs", "no subcommand '%s' (aggregate)", argv[first]);
}
