/* cmd_talks.c - `tradewar talks`: cooperative tariffs, the Nash bargaining
 * solution with the trade war as the threat point, and each player's gains. */
#include "game.h"

#include <math.h>
#include <string.h>

void cmd_talks_help(FILE *f)
{
    fputs("Usage: tradewar talks [OPTIONS]\n"
          "\n"
          "Trade talks among the players: (a) the cooperative tariffs, which maximise the\n"
          "(weighted) sum of the players' real incomes; (b) the Nash bargaining solution,\n"
          "which maximises the product of the players' gains over the trade war (the\n"
          "threat point, solved first as by `tradewar war`); (c) each player's gains\n"
          "relative to the war and to the status quo. The players negotiate their tariffs\n"
          "on each other; tariffs on non-players stay as they are. See docs/strategy.md.\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --players LIST       at least two country codes, or all (default all)\n"
          "      --cooperation RULE   the cooperative outcome: weighted (default: the\n"
          "                           weighted sum of real incomes), equal-gains (Ossa 2014:\n"
          "                           world welfare, every player gaining the same over the\n"
          "                           status quo) or equal-gains-over-war (the same gain over\n"
          "                           each player's war welfare)\n"
          "      --weights LIST       cooperative weights: one number per player in the\n"
          "                           order of --players, or CODE=W pairs (others 1)\n"
          "      --no-bargain         stop after the war and the cooperative outcome\n"
          "      --scenario FILE      the status quo (default: the data's tariffs)\n"
          "      --partners LIST      players (default for the talks), all, or codes\n"
          "      --sectors LIST       sector codes or FIRST..LAST ranges that may move\n"
          "      --instruments LIST   tariffs (default), export-taxes, subsidies\n"
          "      --lower X, --upper X bounds on every rate (default 0 and 10)\n"
          "      --mfn, --no-warmup, --threads N, --war-tol X, --max-rounds N   the war (see\n"
          "                           tradewar war --help)\n"
          "      --xtol-rel X, --ftol-rel X, --max-eval N   the optimiser\n"
          "      --format FORMAT      table (default), csv (the countries table) or json\n"
          "      --html FILE          one self-contained HTML page: question, answer, a\n"
          "                           welfare chart, tables, data provenance\n"
          "      --output DIR         also write result.json, countries.csv and tariffs.csv\n"
          "                           (columns war, cooperative, rate = bargaining)\n"
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
          "Exit status: 0 success, 1 an optimisation or the war did not converge (what\n"
          "there is is reported), 2 usage error, 3 bad data or scenario, 4 I/O or internal\n"
          "error, 5 stopped by SIGINT, SIGTERM or\n"
          "--time-limit (partial results written, marked incomplete; progress on stderr, quiet\n"
          "with -q).\n",
          f);
}

void game_talks_free(game_talks_run *t)
{
    tw_talks_free(t->talks);
    memset(t, 0, sizeof *t);
}

/* Resume each stage recorded in OUTPUT/checkpoint.json. */
static int resume(game *g, game_talks_run *t, tw_error *err)
{
    static const struct {
        const char *name;
        tw_talks_stage stage;
    } stages[] = {{"war", TW_TALKS_WAR},
                  {"cooperative", TW_TALKS_COOPERATIVE},
                  {"bargain", TW_TALKS_BARGAIN}};
    tw_policy *p = tw_policy_clone(g->start, NULL);
    if (!p) {
        err->code = TW_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return TW_ERR_NOMEM;
    }
    for (size_t k = 0; k < sizeof stages / sizeof stages[0]; k++) {
        const char *phase = game_resume(g, stages[k].name, p);
        if (!phase)
            continue;
        int warmed_up = strcmp(phase, "mfn") != 0;
        tw_status st = tw_talks_resume(t->talks, stages[k].stage, p, warmed_up, err);
        if (st != TW_OK) {
            tw_policy_free(p);
            return st;
        }
        t->resumed_bargain |= stages[k].stage == TW_TALKS_BARGAIN;
    }
    tw_policy_free(p);
    return TW_OK;
}

/* The stages' policies and results, and the checkpoint of each reached. */
static void collect(game *g, game_talks_run *t)
{
    const tw_talks_report *r = &t->rep;
    t->sq = tw_talks_policy(t->talks, TW_TALKS_STATUS_QUO);
    t->war = tw_talks_policy(t->talks, TW_TALKS_WAR);
    t->coop = tw_talks_policy(t->talks, TW_TALKS_COOPERATIVE);
    t->barg = tw_talks_policy(t->talks, TW_TALKS_BARGAIN);
    t->sq_res = tw_talks_result(t->talks, TW_TALKS_STATUS_QUO);
    t->war_res = tw_talks_result(t->talks, TW_TALKS_WAR);
    t->coop_res = tw_talks_result(t->talks, TW_TALKS_COOPERATIVE);
    t->barg_res = tw_talks_result(t->talks, TW_TALKS_BARGAIN);
    t->warred = r->reached[TW_TALKS_WAR];
    t->cooperated = r->reached[TW_TALKS_COOPERATIVE];
    t->bargained = r->reached[TW_TALKS_BARGAIN];
    t->war_run.rep = r->war;
    t->war_run.warm = r->war_warmup;
    t->war_run.warmed = r->war_warmup.outcome != TW_OUTCOME_NONE;
    t->coop_rep = r->cooperative;
    t->barg_rep = r->bargain;
    t->barg_start = r->bargain_start && strcmp(r->bargain_start, "given") == 0
                        ? "point of the stopped run"
                        : r->bargain_start;
    if (t->warred)
        game_checkpoint(g, "war", r->war_warmup.outcome == TW_OUTCOME_STOPPED ? "mfn" : "bilateral",
                        t->war);
    if (t->cooperated)
        game_checkpoint(g, "cooperative", "bilateral", t->coop);
    if (t->bargained)
        game_checkpoint(g, "bargain", "bilateral", t->barg);
}

/* What did not converge, on stderr. */
static void say_why(const game *g, const game_talks_run *t, const tw_error *err)
{
    const tw_talks_report *r = &t->rep;
    (void)g;
    if (r->war.outcome != TW_OUTCOME_CONVERGED && t->warred)
        cli_error("the war: %s", tw_outcome_description(r->war.outcome));
    if (t->cooperated && r->cooperative.outcome != TW_OUTCOME_CONVERGED)
        cli_error("cooperation: %s", tw_outcome_description(r->cooperative.outcome));
    if (t->bargained && r->bargain.outcome != TW_OUTCOME_CONVERGED)
        cli_error("bargaining: %s", tw_outcome_description(r->bargain.outcome));
    if (r->outcome == TW_OUTCOME_INFEASIBLE ||
        (t->bargained && r->bargain.outcome == TW_OUTCOME_INFEASIBLE))
        cli_error("%s", err->message);
}

int game_talks(game *g, game_talks_run *t, int bargain_too)
{
    tw_error err = {0};
    memset(t, 0, sizeof *t);
    t->talks = tw_talks_create(g->solver, &g->so, g->players, g->nplayers, g->start, &err);
    if (!t->talks)
        return cli_fail(&err, err.code != TW_OK ? err.code : TW_ERR_NOMEM);
    tw_status st = resume(g, t, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    tw_talks_options o;
    tw_talks_options_default(&o);
    o.game = g->go;
    o.warmup = g->warmup;
    o.cooperation = g->coop_rule == GAME_COOP_EQUAL       ? TW_COOPERATION_EQUAL_GAINS
                    : g->coop_rule == GAME_COOP_EQUAL_WAR ? TW_COOPERATION_EQUAL_GAINS_OVER_WAR
                                                          : TW_COOPERATION_WEIGHTED;
    o.weights = g->weights;
    o.bargain = bargain_too;
    game_war_progress(g, &o.game);
    cli_note(&g->ctx, 1, "talks among %zu players: the war (the threat point), %s%s", g->nplayers,
             o.cooperation == TW_COOPERATION_WEIGHTED ? "cooperative tariffs"
             : o.cooperation == TW_COOPERATION_EQUAL_GAINS
                 ? "cooperative tariffs with equal gains over the status quo (Ossa's rule)"
                 : "cooperative tariffs with equal gains over the war (Ossa's rule)",
             bargain_too ? ", Nash bargaining" : "");
    st = tw_talks_run(t->talks, &o, &t->rep, &err);
    game_war_progress(g, NULL);
    if (st != TW_OK)
        return cli_fail(&err, st);
    collect(g, t);
    if (t->rep.status_quo != TW_OUTCOME_CONVERGED) {
        cli_error("the status quo: %s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    if (t->bargained)
        cli_note(&g->ctx, 1, "Nash bargaining from the %s", t->barg_start);
    if (t->rep.outcome == TW_OUTCOME_STOPPED)
        return game_stopped(g);
    if (t->rep.outcome != TW_OUTCOME_CONVERGED) {
        say_why(g, t, &err);
        return CLI_NO_CONVERGENCE;
    }
    return CLI_OK;
}

/* ---- report -------------------------------------------------------------- */

typedef struct {
    game *g;
    game_talks_run t;
    int rc;
} talks_state;

static int all_converged(const talks_state *s)
{
    const game_talks_run *t = &s->t;
    return t->war_run.rep.outcome == TW_OUTCOME_CONVERGED &&
           t->coop_rep.outcome == TW_OUTCOME_CONVERGED && t->bargained &&
           t->barg_rep.outcome == TW_OUTCOME_CONVERGED;
}

static double wpct(const tw_result *r, size_t i)
{
    return r ? tw_result_country(r, TW_C_WELFARE_PCT)[i] : NAN;
}

static double gdppct(const tw_result *r, size_t i)
{
    return r ? tw_result_country(r, TW_C_REAL_GDP_PCT)[i] : NAN;
}

/* Per-country figures: welfare and real GDP under each outcome, and the gains. */
typedef struct {
    double sq, war, coop, barg, med_war, med_coop, med_barg;
    double gdp_sq, gdp_war, gdp_coop, gdp_barg; /* real GDP, % of base */
} talks_row;

static talks_row row_of(const talks_state *s, size_t i)
{
    const game_talks_run *t = &s->t;
    talks_row r;
    r.sq = wpct(t->sq_res, i);
    r.war = wpct(t->war_res, i);
    r.coop = t->cooperated ? wpct(t->coop_res, i) : NAN;
    r.barg = t->bargained ? wpct(t->barg_res, i) : NAN;
    r.med_war = game_median_tariff_pct(s->g, t->war, i);
    r.med_coop = t->cooperated ? game_median_tariff_pct(s->g, t->coop, i) : NAN;
    r.med_barg = t->bargained ? game_median_tariff_pct(s->g, t->barg, i) : NAN;
    r.gdp_sq = gdppct(t->sq_res, i);
    r.gdp_war = gdppct(t->war_res, i);
    r.gdp_coop = t->cooperated ? gdppct(t->coop_res, i) : NAN;
    r.gdp_barg = t->bargained ? gdppct(t->barg_res, i) : NAN;
    return r;
}

static json_t *country_json(const talks_state *s, size_t i)
{
    const game *g = s->g;
    talks_row r = row_of(s, i);
    json_t *c = json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                          "s:o, s:o}",
                          "code", tw_model_country_code(g->base, i), "name",
                          tw_model_country_name(g->base, i), "player", game_is_player(g, i),
                          "welfare_pct", out_json_number(r.barg), "median_tariff_pct",
                          out_json_number(r.med_barg), "status_quo_welfare_pct",
                          out_json_number(r.sq), "war_welfare_pct", out_json_number(r.war),
                          "cooperative_welfare_pct", out_json_number(r.coop),
                          "bargaining_welfare_pct", out_json_number(r.barg), "gain_vs_war_pct",
                          out_json_number(r.barg - r.war), "gain_vs_status_quo_pct",
                          out_json_number(r.barg - r.sq), "cooperative_gain_vs_war_pct",
                          out_json_number(r.coop - r.war), "cooperative_gain_vs_status_quo_pct",
                          out_json_number(r.coop - r.sq), "war_median_tariff_pct",
                          out_json_number(r.med_war), "cooperative_median_tariff_pct",
                          out_json_number(r.med_coop), "bargaining_median_tariff_pct",
                          out_json_number(r.med_barg));
    if (c) {
        json_object_set_new(c, "real_gdp_pct", out_json_number(r.gdp_barg));
        json_object_set_new(c, "status_quo_real_gdp_pct", out_json_number(r.gdp_sq));
        json_object_set_new(c, "war_real_gdp_pct", out_json_number(r.gdp_war));
        json_object_set_new(c, "cooperative_real_gdp_pct", out_json_number(r.gdp_coop));
        json_object_set_new(c, "bargaining_real_gdp_pct", out_json_number(r.gdp_barg));
    }
    return c;
}

static json_t *result_json(const talks_state *s, const game_columns *cols)
{
    const game *g = s->g;
    const game_talks_run *t = &s->t;
    size_t N = tw_model_countries(g->base);
    json_t *countries = json_array();
    for (size_t i = 0; countries && i < N; i++)
        json_array_append_new(countries, country_json(s, i));
    const tw_result *main_res = t->bargained ? t->barg_res : t->coop_res;
    json_t *solver = json_pack("{s:b, s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o}", "converged",
                               all_converged(s), "iterations", (json_int_t)t->barg_rep.evaluations,
                               "residual", out_json_number(tw_result_stats(main_res).residual),
                               "evaluations",
                               (json_int_t)(t->barg_rep.evaluations + t->coop_rep.evaluations +
                                            t->war_run.rep.evaluations +
                                            t->war_run.warm.evaluations),
                               "seconds",
                               out_json_number(t->barg_rep.seconds + t->coop_rep.seconds +
                                               t->war_run.rep.seconds + t->war_run.warm.seconds),
                               "war", game_war_json(&t->war_run.rep), "war_warmup",
                               t->war_run.warmed ? game_war_json(&t->war_run.warm) : json_null(),
                               "cooperative", game_optimal_json(&t->coop_rep), "bargaining",
                               t->bargained ? game_optimal_json(&t->barg_rep) : json_null());
    if (solver)
        json_object_set_new(solver, "bargaining_start",
                            t->barg_start ? json_string(t->barg_start) : json_null());
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "tradewar", game_header_json(g), "baseline",
                     game_baseline_json(g), "solver", solver, "countries", countries, "instruments",
                     game_instruments_json(g, cols));
}

static void countries_csv(FILE *f, void *user)
{
    talks_state *s = user;
    const game *g = s->g;
    game_csv_provenance(f, g, all_converged(s));
    fputs("code,name,player,welfare_pct,median_tariff_pct,status_quo_welfare_pct,"
          "war_welfare_pct,cooperative_welfare_pct,bargaining_welfare_pct,gain_vs_war_pct,"
          "gain_vs_status_quo_pct,cooperative_gain_vs_war_pct,"
          "cooperative_gain_vs_status_quo_pct,war_median_tariff_pct,"
          "cooperative_median_tariff_pct,bargaining_median_tariff_pct,real_gdp_pct,"
          "status_quo_real_gdp_pct,war_real_gdp_pct,cooperative_real_gdp_pct,"
          "bargaining_real_gdp_pct\n",
          f);
    for (size_t i = 0; i < tw_model_countries(g->base); i++) {
        talks_row r = row_of(s, i);
        out_csv_text(f, tw_model_country_code(g->base, i));
        fputc(',', f);
        out_csv_text(f, tw_model_country_name(g->base, i));
        fprintf(f, ",%s", game_is_player(g, i) ? "true" : "false");
        double v[] = {r.barg,    r.med_barg,     r.sq,          r.war,          r.coop,
                      r.barg,    r.barg - r.war, r.barg - r.sq, r.coop - r.war, r.coop - r.sq,
                      r.med_war, r.med_coop,     r.med_barg,    r.gdp_barg,     r.gdp_sq,
                      r.gdp_war, r.gdp_coop,     r.gdp_barg};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            out_csv_number(f, v[k]);
        fputc('\n', f);
    }
}

static void table(FILE *f, void *user)
{
    talks_state *s = user;
    const game *g = s->g;
    const game_talks_run *t = &s->t;
    game_table_header(f, g,
                      "Trade talks: cooperation and Nash bargaining, the war as threat point");
    fprintf(f, "%-8s %6s %9s %9s %9s %9s %11s %11s %26s\n", "", "", "welfare %", "", "", "",
            "barg. gain", "", "median tariff %");
    fprintf(f, "%-8s %6s %9s %9s %9s %9s %11s %11s %8s %8s %8s\n", "country", "player", "stat.quo",
            "war", "coop.", "barg.", "vs war", "vs s.quo", "war", "coop.", "barg.");
    for (size_t i = 0; i < tw_model_countries(g->base); i++) {
        talks_row r = row_of(s, i);
        fprintf(f, "%-8s %6s %9.4f %9.4f %9.4f %9.4f %11.4f %11.4f %8.2f %8.2f %8.2f\n",
                tw_model_country_code(g->base, i), game_is_player(g, i) ? "yes" : "no",
                game_tidy(r.sq), game_tidy(r.war), game_tidy(r.coop), game_tidy(r.barg),
                game_tidy(r.barg - r.war), game_tidy(r.barg - r.sq), game_tidy(r.med_war),
                game_tidy(r.med_coop), game_tidy(r.med_barg));
    }
    fprintf(f, "\n%-10s %9s %9s %9s %9s\n", "real GDP %", "stat.quo", "war", "coop.", "barg.");
    for (size_t i = 0; i < tw_model_countries(g->base); i++) {
        talks_row r = row_of(s, i);
        fprintf(f, "%-10s %9.4f %9.4f %9.4f %9.4f\n", tw_model_country_code(g->base, i),
                game_tidy(r.gdp_sq), game_tidy(r.gdp_war), game_tidy(r.gdp_coop),
                game_tidy(r.gdp_barg));
    }
    fprintf(f, "\nGains are in percentage points of base real income; real GDP is GDP at base\n"
               "prices (docs/model.md).\n");
    fprintf(f, "War: %s after %d rounds, %.3g s\n",
            t->war_run.rep.outcome == TW_OUTCOME_CONVERGED
                ? "settled"
                : tw_outcome_name(t->war_run.rep.outcome),
            t->war_run.rep.rounds, t->war_run.rep.seconds + t->war_run.warm.seconds);
    fprintf(f, "Cooperation: %s, %ld evaluations, %zu variables, %.3g s\n",
            tw_outcome_name(t->coop_rep.outcome), t->coop_rep.evaluations, t->coop_rep.variables,
            t->coop_rep.seconds);
    if (t->bargained)
        fprintf(f, "Bargaining: %s (from the %s), %ld evaluations, %.3g s\n",
                tw_outcome_name(t->barg_rep.outcome), t->barg_start, t->barg_rep.evaluations,
                t->barg_rep.seconds);
    else if (!s->g->a.no_bargain && t->cooperated && !s->g->stop_reason)
        fputs("Bargaining: none (no start point beats the war for every player)\n", f);
    else
        fputs("Bargaining: not done\n", f);
}

int cmd_talks(int argc, char **argv, int first, cli_ctx ctx)
{
    game_args a;
    int rc = game_parse(argc, argv, first, &ctx, &a, G_TALKS, "talks", cmd_talks_help);
    if (rc != CLI_OK)
        return rc;
    game g;
    talks_state s;
    memset(&s, 0, sizeof s);
    s.g = &g;
    rc = game_setup(&g, &a, &ctx);
    if (rc == CLI_OK)
        rc = game_talks(&g, &s.t, !a.no_bargain);
    if (game_reportable(rc) && s.t.warred) {
        /* "rate" is the bargaining outcome (left out when there is none) */
        game_columns cols = {s.t.bargained    ? 3
                             : s.t.cooperated ? 2
                                              : 1,
                             {"war", "cooperative", "rate"},
                             {s.t.war, s.t.coop, s.t.barg}};
        game_report r = {result_json(&s, &cols), countries_csv, table, &cols, &s};
        rc = game_finish(&g, &r, rc);
    }
    game_talks_free(&s.t);
    game_free(&g);
    return rc;
}
