/* cmd_war.c - `tradewar war`: the Nash equilibrium of a tariff war. */
#include "game.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cmd_war_help(FILE *f)
{
    fputs("Usage: tradewar war [OPTIONS]\n"
          "\n"
          "The Nash equilibrium of a trade war: each player sets the tariffs that maximise\n"
          "its real income given everyone else's, until no rate moves (iterated\n"
          "simultaneous best responses); non-players keep their tariffs. By default an\n"
          "MFN war (one rate per sector) is solved first and the bilateral war starts from\n"
          "it. See docs/strategy.md.\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --players LIST       country codes, comma-separated, or all (default all)\n"
          "      --scenario FILE      the start point and the non-players' policy (default:\n"
          "                           the data's tariffs); --stage K|NAME picks a stage\n"
          "      --partners LIST      whom the players' tariffs may target: all (default),\n"
          "                           players (only each other) or codes\n"
          "      --sectors LIST       sector codes or FIRST..LAST ranges that may move (default "
          "all)\n"
          "      --instruments LIST   tariffs (default), export-taxes, subsidies\n"
          "      --lower X, --upper X bounds on every rate (default 0 and 10)\n"
          "      --mfn                an MFN war only (one rate per sector)\n"
          "      --no-warmup          skip the MFN war that starts the bilateral one\n"
          "      --threads N          best responses of a round in parallel (default: the\n"
          "                           number of processors)\n"
          "      --war-tol X          stop when no rate moves more than X in a round (1e-6)\n"
          "      --max-rounds N       rounds of best responses (default 100)\n"
          "      --xtol-rel X, --ftol-rel X, --max-eval N   each best response's optimiser\n"
          "      --format FORMAT      table (default), csv (the countries table) or json\n"
          "      --html FILE          one self-contained HTML page: question, answer, a\n"
          "                           welfare chart, tables, data provenance\n"
          "      --output DIR         also write result.json, countries.csv and tariffs.csv\n"
          "Solver options (as for solve): --deficits fixed|balanced (default balanced),\n"
          "      --method, --tol, --max-iter, --anderson-depth, --damping, --fallback\n"
          "      --elasticities FILE|NAME, --theta-scale X, --psi-scale X (0: constant\n"
          "      returns): the elasticities used, as for `tradewar solve`\n"
          "  -q, --quiet, -v, --verbose, -h, --help\n"
          "\n"
          "Progress (one line per round) goes to stderr.\n"
          "      --time-limit S       stop after S seconds: write what was computed, marked\n"
          "                           incomplete (also on SIGINT or SIGTERM); a rerun with\n"
          "                           the same options and --output resumes\n"
          "\n"
          "Exit status: 0 success, 1 the war did not settle or a solve did not converge\n"
          "(the last round is reported), 2 usage error, 3 bad data or scenario, 4 I/O or\n"
          "internal error, 5 stopped by SIGINT, SIGTERM or\n"
          "--time-limit (partial results written, marked incomplete; progress on stderr, quiet\n"
          "with -q).\n",
          f);
}

typedef struct {
    game *g;
    tw_policy *policy;
    tw_result *res;
    game_war_run run;
} war_state;

static int converged(const war_state *s) { return s->run.rep.outcome == TW_OUTCOME_CONVERGED; }

static json_t *solver_json(const war_state *s)
{
    const tw_game_report *r = &s->run.rep;
    return json_pack("{s:b, s:s, s:i, s:o, s:I, s:o, s:s, s:o, s:o}", "converged", converged(s),
                     "outcome", tw_outcome_name(r->outcome), "iterations", r->rounds, "residual",
                     out_json_number(r->change), "evaluations", (json_int_t)r->evaluations,
                     "seconds", out_json_number(r->seconds + s->run.warm.seconds), "method",
                     "jacobi best responses", "equilibrium",
                     game_stats_json(tw_result_stats(s->res)), "warmup",
                     s->run.warmed ? game_war_json(&s->run.warm) : json_null());
}

static json_t *result_json(const war_state *s, const game_columns *cols)
{
    const game *g = s->g;
    size_t N = tw_model_countries(g->base);
    json_t *countries = json_array();
    double wsum = 0, msum = 0;
    for (size_t i = 0; countries && i < N; i++)
        json_array_append_new(countries, game_country_json(g, s->res, s->policy, i));
    for (size_t k = 0; k < g->nplayers; k++) {
        wsum += tw_result_country(s->res, TW_C_WELFARE_PCT)[g->players[k]];
        msum += game_median_tariff_pct(g, s->policy, g->players[k]);
    }
    json_t *summary = json_pack("{s:o, s:o}", "mean_welfare_pct",
                                out_json_number(wsum / (double)g->nplayers),
                                "mean_median_tariff_pct",
                                out_json_number(msum / (double)g->nplayers));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "tradewar", game_header_json(g), "baseline",
                     game_baseline_json(g), "solver", solver_json(s), "players", summary,
                     "countries", countries, "instruments", game_instruments_json(g, cols));
}

static void countries_csv(FILE *f, void *user)
{
    war_state *s = user;
    game_countries_csv(f, s->g, s->res, s->policy, converged(s));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Each player's median tariff (%) over its partners, by sector. */
static void sector_medians(FILE *f, const war_state *s)
{
    const game *g = s->g;
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    double *v = calloc(N, sizeof *v);
    if (!v)
        return;
    fprintf(f, "Median tariff over partners (%%), by sector and player:\n%-24s", "sector");
    for (size_t k = 0; k < g->nplayers; k++)
        fprintf(f, " %8.8s", tw_model_country_code(g->base, g->players[k]));
    fputc('\n', f);
    for (size_t j = 0; j < J; j++) {
        fprintf(f, "%-24.24s", tw_model_sector_code(g->base, j));
        for (size_t k = 0; k < g->nplayers; k++) {
            size_t n = g->players[k], m = 0;
            for (size_t i = 0; i < N; i++)
                if (game_tariff_cell(g, i, n, j))
                    v[m++] = tw_policy_tariff(s->policy, i, n, j);
            qsort(v, m, sizeof *v, cmp_double);
            if (m == 0)
                fprintf(f, " %8s", "-");
            else
                fprintf(f, " %8.2f",
                        game_tidy(100 * (m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]))));
        }
        fputc('\n', f);
    }
    fputc('\n', f);
    free(v);
}

static void table(FILE *f, void *user)
{
    war_state *s = user;
    const game *g = s->g;
    size_t N = tw_model_countries(g->base);
    game_table_header(f, g, "Trade war: the Nash equilibrium of the players' optimal tariffs");
    const double *w = tw_result_country(s->res, TW_C_WELFARE_PCT);
    const double *q = tw_result_country(s->res, TW_C_REAL_GDP_PCT);
    fprintf(f, "%-8s %6s %10s %11s %16s %14s\n", "country", "player", "welfare %", "real GDP %",
            "median tariff %", "mean tariff %");
    for (size_t i = 0; i < N; i++)
        fprintf(f, "%-8s %6s %10.4f %11.4f %16.2f %14.2f\n", tw_model_country_code(g->base, i),
                game_is_player(g, i) ? "yes" : "no", game_tidy(w[i]), game_tidy(q[i]),
                game_tidy(game_median_tariff_pct(g, s->policy, i)),
                game_tidy(game_mean_tariff_pct(g, s->policy, i)));
    fputc('\n', f);
    if (!g->go.best.instruments || (g->go.best.instruments & TW_INSTRUMENT_IMPORT_TARIFFS))
        sector_medians(f, s);
    const tw_game_report *r = &s->run.rep;
    char how[96] = "settled";
    if (!converged(s))
        snprintf(how, sizeof how, "DID NOT SETTLE (%s)", tw_outcome_name(r->outcome));
    fprintf(f,
            "War: %s after %d rounds (largest rate change in the last round %.3g), %ld "
            "equilibria, %.3g s",
            how, r->rounds, r->change, r->evaluations, r->seconds);
    if (s->run.warmed)
        fprintf(f, " (MFN war first: %d rounds, %.3g s)", s->run.warm.rounds, s->run.warm.seconds);
    fputc('\n', f);
}

int cmd_war(int argc, char **argv, int first, cli_ctx ctx)
{
    game_args a;
    int rc = game_parse(argc, argv, first, &ctx, &a, G_WAR, "war", cmd_war_help);
    if (rc != CLI_OK)
        return rc;
    game g;
    war_state s;
    memset(&s, 0, sizeof s);
    s.g = &g;
    rc = game_setup(&g, &a, &ctx);
    if (rc == CLI_OK)
        rc = game_alloc_play(&g, &s.policy, &s.res);
    if (rc == CLI_OK) {
        cli_note(&ctx, 1, "trade war among %zu players (%d threads)", g.nplayers, g.go.threads);
        rc = game_war(&g, s.policy, s.res, &s.run);
    }
    if (game_reportable(rc) && s.res) {
        game_columns cols = {1, {"rate"}, {s.policy}};
        game_report r = {result_json(&s, &cols), countries_csv, table, &cols, &s};
        rc = game_finish(&g, &r, rc);
    }
    tw_result_free(s.res);
    tw_policy_free(s.policy);
    game_free(&g);
    return rc;
}
