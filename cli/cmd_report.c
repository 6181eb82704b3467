/*
 * cmd_report.c - `tradewar report`: what moving from one stage of a scenario
 * to each later one does (welfare in % and in money, real wages, the focus
 * pair's trade both ways and tariff revenue, the sectors that move most), with
 * the same under other elasticities, as a table, CSV, JSON and charts.
 * The economics is tw_compare's: the starting stage's equilibrium becomes the base.
 */
#include "html.h"
#include "output.h"
#include "plot.h"
#include "staged.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cmd_report_help(FILE *f)
{
    fputs("Usage: tradewar report [OPTIONS] SCENARIO\n"
          "\n"
          "Compare the first stage of a staged scenario (the starting point) with each later\n"
          "stage: welfare of every economy in % and in money (EV), real wages, trade between\n"
          "the two focus economies both ways, their tariff revenue, the five sectors whose\n"
          "output moves most in each, and the welfare changes again with psi = 0 and with\n"
          "every theta scaled by 0.5 and 1.5. Stages are cumulative, so each later stage is\n"
          "compared with the starting point (e.g. scenarios/us-china/list3-25.yaml: List 3 at\n"
          "25% without, then with, China's retaliation).\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --from K|NAME        the starting stage (default: 1, the first)\n"
          "      --focus A,B          the two economies followed (default: USA,CHN)\n"
          "      --format FORMAT      table (default) or json (report.json) on stdout\n"
          "      --output DIR         write countries.csv, sectors.csv, trade.csv,\n"
          "                           sensitivity.csv, report.json and the charts\n"
          "                           welfare.png/.svg and sectors-K.png/.svg into DIR\n"
          "      --charts png,svg|none  draw the charts (default png,svg)\n"
          "      --html FILE          one self-contained HTML page: question, answer,\n"
          "                           charts, tables, warnings, data provenance\n"
          "Solver options as for `tradewar solve` (--deficits, --method, --tol, --max-iter,\n"
          "--anderson-depth, --damping, --fallback) and elasticities (--elasticities FILE|NAME,\n"
          "--theta-scale X, --psi-scale X; 0: constant returns).\n"
          "  -q, --quiet              no progress messages\n"
          "  -v, --verbose            more detail on stderr\n"
          "  -h, --help               show this help\n"
          "\n"
          "Money is in the data's currency unit (us-china-2017: millions of US dollars).\n"
          "Exit status: 0 success, 1 did not converge, 2 usage error, 3 bad data or\n"
          "scenario, 4 I/O or internal error.\n",
          f);
}

/* The elasticity variants of the sensitivity table (tw_sensitivity_variants;
 * 0 is the data's). */
#define N_VARIANTS 6
#define TOP 5

typedef struct {
    size_t stage;
    tw_model *rebased; /* the starting stage's equilibrium (central elasticities) */
    tw_result *res;
    double *welfare[N_VARIANTS], *ev[N_VARIANTS]; /* N each; NaN when not converged */
    int converged[N_VARIANTS];
    size_t top[2][TOP]; /* sectors of the focus pair with the largest |output change| */
    size_t ntop[2];
    tw_diagnostics diag; /* of the central answer */
} comparison;

typedef struct {
    staged s;
    size_t from, count; /* comparisons: stages from+1 .. from+count */
    int from_base;      /* a one-stage scenario: its stage compared with the base economy */
    comparison *c;
    const tw_elasticity_variant *variants; /* N_VARIANTS */
    tw_policy *start;                      /* the starting policy, on the base economy */
    int variant_failed; /* a sensitivity variant did not converge (shown as n/c) */
} report;

/* ---- computing ------------------------------------------------------------ */

static const char *from_name(const report *r)
{
    return r->from_base ? "the base economy (no policy change)"
                        : tw_scenario_stage_name(r->s.sc, r->from);
}

/* Diagnostics of the central answer: on the rebased economy (the starting
 * point's equilibrium) with the policy expressed relative to it. */
static int diagnose(report *r, comparison *c, const tw_policy *to)
{
    tw_error err = {0};
    tw_policy *rel = tw_policy_create(c->rebased, NULL);
    tw_status st = rel ? tw_policy_rebase(to, r->start, rel, &err) : TW_ERR_NOMEM;
    if (st == TW_OK)
        st = tw_result_diagnose(NULL, c->rebased, rel, c->res, &c->diag, &err);
    if (st == TW_OK) /* the rules this comparison adds */
        st = tw_scenario_warnings(r->s.sc, r->from_base ? 0 : r->from + 1, c->stage, r->s.base,
                                  &c->diag, &err);
    tw_policy_free(rel);
    if (st != TW_OK)
        return cli_fail(&err, st);
    out_warnings_stderr(&c->diag);
    return CLI_OK;
}

static void pick_top(comparison *c, const size_t focus[2], size_t J)
{
    const double *pct = tw_result_sector(c->res, TW_CS_OUTPUT_PCT);
    for (int f = 0; f < 2; f++) {
        c->ntop[f] = 0;
        for (size_t j = 0; j < J; j++) {
            double v = pct[tw_idx2(J, focus[f], j)];
            if (!isfinite(v))
                continue;
            size_t pos = c->ntop[f] < TOP ? c->ntop[f]++ : TOP;
            while (pos > 0 && fabs(pct[tw_idx2(J, focus[f], c->top[f][pos - 1])]) < fabs(v)) {
                if (pos < TOP)
                    c->top[f][pos] = c->top[f][pos - 1];
                pos--;
            }
            if (pos < TOP)
                c->top[f][pos] = j;
        }
    }
}

/* One comparison under every variant (tw_compare_variants); rc gets an exit
 * code for real failures, CLI_NO_CONVERGENCE without a central answer. */
static int compare_all(const cli_ctx *ctx, report *r, comparison *c)
{
    tw_error err = {0}, errs[N_VARIANTS];
    tw_model *reb[N_VARIANTS];
    tw_result *res[N_VARIANTS];
    tw_outcome outcome[N_VARIANTS];
    int rc = CLI_OK;
    size_t N = tw_model_countries(r->s.base);
    tw_policy *to = staged_policy(&r->s, c->stage, r->s.base, &rc);
    if (!to)
        return rc;
    tw_status st = tw_compare_variants(r->s.base, &r->s.opt, r->variants, N_VARIANTS, r->start, to,
                                       reb, res, outcome, errs, &err);
    if (st == TW_OK) { /* the central answer is kept */
        c->rebased = reb[0];
        c->res = res[0];
    } else
        rc = cli_fail(&err, st);
    for (size_t v = 0; st == TW_OK && v < N_VARIANTS; v++) {
        int ok = outcome[v] == TW_OUTCOME_CONVERGED;
        c->converged[v] = ok;
        for (size_t i = 0; i < N; i++) {
            c->welfare[v][i] = ok ? tw_result_country(res[v], TW_C_WELFARE_PCT)[i] : NAN;
            c->ev[v][i] = ok ? tw_result_country(res[v], TW_C_EV)[i] : NAN;
        }
        if (!ok)
            cli_error("'%s' with %s did not converge%s%s",
                      tw_scenario_stage_name(r->s.sc, c->stage), r->variants[v].label,
                      errs[v].message[0] ? ": " : "", errs[v].message);
        else
            cli_note(ctx, 2, "'%s' with %s: %ld iterations, %.3g s",
                     tw_scenario_stage_name(r->s.sc, c->stage), r->variants[v].label,
                     tw_result_stats(res[v]).iterations, tw_result_stats(res[v]).seconds);
        if (v == 0 && !ok) {
            rc = CLI_NO_CONVERGENCE; /* no central answer: nothing to report */
            break;
        }
        if (v == 0) { /* the central answer's diagnostics and warnings come first */
            pick_top(c, r->s.focus, tw_model_sectors(r->s.base));
            if ((rc = diagnose(r, c, to)) != CLI_OK)
                break;
        }
        /* a variant that did not converge is n/c in the table, said on stderr,
         * and (as before the move to the library) not an exit code of its own:
         * r->variant_failed stays 0 */
    }
    for (size_t v = st == TW_OK ? 1 : 0; v < N_VARIANTS; v++) {
        tw_result_free(res[v]);
        tw_model_free(reb[v]);
    }
    tw_policy_free(to);
    return rc;
}

static int compute(const cli_ctx *ctx, report *r)
{
    size_t N = tw_model_countries(r->s.base), n;
    int rc = CLI_OK;
    r->variants = tw_sensitivity_variants(&n);
    if (n != N_VARIANTS) {
        cli_error("internal error: %zu sensitivity variants", n);
        return CLI_FAILURE;
    }
    r->start = r->from_base ? tw_policy_create(r->s.base, NULL)
                            : staged_policy(&r->s, r->from, r->s.base, &rc);
    if (!r->start)
        return r->from_base ? CLI_FAILURE : rc;
    r->c = calloc(r->count, sizeof *r->c);
    if (!r->c) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    for (size_t k = 0; k < r->count; k++) {
        comparison *c = &r->c[k];
        c->stage = r->from_base ? k : r->from + 1 + k;
        cli_note(ctx, 1, "solving '%s' from '%s'", tw_scenario_stage_name(r->s.sc, c->stage),
                 from_name(r));
        for (size_t v = 0; v < N_VARIANTS; v++) {
            c->welfare[v] = malloc(N * sizeof(double));
            c->ev[v] = malloc(N * sizeof(double));
            if (!c->welfare[v] || !c->ev[v]) {
                cli_error("out of memory");
                return CLI_FAILURE;
            }
        }
        if ((rc = compare_all(ctx, r, c)) != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

static void report_free(report *r)
{
    for (size_t k = 0; r->c && k < r->count; k++) {
        tw_result_free(r->c[k].res);
        tw_model_free(r->c[k].rebased);
        for (size_t v = 0; v < N_VARIANTS; v++) {
            free(r->c[k].welfare[v]);
            free(r->c[k].ev[v]);
        }
    }
    free(r->c);
    tw_policy_free(r->start);
    staged_free(&r->s);
}

/* ---- reading a comparison ---------------------------------------------------- */

static double country(const comparison *c, tw_country_output k, size_t i)
{
    return tw_result_country(c->res, k)[i];
}

/* Flow i -> n summed over sectors: at the starting stage and after. */
static void pair_flows(const comparison *c, size_t i, size_t n, double *before, double *after)
{
    size_t N = tw_model_countries(c->rebased), J = tw_model_sectors(c->rebased);
    *before = staged_pair(tw_model_get(c->rebased, TW_FLOWS), N, J, i, n);
    *after = staged_pair(tw_result_flows(c->res), N, J, i, n);
}

static double tidy(double x) { return fabs(x) < 5e-9 ? 0.0 : x; }

/* ---- the table ------------------------------------------------------------------ */

static void print_sensitivity(FILE *f, const report *r, const comparison *c)
{
    const tw_model *m = r->s.base;
    fputs("  How much it hinges on elasticities (welfare %; th*s: every theta times s, with\n"
          "  psi*theta kept as in the data or psi=0):\n",
          f);
    fprintf(f, "    %-8s", "economy");
    for (size_t v = 0; v < N_VARIANTS; v++)
        fprintf(f, " %12s", r->variants[v].label);
    fprintf(f, " %19s\n", "range");
    for (size_t i = 0; i < tw_model_countries(m); i++) {
        double lo = INFINITY, hi = -INFINITY;
        fprintf(f, "    %-8s", tw_model_country_code(m, i));
        for (size_t v = 0; v < N_VARIANTS; v++) {
            double w = c->welfare[v][i];
            if (isfinite(w)) {
                fprintf(f, " %12.4f", tidy(w));
                lo = fmin(lo, w);
                hi = fmax(hi, w);
            } else
                fprintf(f, " %12s", "n/c");
        }
        fprintf(f, "    %7.4f .. %7.4f\n", tidy(lo), tidy(hi));
    }
}

static void print_comparison(FILE *f, const report *r, const comparison *c)
{
    const tw_model *m = r->s.base;
    size_t J = tw_model_sectors(m), a = r->s.focus[0], b = r->s.focus[1];
    const char *A = tw_model_country_code(m, a), *B = tw_model_country_code(m, b);
    const char *date = tw_scenario_stage_date(r->s.sc, c->stage);
    fprintf(f, "== %s%s%s%s ==\n   compared with: %s\n\n",
            tw_scenario_stage_name(r->s.sc, c->stage), date[0] ? " (" : "", date,
            date[0] ? ")" : "", from_name(r));
    const char *unit = tw_model_currency_unit(m);
    fprintf(f, "  Money in %s.\n", unit);
    fprintf(f, "  %-8s %10s %11s %16s %12s\n", "economy", "welfare %", "real GDP %", "EV",
            "real wage %");
    for (size_t i = 0; i < tw_model_countries(m); i++)
        fprintf(f, "  %-8s %10.4f %11.4f %16.1f %12.4f\n", tw_model_country_code(m, i),
                tidy(country(c, TW_C_WELFARE_PCT, i)), tidy(country(c, TW_C_REAL_GDP_PCT, i)),
                tidy(country(c, TW_C_EV, i)), tidy(country(c, TW_C_REAL_WAGE_PCT, i)));
    fprintf(f, "\n  Real wages: %s %+.4f%%, %s %+.4f%%\n", A,
            tidy(country(c, TW_C_REAL_WAGE_PCT, a)), B, tidy(country(c, TW_C_REAL_WAGE_PCT, b)));
    fprintf(f, "  Trade (before tariffs, %s):\n", unit);
    for (int d = 0; d < 2; d++) {
        size_t i = d ? a : b, n = d ? b : a;
        double x0, x1;
        pair_flows(c, i, n, &x0, &x1);
        fprintf(f, "    %s -> %s  %12.1f -> %12.1f  (%+.2f%%)\n", tw_model_country_code(m, i),
                tw_model_country_code(m, n), x0, x1, tidy(staged_pct(x1, x0)));
    }
    fprintf(f, "  Tariff revenue (%s):\n", unit);
    for (int d = 0; d < 2; d++) {
        size_t i = d ? b : a;
        double t0 = country(c, TW_C_TARIFF_REVENUE_BASE, i),
               t1 = country(c, TW_C_TARIFF_REVENUE, i);
        fprintf(f, "    %-4s %12.1f -> %12.1f  (%+.1f)\n", tw_model_country_code(m, i), t0, t1,
                tidy(t1 - t0));
    }
    const double *pct = tw_result_sector(c->res, TW_CS_OUTPUT_PCT);
    for (int d = 0; d < 2; d++) {
        size_t i = r->s.focus[d];
        fprintf(f, "  Largest output changes, %s:", tw_model_country_code(m, i));
        for (size_t t = 0; t < c->ntop[d]; t++)
            fprintf(f, "%s %s %+.2f%%", t ? "," : "", tw_model_sector_code(m, c->top[d][t]),
                    tidy(pct[tw_idx2(J, i, c->top[d][t])]));
        fputc('\n', f);
    }
    fputc('\n', f);
    fputs("  ", f);
    out_diagnostics_lines(f, c->rebased, &c->diag);
    fputc('\n', f);
    print_sensitivity(f, r, c);
    tw_solver_stats st = tw_result_stats(c->res);
    fprintf(f, "\n  Solver: %s (%s), %ld iterations, residual %.3g, %.3g s\n\n",
            st.outcome == TW_OUTCOME_CONVERGED ? "converged" : "DID NOT CONVERGE",
            out_method_name(st.method), st.iterations, st.residual, st.seconds);
}

static void print_table(FILE *f, const report *r)
{
    fprintf(f, "%s\nData: %s (checksum %s)\nBaseline: %s deficits%s", tw_scenario_name(r->s.sc),
            r->s.data_dir, r->s.data_checksum, out_deficits_name(r->s.deficits),
            r->s.report.calibrated ? ", calibrated" : "");
    if (r->s.report.calibrated)
        fprintf(f, " (max |log change| %.3g)", r->s.report.calibration_gap);
    if (r->from_base)
        fprintf(f, "\nStarting point: %s\n\n", from_name(r));
    else
        fprintf(f, "\nStarting point: stage %zu, %s\n\n", r->from + 1, from_name(r));
    for (size_t k = 0; k < r->count; k++)
        print_comparison(f, r, &r->c[k]);
}

/* ---- JSON -------------------------------------------------------------------------- */

static const tw_country_output country_keys[] = {
    TW_C_WELFARE_PCT,     TW_C_EV,          TW_C_REAL_WAGE_PCT,       TW_C_WAGE_PCT,
    TW_C_PRICE_INDEX_PCT, TW_C_INCOME_BASE, TW_C_TARIFF_REVENUE_BASE, TW_C_TARIFF_REVENUE,
    TW_C_EXPORTS_BASE,    TW_C_EXPORTS,     TW_C_IMPORTS_BASE,        TW_C_IMPORTS,
    TW_C_GDP_BASE,        TW_C_GDP,         TW_C_REAL_GDP_PCT};
#define N_CKEYS (sizeof country_keys / sizeof country_keys[0])

static json_t *countries_json(const report *r, const comparison *c)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < tw_model_countries(r->s.base); i++) {
        json_t *o = json_pack("{s:s, s:s}", "code", tw_model_country_code(r->s.base, i), "name",
                              tw_model_country_name(r->s.base, i));
        for (size_t k = 0; o && k < N_CKEYS; k++)
            json_object_set_new(o, tw_country_output_key(country_keys[k]),
                                out_json_number(country(c, country_keys[k], i)));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *trade_json(const report *r, const comparison *c)
{
    json_t *list = json_array();
    for (int d = 0; list && d < 2; d++) {
        size_t i = r->s.focus[d], n = r->s.focus[1 - d];
        double x0, x1;
        pair_flows(c, i, n, &x0, &x1);
        json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:o}", "exporter",
                                              tw_model_country_code(r->s.base, i), "importer",
                                              tw_model_country_code(r->s.base, n), "flow_base",
                                              out_json_number(x0), "flow", out_json_number(x1),
                                              "change_pct", out_json_number(staged_pct(x1, x0))));
    }
    return list;
}

static json_t *top_json(const report *r, const comparison *c)
{
    size_t J = tw_model_sectors(r->s.base);
    json_t *o = json_object();
    for (int d = 0; o && d < 2; d++) {
        size_t i = r->s.focus[d];
        json_t *list = json_array();
        for (size_t t = 0; list && t < c->ntop[d]; t++) {
            size_t x = tw_idx2(J, i, c->top[d][t]);
            json_array_append_new(
                list,
                json_pack("{s:s, s:o, s:o, s:o}", "sector",
                          tw_model_sector_code(r->s.base, c->top[d][t]), "output_base",
                          out_json_number(tw_result_sector(c->res, TW_CS_OUTPUT_BASE)[x]), "output",
                          out_json_number(tw_result_sector(c->res, TW_CS_OUTPUT)[x]), "output_pct",
                          out_json_number(tw_result_sector(c->res, TW_CS_OUTPUT_PCT)[x])));
        }
        json_object_set_new(o, tw_model_country_code(r->s.base, i), list);
    }
    return o;
}

static json_t *sensitivity_json(const report *r, const comparison *c)
{
    json_t *list = json_array();
    for (size_t v = 0; list && v < N_VARIANTS; v++) {
        json_t *w = json_object(), *e = json_object();
        for (size_t i = 0; w && e && i < tw_model_countries(r->s.base); i++) {
            json_object_set_new(w, tw_model_country_code(r->s.base, i),
                                out_json_number(c->welfare[v][i]));
            json_object_set_new(e, tw_model_country_code(r->s.base, i),
                                out_json_number(c->ev[v][i]));
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:f, s:s, s:b, s:o, s:o}", "variant",
                                              r->variants[v].key, "label", r->variants[v].label,
                                              "theta_scale", r->variants[v].theta_scale, "psi",
                                              tw_psi_rule_name(r->variants[v].psi), "converged",
                                              c->converged[v], "welfare_pct", w, "ev", e));
    }
    return list;
}

static json_t *report_json(const report *r, const staged_args *a)
{
    json_t *comps = json_array();
    for (size_t k = 0; comps && k < r->count; k++) {
        const comparison *c = &r->c[k];
        json_array_append_new(
            comps,
            json_pack("{s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "stage",
                      tw_scenario_stage_name(r->s.sc, c->stage), "stage_index",
                      (json_int_t)c->stage, "date", tw_scenario_stage_date(r->s.sc, c->stage),
                      "from_stage", r->from_base ? "base" : from_name(r), "from_stage_index",
                      r->from_base ? (json_int_t)-1 : (json_int_t)r->from, "diagnostics",
                      out_diagnostics_json(c->rebased, &c->diag), "warnings",
                      out_warnings_json(&c->diag), "solver",
                      staged_stats_json(tw_result_stats(c->res)), "countries", countries_json(r, c),
                      "trade", trade_json(r, c), "top_sectors", top_json(r, c), "sensitivity",
                      sensitivity_json(r, c)));
    }
    const tw_baseline_report *b = &r->s.report;
    return json_pack("{s:o, s:{s:b, s:o, s:b}, s:s, s:o}", "tradewar", staged_header_json(&r->s, a),
                     "baseline", "calibrated", b->calibrated, "calibration_gap",
                     out_json_number(b->calibration_gap), "balanced", b->balanced, "currency",
                     tw_model_currency_unit(r->s.base), "comparisons", comps);
}

/* ---- CSV ---------------------------------------------------------------------------- */

static void num(FILE *f, double x)
{
    fputc(',', f);
    if (isfinite(x))
        fprintf(f, "%.17g", x);
}

static void countries_csv(FILE *f, const report *r, const staged_args *a)
{
    staged_provenance(f, &r->s, a);
    fputs("stage,code,name", f);
    for (size_t k = 0; k < N_CKEYS; k++)
        fprintf(f, ",%s", tw_country_output_key(country_keys[k]));
    fputc('\n', f);
    for (size_t k = 0; k < r->count; k++)
        for (size_t i = 0; i < tw_model_countries(r->s.base); i++) {
            fprintf(f, "\"%s\",%s,\"%s\"", tw_scenario_stage_name(r->s.sc, r->c[k].stage),
                    tw_model_country_code(r->s.base, i), tw_model_country_name(r->s.base, i));
            for (size_t q = 0; q < N_CKEYS; q++)
                num(f, country(&r->c[k], country_keys[q], i));
            fputc('\n', f);
        }
}

static void sectors_csv(FILE *f, const report *r, const staged_args *a)
{
    size_t N = tw_model_countries(r->s.base), J = tw_model_sectors(r->s.base);
    staged_provenance(f, &r->s, a);
    fputs("stage,country,sector,output_base,output,output_pct,price_pct\n", f);
    for (size_t k = 0; k < r->count; k++)
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx2(J, i, j);
                fprintf(f, "\"%s\",%s,%s", tw_scenario_stage_name(r->s.sc, r->c[k].stage),
                        tw_model_country_code(r->s.base, i), tw_model_sector_code(r->s.base, j));
                num(f, tw_result_sector(r->c[k].res, TW_CS_OUTPUT_BASE)[x]);
                num(f, tw_result_sector(r->c[k].res, TW_CS_OUTPUT)[x]);
                num(f, tw_result_sector(r->c[k].res, TW_CS_OUTPUT_PCT)[x]);
                num(f, tw_result_sector(r->c[k].res, TW_CS_PRICE_PCT)[x]);
                fputc('\n', f);
            }
}

static void trade_csv(FILE *f, const report *r, const staged_args *a)
{
    size_t N = tw_model_countries(r->s.base);
    staged_provenance(f, &r->s, a);
    fputs("stage,exporter,importer,flow_base,flow,change_pct\n", f);
    for (size_t k = 0; k < r->count; k++)
        for (size_t i = 0; i < N; i++)
            for (size_t n = 0; n < N; n++) {
                if (i == n)
                    continue;
                double x0, x1;
                pair_flows(&r->c[k], i, n, &x0, &x1);
                fprintf(f, "\"%s\",%s,%s", tw_scenario_stage_name(r->s.sc, r->c[k].stage),
                        tw_model_country_code(r->s.base, i), tw_model_country_code(r->s.base, n));
                num(f, x0);
                num(f, x1);
                num(f, staged_pct(x1, x0));
                fputc('\n', f);
            }
}

static void sensitivity_csv(FILE *f, const report *r, const staged_args *a)
{
    staged_provenance(f, &r->s, a);
    fputs("stage,variant,theta_scale,psi,code,welfare_pct,ev\n", f);
    for (size_t k = 0; k < r->count; k++)
        for (size_t v = 0; v < N_VARIANTS; v++)
            for (size_t i = 0; i < tw_model_countries(r->s.base); i++) {
                fprintf(f, "\"%s\",%s,%g,%s,%s", tw_scenario_stage_name(r->s.sc, r->c[k].stage),
                        r->variants[v].key, r->variants[v].theta_scale,
                        tw_psi_rule_name(r->variants[v].psi), tw_model_country_code(r->s.base, i));
                num(f, r->c[k].welfare[v][i]);
                num(f, r->c[k].ev[v][i]);
                fputc('\n', f);
            }
}

/* ---- charts -------------------------------------------------------------------------- */

static int welfare_chart(const report *r, file_batch *b, const char *ext, char *why, size_t size)
{
    size_t N = tw_model_countries(r->s.base);
    const char **cats = malloc(N * sizeof *cats), **series = malloc(r->count * sizeof *series);
    double *v = malloc(N * r->count * sizeof *v);
    int st = -1;
    if (cats && series && v) {
        for (size_t i = 0; i < N; i++)
            cats[i] = tw_model_country_name(r->s.base, i);
        for (size_t k = 0; k < r->count; k++) {
            series[k] = tw_scenario_stage_name(r->s.sc, r->c[k].stage);
            for (size_t i = 0; i < N; i++)
                v[k * N + i] = country(&r->c[k], TW_C_WELFARE_PCT, i);
        }
        char sub[512], name[64];
        snprintf(sub, sizeof sub, "Welfare (real income) change of each stage, compared with: %s",
                 from_name(r));
        plot_labels l = {tw_scenario_name(r->s.sc), sub, NULL, "welfare (real income) change, %",
                         "tradewar " TW_VERSION_STRING};
        snprintf(name, sizeof name, "welfare.%s", ext);
        /* a file of the batch (all or none), or drawn for the capture */
        const char *cp = b ? batch_reserve(b, name, why, size) : NULL;
        st = b && !cp ? -1 : plot_grouped_bars(cp, &l, 0, N, cats, r->count, series, v, why, size);
    } else
        snprintf(why, size, "out of memory");
    free(cats);
    free(series);
    free(v);
    return st;
}

/* The union of the focus pair's top sectors, output change of both. */
static int sectors_chart(const report *r, size_t k, file_batch *b, const char *ext, char *why,
                         size_t size)
{
    const comparison *c = &r->c[k];
    const tw_model *m = r->s.base;
    size_t J = tw_model_sectors(m), list[2 * TOP], n = 0;
    for (int d = 0; d < 2; d++)
        for (size_t t = 0; t < c->ntop[d]; t++) {
            size_t x = 0;
            while (x < n && list[x] != c->top[d][t])
                x++;
            if (x == n)
                list[n++] = c->top[d][t];
        }
    const char *cats[2 * TOP], *series[2] = {tw_model_country_name(m, r->s.focus[0]),
                                             tw_model_country_name(m, r->s.focus[1])};
    double v[4 * TOP];
    const double *pct = tw_result_sector(c->res, TW_CS_OUTPUT_PCT);
    for (size_t x = 0; x < n; x++) {
        cats[x] = tw_model_sector_name(m, list[x]);
        for (int d = 0; d < 2; d++)
            v[(size_t)d * n + x] = pct[tw_idx2(J, r->s.focus[d], list[x])];
    }
    char title[512], name[64];
    char sub[1024];
    snprintf(title, sizeof title, "Output by sector: %s",
             tw_scenario_stage_name(r->s.sc, c->stage));
    snprintf(sub, sizeof sub,
             "%s; the five sectors that move most in each economy, compared with: %s",
             tw_scenario_name(r->s.sc), tw_scenario_stage_name(r->s.sc, r->from));
    plot_labels l = {title, sub, NULL, "gross output change, %", "tradewar " TW_VERSION_STRING};
    snprintf(name, sizeof name, "sectors-%zu.%s", k + 1, ext);
    const char *cp = b ? batch_reserve(b, name, why, size) : NULL;
    return b && !cp ? -1 : plot_grouped_bars(cp, &l, 1, n, cats, 2, series, v, why, size);
}

static int charts(const report *r, file_batch *b, char *why, size_t size)
{
    static const char *const exts[] = {"png", "svg"};
    for (int e = 0; e < 2; e++) {
        if (welfare_chart(r, b, exts[e], why, size) != 0)
            return -1;
        for (size_t k = 0; k < r->count; k++)
            if (sectors_chart(r, k, b, exts[e], why, size) != 0)
                return -1;
        if (!b)
            break; /* drawn once, for the capture (cli/html.c) */
    }
    return 0;
}

/* ---- files ------------------------------------------------------------------------- */

static int write_outputs(const report *r, const staged_args *a)
{
    typedef void (*csv_writer)(FILE *, const report *, const staged_args *);
    static const struct {
        const char *name;
        csv_writer write;
    } csvs[] = {{"countries.csv", countries_csv},
                {"sectors.csv", sectors_csv},
                {"trade.csv", trade_csv},
                {"sensitivity.csv", sensitivity_csv}};
    file_batch *b = calloc(1, sizeof *b);
    char why[600] = "out of memory";
    int st = b ? batch_begin(b, a->output, 1, why, sizeof why) : -1;
    for (size_t k = 0; st == 0 && k < sizeof csvs / sizeof csvs[0]; k++) {
        FILE *f = batch_open(b, csvs[k].name, why, sizeof why);
        if (!f) {
            st = -1;
            break;
        }
        csvs[k].write(f, r, a);
        st = batch_close(f, csvs[k].name, why, sizeof why);
    }
    if (st == 0) {
        json_t *j = report_json(r, a);
        st = batch_json(b, "report.json", j, why, sizeof why);
        json_decref(j);
    }
    /* charts are written (each atomically) before the data files are renamed */
    if (st == 0 && a->charts)
        st = charts(r, b, why, sizeof why);
    return batch_finish(b, st, a->output, why, sizeof why);
}

/* --html FILE: the page, its charts drawn again into memory (cli/html.c). */
static int draw_charts(const void *user, char *why, size_t size)
{
    return charts(user, NULL, why, size);
}

static int write_html(const report *r, const staged_args *a)
{
    return staged_write_html(&r->s, a, report_json(r, a), draw_charts, r);
}

int cmd_report(int argc, char **argv, int first, cli_ctx ctx)
{
    staged_args a;
    memset(&a, 0, sizeof a);
    a.command = "report";
    int rc = staged_parse(argc, argv, first, &ctx, &a, cmd_report_help);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    report r;
    memset(&r, 0, sizeof r);
    rc = staged_prepare(&ctx, &a, &r.s);
    if (rc == CLI_OK)
        rc = staged_pick(&r.s, a.from, "report", &r.from);
    /* a one-stage scenario: its policy against the base economy */
    r.from_base = rc == CLI_OK && !a.from && tw_scenario_stage_count(r.s.sc) == 1;
    if (rc == CLI_OK && !r.from_base && r.from + 1 >= tw_scenario_stage_count(r.s.sc))
        rc = cli_usage_error("report",
                             "the scenario needs a stage after the starting stage %zu "
                             "(it has %zu)",
                             r.from + 1, tw_scenario_stage_count(r.s.sc));
    if (rc == CLI_OK) {
        r.count = r.from_base ? 1 : tw_scenario_stage_count(r.s.sc) - r.from - 1;
        rc = compute(&ctx, &r);
    }
    if (rc == CLI_OK && a.output)
        rc = write_outputs(&r, &a);
    if (rc == CLI_OK && a.html)
        rc = write_html(&r, &a);
    if (rc == CLI_OK) {
        if (a.json) {
            json_t *j = report_json(&r, &a);
            if (!j || out_json_dump(stdout, j) != 0)
                rc = CLI_FAILURE;
            json_decref(j);
        } else
            print_table(stdout, &r);
        if (fflush(stdout) != 0)
            rc = CLI_FAILURE;
    }
    if (rc == CLI_OK && r.variant_failed) {
        cli_error("a sensitivity variant did not converge: its column shows n/c (null in JSON)");
        rc = CLI_NO_CONVERGENCE;
    }
    report_free(&r);
    return rc;
}
