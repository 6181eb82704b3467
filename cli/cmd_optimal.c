/* cmd_optimal.c - `tradewar optimal`: one government's welfare-maximising
 * policy given everyone else's (its best response). */
#include "game.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cmd_optimal_help(FILE *f)
{
    fputs("Usage: tradewar optimal --country CODE [OPTIONS]\n"
          "\n"
          "The policy that maximises CODE's real income given everyone else's policy (its\n"
          "best response): import tariffs by partner and sector (default), export taxes,\n"
          "production subsidies or a combination. NLopt L-BFGS with adjoint gradients of\n"
          "the equilibrium; see docs/strategy.md.\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --country CODE       the government that optimises (required)\n"
          "      --scenario FILE      everyone's policy and the start point (default: the\n"
          "                           data's tariffs); --stage K|NAME picks a stage\n"
          "      --instruments LIST   tariffs (default), export-taxes, subsidies, comma-separated\n"
          "      --partners LIST      partner codes the instruments may target (default all)\n"
          "      --sectors LIST       sector codes or FIRST..LAST ranges that may move (default "
          "all)\n"
          "      --lower X, --upper X bounds on every rate (default 0 and 10, i.e. 0..1000%)\n"
          "      --mfn                one rate per sector for all partners\n"
          "      --no-warmup          skip the MFN optimum that starts the bilateral one\n"
          "      --xtol-rel X         optimiser tolerance on the rates (default 1e-8)\n"
          "      --ftol-rel X         optimiser tolerance on welfare (default 1e-13)\n"
          "      --gtol X             also converged when the projected gradient is below X\n"
          "                           (welfare per unit of rate, default 1e-6)\n"
          "      --max-eval N         welfare-and-gradient evaluations (default 1000)\n"
          "      --format FORMAT      table (default), csv (the countries table) or json\n"
          "      --html FILE          one self-contained HTML page: question, answer, a\n"
          "                           welfare chart, tables, data provenance\n"
          "      --output DIR         also write result.json, countries.csv and tariffs.csv\n"
          "                           (export_taxes.csv, subsidies.csv) into DIR (all or none)\n"
          "Solver options (as for solve): --deficits fixed|balanced (default balanced),\n"
          "      --method, --tol, --max-iter, --anderson-depth, --damping, --fallback\n"
          "      --elasticities FILE|NAME, --theta-scale X, --psi-scale X (0: constant\n"
          "      returns): the elasticities used, as for `tradewar solve`\n"
          "  -q, --quiet, -v, --verbose, -h, --help\n"
          "\n"
          "      --time-limit S       stop after S seconds: write what was computed, marked\n"
          "                           incomplete (also on SIGINT or SIGTERM); a rerun with\n"
          "                           the same options and --output resumes\n"
          "\n"
          "Exit status: 0 success, 1 the optimiser or a solve did not converge (the last\n"
          "point is reported), 2 usage error, 3 bad data or scenario, 4 I/O or internal error,\n"
          "5 stopped by SIGINT, SIGTERM or\n"
          "--time-limit (partial results written, marked incomplete; progress on stderr, quiet\n"
          "with -q).\n",
          f);
}

typedef struct {
    game *g;
    tw_policy *policy;
    tw_result *res;
    game_opt_run run;
    double residual;
} optimal_state;

static int converged(const optimal_state *s) { return s->run.rep.outcome == TW_OUTCOME_CONVERGED; }

static json_t *solver_json(const optimal_state *s)
{
    tw_solver_stats eq = tw_result_stats(s->res);
    json_t *j = json_pack("{s:b, s:I, s:o, s:I, s:o, s:s, s:I, s:o, s:o, s:o}", "converged",
                          converged(s), "iterations", (json_int_t)s->run.rep.evaluations,
                          "residual", out_json_number(s->residual), "evaluations",
                          (json_int_t)s->run.rep.evaluations, "seconds",
                          out_json_number(s->run.rep.seconds + s->run.warm.seconds), "outcome",
                          tw_outcome_name(s->run.rep.outcome), "variables",
                          (json_int_t)s->run.rep.variables, "objective",
                          out_json_number(s->run.rep.objective), "equilibrium", game_stats_json(eq),
                          "warmup", s->run.warmed ? game_optimal_json(&s->run.warm) : json_null());
    if (j)
        json_object_set_new(j, "optimizer", json_string("nlopt LD_LBFGS"));
    return j;
}

static json_t *result_json(const optimal_state *s, const game_columns *cols)
{
    const game *g = s->g;
    size_t N = tw_model_countries(g->base);
    json_t *countries = json_array();
    for (size_t i = 0; countries && i < N; i++)
        json_array_append_new(countries, game_country_json(g, s->res, s->policy, i));
    const double *w = tw_result_country(s->res, TW_C_WELFARE_PCT);
    return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o}", "tradewar", game_header_json(g),
                     "baseline", game_baseline_json(g), "solver", solver_json(s), "country",
                     tw_model_country_code(g->base, g->country), "welfare_gain_pct",
                     out_json_number(w[g->country]), "countries", countries, "instruments",
                     game_instruments_json(g, cols));
}

static void countries_csv(FILE *f, void *user)
{
    optimal_state *s = user;
    game_countries_csv(f, s->g, s->res, s->policy, converged(s));
}

/* The country's rates (%) by sector (rows) and partner (columns). */
static void rate_matrix(FILE *f, const optimal_state *s, int kind)
{
    const game *g = s->g;
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base), c = g->country;
    const double *X = tw_model_get(g->base, TW_FLOWS);
    fprintf(f, "%s of %s (%%), by sector and %s:\n%-24s",
            kind == TW_INSTRUMENT_IMPORT_TARIFFS ? "Import tariffs" : "Export taxes",
            tw_model_country_code(g->base, c),
            kind == TW_INSTRUMENT_IMPORT_TARIFFS ? "exporter" : "destination", "sector");
    for (size_t p = 0; p < N; p++)
        if (p != c)
            fprintf(f, " %8.8s", tw_model_country_code(g->base, p));
    fputc('\n', f);
    for (size_t j = 0; j < J; j++) {
        fprintf(f, "%-24.24s", tw_model_sector_code(g->base, j));
        for (size_t p = 0; p < N; p++) {
            if (p == c)
                continue;
            size_t i = kind == TW_INSTRUMENT_IMPORT_TARIFFS ? p : c;
            size_t n = kind == TW_INSTRUMENT_IMPORT_TARIFFS ? c : p;
            double r = kind == TW_INSTRUMENT_IMPORT_TARIFFS
                           ? tw_policy_tariff(s->policy, i, n, j)
                           : tw_policy_export_tax(s->policy, i, n, j);
            if (X[tw_idx3(N, J, i, n, j)] > 0)
                fprintf(f, " %8.2f", game_tidy(100 * r));
            else
                fprintf(f, " %8s", "-");
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void table(FILE *f, void *user)
{
    optimal_state *s = user;
    const game *g = s->g;
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    unsigned ins = g->go.best.instruments ? g->go.best.instruments : TW_INSTRUMENT_IMPORT_TARIFFS;
    char title[128];
    snprintf(title, sizeof title, "Optimal policy of %s (its best response)",
             tw_model_country_code(g->base, g->country));
    game_table_header(f, g, title);
    const double *w = tw_result_country(s->res, TW_C_WELFARE_PCT);
    const double *q = tw_result_country(s->res, TW_C_REAL_GDP_PCT);
    fprintf(f, "%-8s %10s %11s %16s %14s\n", "country", "welfare %", "real GDP %",
            "median tariff %", "mean tariff %");
    for (size_t i = 0; i < N; i++)
        fprintf(f, "%-8s %10.4f %11.4f %16.2f %14.2f%s\n", tw_model_country_code(g->base, i),
                game_tidy(w[i]), game_tidy(q[i]),
                game_tidy(game_median_tariff_pct(g, s->policy, i)),
                game_tidy(game_mean_tariff_pct(g, s->policy, i)), i == g->country ? "  <-" : "");
    fputc('\n', f);
    if (ins & TW_INSTRUMENT_IMPORT_TARIFFS)
        rate_matrix(f, s, TW_INSTRUMENT_IMPORT_TARIFFS);
    if (ins & TW_INSTRUMENT_EXPORT_TAXES)
        rate_matrix(f, s, TW_INSTRUMENT_EXPORT_TAXES);
    if (ins & TW_INSTRUMENT_SUBSIDIES) {
        fprintf(f, "Production subsidies of %s (%%):\n",
                tw_model_country_code(g->base, g->country));
        for (size_t j = 0; j < J; j++)
            fprintf(f, "%-24.24s %8.2f\n", tw_model_sector_code(g->base, j),
                    game_tidy(100 * tw_policy_subsidy(s->policy, g->country, j)));
        fputc('\n', f);
    }
    fprintf(f,
            "Optimiser: %s%s%s%s, %ld evaluations, %zu variables, first-order "
            "residual %.3g, %.3g s",
            converged(s) ? "converged" : "DID NOT CONVERGE", converged(s) ? "" : " (",
            converged(s) ? "" : tw_outcome_description(s->run.rep.outcome), converged(s) ? "" : ")",
            s->run.rep.evaluations, s->run.rep.variables, s->residual, s->run.rep.seconds);
    if (s->run.warmed)
        fprintf(f, " (MFN warm-up: %ld evaluations, %.3g s)", s->run.warm.evaluations,
                s->run.warm.seconds);
    fputc('\n', f);
}

int cmd_optimal(int argc, char **argv, int first, cli_ctx ctx)
{
    game_args a;
    int rc = game_parse(argc, argv, first, &ctx, &a, G_OPTIMAL, "optimal", cmd_optimal_help);
    if (rc != CLI_OK)
        return rc;
    game g;
    optimal_state s;
    memset(&s, 0, sizeof s);
    s.g = &g;
    rc = game_setup(&g, &a, &ctx);
    if (rc == CLI_OK)
        rc = game_alloc_play(&g, &s.policy, &s.res);
    if (rc == CLI_OK) {
        cli_note(&ctx, 1, "optimising the policy of %s", tw_model_country_code(g.base, g.country));
        rc = game_best_response(&g, g.country, s.policy, s.res, &s.run);
    }
    if (game_reportable(rc) && s.res) {
        s.residual = s.run.rep.projected_gradient;
        game_columns cols = {1, {"rate"}, {s.policy}};
        game_report r = {result_json(&s, &cols), countries_csv, table, &cols, &s};
        rc = game_finish(&g, &r, rc);
    }
    tw_result_free(s.res);
    tw_policy_free(s.policy);
    game_free(&g);
    return rc;
}
