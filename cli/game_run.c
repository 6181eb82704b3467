/* game_run.c - running the strategic commands: progress lines, stops on
 * SIGINT, SIGTERM or --time-limit, checkpoints and resuming, and the calls of
 * the library's strategic layer (tw_optimal, tw_war; talks in
 * cli/cmd_talks.c). cli/game.h. */
#include "game.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- progress, signals and the time limit --------------------------------- */

/* The signal that asked the strategic command to stop (0: none). The one
 * global of the strategic commands: a signal handler can set nothing else. */
static volatile sig_atomic_t game_signal;

static void on_signal(int sig) { game_signal = sig; }

static int game_progress(void *user, const tw_progress *p);

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void game_run_start(game *g)
{
    g->t_start = g->t_note = mono_now();
    install_signals();
    g->go.best.progress = game_progress;
    g->go.best.progress_user = g;
}

/* "12 s", "3.5 min", "1.2 h" */
static const char *duration(double s, char *buf, size_t n)
{
    if (s < 90)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 5400)
        snprintf(buf, n, "%.1f min", s / 60);
    else
        snprintf(buf, n, "%.1f h", s / 3600);
    return buf;
}

/* What a progress line calls the work: the command's label, or the
 * library's stage in the program's words. */
static const char *progress_label(game *g, const tw_progress *p)
{
    static const char *const words[][2] = {{"optimise", "optimum"},
                                           {"cooperate", "cooperation"},
                                           {"equal gains", "cooperation"},
                                           {"bargain", "bargaining"}};
    if (p->phase)
        g->phase_mfn = strcmp(p->phase, "mfn") == 0;
    if (p->phase && g->label_mfn)
        return g->phase_mfn ? g->label_mfn : g->label_bilateral;
    if (g->stage_label)
        return g->stage_label;
    if (strcmp(p->stage, "war") == 0)
        return g->go.best.mfn ? "MFN war" : "war";
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strcmp(p->stage, words[k][0]) == 0)
            return words[k][1];
    return p->stage;
}

/* The library's progress callback: a line on stderr at most every 2 s (not
 * with -q), and a stop on a signal or past the time limit. */
static int game_progress(void *user, const tw_progress *p)
{
    game *g = user;
    double now = mono_now();
    if (game_signal && !g->stop_reason)
        g->stop_reason = game_signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)";
    if (g->time_limit > 0 && now - g->t_start >= g->time_limit && !g->stop_reason)
        g->stop_reason = "time limit reached (--time-limit)";
    if (g->stop_reason)
        return 1;
    const char *label = progress_label(g, p);
    if (g->ctx.verbosity >= 1 && now - g->t_note >= 2) {
        char b1[32], b2[32], left[64] = "";
        g->t_note = now;
        if (p->seconds_left >= 0 && p->seconds_left <= 20 * p->seconds + 60)
            /* an estimate far beyond the time spent is noise of the first rounds */
            snprintf(left, sizeof left, ", about %s left",
                     duration(p->seconds_left, b2, sizeof b2));
        char round[32] = "";
        if (p->round > 0)
            snprintf(round, sizeof round, "round %d, ", p->round);
        if (isnan(p->best))
            cli_note(&g->ctx, 1, "%s: %s%ld evaluations, %s%s", label, round, p->evaluations,
                     duration(p->seconds, b1, sizeof b1), left);
        else
            cli_note(&g->ctx, 1, "%s: %s%ld evaluations, best %.6g, %s%s", label, round,
                     p->evaluations, p->best, duration(p->seconds, b1, sizeof b1), left);
    }
    return 0;
}

int game_stopped(game *g)
{
    if (!g->stop_reason)
        g->stop_reason = "stopped";
    cli_error("%s: writing what was computed, marked incomplete", g->stop_reason);
    return CLI_INCOMPLETE;
}

/* ---- checkpoints ----------------------------------------------------------- */

static json_t *policy_json(const tw_policy *p, size_t N, size_t J)
{
    json_t *t = json_array(), *e = json_array(), *sub = json_array();
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                json_array_append_new(t, json_real(tw_policy_tariff(p, i, n, j)));
                json_array_append_new(e, json_real(tw_policy_export_tax(p, i, n, j)));
            }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++)
            json_array_append_new(sub, json_real(tw_policy_subsidy(p, i, j)));
    return json_pack("{s:o, s:o, s:o}", "tariffs", t, "export_taxes", e, "subsidies", sub);
}

/* 0, or -1 when the arrays do not fit the model. */
static int policy_from_json(const json_t *pj, tw_policy *p, size_t N, size_t J)
{
    const json_t *t = json_object_get(pj, "tariffs"), *e = json_object_get(pj, "export_taxes"),
                 *sub = json_object_get(pj, "subsidies");
    if (json_array_size(t) != N * N * J || json_array_size(e) != N * N * J ||
        json_array_size(sub) != N * J)
        return -1;
    size_t x = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++, x++)
                if (i != n) {
                    tw_policy_set_tariff(p, i, n, j, json_number_value(json_array_get(t, x)));
                    tw_policy_set_export_tax(p, i, n, j, json_number_value(json_array_get(e, x)));
                }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++)
            tw_policy_set_subsidy(p, i, j, json_number_value(json_array_get(sub, i * J + j)));
    return 0;
}

/* What must agree for a checkpoint to be resumed: the command, the data,
 * the scenario and every option (not --time-limit, not --output). */
json_t *game_fingerprint(const game *g)
{
    json_t *h = game_header_json(g);
    if (!h)
        return NULL;
    json_object_del(h, "version");
    json_object_del(h, "data");
    if (g->a.agreement)
        json_object_set_new(h, "agreement", json_string(g->a.agreement));
    return h;
}

void game_checkpoint(game *g, const char *name, const char *phase, const tw_policy *p)
{
    if (!g->a.output)
        return;
    if (!g->checkpoint)
        g->checkpoint = json_object();
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    json_t *st = json_pack("{s:s, s:o}", "phase", phase, "policy", policy_json(p, N, J));
    if (g->checkpoint && st)
        json_object_set_new(g->checkpoint, name, st);
}

const char *game_resume(game *g, const char *name, tw_policy *p)
{
    const json_t *st = g->resume ? json_object_get(g->resume, name) : NULL;
    const char *phase = st ? json_string_value(json_object_get(st, "phase")) : NULL;
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    if (!phase || policy_from_json(json_object_get(st, "policy"), p, N, J) != 0)
        return NULL;
    cli_note(&g->ctx, 1, "resuming the %s (%s) from %s/checkpoint.json", name, phase, g->a.output);
    return phase;
}

/* Read OUTPUT/checkpoint.json when it was written by a run with the same options. */
void game_load_resume(game *g)
{
    if (!g->a.output)
        return;
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoint.json", g->a.output);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        return;
    json_t *fp = game_fingerprint(g);
    if (fp && json_equal(fp, json_object_get(j, "fingerprint"))) {
        g->resume = json_incref(json_object_get(j, "stages"));
    } else {
        cli_note(&g->ctx, 1, "%s: made with other options or data: not resumed (starting over)",
                 path);
    }
    json_decref(fp);
    json_decref(j);
}

/* ---- procedures ---------------------------------------------------------- */

static const char *country_code(const game *g, size_t i)
{
    return tw_model_country_code(g->base, i);
}

/* Progress labels while a warmed-up call runs: the MFN phase's and the second's. */
static void phase_labels(game *g, const char *mfn, const char *bilateral)
{
    g->label_mfn = mfn;
    g->label_bilateral = bilateral;
    g->phase_mfn = 0;
}

int game_best_response(game *g, size_t country, tw_policy *policy, tw_result *res,
                       game_opt_run *run)
{
    tw_error err = {0};
    memset(run, 0, sizeof *run);
    const char *ph = game_resume(g, "optimum", policy);
    int warmup = g->warmup && !(ph && strcmp(ph, "bilateral") == 0);
    g->stage_label = "optimum";
    phase_labels(g, "MFN warm-up", "optimum");
    tw_status st = tw_optimal(g->solver, country, &g->go.best, warmup, policy, res, &run->rep,
                              &run->warm, &err);
    g->stage_label = NULL;
    phase_labels(g, NULL, NULL);
    if (st != TW_OK)
        return cli_fail(&err, st);
    run->warmed = run->warm.outcome != TW_OUTCOME_NONE;
    if (run->warm.outcome == TW_OUTCOME_STOPPED) {
        game_checkpoint(g, "optimum", "mfn", policy);
        return game_stopped(g);
    }
    if (run->warmed && run->warm.outcome != TW_OUTCOME_CONVERGED)
        cli_note(&g->ctx, 1, "%s: the MFN warm-up did not converge (%s); went on",
                 country_code(g, country), tw_outcome_description(run->warm.outcome));
    if (run->warmed)
        cli_note(&g->ctx, 2, "%s: MFN warm-up: %ld evaluations, %.3g s", country_code(g, country),
                 run->warm.evaluations, run->warm.seconds);
    game_checkpoint(g, "optimum", "bilateral", policy);
    if (run->rep.outcome == TW_OUTCOME_STOPPED)
        return game_stopped(g);
    if (run->rep.outcome != TW_OUTCOME_CONVERGED) {
        cli_error("%s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    return CLI_OK;
}

static void war_progress(void *user, int round, double change)
{
    const game *g = user;
    const char *label = g->label_mfn && g->phase_mfn ? g->label_mfn
                        : g->go.best.mfn             ? "MFN war"
                                                     : "war";
    cli_note(&g->ctx, 1, "%s: round %d, largest rate change %.3g", label, round, change);
}

void game_war_progress(game *g, tw_game_options *go)
{
    if (go) {
        go->progress = war_progress;
        go->progress_user = g;
        phase_labels(g, "MFN war", "war");
    } else {
        phase_labels(g, NULL, NULL);
    }
}

int game_war(game *g, tw_policy *policy, tw_result *res, game_war_run *run)
{
    tw_error err = {0};
    tw_game_options go = g->go;
    memset(run, 0, sizeof *run);
    go.progress = war_progress;
    go.progress_user = g;
    const char *ph = game_resume(g, "war", policy);
    int warmup = g->warmup && !(ph && strcmp(ph, "bilateral") == 0);
    phase_labels(g, "MFN war", "war");
    tw_status st = tw_war(g->base, &g->so, g->players, g->nplayers, &go, warmup, policy, res,
                          &run->rep, &run->warm, &err);
    g->stage_label = NULL;
    phase_labels(g, NULL, NULL);
    if (st != TW_OK)
        return cli_fail(&err, st);
    run->warmed = run->warm.outcome != TW_OUTCOME_NONE;
    if (run->warm.outcome == TW_OUTCOME_STOPPED) {
        game_checkpoint(g, "war", "mfn", policy);
        return game_stopped(g);
    }
    if (run->warmed && run->warm.outcome != TW_OUTCOME_CONVERGED)
        cli_note(&g->ctx, 1, "the MFN war did not settle (%s); went on",
                 tw_outcome_description(run->warm.outcome));
    game_checkpoint(g, "war", "bilateral", policy);
    if (run->rep.outcome == TW_OUTCOME_STOPPED)
        return game_stopped(g);
    cli_note(&g->ctx, 2, "war: %d rounds, %ld equilibria, %.3g s", run->rep.rounds,
             run->rep.evaluations, run->rep.seconds);
    if (run->rep.outcome != TW_OUTCOME_CONVERGED) {
        cli_error("%s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    return CLI_OK;
}
