/*
 * talks.c - trade talks as the program runs them: the status quo, the war as
 * threat point (with its MFN warm-up), the cooperative outcome by a rule, and
 * Nash bargaining over the war with the search for a start that beats it
 * for every player. Each stage is a call of game.c; this file orders them,
 * keeps their policies and results, and reports how each ended.
 */
#include "internal.h"
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TW_REWEIGHT_TRIES 16 /* cooperative outcomes tried as bargaining starts */

struct tw_talks {
    tw_solver *s; /* borrowed */
    const tw_model *m;
    tw_solver_options so;
    size_t *players, n;
    tw_policy *p[TW_TALKS_STAGES];
    tw_result *r[TW_TALKS_STAGES];
    int resumed[TW_TALKS_STAGES]; /* 1: the stage starts from its policy as set */
    int war_warmed_up;            /* resumed war: its MFN war is done */
    int reached[TW_TALKS_STAGES];
};

void tw_talks_options_default(tw_talks_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    tw_game_options_default(&o->game);
    o->warmup = 1;
    o->cooperation = TW_COOPERATION_WEIGHTED;
    o->bargain = 1;
}

void tw_talks_free(tw_talks *t)
{
    if (!t)
        return;
    for (int k = 0; k < TW_TALKS_STAGES; k++) {
        tw_policy_free(t->p[k]);
        tw_result_free(t->r[k]);
    }
    free(t->players);
    free(t);
}

tw_talks *tw_talks_create(tw_solver *s, const tw_solver_options *so, const size_t *players,
                          size_t n_players, const tw_policy *status_quo, tw_error *err)
{
    if (!s || !players || n_players == 0 || !status_quo || status_quo->N != s->N) {
        tw_fail(err, TW_ERR_INVALID, "tw_talks_create: bad arguments");
        return NULL;
    }
    for (size_t k = 0; k < n_players; k++)
        if (players[k] >= s->N) {
            tw_fail(err, TW_ERR_INVALID, "player index %zu out of range", players[k]);
            return NULL;
        }
    tw_talks *t = calloc(1, sizeof *t);
    if (t)
        t->players = tw_calloc(n_players, sizeof *t->players);
    int ok = t && t->players;
    for (int k = 0; ok && k < TW_TALKS_STAGES; k++)
        ok = (t->p[k] = tw_policy_clone(status_quo, NULL)) &&
             (t->r[k] = tw_result_create(s->m, NULL));
    if (!ok) {
        tw_talks_free(t);
        tw_fail(err, TW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    t->s = s;
    t->m = s->m;
    if (so)
        t->so = *so;
    else
        tw_solver_options_default(&t->so);
    memcpy(t->players, players, n_players * sizeof *players);
    t->n = n_players;
    return t;
}

tw_status tw_talks_resume(tw_talks *t, tw_talks_stage stage, const tw_policy *p, int warmed_up,
                          tw_error *err)
{
    if (!t || !p || p->N != t->s->N || stage <= TW_TALKS_STATUS_QUO || stage >= TW_TALKS_STAGES)
        return tw_fail(err, TW_ERR_INVALID, "tw_talks_resume: bad arguments");
    tw__policy_copy(t->p[stage], p);
    t->resumed[stage] = 1;
    if (stage == TW_TALKS_WAR)
        t->war_warmed_up = warmed_up != 0;
    return TW_OK;
}

const tw_policy *tw_talks_policy(const tw_talks *t, tw_talks_stage stage)
{
    return t && stage >= 0 && stage < TW_TALKS_STAGES && t->reached[stage] ? t->p[stage] : NULL;
}

const tw_result *tw_talks_result(const tw_talks *t, tw_talks_stage stage)
{
    return t && stage >= 0 && stage < TW_TALKS_STAGES && t->reached[stage] ? t->r[stage] : NULL;
}

static double welfare_hat(const tw_result *r, size_t i)
{
    return 1 + tw_result_country(r, TW_C_WELFARE_PCT)[i] / 100;
}

/* 1 when `r` gives every player more than its threat. */
static int beats(const tw_talks *t, const tw_result *r, const double *threat)
{
    for (size_t k = 0; k < t->n; k++)
        if (!(welfare_hat(r, t->players[k]) > threat[k] + 1e-9))
            return 0;
    return 1;
}

/* Rates of `a` + lambda (`b` - `a`) on every tariff, export tax and subsidy into `out`. */
static void blend(tw_policy *out, const tw_policy *a, const tw_policy *b, double lambda)
{
    size_t N = out->N, J = out->J;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            for (size_t n = 0; n < N; n++) {
                double ta = tw_policy_tariff(a, i, n, j), tb = tw_policy_tariff(b, i, n, j);
                double ea = tw_policy_export_tax(a, i, n, j), eb = tw_policy_export_tax(b, i, n, j);
                if (i != n) {
                    tw_policy_set_tariff(out, i, n, j, ta + lambda * (tb - ta));
                    tw_policy_set_export_tax(out, i, n, j, ea + lambda * (eb - ea));
                }
            }
            double sa = tw_policy_subsidy(a, i, j), sb = tw_policy_subsidy(b, i, j);
            tw_policy_set_subsidy(out, i, j, sa + lambda * (sb - sa));
        }
}

/* A point on the segment from `a` to `b` that beats the threat, into `out`. */
static int blend_beats(tw_talks *t, const tw_policy *a, const tw_policy *b, const double *threat,
                       tw_policy *out, tw_result *r)
{
    static const double lambdas[] = {0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875};
    for (size_t q = 0; q < sizeof lambdas / sizeof lambdas[0]; q++) {
        blend(out, a, b, lambdas[q]);
        if (tw_solve(t->s, out, r, NULL) == TW_OK &&
            tw_result_stats(r).outcome == TW_OUTCOME_CONVERGED && beats(t, r, threat))
            return 1;
    }
    return 0;
}

/*
 * A start for bargaining when neither the status quo nor the cooperative
 * outcome beats the war for everyone: cooperative outcomes with the weights
 * of the players left below their threat raised by a quarter, up to
 * TW_REWEIGHT_TRIES times (weighted optima trace the Pareto frontier), and
 * blends of successive ones (where the frontier has kinks and the weighted
 * optima jump between corners). Into `start`: 1 found, 0 none, -1 out of
 * memory; *stopped when a user stop ended the search.
 */
static int reweighted_start(tw_talks *t, const tw_talks_options *o, const double *threat,
                            tw_policy *start, int *stopped)
{
    double *w = tw_calloc(t->n, sizeof *w);
    tw_policy *p = tw_policy_clone(t->p[TW_TALKS_COOPERATIVE], NULL);
    tw_policy *prev = tw_policy_clone(t->p[TW_TALKS_COOPERATIVE], NULL);
    tw_policy *mix = tw_policy_clone(t->p[TW_TALKS_COOPERATIVE], NULL);
    tw_result *r = tw_result_create(t->m, NULL), *rm = tw_result_create(t->m, NULL);
    int ok = 0;
    *stopped = 0;
    if (!w || !p || !prev || !mix || !r || !rm)
        ok = -1;
    for (size_t k = 0; ok == 0 && k < t->n; k++)
        w[k] = o->weights ? o->weights[k] : 1.0;
    for (int tries = 0; ok == 0 && tries < TW_REWEIGHT_TRIES; tries++) {
        const tw_result *last = tries == 0 ? t->r[TW_TALKS_COOPERATIVE] : r;
        for (size_t k = 0; k < t->n; k++)
            if (!(welfare_hat(last, t->players[k]) > threat[k] + 1e-9))
                w[k] *= 1.25;
        tw_optimal_report rep;
        tw_status st = tw_cooperate(t->s, t->players, t->n, w, &o->game.best, p, r, &rep, NULL);
        /* a cooperative optimum short of convergence may still be a start */
        *stopped = st == TW_OK && rep.outcome == TW_OUTCOME_STOPPED;
        if (st != TW_OK || *stopped || rep.outcome == TW_OUTCOME_INNER_NOT_CONVERGED)
            break;
        if (beats(t, r, threat)) {
            tw__policy_copy(start, p);
            ok = 1;
        } else if (blend_beats(t, prev, p, threat, mix, rm) ||
                   blend_beats(t, t->p[TW_TALKS_STATUS_QUO], p, threat, mix, rm)) {
            tw__policy_copy(start, mix);
            ok = 1;
        }
        tw__policy_copy(prev, p);
    }
    free(w);
    tw_result_free(r);
    tw_result_free(rm);
    tw_policy_free(p);
    tw_policy_free(prev);
    tw_policy_free(mix);
    return ok;
}

/* The cooperative outcome under the rule, from the status quo (or its resumed start). */
static tw_status cooperate(tw_talks *t, const tw_talks_options *o, tw_talks_report *rep,
                           tw_error *err)
{
    tw_policy *p = t->p[TW_TALKS_COOPERATIVE];
    tw_result *r = t->r[TW_TALKS_COOPERATIVE];
    if (o->cooperation == TW_COOPERATION_WEIGHTED)
        return tw_cooperate(t->s, t->players, t->n, o->weights, &o->game.best, p, r,
                            &rep->cooperative, err);
    double *ref = NULL;
    if (o->cooperation == TW_COOPERATION_EQUAL_GAINS_OVER_WAR) {
        if (!(ref = tw_calloc(t->n, sizeof *ref)))
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < t->n; k++)
            ref[k] = welfare_hat(t->r[TW_TALKS_WAR], t->players[k]);
    }
    tw_status st = tw_cooperate_equal(t->s, t->players, t->n, ref, &o->game.best, p, r,
                                      &rep->cooperative, err);
    free(ref);
    return st;
}

/* Nash bargaining over the war from the first start that beats it. */
static tw_status bargain(tw_talks *t, const tw_talks_options *o, tw_talks_report *rep,
                         tw_error *err)
{
    tw_policy *p = t->p[TW_TALKS_BARGAIN];
    double *threat = tw_calloc(t->n, sizeof *threat);
    if (!threat)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < t->n; k++)
        threat[k] = welfare_hat(t->r[TW_TALKS_WAR], t->players[k]);
    int stopped = 0, found = 1;
    if (t->resumed[TW_TALKS_BARGAIN]) {
        rep->bargain_start = "given";
    } else if (beats(t, t->r[TW_TALKS_STATUS_QUO], threat)) {
        tw__policy_copy(p, t->p[TW_TALKS_STATUS_QUO]);
        rep->bargain_start = "status quo";
    } else if (rep->cooperative.outcome == TW_OUTCOME_CONVERGED &&
               beats(t, t->r[TW_TALKS_COOPERATIVE], threat)) {
        tw__policy_copy(p, t->p[TW_TALKS_COOPERATIVE]);
        rep->bargain_start = "cooperative";
    } else if ((found = reweighted_start(t, o, threat, p, &stopped)) == 1) {
        rep->bargain_start = "reweighted cooperative";
    }
    tw_status st = TW_OK;
    if (found < 0) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    } else if (stopped) {
        rep->outcome = TW_OUTCOME_STOPPED;
        tw_fail(err, TW_OK,
                "stopped at the caller's request while looking for a bargaining "
                "start");
    } else if (!found) {
        rep->outcome = TW_OUTCOME_INFEASIBLE;
        tw_fail(err, TW_OK,
                "no bargaining: no policy found that gives every player more than "
                "the war (tried the status quo and cooperative outcomes with %d "
                "sets of weights)",
                TW_REWEIGHT_TRIES + 1);
    } else {
        st = tw_bargain(t->s, t->players, t->n, threat, &o->game.best, p, t->r[TW_TALKS_BARGAIN],
                        &rep->bargain, err);
        t->reached[TW_TALKS_BARGAIN] = st == TW_OK;
    }
    free(threat);
    return st;
}

/* The whole's outcome after a stage: a stop or no agreement ends the talks;
 * otherwise the first stage that did not converge. */
static int stage_done(tw_talks_report *rep, tw_talks_stage stage, tw_outcome o)
{
    rep->stage = stage;
    if (o == TW_OUTCOME_STOPPED || o == TW_OUTCOME_INFEASIBLE) {
        rep->outcome = o;
        return 0;
    }
    if (o != TW_OUTCOME_CONVERGED && rep->outcome == TW_OUTCOME_CONVERGED)
        rep->outcome = o;
    return 1;
}

static tw_status run(tw_talks *t, const tw_talks_options *o, tw_talks_report *rep, tw_error *err)
{
    rep->outcome = TW_OUTCOME_CONVERGED;
    /* the status quo */
    tw_status st = tw_solve(t->s, t->p[TW_TALKS_STATUS_QUO], t->r[TW_TALKS_STATUS_QUO], err);
    if (st != TW_OK)
        return st;
    t->reached[TW_TALKS_STATUS_QUO] = 1;
    rep->status_quo = tw_result_stats(t->r[TW_TALKS_STATUS_QUO]).outcome;
    if (rep->status_quo != TW_OUTCOME_CONVERGED) {
        rep->outcome = rep->status_quo;
        return TW_OK;
    }
    /* the war */
    int warmup = o->warmup && !(t->resumed[TW_TALKS_WAR] && t->war_warmed_up);
    st = tw_war(t->m, &t->so, t->players, t->n, &o->game, warmup, t->p[TW_TALKS_WAR],
                t->r[TW_TALKS_WAR], &rep->war, &rep->war_warmup, err);
    if (st != TW_OK)
        return st;
    t->reached[TW_TALKS_WAR] = 1;
    if (!stage_done(rep, TW_TALKS_WAR, rep->war.outcome))
        return TW_OK;
    /* cooperation */
    st = cooperate(t, o, rep, err);
    if (st != TW_OK)
        return st;
    t->reached[TW_TALKS_COOPERATIVE] = 1;
    if (!stage_done(rep, TW_TALKS_COOPERATIVE, rep->cooperative.outcome) || !o->bargain)
        return TW_OK;
    /* bargaining */
    tw_outcome before = rep->outcome;
    rep->outcome = TW_OUTCOME_CONVERGED;
    st = bargain(t, o, rep, err);
    if (st != TW_OK)
        return st;
    tw_outcome found = rep->outcome; /* STOPPED or INFEASIBLE when no bargain was made */
    rep->outcome = before;
    stage_done(rep, TW_TALKS_BARGAIN, t->reached[TW_TALKS_BARGAIN] ? rep->bargain.outcome : found);
    return TW_OK;
}

tw_status tw_talks_run(tw_talks *t, const tw_talks_options *o, tw_talks_report *rep, tw_error *err)
{
    tw_talks_options def;
    tw_talks_report local;
    if (!o) {
        tw_talks_options_default(&def);
        o = &def;
    }
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    if (!t)
        return tw_fail(err, TW_ERR_INVALID, "tw_talks_run: no talks");
    if (o->cooperation == TW_COOPERATION_WEIGHTED && o->weights)
        for (size_t k = 0; k < t->n; k++)
            if (!(o->weights[k] > 0 && isfinite(o->weights[k])))
                return tw_fail(err, TW_ERR_INVALID,
                               "talks: weight %g of player %zu is not a "
                               "positive number",
                               o->weights[k], k);
    memset(t->reached, 0, sizeof t->reached);
    tw_status st = run(t, o, rep, err);
    memcpy(rep->reached, t->reached, sizeof rep->reached);
    return st;
}
