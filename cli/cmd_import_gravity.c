/* cmd_import_gravity.c - `tradewar import gravity FILE`: a long bilateral
 * trade table (CSV or Stata .dta) as a one-sector tradewar data set, the
 * one-sector structural gravity model as the engine's special case (J = 1,
 * value-added share 1, no tariffs, theta = sigma - 1). */
#include "gravity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fputs(
        "Usage: tradewar import gravity FILE --output DIR [--exporter COL] [--importer COL]\n"
        "                               [--trade COL] [--output-col Y] [--expenditure-col E]\n"
        "                               [--sigma S | --theta T] [--subset COL=VALUE]\n"
        "\n"
        "Write a one-sector tradewar data set from a long bilateral trade table: countries are\n"
        "the exporters and importers, flows the trade column (domestic sales included), value-\n"
        "added share 1, no tariffs. The engine's J = 1 case is then the structural gravity\n"
        "model (Armington / Eaton-Kortum, Dekle-Eaton-Kortum exact hat algebra), with trade\n"
        "deficits as the flows imply (each country's imports minus exports).\n"
        "\n"
        "Options:\n"
        "      --output DIR      the data set to write (required; created)\n"
        "      --exporter, --importer, --trade COL   columns (default exporter, importer, trade)\n"
        "      --output-col Y    output by exporter: fills missing domestic sales as output\n"
        "                        minus exports (Y - sum of the exporter's foreign sales)\n"
        "      --expenditure-col E  expenditure by importer: checked against the flows (a\n"
        "                        relative gap above 1e-6 is reported on stderr)\n"
        "      --sigma S         elasticity of substitution: theta = S - 1 (or --theta T);\n"
        "                        default theta 4\n"
        "      --subset COL=VALUE  only rows where COL equals VALUE (e.g. year=2006)\n"
        "  -q, --quiet / -v, --verbose\n"
        "\n"
        "Exit status: 0 success, 2 usage error, 3 bad input (names file, row and value),\n"
        "4 I/O error.\n",
        f);
}

typedef struct imp_run {
    const char *file, *output, *ex, *im, *trade, *y, *e, *sigma_s, *theta_s, *subset;
    double theta;
    size_t N;
    char **code;
    double *X, *Y, *E; /* N*N [i][n], N, N */
    unsigned char *have;
} imp_run;

static int country(imp_run *r, const char *code)
{
    for (size_t k = 0; k < r->N; k++)
        if (!strcmp(r->code[k], code))
            return (int)k;
    return -1;
}

/* Countries: every exporter and importer, in order of first appearance. */
static int collect(imp_run *r, const tw_table *t, long ke, long ki, const unsigned char *keep,
                   char *why, size_t size)
{
    size_t n = tw_table_rows(t);
    r->code = calloc(2 * n + 1, sizeof *r->code);
    if (!r->code) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    char buf[64];
    for (size_t row = 0; row < n; row++) {
        if (keep && !keep[row])
            continue;
        long cols[2] = {ke, ki};
        for (int s = 0; s < 2; s++) {
            const char *c = tw_table_text(t, row, (size_t)cols[s], buf, sizeof buf);
            if (!*c) {
                snprintf(why, size, "%s: row %zu: empty %s", r->file, row + 1,
                         s ? "importer" : "exporter");
                return -1;
            }
            if (country(r, c) < 0) {
                size_t len = strlen(c) + 1;
                r->code[r->N] = malloc(len);
                if (!r->code[r->N]) {
                    snprintf(why, size, "out of memory");
                    return -1;
                }
                memcpy(r->code[r->N++], c, len);
            }
        }
    }
    if (r->N < 2) {
        snprintf(why, size, "%s: fewer than two countries", r->file);
        return -1;
    }
    return 0;
}

static int read_flows(imp_run *r, const tw_table *t, const unsigned char *keep, char *why,
                      size_t size)
{
    long ke = tw_table_find(t, r->ex), ki = tw_table_find(t, r->im),
         kt = tw_table_find(t, r->trade);
    long ky = r->y ? tw_table_find(t, r->y) : -2, kx = r->e ? tw_table_find(t, r->e) : -2;
    const char *missing = ke < 0     ? r->ex
                          : ki < 0   ? r->im
                          : kt < 0   ? r->trade
                          : ky == -1 ? r->y
                          : kx == -1 ? r->e
                                     : NULL;
    if (missing) {
        snprintf(why, size, "%s: no column '%s'", r->file, missing);
        return -1;
    }
    const double *trade = tw_table_numeric(t, (size_t)kt);
    const double *Yc = ky >= 0 ? tw_table_numeric(t, (size_t)ky) : NULL;
    const double *Ec = kx >= 0 ? tw_table_numeric(t, (size_t)kx) : NULL;
    if (!trade || (ky >= 0 && !Yc) || (kx >= 0 && !Ec)) {
        snprintf(why, size, "%s: the trade, output and expenditure columns must be numeric",
                 r->file);
        return -1;
    }
    if (collect(r, t, ke, ki, keep, why, size) != 0)
        return -1;
    size_t N = r->N;
    r->X = calloc(N * N, sizeof *r->X);
    r->Y = calloc(N, sizeof *r->Y);
    r->E = calloc(N, sizeof *r->E);
    r->have = calloc(N * N, 1);
    if (!r->X || !r->Y || !r->E || !r->have) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (size_t k = 0; k < N; k++)
        r->Y[k] = r->E[k] = NAN;
    char b1[64], b2[64];
    for (size_t row = 0; row < tw_table_rows(t); row++) {
        if (keep && !keep[row])
            continue;
        int i = country(r, tw_table_text(t, row, (size_t)ke, b1, sizeof b1));
        int n = country(r, tw_table_text(t, row, (size_t)ki, b2, sizeof b2));
        size_t q = (size_t)i * N + (size_t)n;
        if (r->have[q]) {
            snprintf(why, size, "%s: row %zu: pair %s:%s appears twice", r->file, row + 1,
                     r->code[i], r->code[n]);
            return -1;
        }
        double v = trade[row];
        if (!isnan(v) && !(v >= 0 && isfinite(v))) {
            snprintf(why, size, "%s: row %zu: trade %.17g is not a flow (>= 0)", r->file, row + 1,
                     v);
            return -1;
        }
        if (!isnan(v)) {
            r->X[q] = v;
            r->have[q] = 1;
        }
        if (Yc && !isnan(Yc[row]))
            r->Y[i] = Yc[row];
        if (Ec && !isnan(Ec[row]))
            r->E[n] = Ec[row];
    }
    return 0;
}

/* Missing domestic sales from output; a flow still missing is an error. */
static int complete(imp_run *r, char *why, size_t size)
{
    size_t N = r->N;
    for (size_t i = 0; i < N; i++) {
        if (r->have[i * N + i] || !r->y)
            continue;
        double exports = 0;
        for (size_t n = 0; n < N; n++)
            if (n != i)
                exports += r->X[i * N + n];
        double dom = r->Y[i] - exports;
        if (isnan(r->Y[i]) || dom < 0) {
            snprintf(why, size,
                     "%s: %s: output %.17g is below its exports %.17g: no domestic "
                     "sales to fill",
                     r->file, r->code[i], r->Y[i], exports);
            return -1;
        }
        r->X[i * N + i] = dom;
        r->have[i * N + i] = 1;
    }
    for (size_t q = 0; q < N * N; q++)
        if (!r->have[q]) {
            snprintf(why, size, "%s: no flow for %s:%s%s", r->file, r->code[q / N], r->code[q % N],
                     q / N == q % N && !r->y ? " (give --output-col to fill domestic sales)" : "");
            return -1;
        }
    return 0;
}

static void check_expenditure(const imp_run *r, const cli_ctx *ctx)
{
    if (!r->e)
        return;
    double worst = 0;
    size_t at = 0;
    for (size_t n = 0; n < r->N; n++) {
        double s = 0;
        for (size_t i = 0; i < r->N; i++)
            s += r->X[i * r->N + n];
        double gap = fabs(s - r->E[n]) / fabs(r->E[n]);
        if (isnan(r->E[n]) || gap > worst) {
            worst = isnan(r->E[n]) ? INFINITY : gap;
            at = n;
        }
    }
    if (worst > 1e-6)
        cli_error("warning: %s: expenditure of %s differs from its purchases in the flows by "
                  "%.3g%% (the data set uses the flows)",
                  r->file, r->code[at], 100 * worst);
    else
        cli_note(ctx, 2, "expenditure agrees with the flows (largest gap %.2g)", worst);
}

static int write_model(const imp_run *r, tw_error *err)
{
    size_t N = r->N;
    tw_model *m = tw_model_create(N, 1, NULL);
    if (!m) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    double *zeros = calloc(N * N, sizeof *zeros), *ones = malloc(N * sizeof *ones);
    tw_status st = zeros && ones ? TW_OK : TW_ERR_NOMEM;
    for (size_t k = 0; ones && k < N; k++)
        ones[k] = 1;
    for (size_t k = 0; st == TW_OK && k < N; k++)
        st = tw_model_set_country(m, k, r->code[k], NULL, err);
    if (st == TW_OK)
        st = tw_model_set_sector(m, 0, "goods", "All goods (one sector)", err);
    if (st == TW_OK)
        st = tw_model_set(m, TW_FLOWS, r->X, N * N, err);
    if (st == TW_OK)
        st = tw_model_set(m, TW_TARIFFS, zeros, N * N, err);
    if (st == TW_OK)
        st = tw_model_set(m, TW_VA_SHARES, ones, N, err);
    if (st == TW_OK)
        st = tw_model_set(m, TW_FINAL_SHARES, ones, N, err);
    if (st == TW_OK)
        st = tw_model_set(m, TW_IO_SHARES, ones, N, err);
    if (st == TW_OK)
        st = tw_model_set(m, TW_THETA, &r->theta, 1, err);
    if (st == TW_OK)
        st = tw_model_validate(m, err);
    if (st == TW_OK)
        st = tw_write_dataset(m, r->output, err);
    if (st == TW_ERR_NOMEM && !zeros)
        snprintf(err->message, sizeof err->message, "out of memory");
    free(zeros);
    free(ones);
    tw_model_free(m);
    return st == TW_OK ? 0 : (int)st;
}

static void run_free(imp_run *r)
{
    for (size_t k = 0; r->code && k < r->N; k++)
        free(r->code[k]);
    free(r->code);
    free(r->X);
    free(r->Y);
    free(r->E);
    free(r->have);
}

static int parse(int argc, char **argv, int first, cli_ctx *ctx, imp_run *r)
{
    cli_args a;
    cli_args_init(&a, argc, argv, first, "import gravity");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_ERROR)
            return CLI_USAGE;
        if (kind == ARG_OPERAND) {
            if (r->file)
                return cli_usage_error("import gravity", "one FILE only ('%s')", a.arg);
            r->file = a.arg;
            continue;
        }
        if (cli_is(&a, "--help", "-h", 0)) {
            help(stdout);
            return -1;
        }
        const char *const names[] = {"--output", "--exporter",   "--importer",
                                     "--trade",  "--output-col", "--expenditure-col",
                                     "--sigma",  "--theta",      "--subset"};
        const char **const slots[] = {&r->output, &r->ex,      &r->im,      &r->trade, &r->y,
                                      &r->e,      &r->sigma_s, &r->theta_s, &r->subset};
        int got = cli_stored_option(&a, names, slots, 9);
        if (got == -1)
            return cli_bad_value(&a, "a value");
        if (got == 0 && !cli_common_option(&a, ctx, NULL))
            return cli_usage_error("import gravity", "unknown option '%s'", a.arg);
    }
    if (!r->file)
        return cli_usage_error("import gravity", "missing FILE (a .csv or .dta file)");
    if (!r->output)
        return cli_usage_error("import gravity", "--output DIR is required");
    if (r->sigma_s && r->theta_s)
        return cli_usage_error("import gravity", "--sigma or --theta, not both");
    double v = 5;
    r->theta = 4;
    if (r->sigma_s && (!cli_parse_double(r->sigma_s, &v) || !(v > 1)))
        return cli_usage_error("import gravity", "--sigma '%s': a number above 1", r->sigma_s);
    if (r->sigma_s)
        r->theta = v - 1;
    if (r->theta_s && (!cli_parse_double(r->theta_s, &r->theta) || !(r->theta > 0)))
        return cli_usage_error("import gravity", "--theta '%s': a positive number", r->theta_s);
    r->ex = r->ex ? r->ex : "exporter";
    r->im = r->im ? r->im : "importer";
    r->trade = r->trade ? r->trade : "trade";
    return CLI_OK;
}

int cmd_import_gravity(int argc, char **argv, int first, cli_ctx ctx)
{
    imp_run r;
    memset(&r, 0, sizeof r);
    int rc = parse(argc, argv, first, &ctx, &r);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    tw_table *t = NULL;
    tw_error err = {0};
    tw_status st = tw_table_read(r.file, &t, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    char why[600];
    unsigned char *keep = NULL;
    if (r.subset) {
        keep = malloc(tw_table_rows(t));
        if (keep)
            memset(keep, 1, tw_table_rows(t));
        if (!keep || gf_subset(t, r.file, r.subset, keep, why, sizeof why) != 0) {
            cli_error("%s", keep ? why : "out of memory");
            rc = keep ? CLI_BAD_INPUT : CLI_FAILURE;
        }
    }
    if (rc == CLI_OK &&
        (read_flows(&r, t, keep, why, sizeof why) != 0 || complete(&r, why, sizeof why) != 0)) {
        cli_error("%s", why);
        rc = CLI_BAD_INPUT;
    }
    free(keep);
    tw_table_free(t);
    if (rc == CLI_OK) {
        check_expenditure(&r, &ctx);
        int w = write_model(&r, &err);
        if (w != 0)
            rc = cli_fail(&err, (tw_status)(w < 0 ? TW_ERR_NOMEM : w));
        else
            cli_note(&ctx, 1, "wrote %s: %zu countries, one sector, theta %g", r.output, r.N,
                     r.theta);
    }
    run_free(&r);
    return rc;
}
