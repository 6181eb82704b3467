/* cmd_gravity_ge.c - `tradewar gravity counterfactual`: a one-sector
 * structural gravity counterfactual from estimated trade-cost coefficients,
 * under gegravity's OneSectorGE convention (library: src/gravity_ge.c). */
#include "gravity.h"
#include "outdir.h"
#include "output.h"

#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COEF 32

void cmd_gravity_ge_help(FILE *f)
{
    fputs(
        "Usage: tradewar gravity counterfactual DATA --coef COEFS --set COL=VALUE[,...]\n"
        "                                       [--pairs EXP:IMP,...] [OPTIONS]\n"
        "\n"
        "A one-sector structural gravity counterfactual whose baseline is built from\n"
        "estimated trade costs t_ij^(1-sigma) = exp(b'x_ij), output Y and expenditure E, under\n"
        "gegravity's OneSectorGE convention: multilateral resistances re-solved with the\n"
        "baseline's output and expenditure shares, factory-gate prices from the change in\n"
        "outward resistance, the reference importer's inward resistance fixed at 1. DATA is a\n"
        "square long table (every exporter-importer pair, domestic pairs included), CSV or .dta.\n"
        "\n"
        "Options:\n"
        "      --coef COEFS      the cost coefficients: 'lndist=-0.39,pta=0.47,...', or a file\n"
        "                        written by `tradewar gravity estimate --output` (estimate.json\n"
        "                        or coefficients.csv: term,estimate)\n"
        "      --set COL=V[,..]  the counterfactual: columns given new values\n"
        "      --pairs E:I[,..]  only on these exporter:importer rows (default: every row)\n"
        "      --convention C    gegravity (default: Y and E columns, conditional shares) or\n"
        "                        guide (Yotov et al. 2016's GEPPML full endowment: the observed\n"
        "                        flows of --trade COL, E = phi Y, iterated to --tol, default "
        "1e-5)\n"
        "      --sigma S         elasticity of substitution (required, > 1)\n"
        "      --reference C     reference importer (required)\n"
        "      --exporter, --importer COL   the country columns (default exporter, importer)\n"
        "      --output-col COL, --expenditure-col COL   Y and E (default Y, E)\n"
        "      --format FORMAT   table (default), csv or json\n"
        "      --output DIR      also write DIR/countries.csv and DIR/counterfactual.json\n"
        "  -q, --quiet / -v, --verbose\n"
        "\n"
        "Exit status: 0 success, 1 the resistances did not converge, 2 usage error, 3 bad\n"
        "data, 4 I/O error.\n",
        f);
}

typedef struct ge_run {
    const char *data, *coef_text, *set_text, *pairs_text, *sigma_s, *ref_s;
    const char *exp_col, *imp_col, *y_col, *e_col;
    char checksum[17];
    size_t ncoef;
    char coef_name[MAX_COEF][96];
    double coef[MAX_COEF];
    size_t nset;
    char set_name[MAX_COEF][96];
    double set_value[MAX_COEF];
    double sigma;
    int scenario; /* `gravity scenario`: no Y, E, reference */
    int guide;    /* --convention guide: observed flows, GEPPML */
    const char *convention, *trade_col, *tol_s;
    double *X, *xi_cdl, *xi_full;
    size_t N;
    char **country;
    double *Y, *E, *T0, *T1;
    tw_gravity_ge_problem p;
    tw_gravity_ge_result res;
} ge_run;

/* "a=1.5,b=-2" into names and values; 0 or -1. */
static int parse_pairs_list(const char *text, char names[][96], double *values, size_t *n,
                            char *why, size_t size)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", text);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        while (*tok == ' ')
            tok++;
        if (!eq || *n >= MAX_COEF) {
            snprintf(why, size, "'%s': expected NAME=NUMBER (at most %d)", tok, MAX_COEF);
            return -1;
        }
        *eq = '\0';
        char *end = eq - 1;
        while (end > tok && *end == ' ')
            *end-- = '\0';
        if (!*tok || strlen(tok) >= 96 || !cli_parse_double(eq + 1, &values[*n])) {
            snprintf(why, size, "'%s=%s': expected NAME=NUMBER", tok, eq + 1);
            return -1;
        }
        snprintf(names[*n], 96, "%s", tok);
        (*n)++;
    }
    if (*n == 0) {
        snprintf(why, size, "empty list");
        return -1;
    }
    return 0;
}

/* Coefficients from estimate.json / coefficients.csv of `gravity estimate`. */
static int read_coef_file(const char *path, ge_run *r, char *why, size_t size)
{
    size_t len = strlen(path);
    if (len > 5 && !strcmp(path + len - 5, ".json")) {
        json_error_t je;
        json_t *j = json_load_file(path, 0, &je);
        if (!j) {
            snprintf(why, size, "%s:%d: %s", path, je.line, je.text);
            return -1;
        }
        json_t *c = json_object_get(j, "coefficients");
        size_t k;
        json_t *row;
        r->ncoef = 0;
        json_array_foreach(c, k, row)
        {
            const char *term = json_string_value(json_object_get(row, "term"));
            json_t *est = json_object_get(row, "estimate");
            if (!term || !json_is_number(est) || r->ncoef >= MAX_COEF || strlen(term) >= 96)
                continue;
            snprintf(r->coef_name[r->ncoef], 96, "%s", term);
            r->coef[r->ncoef++] = json_number_value(est);
        }
        json_decref(j);
        if (r->ncoef == 0) {
            snprintf(why, size, "%s: no coefficients (a `gravity estimate` estimate.json?)", path);
            return -1;
        }
        return 0;
    }
    tw_table *t = NULL;
    tw_error err;
    if (tw_table_read(path, &t, &err) != TW_OK) {
        snprintf(why, size, "%s", err.message);
        return -1;
    }
    long kt = tw_table_find(t, "term"), ke = tw_table_find(t, "estimate");
    const double *est = ke >= 0 ? tw_table_numeric(t, (size_t)ke) : NULL;
    if (kt < 0 || !est) {
        snprintf(why, size, "%s: needs columns term and estimate (numeric)", path);
        tw_table_free(t);
        return -1;
    }
    r->ncoef = 0;
    char buf[128];
    for (size_t row = 0; row < tw_table_rows(t) && r->ncoef < MAX_COEF; row++) {
        if (isnan(est[row]))
            continue;
        snprintf(r->coef_name[r->ncoef], 96, "%s",
                 tw_table_text(t, row, (size_t)kt, buf, sizeof buf));
        r->coef[r->ncoef++] = est[row];
    }
    tw_table_free(t);
    return 0;
}

static int country_index(const ge_run *r, const char *code)
{
    for (size_t k = 0; k < r->N; k++)
        if (!strcmp(r->country[k], code))
            return (int)k;
    return -1;
}

/* 1 when row (exporter ei, importer ii) is one of --pairs (or no --pairs). */
static int pair_selected(const ge_run *r, const char *ex, const char *im)
{
    if (!r->pairs_text)
        return 1;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", r->pairs_text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon)
            continue;
        *colon = '\0';
        if (!strcmp(tok, ex) && !strcmp(colon + 1, im))
            return 1;
    }
    return 0;
}

static int check_pairs(const ge_run *r, char *why, size_t size)
{
    if (!r->pairs_text)
        return 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", r->pairs_text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon) {
            snprintf(why, size, "--pairs '%s': expected EXPORTER:IMPORTER", tok);
            return 2;
        }
        *colon = '\0';
        if (country_index(r, tok) < 0 || country_index(r, colon + 1) < 0) {
            snprintf(why, size, "--pairs %s:%s: no such country in %s", tok, colon + 1, r->data);
            return 3;
        }
    }
    return 0;
}

static int build(const tw_table *t, ge_run *r, char *why, size_t size)
{
    size_t n = tw_table_rows(t);
    long ke = tw_table_find(t, r->exp_col), ki = tw_table_find(t, r->imp_col);
    long ky = tw_table_find(t, r->y_col), kx = tw_table_find(t, r->e_col);
    long kt = tw_table_find(t, r->trade_col);
    if (r->scenario || r->guide)
        ky = kx = 0;
    if (r->guide && (kt < 0 || !tw_table_numeric(t, (size_t)kt))) {
        snprintf(why, size, "%s: no numeric column '%s' (the flows, --trade)", r->data,
                 r->trade_col);
        return -1;
    }
    const double *Xcol = r->guide ? tw_table_numeric(t, (size_t)kt) : NULL;
    const char *missing = ke < 0   ? r->exp_col
                          : ki < 0 ? r->imp_col
                          : ky < 0 ? r->y_col
                          : kx < 0 ? r->e_col
                                   : NULL;
    if (missing) {
        snprintf(why, size, "%s: no column '%s'", r->data, missing);
        return -1;
    }
    int need_ye = !r->scenario && !r->guide;
    const double *Ycol = need_ye ? tw_table_numeric(t, (size_t)ky) : NULL;
    const double *Ecol = need_ye ? tw_table_numeric(t, (size_t)kx) : NULL;
    if (need_ye && (!Ycol || !Ecol)) {
        snprintf(why, size, "%s: columns '%s' and '%s' must be numeric", r->data, r->y_col,
                 r->e_col);
        return -1;
    }
    const double *cols[MAX_COEF];
    for (size_t c = 0; c < r->ncoef; c++) {
        long k = tw_table_find(t, r->coef_name[c]);
        cols[c] = k >= 0 ? tw_table_numeric(t, (size_t)k) : NULL;
        if (!cols[c]) {
            snprintf(why, size, "%s: no numeric column '%s' for coefficient '%s'", r->data,
                     r->coef_name[c], r->coef_name[c]);
            return -1;
        }
    }
    for (size_t s = 0; s < r->nset; s++) {
        size_t c = 0;
        while (c < r->ncoef && strcmp(r->coef_name[c], r->set_name[s]))
            c++;
        if (c == r->ncoef) {
            snprintf(why, size, "--set %s: not one of the coefficients' columns", r->set_name[s]);
            return -1;
        }
    }
    /* countries: the exporters, in order of first appearance */
    uint32_t *ce = calloc(n, sizeof *ce), *ci = calloc(n, sizeof *ci);
    size_t Le;
    char **names = NULL;
    tw_error err;
    if (!ce || !ci || tw_table_factor(t, (size_t)ke, ce, &Le, &names, &err) != TW_OK) {
        free(ce);
        free(ci);
        snprintf(why, size, "out of memory");
        return -1;
    }
    r->country = names;
    r->N = Le;
    size_t N = Le;
    r->Y = calloc(N, sizeof(double));
    r->E = calloc(N, sizeof(double));
    r->T0 = calloc(N * N, sizeof(double));
    r->T1 = calloc(N * N, sizeof(double));
    r->X = calloc(N * N, sizeof(double));
    r->xi_cdl = calloc(N, sizeof(double));
    r->xi_full = calloc(N, sizeof(double));
    unsigned char *seen = calloc(N * N, 1);
    int rc = (!r->Y || !r->E || !r->T0 || !r->T1 || !r->X || !r->xi_cdl || !r->xi_full || !seen)
                 ? -1
                 : 0;
    if (rc)
        snprintf(why, size, "out of memory");
    char b1[64], b2[64];
    for (size_t row = 0; rc == 0 && row < n; row++) {
        const char *ex = tw_table_text(t, row, (size_t)ke, b1, sizeof b1);
        const char *im = tw_table_text(t, row, (size_t)ki, b2, sizeof b2);
        int i = country_index(r, ex), j = country_index(r, im);
        if (i < 0 || j < 0) {
            snprintf(why, size,
                     "%s: row %zu: importer '%s' is no exporter (the table must be "
                     "square)",
                     r->data, row + 1, im);
            rc = -1;
            break;
        }
        if (seen[(size_t)i * N + (size_t)j]++) {
            snprintf(why, size, "%s: row %zu: pair %s:%s appears twice", r->data, row + 1, ex, im);
            rc = -1;
            break;
        }
        if (need_ye) {
            r->Y[i] = Ycol[row];
            r->E[j] = Ecol[row];
        }
        if (r->guide) {
            r->X[(size_t)i * N + (size_t)j] = isnan(Xcol[row]) ? 0 : Xcol[row];
            if (Xcol[row] < 0) {
                snprintf(why, size, "%s: row %zu: flow %.17g < 0", r->data, row + 1, Xcol[row]);
                rc = -1;
                break;
            }
        }
        double v0 = 0, v1 = 0;
        int sel = pair_selected(r, ex, im);
        for (size_t c = 0; c < r->ncoef; c++) {
            double x = cols[c][row], x1 = x;
            for (size_t s = 0; sel && s < r->nset; s++)
                if (!strcmp(r->set_name[s], r->coef_name[c]))
                    x1 = r->set_value[s];
            if (isnan(x)) {
                snprintf(why, size, "%s: row %zu: '%s' is missing", r->data, row + 1,
                         r->coef_name[c]);
                rc = -1;
                break;
            }
            v0 += r->coef[c] * x;
            v1 += r->coef[c] * x1;
        }
        r->T0[(size_t)i * N + (size_t)j] = exp(v0);
        r->T1[(size_t)i * N + (size_t)j] = exp(v1);
    }
    for (size_t q = 0; rc == 0 && q < N * N; q++)
        if (!seen[q]) {
            snprintf(why, size, "%s: no row for pair %s:%s (the table must be square)", r->data,
                     r->country[q / N], r->country[q % N]);
            rc = -1;
        }
    free(seen);
    free(ce);
    free(ci);
    return rc;
}

static int write_csv(FILE *f, void *user)
{
    const ge_run *r = user;
    fprintf(f,
            "# tradewar %s command=gravity-counterfactual convention=%s data=%s "
            "checksum=%s sigma=%.17g reference=%s set=\"%s\" pairs=\"%s\"\n",
            TW_VERSION_STRING, r->guide ? "guide" : "gegravity", r->data, r->checksum, r->sigma,
            r->ref_s, r->set_text, r->pairs_text ? r->pairs_text : "");
    fputs("country,gdp_pct,price_pct,imr_pct,omr_pct,welfare_statistic,exports_cdl_pct,"
          "exports_full_pct\n",
          f);
    for (size_t k = 0; k < r->N; k++) {
        out_csv_text(f, r->country[k]);
        out_csv_number(f, r->res.gdp_pct[k]);
        out_csv_number(f, r->res.price_pct[k]);
        out_csv_number(f, r->res.imr_pct[k]);
        out_csv_number(f, r->res.omr_pct[k]);
        out_csv_number(f, r->res.welfare[k]);
        out_csv_number(f, r->guide ? r->xi_cdl[k] : NAN);
        out_csv_number(f, r->guide ? r->xi_full[k] : NAN);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

static json_t *to_json(const ge_run *r)
{
    json_t *rows = json_array(), *coef = json_object();
    for (size_t k = 0; k < r->N; k++)
        json_array_append_new(
            rows, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "country", r->country[k],
                            "gdp_pct", out_json_number(r->res.gdp_pct[k]), "price_pct",
                            out_json_number(r->res.price_pct[k]), "imr_pct",
                            out_json_number(r->res.imr_pct[k]), "omr_pct",
                            out_json_number(r->res.omr_pct[k]), "welfare_statistic",
                            out_json_number(r->res.welfare[k]), "exports_cdl_pct",
                            out_json_number(r->guide ? r->xi_cdl[k] : NAN), "exports_full_pct",
                            out_json_number(r->guide ? r->xi_full[k] : NAN)));
    for (size_t c = 0; c < r->ncoef; c++)
        json_object_set_new(coef, r->coef_name[c], json_real(r->coef[c]));
    json_t *prov = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:o, s:s, s:s?}", "version",
                             TW_VERSION_STRING, "command", "gravity counterfactual", "data",
                             r->data, "data_checksum", r->checksum, "convention",
                             r->guide ? "guide" : "gegravity", "sigma", r->sigma, "reference",
                             r->ref_s, "coefficients", coef, "set", r->set_text, "pairs",
                             r->pairs_text);
    return json_pack("{s:o, s:o, s:b, s:i, s:o}", "provenance", prov, "countries", rows,
                     "converged", (r->res.outcome == TW_OUTCOME_CONVERGED), "iterations",
                     r->res.iterations, "residual", out_json_number(r->res.residual));
}

static int write_json(FILE *f, void *user)
{
    json_t *j = to_json(user);
    int st = j ? out_json_dump(f, j) : -1;
    json_decref(j);
    return st;
}

static void print_table(FILE *f, const ge_run *r)
{
    fprintf(f, "One-sector structural gravity counterfactual (%s)\n",
            r->guide ? "the guide's GEPPML convention" : "gegravity's convention");
    fprintf(f, "Data: %s (checksum %s); %zu countries; sigma %g; reference importer %s\n", r->data,
            r->checksum, r->N, r->sigma, r->ref_s);
    fprintf(f, "Change: %s%s%s\n\n", r->set_text, r->pairs_text ? " on " : " on every pair",
            r->pairs_text ? r->pairs_text : "");
    fprintf(f, "%-10s %12s %12s %12s %12s\n", "country", "real GDP %", "price %", "IMR %", "OMR %");
    for (size_t k = 0; k < r->N; k++)
        fprintf(f, "%-10s %12.6f %12.6f %12.6f %12.6f\n", r->country[k], r->res.gdp_pct[k],
                r->res.price_pct[k], r->res.imr_pct[k], r->res.omr_pct[k]);
    fprintf(f, "\n%s %s (residual %.2g, %d iterations)\n", r->guide ? "Iterations" : "Resistances",
            (r->res.outcome == TW_OUTCOME_CONVERGED) ? "converged" : "NOT converged",
            r->res.residual, r->res.iterations);
}

static void scenario_help(FILE *f)
{
    fputs("Usage: tradewar gravity scenario DATA --coef COEFS --set COL=VALUE[,...] --sigma S\n"
          "                                 [--pairs EXP:IMP,...] [--output FILE]\n"
          "\n"
          "Write a tradewar scenario (YAML) of the trade-cost changes that estimated gravity\n"
          "coefficients imply: t_ij^(1-sigma) = exp(b'x_ij), so the iceberg cost of each pair\n"
          "whose cost variables change moves by d' / d = exp(-(b'x'_ij - b'x_ij) / theta) with\n"
          "theta = sigma - 1. With a data set from `tradewar import gravity`, `tradewar solve`\n"
          "then gives the exact general-equilibrium counterfactual (hat algebra on the observed\n"
          "flows, deficits as the solver's options say). Domestic pairs carry no change.\n"
          "\n"
          "Options: --coef, --set, --pairs, --exporter, --importer as for `gravity\n"
          "counterfactual`; --sigma S (> 1); --output FILE (default: stdout).\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 bad data, 4 I/O error.\n",
          f);
}

static int write_scenario(FILE *f, void *user)
{
    const ge_run *r = user;
    double theta = r->sigma - 1;
    fprintf(f, "# tradewar %s gravity scenario: data=%s checksum=%s set=\"%s\" pairs=\"%s\"\n",
            TW_VERSION_STRING, r->data, r->checksum, r->set_text,
            r->pairs_text ? r->pairs_text : "");
    fputs("# coefficients:", f);
    for (size_t c = 0; c < r->ncoef; c++)
        fprintf(f, " %s=%.17g", r->coef_name[c], r->coef[c]);
    fprintf(f, "\nname: \"gravity: %s%s%s\"\n", r->set_text, r->pairs_text ? " on " : "",
            r->pairs_text ? r->pairs_text : "");
    fprintf(f,
            "description: \"trade-cost factors exp(-(b'x' - b'x)/theta), theta = sigma - 1 = "
            "%.17g\"\n",
            theta);
    size_t N = r->N, count = 0;
    for (size_t q = 0; q < N * N; q++)
        count += q / N != q % N && r->T1[q] != r->T0[q];
    if (count == 0) {
        fputs("policies: []\n", f);
        return ferror(f) ? -1 : 0;
    }
    fputs("policies:\n", f);
    for (size_t q = 0; q < N * N; q++) {
        if (q / N == q % N || r->T1[q] == r->T0[q])
            continue;
        double d = exp(-(log(r->T1[q]) - log(r->T0[q])) / theta);
        fprintf(f, "  - trade_cost: {exporter: \"%s\", importer: \"%s\", set: %.17g}\n",
                r->country[q / N], r->country[q % N], d);
    }
    return ferror(f) ? -1 : 0;
}

static int parse(int argc, char **argv, int first, cli_ctx *ctx, ge_run *r, const char **fmt,
                 const char **output)
{
    const char *cmd = r->scenario ? "gravity scenario" : "gravity counterfactual";
    cli_args a;
    cli_args_init(&a, argc, argv, first, cmd);
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_ERROR)
            return CLI_USAGE;
        if (kind == ARG_OPERAND) {
            if (r->data)
                return cli_usage_error(cmd, "one DATA file only ('%s')", a.arg);
            r->data = a.arg;
            continue;
        }
        if (cli_is(&a, "--help", "-h", 0)) {
            (r->scenario ? scenario_help : cmd_gravity_ge_help)(stdout);
            return -1;
        }
        const char *const names[] = {"--coef",     "--set",        "--pairs",
                                     "--sigma",    "--reference",  "--exporter",
                                     "--importer", "--output-col", "--expenditure-col",
                                     "--format",   "--output",     "--convention",
                                     "--trade",    "--tol"};
        const char **const slots[] = {&r->coef_text, &r->set_text, &r->pairs_text, &r->sigma_s,
                                      &r->ref_s,     &r->exp_col,  &r->imp_col,    &r->y_col,
                                      &r->e_col,     fmt,          output,         &r->convention,
                                      &r->trade_col, &r->tol_s};
        int got = cli_stored_option(&a, names, slots, 14);
        if (got == -1)
            return cli_bad_value(&a, "a value");
        if (got == 0 && !cli_common_option(&a, ctx, NULL))
            return cli_usage_error(cmd, "unknown option '%s'", a.arg);
    }
    const char *need = !r->data                    ? "DATA"
                       : !r->coef_text             ? "--coef"
                       : !r->set_text              ? "--set"
                       : !r->sigma_s               ? "--sigma"
                       : !r->ref_s && !r->scenario ? "--reference"
                                                   : NULL;
    if (need)
        return cli_usage_error(cmd, "missing %s", need);
    if (!cli_parse_double(r->sigma_s, &r->sigma) || !(r->sigma > 1))
        return cli_usage_error(cmd, "--sigma '%s': a number above 1", r->sigma_s);
    char why[512];
    if (parse_pairs_list(r->set_text, r->set_name, r->set_value, &r->nset, why, sizeof why))
        return cli_usage_error(cmd, "--set %s", why);
    if (strchr(r->coef_text, '=')) {
        if (parse_pairs_list(r->coef_text, r->coef_name, r->coef, &r->ncoef, why, sizeof why))
            return cli_usage_error(cmd, "--coef %s", why);
    }
    if (r->convention && strcmp(r->convention, "gegravity") && strcmp(r->convention, "guide"))
        return cli_usage_error(cmd, "--convention '%s': gegravity or guide", r->convention);
    r->guide = r->convention && !strcmp(r->convention, "guide");
    double tol = 0;
    if (r->tol_s && (!cli_parse_double(r->tol_s, &tol) || !(tol > 0)))
        return cli_usage_error(cmd, "--tol '%s': a positive number", r->tol_s);
    r->trade_col = r->trade_col ? r->trade_col : "trade";
    r->exp_col = r->exp_col ? r->exp_col : "exporter";
    r->imp_col = r->imp_col ? r->imp_col : "importer";
    r->y_col = r->y_col ? r->y_col : "Y";
    r->e_col = r->e_col ? r->e_col : "E";
    return CLI_OK;
}

static void run_free(ge_run *r)
{
    for (size_t k = 0; r->country && k < r->N; k++)
        free(r->country[k]);
    free(r->country);
    free(r->Y);
    free(r->E);
    free(r->T0);
    free(r->T1);
    free(r->X);
    free(r->xi_cdl);
    free(r->xi_full);
    tw_gravity_ge_result_free(&r->res);
}

/* Read a parsed run's coefficients (from a file when not given inline), its
 * data table and its pairs. CLI_OK or an exit code, the error already said. */
static int load_run(ge_run *r, const char *command, char *why, size_t size)
{
    if (r->ncoef == 0 && read_coef_file(r->coef_text, r, why, size) != 0) {
        cli_error("--coef: %s", why);
        return CLI_BAD_INPUT;
    }
    tw_table *t = NULL;
    tw_error err = {0};
    tw_status st = tw_table_read(r->data, &t, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    gf_file_checksum(r->data, r->checksum);
    int rc = CLI_OK;
    if (build(t, r, why, size) != 0) {
        cli_error("%s", why);
        rc = CLI_BAD_INPUT;
    }
    tw_table_free(t);
    int pc = rc == CLI_OK ? check_pairs(r, why, size) : 0;
    if (pc == 2)
        rc = cli_usage_error(command, "%s", why);
    else if (pc == 3) {
        cli_error("%s", why);
        rc = CLI_BAD_INPUT;
    }
    return rc;
}

int cmd_gravity_ge(int argc, char **argv, int first, cli_ctx ctx)
{
    ge_run *r = calloc(1, sizeof *r);
    if (!r)
        return CLI_FAILURE;
    const char *fmt = NULL, *output = NULL;
    int rc = parse(argc, argv, first, &ctx, r, &fmt, &output);
    out_format format = FORMAT_TABLE;
    if (rc == CLI_OK && fmt && !out_parse_format(fmt, &format))
        rc = cli_usage_error("gravity counterfactual", "--format '%s': table, csv or json", fmt);
    char why[600];
    if (rc == CLI_OK)
        rc = load_run(r, "gravity counterfactual", why, sizeof why);
    if (rc != CLI_OK) {
        run_free(r);
        free(r);
        return rc < 0 ? CLI_OK : rc;
    }
    int ref = rc == CLI_OK ? country_index(r, r->ref_s) : 0;
    if (rc == CLI_OK && ref < 0) {
        cli_error("--reference %s: no such country in %s", r->ref_s, r->data);
        rc = CLI_BAD_INPUT;
    }
    if (rc == CLI_OK) {
        double tol = 0;
        if (r->tol_s)
            cli_parse_double(r->tol_s, &tol);
        r->p = (tw_gravity_ge_problem){r->N, r->Y, r->E, r->T0, r->T1, r->sigma, (size_t)ref};
        tw_gravity_geppml_problem g = {r->N, r->X, r->T0, r->T1, r->sigma, (size_t)ref, tol, 0};
        tw_error err = {0};
        tw_status st = r->guide ? tw_gravity_ge_geppml(&g, &r->res, r->xi_cdl, r->xi_full, &err)
                                : tw_gravity_ge_gegravity(&r->p, &r->res, &err);
        if (st != TW_OK)
            rc = cli_fail(&err, st);
    }
    if (rc == CLI_OK) {
        if (format == FORMAT_TABLE)
            print_table(stdout, r);
        else if (format == FORMAT_CSV)
            write_csv(stdout, r);
        else
            write_json(stdout, r);
        if (output) {
            batch_file files[] = {{"countries.csv", write_csv},
                                  {"counterfactual.json", write_json}};
            if (batch_write_files(output, 1, files, 2, r, why, sizeof why) != 0) {
                cli_error("--output %s: %s", output, why);
                rc = CLI_FAILURE;
            }
        }
        if (rc == CLI_OK && !(r->res.outcome == TW_OUTCOME_CONVERGED))
            rc = CLI_NO_CONVERGENCE;
    }
    run_free(r);
    free(r);
    return rc;
}

int cmd_gravity_scenario(int argc, char **argv, int first, cli_ctx ctx)
{
    ge_run *r = calloc(1, sizeof *r);
    if (!r)
        return CLI_FAILURE;
    r->scenario = 1;
    const char *fmt = NULL, *output = NULL;
    int rc = parse(argc, argv, first, &ctx, r, &fmt, &output);
    if (rc == CLI_OK && fmt)
        rc = cli_usage_error("gravity scenario", "no --format: the output is a scenario file");
    char why[600];
    if (rc == CLI_OK)
        rc = load_run(r, "gravity scenario", why, sizeof why);
    if (rc != CLI_OK) {
        run_free(r);
        free(r);
        return rc < 0 ? CLI_OK : rc;
    }
    if (rc == CLI_OK && !output)
        write_scenario(stdout, r);
    else if (rc == CLI_OK) {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s", output);
        snprintf(b, sizeof b, "%s", output);
        batch_file file = {basename(b), write_scenario};
        if (batch_write_files(dirname(a), 0, &file, 1, r, why, sizeof why) != 0) {
            cli_error("--output %s: %s", output, why);
            rc = CLI_FAILURE;
        }
    }
    run_free(r);
    free(r);
    return rc;
}
