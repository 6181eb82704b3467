/* cmd_enforce.c - `tradewar enforce AGREEMENT`: whether an agreement enforces
 * itself (Bagwell-Staiger): each player's gain from deviating, its loss under
 * punishment, the critical discount factor and the smallest snapback tariff. */
#include "game.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cmd_enforce_help(FILE *f)
{
    fputs("Usage: tradewar enforce [OPTIONS] AGREEMENT\n"
          "\n"
          "Whether an agreement enforces itself (Bagwell and Staiger): for each player, the\n"
          "one-period gain from deviating to its best response, the per-period loss when\n"
          "punishment follows forever, and the critical discount factor gain/(gain + loss)\n"
          "above which keeping the agreement pays. AGREEMENT is a scenario file (its policy\n"
          "is the agreement), 'talks' (the Nash bargaining outcome of `tradewar talks`) or\n"
          "'cooperative' (its cooperative outcome); write ./talks for a file of that name.\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --players LIST       at least two country codes, or all (default all)\n"
          "      --punishment KIND    war (default: reversion to the trade war) or snapback\n"
          "      --snapback X         snapback punishment: the other players raise their\n"
          "                           tariffs on the deviator by X (0.25 = 25 points)\n"
          "      --delta D            a discount factor in (0, 1): also report whether the\n"
          "                           agreement holds at D and the smallest snapback that\n"
          "                           deters deviation at D\n"
          "      --stage K|NAME       the stage of a staged agreement file (default: last)\n"
          "      --weights LIST       cooperative weights (AGREEMENT cooperative)\n"
          "      --partners LIST      whom deviations and the war target: players (default),\n"
          "                           all, or codes\n"
          "      --sectors, --instruments, --lower, --upper, --mfn, --no-warmup,\n"
          "      --threads, --war-tol, --max-rounds, --xtol-rel, --ftol-rel, --max-eval\n"
          "                           as for tradewar war\n"
          "      --format FORMAT      table (default), csv (the countries table) or json\n"
          "      --html FILE          one self-contained HTML page: question, answer, a\n"
          "                           welfare chart, tables, data provenance\n"
          "      --output DIR         also write result.json, countries.csv and tariffs.csv\n"
          "                           (the agreement's tariffs)\n"
          "Solver options (as for solve): --deficits fixed|balanced (default balanced),\n"
          "      --method, --tol, --max-iter, --anderson-depth, --damping, --fallback\n"
          "      --elasticities FILE|NAME, --theta-scale X, --psi-scale X (0: constant\n"
          "      returns): the elasticities used, as for `tradewar solve`\n"
          "  -q, --quiet, -v, --verbose, -h, --help\n"
          "\n"
          "      --cooperation RULE   weighted (default), equal-gains or\n"
          "                           equal-gains-over-war (see tradewar talks --help)\n"
          "      --time-limit S       stop after S seconds: write what was computed, marked\n"
          "                           incomplete (also on SIGINT or SIGTERM); a rerun with\n"
          "                           the same options and --output resumes\n"
          "\n"
          "Exit status: 0 success, 1 an optimisation or the war did not converge, 2 usage\n"
          "error, 3 bad data or agreement file, 4 I/O or internal error, 5 stopped by\n"
          "SIGINT, SIGTERM or --time-limit (partial results written, marked incomplete).\n",
          f);
}

typedef struct {
    game *g;
    game_talks_run t;           /* talks (AGREEMENT talks|cooperative) */
    const tw_policy *agreement; /* borrowed: g->start or an outcome of the talks */
    tw_result *agree_res;
    const tw_policy *war; /* the punishment war (NULL with snapback) */
    const tw_result *war_res;
    tw_policy *own_war; /* the war computed here (have_war == 2) */
    tw_result *own_war_res;
    game_war_run war_run;
    int have_war;
    tw_enforcement *e; /* per player */
    double *min_snap;  /* per player, with --delta */
    double delta, snapback;
    int snap; /* --punishment snapback */
    int ok;   /* every computation converged */
    int optimisations;
} enforce_state;

static int fail_oom(void)
{
    cli_error("out of memory");
    return CLI_FAILURE;
}

/* The agreement: a scenario's policy, or the outcome of the talks. */
static int agreement_of(enforce_state *s)
{
    game *g = s->g;
    const char *a = g->a.agreement;
    if (strcmp(a, "talks") == 0 || strcmp(a, "cooperative") == 0) {
        int bargain = strcmp(a, "talks") == 0;
        int rc = game_talks(g, &s->t, bargain);
        if (rc == CLI_INCOMPLETE) {
            /* stopped: report the talks as far as they got, no enforcement figures */
            s->agreement = s->t.bargained ? s->t.barg : s->t.cooperated ? s->t.coop : s->t.sq;
            s->war = s->t.war;
            s->war_res = s->t.war_res;
            s->war_run = s->t.war_run;
            s->have_war = s->t.warred;
            return rc;
        }
        if (rc != CLI_OK && rc != CLI_NO_CONVERGENCE)
            return rc;
        if (bargain && !s->t.bargained)
            return rc;
        s->ok = rc == CLI_OK;
        s->agreement = bargain ? s->t.barg : s->t.coop;
        /* the war of the talks is the punishment: same players, same status quo */
        s->war = s->t.war;
        s->war_res = s->t.war_res;
        s->war_run = s->t.war_run;
        s->have_war = 1;
        return CLI_OK;
    }
    s->agreement = g->start;
    s->ok = 1;
    return CLI_OK;
}

/* The punishment war, started from the agreement (non-players keep its policy). */
static int punishment_war(enforce_state *s)
{
    game *g = s->g;
    if (s->have_war || s->snap)
        return CLI_OK;
    s->war = s->own_war = tw_policy_clone(s->agreement, NULL);
    s->war_res = s->own_war_res = tw_result_create(g->base, NULL);
    if (!s->own_war || !s->own_war_res)
        return fail_oom();
    s->have_war = 2; /* owned here */
    cli_note(&g->ctx, 1, "the punishment: a trade war among %zu players", g->nplayers);
    int rc = game_war(g, s->own_war, s->own_war_res, &s->war_run);
    if (rc == CLI_NO_CONVERGENCE) {
        s->ok = 0;
        rc = CLI_OK;
    }
    return rc;
}

static int enforcement(enforce_state *s)
{
    game *g = s->g;
    tw_error err = {0};
    tw_status st;
    cli_note(&g->ctx, 1, "deviations from the agreement%s", s->snap ? " and snapbacks" : "");
    if (!s->snap) {
        st = tw_enforce(g->solver, g->players, g->nplayers, &g->go.best, s->agreement, s->war, s->e,
                        &err);
        s->optimisations += (int)g->nplayers;
    } else {
        st = TW_OK;
        for (size_t k = 0; k < g->nplayers && st == TW_OK; k++) {
            st = tw_enforce_snapback(g->solver, g->players[k], g->players, g->nplayers, &g->go.best,
                                     s->agreement, s->snapback, &s->e[k], &err);
            s->optimisations += 2;
        }
    }
    if (st != TW_OK)
        return cli_fail(&err, st);
    /* every figure rests on converged answers, or the run says it does not */
    for (size_t k = 0; k < g->nplayers; k++) {
        tw_outcome o = tw_enforcement_outcome(&s->e[k]);
        if (o == TW_OUTCOME_STOPPED)
            return CLI_INCOMPLETE;
        if (o != TW_OUTCOME_CONVERGED) {
            cli_error("%s: an equilibrium or best response of the enforcement check did not "
                      "converge (%s)",
                      tw_model_country_code(g->base, g->players[k]), tw_outcome_description(o));
            s->ok = 0;
        }
    }
    for (size_t k = 0; s->min_snap && k < g->nplayers && st == TW_OK; k++) {
        cli_note(&g->ctx, 1, "smallest snapback that deters %s at delta %g",
                 tw_model_country_code(g->base, g->players[k]), s->delta);
        tw_outcome o = TW_OUTCOME_NONE;
        st = tw_min_snapback(g->solver, g->players[k], g->players, g->nplayers, &g->go.best,
                             s->agreement, s->delta, &s->min_snap[k], &o, &err);
        s->optimisations += 16;
        if (st == TW_OK && o == TW_OUTCOME_STOPPED)
            return CLI_INCOMPLETE;
        if (st == TW_OK && o != TW_OUTCOME_CONVERGED) {
            cli_error("%s: smallest snapback: %s", tw_model_country_code(g->base, g->players[k]),
                      err.message);
            s->ok = 0;
        }
    }
    return st == TW_OK ? CLI_OK : cli_fail(&err, st);
}

/* ---- report -------------------------------------------------------------- */

static long player_slot(const game *g, size_t i)
{
    for (size_t k = 0; k < g->nplayers; k++)
        if (g->players[k] == i)
            return (long)k;
    return -1;
}

static int holds_at(const enforce_state *s, const tw_enforcement *e)
{
    return isfinite(e->critical_discount) && s->delta >= e->critical_discount;
}

static json_t *country_json(const enforce_state *s, size_t i)
{
    const game *g = s->g;
    long k = player_slot(g, i);
    json_t *c = json_pack(
        "{s:s, s:s, s:b, s:o, s:o, s:o}", "code", tw_model_country_code(g->base, i), "name",
        tw_model_country_name(g->base, i), "player", k >= 0, "welfare_pct",
        out_json_number(tw_result_country(s->agree_res, TW_C_WELFARE_PCT)[i]), "median_tariff_pct",
        out_json_number(game_median_tariff_pct(g, s->agreement, i)), "punishment_median_tariff_pct",
        s->war && !s->snap ? out_json_number(game_median_tariff_pct(g, s->war, i)) : json_null());
    if (!c || k < 0)
        return c;
    const tw_enforcement *e = &s->e[k];
    json_object_set_new(c, "agreement_welfare_pct",
                        out_json_number(game_pct(e->agreement_welfare)));
    json_object_set_new(c, "deviation_welfare_pct",
                        out_json_number(game_pct(e->deviation_welfare)));
    json_object_set_new(c, "punishment_welfare_pct",
                        out_json_number(game_pct(e->punishment_welfare)));
    json_object_set_new(c, "deviation_gain_pct", out_json_number(100 * e->deviation_gain));
    json_object_set_new(c, "punishment_loss_pct", out_json_number(100 * e->punishment_loss));
    json_object_set_new(c, "critical_discount", out_json_number(e->critical_discount));
    json_object_set_new(c, "enforceable", json_boolean(e->critical_discount < 1));
    json_object_set_new(c, "deviation_outcome", json_string(tw_outcome_name(e->deviation_outcome)));
    json_object_set_new(c, "punishment_outcome",
                        json_string(tw_outcome_name(e->punishment_outcome)));
    if (s->min_snap) {
        json_object_set_new(c, "self_enforcing", json_boolean(holds_at(s, e)));
        json_object_set_new(c, "min_snapback_pct", out_json_number(100 * s->min_snap[k]));
    }
    return c;
}

static json_t *result_json(const enforce_state *s, const game_columns *cols)
{
    const game *g = s->g;
    size_t N = tw_model_countries(g->base);
    json_t *countries = json_array();
    for (size_t i = 0; countries && i < N; i++)
        json_array_append_new(countries, country_json(s, i));
    double crit = 0;
    for (size_t k = 0; k < g->nplayers; k++)
        crit = fmax(crit, s->e[k].critical_discount);
    const char *a = g->a.agreement;
    int talks = strcmp(a, "talks") == 0 || strcmp(a, "cooperative") == 0;
    json_t *agreement = json_pack("{s:s, s:o, s:o}", "source", talks ? a : "scenario", "path",
                                  talks ? json_null() : json_string(a), "critical_discount",
                                  out_json_number(crit));
    json_t *punishment = json_pack("{s:s, s:o, s:o}", "kind", s->snap ? "snapback" : "war",
                                   "snapback", s->snap ? out_json_number(s->snapback) : json_null(),
                                   "war",
                                   s->have_war && !s->snap ? game_war_json(&s->war_run.rep)
                                                           : json_null());
    json_t *solver = json_pack("{s:b, s:i, s:o, s:o}", "converged", s->ok, "iterations",
                               s->optimisations, "residual",
                               out_json_number(tw_result_stats(s->agree_res).residual),
                               "equilibrium", game_stats_json(tw_result_stats(s->agree_res)));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "tradewar", game_header_json(g),
                     "baseline", game_baseline_json(g), "solver", solver, "agreement", agreement,
                     "punishment", punishment, "delta",
                     s->min_snap ? out_json_number(s->delta) : json_null(), "countries", countries,
                     "instruments", game_instruments_json(g, cols));
}

static void countries_csv(FILE *f, void *user)
{
    enforce_state *s = user;
    const game *g = s->g;
    game_csv_provenance(f, g, s->ok);
    fputs("code,name,player,welfare_pct,median_tariff_pct,agreement_welfare_pct,"
          "deviation_welfare_pct,punishment_welfare_pct,deviation_gain_pct,punishment_loss_pct,"
          "critical_discount,self_enforcing,min_snapback_pct\n",
          f);
    for (size_t i = 0; i < tw_model_countries(g->base); i++) {
        long k = player_slot(g, i);
        out_csv_text(f, tw_model_country_code(g->base, i));
        fputc(',', f);
        out_csv_text(f, tw_model_country_name(g->base, i));
        fprintf(f, ",%s", k >= 0 ? "true" : "false");
        out_csv_number(f, tw_result_country(s->agree_res, TW_C_WELFARE_PCT)[i]);
        out_csv_number(f, game_median_tariff_pct(g, s->agreement, i));
        if (k < 0) {
            fputs(",,,,,,,,\n", f);
            continue;
        }
        const tw_enforcement *e = &s->e[k];
        double v[] = {game_pct(e->agreement_welfare),
                      game_pct(e->deviation_welfare),
                      game_pct(e->punishment_welfare),
                      100 * e->deviation_gain,
                      100 * e->punishment_loss,
                      isfinite(e->critical_discount) ? e->critical_discount : NAN};
        for (size_t q = 0; q < sizeof v / sizeof v[0]; q++)
            out_csv_number(f, v[q]);
        fprintf(f, ",%s", s->min_snap ? (holds_at(s, e) ? "true" : "false") : "");
        out_csv_number(f, s->min_snap && isfinite(s->min_snap[k]) ? 100 * s->min_snap[k] : NAN);
        fputc('\n', f);
    }
}

static void table(FILE *f, void *user)
{
    enforce_state *s = user;
    const game *g = s->g;
    char title[200];
    snprintf(title, sizeof title, "Enforcement of the agreement '%s' (punishment: %s)",
             g->sc ? tw_scenario_name(g->sc) : g->a.agreement,
             s->snap ? "snapback tariffs" : "reversion to the trade war");
    game_table_header(f, g, title);
    fprintf(f, "%-8s %11s %11s %11s %10s %10s %10s", "player", "agreement %", "deviation %",
            "punishment %", "gain", "loss", "critical d");
    if (s->min_snap)
        fprintf(f, " %8s %14s", "holds?", "min snapback %");
    fputc('\n', f);
    for (size_t k = 0; k < g->nplayers; k++) {
        const tw_enforcement *e = &s->e[k];
        fprintf(f, "%-8s %11.4f %11.4f %11.4f %10.4f %10.4f",
                tw_model_country_code(g->base, g->players[k]),
                game_tidy(game_pct(e->agreement_welfare)),
                game_tidy(game_pct(e->deviation_welfare)),
                game_tidy(game_pct(e->punishment_welfare)), game_tidy(100 * e->deviation_gain),
                game_tidy(100 * e->punishment_loss));
        if (isfinite(e->critical_discount))
            fprintf(f, " %10.4f", e->critical_discount);
        else
            fprintf(f, " %10s", "never");
        if (s->min_snap) {
            fprintf(f, " %8s", holds_at(s, e) ? "yes" : "no");
            if (isfinite(s->min_snap[k]))
                fprintf(f, " %14.2f", 100 * s->min_snap[k]);
            else
                fprintf(f, " %14s", "none");
        }
        fputc('\n', f);
    }
    fprintf(f, "\nGain and loss are in percentage points of base real income per period; the\n"
               "agreement holds for a player whose discount factor is at least its critical d.\n");
    if (s->min_snap)
        fprintf(f, "Discount factor for 'holds?' and the snapback: %g\n", s->delta);
    fprintf(f, "Computations: %s\n", s->ok ? "all converged" : "SOME DID NOT CONVERGE");
}

/* Stopped (SIGINT, SIGTERM, --time-limit): the agreement's economy for the
 * report, every enforcement figure unknown (NaN), CLI_INCOMPLETE. */
static int incomplete(enforce_state *s)
{
    game *g = s->g;
    tw_error err = {0};
    for (size_t k = 0; k < g->nplayers; k++) {
        tw_enforcement *e = &s->e[k];
        e->agreement_welfare = e->deviation_welfare = e->punishment_welfare = NAN;
        e->deviation_gain = e->punishment_loss = e->critical_discount = NAN;
        if (s->min_snap)
            s->min_snap[k] = NAN;
    }
    s->ok = 0;
    if (!s->agreement || tw_solve(g->solver, s->agreement, s->agree_res, &err) != TW_OK ||
        tw_result_stats(s->agree_res).outcome != TW_OUTCOME_CONVERGED) {
        s->agreement = NULL; /* nothing to report */
        return CLI_INCOMPLETE;
    }
    if (!g->stop_reason)
        game_stopped(g);
    return CLI_INCOMPLETE;
}

static int run(enforce_state *s)
{
    game *g = s->g;
    tw_error err = {0};
    s->snap = g->a.punishment && strcmp(g->a.punishment, "snapback") == 0;
    if (g->a.snapback)
        cli_parse_double(g->a.snapback, &s->snapback);
    if (g->a.delta)
        cli_parse_double(g->a.delta, &s->delta);
    s->e = calloc(g->nplayers, sizeof *s->e);
    s->min_snap = g->a.delta ? calloc(g->nplayers, sizeof *s->min_snap) : NULL;
    s->agree_res = tw_result_create(g->base, NULL);
    if (!s->e || !s->agree_res || (g->a.delta && !s->min_snap))
        return fail_oom();
    int rc = agreement_of(s);
    if (rc == CLI_INCOMPLETE)
        return incomplete(s);
    if (rc != CLI_OK)
        return rc;
    if (!s->agreement) {
        cli_error("the talks produced no agreement");
        return CLI_NO_CONVERGENCE;
    }
    tw_status st = tw_solve(g->solver, s->agreement, s->agree_res, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    if (tw_result_stats(s->agree_res).outcome != TW_OUTCOME_CONVERGED) {
        cli_error("the agreement: %s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    if ((rc = punishment_war(s)) != CLI_OK || (rc = enforcement(s)) != CLI_OK)
        return rc == CLI_INCOMPLETE ? incomplete(s) : rc;
    return s->ok ? CLI_OK : CLI_NO_CONVERGENCE;
}

int cmd_enforce(int argc, char **argv, int first, cli_ctx ctx)
{
    game_args a;
    int rc = game_parse(argc, argv, first, &ctx, &a, G_ENFORCE, "enforce", cmd_enforce_help);
    if (rc != CLI_OK)
        return rc;
    game g;
    enforce_state s;
    memset(&s, 0, sizeof s);
    s.g = &g;
    rc = game_setup(&g, &a, &ctx);
    if (rc == CLI_OK)
        rc = run(&s);
    if (rc == CLI_OK ||
        ((rc == CLI_NO_CONVERGENCE || rc == CLI_INCOMPLETE) && s.agreement && s.e)) {
        game_columns cols = {1, {"rate"}, {s.agreement}};
        game_report r = {result_json(&s, &cols), countries_csv, table, &cols, &s};
        rc = game_finish(&g, &r, rc);
    }
    tw_policy_free(s.own_war);
    tw_result_free(s.own_war_res);
    game_talks_free(&s.t);
    free(s.e);
    free(s.min_snap);
    tw_result_free(s.agree_res);
    game_free(&g);
    return rc;
}
