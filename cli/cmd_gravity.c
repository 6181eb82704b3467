/* cmd_gravity.c - `tradewar gravity estimate`: PPML with high-dimensional
 * fixed effects on a long CSV or Stata .dta file. */
#include "gravity.h"
#include "outdir.h"
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cmd_gravity_help(FILE *f)
{
    fputs("Usage: tradewar gravity estimate DATA --formula FORMULA [OPTIONS]\n"
          "       tradewar gravity elasticities DATA ...   (see its --help)\n"
          "       tradewar gravity counterfactual DATA ... (see its --help)\n"
          "       tradewar gravity scenario DATA ...       (see its --help)\n"
          "\n"
          "Poisson pseudo-maximum likelihood (PPML) with any number of high-dimensional\n"
          "fixed effects, absorbed by weighted alternating projections (as ppmlhdfe and\n"
          "fixest do). DATA is a long CSV file with a header row, or a Stata .dta file.\n"
          "\n"
          "FORMULA (close to fixest's):  y ~ x1 + x2 + log(x3) + log1p(x4) | fe1 + fe2^fe3\n"
          "  left of '~' the outcome (>= 0); then the regressors (log() and log1p() of a\n"
          "  column allowed); after '|' the fixed effects, 'a^b' being the interaction\n"
          "  (e.g. exporter^year). Without '|' a constant is fitted.\n"
          "\n"
          "Options:\n"
          "      --formula F       the model (required)\n"
          "      --vcov KIND       iid, robust (default without --cluster) or cluster\n"
          "      --cluster TERMS   cluster variables: 'pair_id' or two-way 'exporter + importer'\n"
          "                        (Cameron-Gelbach-Miller); implies --vcov cluster\n"
          "      --subset COND     use only rows where every condition holds, comma-separated:\n"
          "                        COL=V1|V2|... (one of the values), COL!=V, COL!=@COL2\n"
          "                        (e.g. 'year=1986|1990, exporter!=@importer')\n"
          "      --tol X           IRLS tolerance on the relative deviance change (1e-10)\n"
          "      --max-iter N      IRLS iterations (100)\n"
          "      --fe-tol X        tolerance of the fixed-effect projections (1e-10)\n"
          "      --no-separation   skip the separation checks (FE groups with only zeros; ReLU)\n"
          "      --drop-singletons drop observations alone in a fixed-effect group\n"
          "      --format FORMAT   table (default), csv or json\n"
          "      --output DIR      also write DIR/coefficients.csv and DIR/estimate.json\n"
          "                        (all or none)\n"
          "  -q, --quiet / -v, --verbose\n"
          "  -h, --help            show this help\n"
          "\n"
          "Exit status: 0 converged, 1 did not converge (results printed and flagged),\n"
          "2 usage error, 3 bad data (names file, row and value), 4 I/O or internal error.\n",
          f);
}

typedef struct est_run {
    const char *data;
    char checksum[17];
    const char *formula_text, *cluster_text, *subset;
    gf_formula f;
    gf_fe cl[2];
    size_t ncl;
    tw_ppml_options o;
    tw_ppml_result res;
    gf_data d;
    size_t outside; /* rows outside --subset */
    size_t used_levels[GF_MAX_FE];
} est_run;

/* Levels of each fixed effect among the observations in the fit. */
static void count_used_levels(est_run *r)
{
    for (size_t k = 0; k < r->f.nfe; k++) {
        unsigned char *seen = calloc(r->d.fe_levels[k] + 1, 1);
        r->used_levels[k] = 0;
        for (size_t i = 0; seen && i < r->d.n; i++)
            if (r->res.dropped[i] == TW_PPML_KEPT && !seen[r->d.fe[k][i]]++)
                r->used_levels[k]++;
        free(seen);
    }
}

static const char *vcov_name(tw_vcov_kind k)
{
    return k == TW_VCOV_IID ? "iid" : k == TW_VCOV_ROBUST ? "robust" : "cluster";
}

static double pvalue(double z) { return erfc(fabs(z) / sqrt(2.0)); }

static void provenance(FILE *f, const est_run *r)
{
    fprintf(f,
            "# tradewar %s command=gravity-estimate data=%s checksum=%s formula=\"%s\" "
            "vcov=%s cluster=\"%s\" subset=\"%s\" tol=%.15g converged=%s\n",
            TW_VERSION_STRING, r->data, r->checksum, r->formula_text, vcov_name(r->o.vcov),
            r->cluster_text ? r->cluster_text : "", r->subset ? r->subset : "", r->o.tol,
            (r->res.outcome == TW_OUTCOME_CONVERGED) ? "true" : "false");
}

static int write_csv(FILE *f, void *user)
{
    const est_run *r = user;
    provenance(f, r);
    fputs("term,estimate,std_error,z,p_value\n", f);
    for (size_t c = 0; c < r->f.nx; c++) {
        double b = r->res.beta[c], s = r->res.se[c];
        out_csv_text(f, r->f.x[c].name);
        out_csv_number(f, b);
        out_csv_number(f, s);
        out_csv_number(f, b / s);
        out_csv_number(f, pvalue(b / s));
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

static json_t *estimate_json(const est_run *r)
{
    json_t *coef = json_array(), *fe = json_array(), *drop = json_object();
    for (size_t c = 0; c < r->f.nx; c++) {
        double b = r->res.beta[c], s = r->res.se[c];
        json_array_append_new(coef, json_pack("{s:s, s:o, s:o, s:o, s:o}", "term", r->f.x[c].name,
                                              "estimate", out_json_number(b), "std_error",
                                              out_json_number(s), "z", out_json_number(b / s),
                                              "p_value", out_json_number(pvalue(b / s))));
    }
    for (size_t k = 0; k < r->f.nfe; k++)
        json_array_append_new(fe, json_pack("{s:s, s:I}", "name", r->f.fe[k].name, "levels",
                                            (json_int_t)r->used_levels[k]));
    json_object_set_new(drop, "outside_subset", json_integer((json_int_t)r->outside));
    json_object_set_new(drop, "missing",
                        json_integer((json_int_t)(r->res.n_dropped[TW_PPML_MISSING] - r->outside)));
    json_object_set_new(drop, "separated_fe",
                        json_integer((json_int_t)r->res.n_dropped[TW_PPML_SEPARATED_FE]));
    json_object_set_new(drop, "separated_regressors",
                        json_integer((json_int_t)r->res.n_dropped[TW_PPML_SEPARATED_X]));
    json_object_set_new(drop, "singletons",
                        json_integer((json_int_t)r->res.n_dropped[TW_PPML_SINGLETON]));
    json_t *prov = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:f, s:i, s:f}", "version",
                             TW_VERSION_STRING, "command", "gravity estimate", "data", r->data,
                             "data_checksum", r->checksum, "formula", r->formula_text, "cluster",
                             r->cluster_text, "subset", r->subset, "tol", r->o.tol, "max_iter",
                             r->o.max_iter, "fe_tol", r->o.fe_tol);
    return json_pack("{s:o, s:s, s:o, s:o, s:I, s:I, s:o, s:s, s:o, s:b, s:s, s:i, s:I, s:o, "
                     "s:o, s:o, s:o, s:f}",
                     "provenance", prov, "estimator", "ppml", "coefficients", coef, "fixed_effects",
                     fe, "observations", (json_int_t)r->res.n_used, "rows", (json_int_t)r->res.n,
                     "dropped", drop, "vcov", vcov_name(r->o.vcov), "clusters",
                     json_pack("[I, I]", (json_int_t)r->res.clusters[0],
                               (json_int_t)r->res.clusters[1]),
                     "converged", (r->res.outcome == TW_OUTCOME_CONVERGED), "outcome",
                     tw_outcome_name(r->res.outcome), "iterations", r->res.iterations, "fe_sweeps",
                     (json_int_t)r->res.fe_sweeps, "deviance", out_json_number(r->res.deviance),
                     "pseudo_r2", out_json_number(r->res.pseudo_r2), "log_likelihood",
                     out_json_number(r->res.log_likelihood), "omitted_collinear",
                     json_integer((json_int_t)r->res.n_omitted), "seconds", r->res.seconds);
}

static int write_json(FILE *f, void *user)
{
    json_t *j = estimate_json(user);
    int st = j ? out_json_dump(f, j) : -1;
    json_decref(j);
    return st;
}

static void print_table(FILE *f, const est_run *r)
{
    fprintf(f, "PPML  %s\n", r->formula_text);
    fprintf(f, "Data: %s (checksum %s)%s%s\n", r->data, r->checksum,
            r->subset ? ", rows with " : "", r->subset ? r->subset : "");
    fprintf(f, "Observations: %zu of %zu rows", r->res.n_used, r->res.n);
    if (r->outside)
        fprintf(f, ", %zu outside --subset", r->outside);
    fprintf(f,
            " (dropped: %zu missing, %zu in all-zero FE groups, %zu separated by regressors, "
            "%zu singletons)\n",
            r->res.n_dropped[TW_PPML_MISSING] - r->outside, r->res.n_dropped[TW_PPML_SEPARATED_FE],
            r->res.n_dropped[TW_PPML_SEPARATED_X], r->res.n_dropped[TW_PPML_SINGLETON]);
    if (r->f.nfe) {
        fputs("Fixed effects:", f);
        for (size_t k = 0; k < r->f.nfe; k++)
            fprintf(f, " %s (%zu)", r->f.fe[k].name, r->used_levels[k]);
        fputc('\n', f);
    }
    fprintf(f, "Standard errors: %s", vcov_name(r->o.vcov));
    if (r->o.vcov == TW_VCOV_CLUSTER)
        for (size_t k = 0; k < r->ncl; k++)
            fprintf(f, "%s%s (%zu clusters)", k ? " and " : " by ", r->cl[k].name,
                    r->res.clusters[k]);
    fputs("\n\n", f);
    fprintf(f, "%-24s %12s %12s %9s %9s\n", "term", "estimate", "std.error", "z", "p");
    for (size_t c = 0; c < r->f.nx; c++) {
        double b = r->res.beta[c], s = r->res.se[c];
        if (isnan(b))
            fprintf(f, "%-24s %12s %12s %9s %9s  (collinear with the fixed effects)\n",
                    r->f.x[c].name, "-", "-", "-", "-");
        else
            fprintf(f, "%-24s %12.6f %12.6f %9.3f %9.4f\n", r->f.x[c].name, b, s, b / s,
                    pvalue(b / s));
    }
    fprintf(f,
            "\nDeviance %.6g, pseudo R2 %.6f; %s after %d IRLS iterations (%ld projection "
            "sweeps), %.3f s\n",
            r->res.deviance, r->res.pseudo_r2, tw_outcome_name(r->res.outcome), r->res.iterations,
            r->res.fe_sweeps, r->res.seconds);
}

static int parse_options(int argc, char **argv, int first, cli_ctx *ctx, est_run *r,
                         const char **format_s, const char **output)
{
    cli_args a;
    cli_args_init(&a, argc, argv, first, "gravity estimate");
    const char *vcov = NULL;
    int no_sep = 0;
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_ERROR)
            return CLI_USAGE;
        if (kind == ARG_OPERAND) {
            if (r->data)
                return cli_usage_error("gravity estimate", "one DATA file only ('%s')", a.arg);
            r->data = a.arg;
            continue;
        }
        if (cli_is(&a, "--help", "-h", 0)) {
            cmd_gravity_help(stdout);
            return -1;
        }
        const char *const names[] = {"--formula", "--cluster", "--subset",
                                     "--vcov",    "--format",  "--output"};
        const char **const slots[] = {&r->formula_text, &r->cluster_text,
                                      &r->subset,       &vcov,
                                      format_s,         output};
        int got = cli_stored_option(&a, names, slots, 6);
        if (got == -1)
            return cli_bad_value(&a, "a value");
        if (got == 1)
            continue;
        if (cli_is(&a, "--tol", NULL, 1)) {
            if (!a.value || !cli_parse_double(a.value, &r->o.tol) || !(r->o.tol > 0))
                return cli_bad_value(&a, "a positive number");
        } else if (cli_is(&a, "--fe-tol", NULL, 1)) {
            if (!a.value || !cli_parse_double(a.value, &r->o.fe_tol) || !(r->o.fe_tol > 0))
                return cli_bad_value(&a, "a positive number");
        } else if (cli_is(&a, "--max-iter", NULL, 1)) {
            if (!a.value || !cli_parse_int(a.value, &r->o.max_iter) || r->o.max_iter < 1)
                return cli_bad_value(&a, "a positive integer");
        } else if (cli_is(&a, "--no-separation", NULL, 0)) {
            no_sep = 1;
        } else if (cli_is(&a, "--drop-singletons", NULL, 0)) {
            r->o.drop_singletons = 1;
        } else if (!cli_common_option(&a, ctx, NULL)) {
            return cli_usage_error("gravity estimate", "unknown option '%s'", a.arg);
        }
    }
    if (no_sep)
        r->o.separation = 0;
    if (!r->data)
        return cli_usage_error("gravity estimate", "missing DATA (a .csv or .dta file)");
    if (!r->formula_text)
        return cli_usage_error("gravity estimate", "missing --formula (y ~ x1 + x2 | fe1 + fe2)");
    char why[512];
    if (gf_parse(r->formula_text, &r->f, why, sizeof why) != 0)
        return cli_usage_error("gravity estimate", "%s", why);
    if (r->cluster_text) {
        if (gf_parse_terms(r->cluster_text, r->cl, 2, &r->ncl, why, sizeof why) != 0)
            return cli_usage_error("gravity estimate", "--cluster: %s", why);
        r->o.vcov = TW_VCOV_CLUSTER;
    }
    if (vcov) {
        if (strcmp(vcov, "iid") == 0)
            r->o.vcov = TW_VCOV_IID;
        else if (strcmp(vcov, "robust") == 0)
            r->o.vcov = TW_VCOV_ROBUST;
        else if (strcmp(vcov, "cluster") == 0)
            r->o.vcov = TW_VCOV_CLUSTER;
        else
            return cli_usage_error("gravity estimate", "--vcov '%s': iid, robust or cluster", vcov);
        if (r->o.vcov == TW_VCOV_CLUSTER && !r->cluster_text)
            return cli_usage_error("gravity estimate", "--vcov cluster needs --cluster");
        if (r->o.vcov != TW_VCOV_CLUSTER && r->cluster_text)
            return cli_usage_error("gravity estimate", "--cluster with --vcov %s", vcov);
    }
    return CLI_OK;
}

static int estimate(int argc, char **argv, int first, cli_ctx ctx)
{
    est_run *r = calloc(1, sizeof *r);
    if (!r)
        return CLI_FAILURE;
    tw_ppml_options_default(&r->o);
    const char *format_s = NULL, *output = NULL;
    int rc = parse_options(argc, argv, first, &ctx, r, &format_s, &output);
    out_format format = FORMAT_TABLE;
    if (rc == CLI_OK && format_s && !out_parse_format(format_s, &format))
        rc = cli_usage_error("gravity estimate", "--format '%s': table, csv or json", format_s);
    if (rc != CLI_OK) {
        free(r);
        return rc < 0 ? CLI_OK : rc;
    }
    tw_table *t = NULL;
    tw_error err = {0};
    cli_note(&ctx, 1, "reading %s", r->data);
    tw_status st = tw_table_read(r->data, &t, &err);
    if (st != TW_OK) {
        free(r);
        return cli_fail(&err, st);
    }
    gf_file_checksum(r->data, r->checksum);
    char why[600];
    unsigned char *keep = NULL;
    if (r->subset) {
        keep = malloc(tw_table_rows(t));
        if (keep)
            memset(keep, 1, tw_table_rows(t));
        if (!keep || gf_subset(t, r->data, r->subset, keep, why, sizeof why) != 0) {
            cli_error("%s", keep ? why : "out of memory");
            free(keep);
            tw_table_free(t);
            free(r);
            return keep ? CLI_BAD_INPUT : CLI_FAILURE;
        }
    }
    if (gf_build(t, r->data, &r->f, r->cl, r->ncl, keep, &r->d, why, sizeof why) != 0) {
        cli_error("%s", why);
        free(keep);
        gf_data_free(&r->d);
        tw_table_free(t);
        free(r);
        return CLI_BAD_INPUT;
    }
    for (size_t i = 0; keep && i < tw_table_rows(t); i++)
        r->outside += !keep[i];
    free(keep);
    tw_table_free(t);
    cli_note(&ctx, 1, "fitting PPML on %zu rows", r->d.n - r->outside);
    st = tw_ppml_fit(&r->d.p, &r->o, &r->res, &err);
    if (st != TW_OK) {
        rc = cli_fail(&err, st);
    } else {
        count_used_levels(r);
        if (r->res.n_dropped[TW_PPML_SEPARATED_FE] || r->res.n_dropped[TW_PPML_SEPARATED_X])
            cli_note(&ctx, 1,
                     "dropped %zu observations in all-zero fixed-effect groups and %zu "
                     "separated by the regressors (the estimates exist without them)",
                     r->res.n_dropped[TW_PPML_SEPARATED_FE], r->res.n_dropped[TW_PPML_SEPARATED_X]);
        if (format == FORMAT_TABLE)
            print_table(stdout, r);
        else if (format == FORMAT_CSV)
            write_csv(stdout, r);
        else
            write_json(stdout, r);
        if (output) {
            batch_file files[] = {{"coefficients.csv", write_csv}, {"estimate.json", write_json}};
            if (batch_write_files(output, 1, files, 2, r, why, sizeof why) != 0) {
                cli_error("--output %s: %s", output, why);
                rc = CLI_FAILURE;
            }
        }
        if (rc == CLI_OK && !(r->res.outcome == TW_OUTCOME_CONVERGED)) {
            cli_error("PPML did not converge: %s after %d iterations",
                      tw_outcome_description(r->res.outcome), r->res.iterations);
            rc = CLI_NO_CONVERGENCE;
        }
    }
    tw_ppml_result_free(&r->res);
    gf_data_free(&r->d);
    free(r);
    return rc;
}

int cmd_gravity(int argc, char **argv, int first, cli_ctx ctx)
{
    if (first >= argc)
        return cli_usage_error("gravity", "missing subcommand (estimate, elasticities, "
                                          "counterfactual, scenario)");
    const char *sub = argv[first];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        cmd_gravity_help(stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "estimate") == 0)
        return estimate(argc, argv, first + 1, ctx);
    if (strcmp(sub, "elasticities") == 0)
        return cmd_gravity_elasticities(argc, argv, first + 1, ctx);
    if (strcmp(sub, "counterfactual") == 0)
        return cmd_gravity_ge(argc, argv, first + 1, ctx);
    if (strcmp(sub, "scenario") == 0)
        return cmd_gravity_scenario(argc, argv, first + 1, ctx);
    return cli_usage_error("gravity",
                           "no subcommand '%s' (estimate, elasticities, "
                           "counterfactual, scenario)",
                           sub);
}
