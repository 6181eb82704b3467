/* cmd_gravity_elasticities.c - `tradewar gravity elasticities`: trade
 * elasticities from tariffs by PPML, written as the elasticity file
 * `sector,theta,theta_se` that data sets and `tradewar sweep --theta-se` read. */
#include "gravity.h"
#include "outdir.h"
#include "output.h"

#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fputs("Usage: tradewar gravity elasticities DATA --exporter COL --importer COL --sector COL\n"
          "                                     --trade COL --tariff COL [OPTIONS]\n"
          "\n"
          "Trade elasticities from tariffs: PPML of bilateral sectoral flows on log(1 + tariff)\n"
          "with exporter-sector, importer-sector and exporter-importer fixed effects, so that\n"
          "theta is identified from how a pair's trade differs across sectors with different\n"
          "tariffs (the Caliendo-Parro (2015) identification, estimated by PPML). In the model\n"
          "X_ni,j ~ (1 + t_ni,j)^(-theta_j), so theta_j is minus the coefficient. By default one\n"
          "theta per sector (log(1 + tariff) interacted with sector dummies, in one regression);\n"
          "--pooled gives one theta for all sectors.\n"
          "\n"
          "Options:\n"
          "      --exporter, --importer, --sector, --trade, --tariff COL   the columns (required)\n"
          "      --tariff-unit rate|percent  tariffs as 0.25 (default) or 25 for 25%\n"
          "      --pooled          one theta for every sector\n"
          "      --cluster TERMS   cluster the standard errors (default: by exporter^importer;\n"
          "                        'none' for robust)\n"
          "      --format FORMAT   csv (default: the elasticity file), table or json\n"
          "      --output FILE     also write the elasticity file to FILE (all or nothing)\n"
          "  -q, --quiet / -v, --verbose\n"
          "  -h, --help            show this help\n"
          "\n"
          "The elasticity file has the columns sector,theta,theta_se (theta_se: the standard\n"
          "error). `tradewar sweep --theta-se FILE` draws theta with these standard errors.\n"
          "\n"
          "Exit status: 0 converged, 1 did not converge, 2 usage error, 3 bad data, 4 I/O error.\n",
          f);
}

typedef struct el_run {
    const char *data, *col[5], *unit, *cluster_text, *output;
    char checksum[17];
    int pooled;
    size_t J;           /* sectors */
    char **sector_name; /* J */
    double *theta, *se; /* J */
    tw_ppml_result res;
} el_run;

enum { C_EXP, C_IMP, C_SEC, C_TRADE, C_TARIFF };

static int write_file(FILE *f, void *user)
{
    const el_run *r = user;
    fputs("sector,theta,theta_se\n", f);
    for (size_t j = 0; j < r->J; j++) {
        out_csv_text(f, r->sector_name[j]);
        out_csv_number(f, r->theta[j]);
        out_csv_number(f, r->se[j]);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

static void print_table(FILE *f, const el_run *r)
{
    fprintf(f, "Trade elasticities from tariffs (PPML, %s)\n", r->pooled ? "pooled" : "by sector");
    fprintf(f, "Data: %s (checksum %s); %zu of %zu rows used\n", r->data, r->checksum,
            r->res.n_used, r->res.n);
    fprintf(f, "Fixed effects: %s^%s, %s^%s, %s^%s; standard errors: %s\n\n", r->col[C_EXP],
            r->col[C_SEC], r->col[C_IMP], r->col[C_SEC], r->col[C_EXP], r->col[C_IMP],
            r->res.vcov_kind == TW_VCOV_CLUSTER ? "clustered" : "robust");
    fprintf(f, "%-20s %10s %10s\n", "sector", "theta", "theta_se");
    for (size_t j = 0; j < r->J; j++)
        fprintf(f, "%-20s %10.4f %10.4f\n", r->sector_name[j], r->theta[j], r->se[j]);
    fprintf(f, "\n%s after %d IRLS iterations, %.3f s\n",
            (r->res.outcome == TW_OUTCOME_CONVERGED) ? "converged" : "NOT converged",
            r->res.iterations, r->res.seconds);
}

static json_t *to_json(const el_run *r)
{
    json_t *rows = json_array();
    for (size_t j = 0; j < r->J; j++)
        json_array_append_new(rows, json_pack("{s:s, s:o, s:o}", "sector", r->sector_name[j],
                                              "theta", out_json_number(r->theta[j]), "theta_se",
                                              out_json_number(r->se[j])));
    json_t *prov = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s?}",
                             "version", TW_VERSION_STRING, "command", "gravity elasticities",
                             "data", r->data, "data_checksum", r->checksum, "exporter",
                             r->col[C_EXP], "importer", r->col[C_IMP], "sector", r->col[C_SEC],
                             "trade", r->col[C_TRADE], "tariff", r->col[C_TARIFF], "tariff_unit",
                             r->unit ? r->unit : "rate", "pooled", r->pooled, "cluster",
                             r->cluster_text);
    return json_pack("{s:o, s:o, s:I, s:I, s:b, s:i}", "provenance", prov, "elasticities", rows,
                     "observations", (json_int_t)r->res.n_used, "rows", (json_int_t)r->res.n,
                     "converged", (r->res.outcome == TW_OUTCOME_CONVERGED), "iterations",
                     r->res.iterations);
}

static int parse(int argc, char **argv, int first, cli_ctx *ctx, el_run *r, const char **fmt)
{
    cli_args a;
    cli_args_init(&a, argc, argv, first, "gravity elasticities");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_ERROR)
            return CLI_USAGE;
        if (kind == ARG_OPERAND) {
            if (r->data)
                return cli_usage_error("gravity elasticities", "one DATA file only ('%s')", a.arg);
            r->data = a.arg;
            continue;
        }
        if (cli_is(&a, "--help", "-h", 0)) {
            help(stdout);
            return -1;
        }
        const char *const names[] = {"--exporter", "--importer", "--sector",
                                     "--trade",    "--tariff",   "--tariff-unit",
                                     "--cluster",  "--format",   "--output"};
        const char **const slots[] = {&r->col[0],       &r->col[1], &r->col[2],
                                      &r->col[3],       &r->col[4], &r->unit,
                                      &r->cluster_text, fmt,        &r->output};
        int got = cli_stored_option(&a, names, slots, 9);
        if (got == -1)
            return cli_bad_value(&a, "a value");
        if (got == 1)
            continue;
        if (cli_is(&a, "--pooled", NULL, 0))
            r->pooled = 1;
        else if (!cli_common_option(&a, ctx, NULL))
            return cli_usage_error("gravity elasticities", "unknown option '%s'", a.arg);
    }
    if (!r->data)
        return cli_usage_error("gravity elasticities", "missing DATA (a .csv or .dta file)");
    static const char *const flag[5] = {"--exporter", "--importer", "--sector", "--trade",
                                        "--tariff"};
    for (int k = 0; k < 5; k++)
        if (!r->col[k])
            return cli_usage_error("gravity elasticities", "missing %s COL", flag[k]);
    if (r->unit && strcmp(r->unit, "rate") && strcmp(r->unit, "percent"))
        return cli_usage_error("gravity elasticities", "--tariff-unit '%s': rate or percent",
                               r->unit);
    return CLI_OK;
}

/* The problem: y = trade, x = log(1 + tariff) (times each sector's dummy),
 * FE exporter^sector, importer^sector, exporter^importer. */
static int build(const tw_table *t, el_run *r, gf_data *d, uint32_t *sector, char *why, size_t size)
{
    gf_formula f;
    char text[1024];
    snprintf(text, sizeof text, "%s ~ log1p(%s) | %s^%s + %s^%s + %s^%s", r->col[C_TRADE],
             r->col[C_TARIFF], r->col[C_EXP], r->col[C_SEC], r->col[C_IMP], r->col[C_SEC],
             r->col[C_EXP], r->col[C_IMP]);
    if (gf_parse(text, &f, why, size) != 0)
        return -1;
    gf_fe cl[2];
    size_t ncl = 0;
    const char *ct = r->cluster_text;
    char def[256];
    if (!ct) {
        snprintf(def, sizeof def, "%s^%s", r->col[C_EXP], r->col[C_IMP]);
        ct = def;
    }
    if (strcmp(ct, "none") != 0 && gf_parse_terms(ct, cl, 2, &ncl, why, size) != 0)
        return -1;
    if (gf_build(t, r->data, &f, cl, ncl, NULL, d, why, size) != 0)
        return -1;
    size_t n = d->n;
    if (!strcmp(r->unit ? r->unit : "rate", "percent")) {
        const double *raw = tw_table_numeric(t, (size_t)tw_table_find(t, r->col[C_TARIFF]));
        for (size_t i = 0; i < n; i++)
            d->x[i] = log1p(raw[i] / 100.0);
    }
    if (!r->pooled) {
        if (r->J > GF_MAX_TERMS) {
            snprintf(why, size, "%zu sectors: at most %d by sector (use --pooled)", r->J,
                     GF_MAX_TERMS);
            return -1;
        }
        double *x = calloc(n * r->J, sizeof *x);
        if (!x) {
            snprintf(why, size, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (sector[i] == UINT32_MAX) {
                for (size_t j = 0; j < r->J; j++)
                    x[j * n + i] = NAN;
            } else
                x[(size_t)sector[i] * n + i] = d->x[i];
        }
        free(d->x);
        d->x = x;
        d->p.x = x;
        d->p.k = r->J;
    }
    return 0;
}

static void run_free(el_run *r)
{
    for (size_t j = 0; r->sector_name && j < r->J; j++)
        free(r->sector_name[j]);
    free(r->sector_name);
    free(r->theta);
    free(r->se);
    tw_ppml_result_free(&r->res);
}

static int write_output(el_run *r)
{
    char a[4096], b[4096], why[600];
    snprintf(a, sizeof a, "%s", r->output);
    snprintf(b, sizeof b, "%s", r->output);
    batch_file file = {basename(b), write_file};
    if (batch_write_files(dirname(a), 0, &file, 1, r, why, sizeof why) != 0) {
        cli_error("--output %s: %s", r->output, why);
        return CLI_FAILURE;
    }
    return CLI_OK;
}

int cmd_gravity_elasticities(int argc, char **argv, int first, cli_ctx ctx)
{
    el_run r;
    memset(&r, 0, sizeof r);
    const char *fmt = NULL;
    int rc = parse(argc, argv, first, &ctx, &r, &fmt);
    out_format format = FORMAT_CSV;
    if (rc == CLI_OK && fmt && !out_parse_format(fmt, &format))
        rc = cli_usage_error("gravity elasticities", "--format '%s': csv, table or json", fmt);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    tw_table *t = NULL;
    tw_error err = {0};
    tw_status st = tw_table_read(r.data, &t, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    gf_file_checksum(r.data, r.checksum);
    char why[600];
    gf_data d;
    memset(&d, 0, sizeof d);
    long sc = tw_table_find(t, r.col[C_SEC]);
    uint32_t *sector = calloc(tw_table_rows(t), sizeof *sector);
    if (sc < 0) {
        cli_error("%s: no column '%s'", r.data, r.col[C_SEC]);
        rc = CLI_BAD_INPUT;
    } else if (!sector || tw_table_factor(t, (size_t)sc, sector, &r.J, &r.sector_name, &err)) {
        cli_error("out of memory");
        rc = CLI_FAILURE;
    } else if (build(t, &r, &d, sector, why, sizeof why) != 0) {
        cli_error("%s", why);
        rc = CLI_BAD_INPUT;
    }
    tw_table_free(t);
    free(sector);
    if (rc == CLI_OK) {
        tw_ppml_options o;
        tw_ppml_options_default(&o);
        o.vcov = d.p.n_cluster ? TW_VCOV_CLUSTER : TW_VCOV_ROBUST;
        cli_note(&ctx, 1, "fitting PPML on %zu rows, %zu sectors", d.n, r.J);
        st = tw_ppml_fit(&d.p, &o, &r.res, &err);
        if (st != TW_OK)
            rc = cli_fail(&err, st);
    }
    if (rc == CLI_OK) {
        r.theta = calloc(r.J, sizeof *r.theta);
        r.se = calloc(r.J, sizeof *r.se);
        if (!r.theta || !r.se)
            rc = CLI_FAILURE;
        for (size_t j = 0; rc == CLI_OK && j < r.J; j++) {
            size_t c = r.pooled ? 0 : j;
            r.theta[j] = -r.res.beta[c];
            r.se[j] = r.res.se[c];
        }
    }
    if (rc == CLI_OK) {
        for (size_t j = 0; j < r.J; j++)
            if (!(r.theta[j] > 0))
                cli_error("warning: sector %s: theta %.4g is not positive (the model needs "
                          "theta > 0)",
                          r.sector_name[j], r.theta[j]);
        if (format == FORMAT_CSV)
            write_file(stdout, &r);
        else if (format == FORMAT_TABLE)
            print_table(stdout, &r);
        else {
            json_t *j = to_json(&r);
            out_json_dump(stdout, j);
            json_decref(j);
        }
        if (r.output)
            rc = write_output(&r);
        if (rc == CLI_OK && !(r.res.outcome == TW_OUTCOME_CONVERGED))
            rc = CLI_NO_CONVERGENCE;
    }
    gf_data_free(&d);
    run_free(&r);
    return rc;
}
