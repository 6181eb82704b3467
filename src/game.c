/*
 * game.c - the strategic layer: governments' optimal policies (best
 * responses), the Nash equilibrium of a trade war, cooperative and Nash-
 * bargaining outcomes of trade talks, and whether an agreement enforces
 * itself (Ossa 2014; Bagwell and Staiger 1999).
 *
 * Every optimisation is over a set of policy instruments (gradient.c) with
 * NLopt's SLSQP, fed by adjoint gradients; each objective evaluation solves
 * the equilibrium warm-started from the previous one.
 */
#include "game_internal.h"

#include <math.h>
#include <nlopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void tw_optimal_options_default(tw_optimal_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->instruments = TW_INSTRUMENT_IMPORT_TARIFFS;
    o->mfn = 0;
    o->lower = 0.0;
    o->upper = 10.0;
    o->xtol_rel = 1e-8;
    o->ftol_rel = 1e-13;
    o->gtol = 1e-5;
    o->max_eval = 0; /* automatic: 1000 + 3 per instrument */
}

void tw_game_options_default(tw_game_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    tw_optimal_options_default(&o->best);
    o->tol = 1e-6;
    o->max_rounds = 100;
    o->threads = 1;
}

static const tw_optimal_options *opts_or_default(const tw_optimal_options *o,
                                                 tw_optimal_options *buf)
{
    if (o)
        return o;
    tw_optimal_options_default(buf);
    return buf;
}

size_t tw_optimal_variables(const tw_model *m, size_t country, const tw_optimal_options *o)
{
    tw_optimal_options def;
    if (!m || country >= m->N)
        return 0;
    tw_instruments *ins = tw__instruments_create(m, country, opts_or_default(o, &def));
    size_t k = ins ? ins->nvars : 0;
    tw__instruments_free(ins);
    return k;
}

/* ---- one optimisation ----------------------------------------------------- */

typedef struct {
    tw_solver *s;
    tw_policy *p;
    tw_result *res;
    const tw_instruments *ins;
    tw_gradient_ws *g;
    double *weights;        /* N: the weight of each country's welfare in the objective */
    double *values, *grads; /* nobj, nobj*K */
    double *cache_x;        /* x of the cached values and gradients */
    double weight_sum;      /* weighted: sum of the weights (the objective at no change) */
    /* bargaining: maximise sum_k flog(W_k - threat_k) instead of a fixed weighted sum */
    const size_t *players;
    size_t nplayers;
    const double *threat;
    double nash; /* the Nash product's log at the cached point */
    int cached;
    long evals;
    tw_status failure; /* a call error (out of memory, ...): the call fails */
    tw_outcome halt;   /* why the optimisation ended early (TW_OUTCOME_NONE: it did
                                 not): a user stop, an equilibrium or gradient that failed */
    tw_error *err;
    nlopt_opt opt;
    /* equal gains (Ossa's rule): one objective row per player */
    size_t nobj;
    const double *ref; /* nplayers reference welfare hats (the factual: 1) */
    /* progress */
    const tw_optimal_options *o;
    const char *stage;
    const char *phase; /* tw_progress.phase */
    double t0, best, pg0;
    long evals0;
    const double *lb, *ub; /* the box (for the projected gradient) */
    double *stop_x;        /* where the projected gradient fell below gtol */
    int pg_stop;
} opt_ctx;

/* log(s), continued below s = eps by its second-order Taylor expansion, so
 * the Nash product is finite and smooth everywhere and an optimiser started
 * below a threat point is pulled back above it. Returns the value; *deriv
 * receives the derivative. */
#define TW_BARGAIN_EPS 1e-5
static double smooth_log(double s, double *deriv)
{
    const double e = TW_BARGAIN_EPS;
    if (s >= e) {
        *deriv = 1 / s;
        return log(s);
    }
    double d = s - e;
    *deriv = 1 / e - d / (e * e);
    return log(e) + d / e - d * d / (2 * e * e);
}

/* The objective in the units tw_progress documents, at the cached point. */
static double objective_now(const opt_ctx *c)
{
    if (c->threat)
        return c->nash;
    if (c->nobj > 1) { /* equal gains: the smallest gain over the reference, the
                          gain every player has (the common gain at a solution) */
        double g = INFINITY;
        for (size_t k = 0; k < c->nplayers; k++)
            g = fmin(g, c->values[k] - c->ref[k]);
        return 100 * g;
    }
    return 100 * (c->values[0] - c->weight_sum);
}

/* The largest entry of the projected gradient of a bound-constrained
 * maximum at x (percentage points per unit of rate; for the Nash product
 * divided by the mean of its weights). */
static double projected_gradient(const opt_ctx *c, const double *x, const double *lb,
                                 const double *ub)
{
    double pg = 0, scale = 100;
    if (c->threat) {
        double csum = 0;
        for (size_t k = 0; k < c->nplayers; k++)
            csum += c->weights[c->players[k]];
        scale = csum > 0 ? 100 * (double)c->nplayers / csum : 100;
    }
    for (size_t k = 0; k < c->ins->nvars; k++) {
        double g = scale * c->grads[k];
        if ((lb && x[k] <= lb[k] && g < 0) || (ub && x[k] >= ub[k] && g > 0))
            g = 0;
        pg = fmax(pg, fabs(g));
    }
    return pg;
}

/* Time left from the rate at which log(pg) has been falling towards log(gtol). */
static double time_left(double t, long evals, double pg0, double pg, double gtol)
{
    if (!(pg0 > 0 && pg > 0 && gtol > 0) || pg >= pg0 || evals < 3)
        return NAN;
    if (pg <= gtol)
        return 0;
    return t * log(pg / gtol) / log(pg0 / pg);
}

/* Call the progress callback (if any) after an evaluation with a gradient. */
static void report_progress(opt_ctx *c)
{
    if (!c->o || !c->o->progress || c->failure != TW_OK || c->halt != TW_OUTCOME_NONE)
        return;
    double obj = objective_now(c);
    c->best = c->evals - c->evals0 <= 1 ? obj : fmax(c->best, obj);
    double t = tw_now() - c->t0, left = NAN;
    if (c->nobj <= 1) {
        double pg = projected_gradient(c, c->cache_x, c->lb, c->ub);
        if (c->pg0 == 0)
            c->pg0 = pg;
        left = time_left(t, c->evals - c->evals0, c->pg0, pg, c->o->gtol);
    }
    tw_progress p = {c->stage, 0, c->evals, c->best, t, left, c->phase};
    if (c->o->progress(c->o->progress_user, &p) != 0) {
        c->halt = TW_OUTCOME_STOPPED;
        tw_fail(c->err, TW_OK, "%s: stopped at the caller's request", c->stage);
        nlopt_force_stop(c->opt);
    }
}

/* Solve the equilibrium at x and compute objective rows (and their gradients
 * when need_grad). Returns 0, or -1 after recording a failure. */
static int evaluate_at(opt_ctx *c, const double *x, int need_grad)
{
    size_t K = c->ins->nvars, N = c->s->N;
    if (c->cached && (!need_grad || c->cached == 2) && memcmp(x, c->cache_x, K * sizeof *x) == 0)
        return 0;
    if (c->failure != TW_OK || c->halt != TW_OUTCOME_NONE)
        return -1;
    tw__instruments_set(c->ins, c->p, x);
    tw_error e = {TW_OK, ""};
    tw_status st = tw_solve(c->s, c->p, c->res, &e);
    c->evals++;
    if (st != TW_OK || tw_result_stats(c->res).outcome != TW_OUTCOME_CONVERGED) {
        if (st != TW_OK)
            c->failure = st;
        else
            c->halt = TW_OUTCOME_INNER_NOT_CONVERGED;
        if (c->err)
            *c->err = e;
        nlopt_force_stop(c->opt);
        return -1;
    }
    tw_solver_set_start(c->s, c->res);
    size_t nobj = c->nobj ? c->nobj : 1;
    if (c->threat) {
        /* the Nash product's gradient is sum_k flog'(slack_k) grad W_k: a
         * weighted sum whose weights are fixed at this point */
        const double *wp = tw_result_country(c->res, TW_C_WELFARE_PCT);
        c->nash = 0;
        memset(c->weights, 0, N * sizeof(double));
        for (size_t k = 0; k < c->nplayers; k++) {
            double slack = 1 + wp[c->players[k]] / 100 - c->threat[k];
            c->nash += smooth_log(slack, &c->weights[c->players[k]]);
        }
    }
    if (need_grad) {
        st = tw__gradient(c->s, c->p, c->ins, c->weights, nobj, c->g, c->res->u, c->values,
                          c->grads);
        if (st != TW_OK) {
            if (st == TW_ERR_NUMERICAL) {
                c->halt = TW_OUTCOME_SOLVER_FAILED;
                tw_fail(c->err, TW_OK,
                        "the welfare gradient failed (singular equilibrium Jacobian)");
            } else {
                c->failure = st;
                tw_fail(c->err, st, "the welfare gradient failed");
            }
            nlopt_force_stop(c->opt);
            return -1;
        }
    } else {
        for (size_t q = 0; q < nobj; q++)
            c->values[q] = tw__objective_at(c->s, c->res->u, c->weights + q * N, c->g->income0);
    }
    memcpy(c->cache_x, x, K * sizeof *x);
    c->cached = need_grad ? 2 : 1;
    if (need_grad && c->nobj <= 1 && c->lb && c->o && c->stop_x &&
        projected_gradient(c, x, c->lb, c->ub) <= c->o->gtol) {
        /* first-order optimal within gtol: stop here rather than polish the
         * optimum on tolerances the welfare figures cannot show */
        memcpy(c->stop_x, x, K * sizeof *x);
        c->pg_stop = 1;
        nlopt_force_stop(c->opt);
    }
    if (need_grad)
        report_progress(c);
    return 0;
}

static double nl_objective(unsigned n, const double *x, double *grad, void *data)
{
    opt_ctx *c = data;
    if (evaluate_at(c, x, grad != NULL) != 0)
        return -HUGE_VAL;
    if (c->threat) {
        if (grad)
            memcpy(grad, c->grads, n * sizeof *grad);
        return c->nash;
    }
    /* in percentage points of welfare: NLopt's relative tolerances then
     * apply to the change, not to a level near 1 */
    if (grad)
        for (unsigned k = 0; k < n; k++)
            grad[k] = 100 * c->grads[k];
    return 100 * (c->values[0] - c->weight_sum);
}

static int nlopt_converged(nlopt_result r)
{
    return r == NLOPT_SUCCESS || r == NLOPT_STOPVAL_REACHED || r == NLOPT_FTOL_REACHED ||
           r == NLOPT_XTOL_REACHED;
}

/* NLopt's result as an outcome when the optimiser did not converge (its raw
 * code never leaves the library). */
static tw_outcome nlopt_outcome(nlopt_result r)
{
    switch (r) {
    case NLOPT_MAXEVAL_REACHED:
    case NLOPT_MAXTIME_REACHED:
        return TW_OUTCOME_ITERATION_LIMIT;
    case NLOPT_FAILURE: /* L-BFGS and SLSQP: the line search found no better point */
    case NLOPT_ROUNDOFF_LIMITED:
        return TW_OUTCOME_STALLED;
    default:
        return nlopt_converged(r) ? TW_OUTCOME_STALLED : TW_OUTCOME_SOLVER_FAILED;
    }
}

/* Leave the policy and result at x after a user stop (no more callbacks).
 * The outcome is then c->halt: STOPPED, or how that evaluation failed. */
static void settle_after_stop(opt_ctx *c, const double *x)
{
    tw_error keep = c->err ? *c->err : (tw_error){0};
    c->halt = TW_OUTCOME_NONE;
    c->o = NULL;
    c->cached = 0;
    if (evaluate_at(c, x, 1) != 0)
        return; /* the failure of that evaluation stands */
    c->halt = TW_OUTCOME_STOPPED;
    if (c->err)
        *c->err = keep;
}

/* Buffers of one optimisation over K variables. */
typedef struct {
    double *x, *lb, *ub;
} opt_bufs;

static tw_status opt_setup(opt_ctx *c, const tw_optimal_options *o, size_t nobj,
                           nlopt_algorithm alg, opt_bufs *b)
{
    size_t K = c->ins->nvars;
    memset(b, 0, sizeof *b);
    if (K == 0)
        return tw_fail(c->err, TW_ERR_INVALID,
                       "no instrument to choose (check partners and sectors)");
    c->nobj = nobj;
    c->o = o;
    c->halt = TW_OUTCOME_NONE;
    c->t0 = tw_now();
    c->evals0 = c->evals;
    b->x = tw_calloc(K, sizeof(double));
    b->lb = tw_calloc(K, sizeof(double));
    b->ub = tw_calloc(K, sizeof(double));
    c->g = tw__gradient_ws_create(c->s, K, nobj);
    c->values = tw_calloc(nobj, sizeof(double));
    c->grads = tw_calloc(nobj * K, sizeof(double));
    c->cache_x = tw_calloc(K, sizeof(double));
    c->opt = nlopt_create(alg, (unsigned)K);
    if (!b->x || !b->lb || !b->ub || !c->g || !c->values || !c->grads || !c->cache_x || !c->opt)
        return tw_fail(c->err, TW_ERR_NOMEM, "out of memory for %zu instruments", K);
    tw__instruments_get(c->ins, c->p, b->x);
    for (size_t k = 0; k < K; k++) {
        b->lb[k] = o->lower;
        b->ub[k] = o->upper;
        b->x[k] = fmin(fmax(b->x[k], b->lb[k]), b->ub[k]);
    }
    c->lb = b->lb;
    c->ub = b->ub;
    nlopt_set_lower_bounds(c->opt, b->lb);
    nlopt_set_upper_bounds(c->opt, b->ub);
    nlopt_set_xtol_rel(c->opt, o->xtol_rel);
    nlopt_set_ftol_rel(c->opt, o->ftol_rel);
    nlopt_set_maxeval(c->opt, o->max_eval > 0 ? o->max_eval : 1000 + 3 * (int)K);
    return TW_OK;
}

static void opt_teardown(opt_ctx *c, opt_bufs *b)
{
    if (c->opt)
        nlopt_destroy(c->opt);
    c->opt = NULL;
    tw__gradient_ws_free(c->g);
    free(c->values);
    free(c->grads);
    free(c->cache_x);
    free(b->x);
    free(b->lb);
    free(b->ub);
    c->g = NULL;
    c->values = c->grads = c->cache_x = NULL;
    c->lb = c->ub = NULL;
}

/* Maximise over `ins` from the instruments in c->p; rep (not NULL) says how
 * it ended. TW_OK unless the call failed (out of memory, ...). */
static tw_status optimise(opt_ctx *c, const tw_optimal_options *o, tw_optimal_report *rep)
{
    double t0 = tw_now();
    /* The optimiser's line search needs welfare computed more exactly than a
     * single counterfactual does: solver noise of 1e-10 makes it stall. */
    double saved_tol = c->s->opt.tol;
    c->s->opt.tol = fmin(saved_tol, 1e-12);
    opt_bufs b;
    size_t K = c->ins->nvars;
    tw_status st = opt_setup(c, o, 1, NLOPT_LD_LBFGS, &b);
    if (st != TW_OK)
        goto done;
    double *x = b.x;
    nlopt_set_max_objective(c->opt, nl_objective, c);
    double best = 0;
    c->stop_x = tw_calloc(K, sizeof(double));
    if (!c->stop_x) {
        st = tw_fail(c->err, TW_ERR_NOMEM, "out of memory");
        goto done;
    }
    nlopt_result r = nlopt_optimize(c->opt, x, &best);
    if (c->pg_stop && c->failure == TW_OK && c->halt == TW_OUTCOME_NONE) {
        memcpy(x, c->stop_x, K * sizeof *x);
        r = NLOPT_SUCCESS;
    }
    if (c->halt == TW_OUTCOME_STOPPED)
        settle_after_stop(c, x);
    /* leave the policy and the result at the optimum, with its gradient (after
     * a stop or a failed evaluation they are at that point already) */
    if (c->failure == TW_OK && c->halt == TW_OUTCOME_NONE)
        evaluate_at(c, x, 1);
    if (c->failure != TW_OK) {
        st = c->failure;
        goto done;
    }
    /* first-order optimality for a maximum under bounds: the gradient points
     * out of the box at a bound and vanishes inside it; measured in welfare
     * percentage points per unit of rate (the Nash product's gradient
     * sum_k c_k grad W_k is first divided by the mean c_k) */
    int at_x = c->cached == 2 && (c->halt == TW_OUTCOME_NONE || c->halt == TW_OUTCOME_STOPPED);
    double pg = at_x ? projected_gradient(c, x, b.lb, b.ub) : NAN;
    tw_outcome out = c->halt;
    if (out == TW_OUTCOME_NONE)
        out = nlopt_converged(r) || (pg <= o->gtol && r != NLOPT_MAXEVAL_REACHED)
                  ? TW_OUTCOME_CONVERGED
                  : nlopt_outcome(r);
    rep->outcome = out;
    rep->evaluations = c->evals;
    rep->variables = K;
    rep->objective = c->threat ? c->nash : c->values[0];
    rep->projected_gradient = pg;
    rep->seconds = tw_now() - t0;
    if (c->halt == TW_OUTCOME_NONE && out != TW_OUTCOME_CONVERGED)
        tw_fail(c->err, TW_OK,
                "the optimiser stopped before converging (%s after %ld evaluations; projected "
                "gradient %.3g > %.3g)",
                tw_outcome_name(out), c->evals, pg, o->gtol);
done:
    c->s->opt.tol = saved_tol;
    opt_teardown(c, &b);
    free(c->stop_x);
    c->stop_x = NULL;
    return st;
}

/* ---- equal gains (Ossa's cooperative rule) --------------------------------- */

/* World welfare, sum_k W_k, in percentage points of one base income. */
static double nl_world(unsigned n, const double *x, double *grad, void *data)
{
    opt_ctx *c = data;
    if (evaluate_at(c, x, grad != NULL) != 0)
        return -HUGE_VAL;
    double f = 0;
    for (size_t k = 0; k < c->nplayers; k++)
        f += c->values[k] - 1;
    if (grad)
        for (unsigned v = 0; v < n; v++) {
            double g = 0;
            for (size_t k = 0; k < c->nplayers; k++)
                g += c->grads[k * n + v];
            grad[v] = 100 * g;
        }
    return 100 * f;
}

/* h_k = (W_k - ref_k) - (W_0 - ref_0), k = 1..n-1, in percentage points. */
static void nl_equal(unsigned m, double *h, unsigned n, const double *x, double *grad, void *data)
{
    opt_ctx *c = data;
    if (evaluate_at(c, x, grad != NULL) != 0) {
        for (unsigned q = 0; q < m; q++)
            h[q] = HUGE_VAL;
        return;
    }
    for (unsigned q = 0; q < m; q++) {
        size_t k = q + 1;
        h[q] = 100 * ((c->values[k] - c->ref[k]) - (c->values[0] - c->ref[0]));
        if (grad)
            for (unsigned v = 0; v < n; v++)
                grad[q * n + v] = 100 * (c->grads[k * n + v] - c->grads[v]);
    }
}

/* The largest gap between two players' gains (percentage points). */
static double gain_gap(const opt_ctx *c)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < c->nplayers; k++) {
        double g = 100 * (c->values[k] - c->ref[k]);
        lo = fmin(lo, g);
        hi = fmax(hi, g);
    }
    return hi - lo;
}

#define TW_EQUAL_TOL 1e-6      /* percentage points */
#define TW_EQUAL_SLSQP_MAX 400 /* instruments; more: the search over weights */

/* SLSQP up to TW_EQUAL_SLSQP_MAX instruments; beyond (`auglag`), NLopt's
 * augmented Lagrangian (the gaps as equality constraints) around L-BFGS,
 * whose dense quadratic subproblems SLSQP cannot afford on Ossa's 1,386
 * tariffs (seconds an iteration). */
static tw_status optimise_equal(opt_ctx *c, const tw_optimal_options *o, tw_optimal_report *rep,
                                int auglag)
{
    double t0 = tw_now();
    double saved_tol = c->s->opt.tol;
    c->s->opt.tol = fmin(saved_tol, 1e-12);
    size_t K = c->ins->nvars, m = c->nplayers - 1;
    opt_bufs b;
    double *tol = tw_calloc(m, sizeof *tol);
    tw_status st = opt_setup(c, o, c->nplayers, auglag ? NLOPT_AUGLAG_EQ : NLOPT_LD_SLSQP, &b);
    if (st == TW_OK && !tol)
        st = tw_fail(c->err, TW_ERR_NOMEM, "out of memory");
    if (st != TW_OK)
        goto done;
    if (auglag) { /* each subproblem to a moderate tolerance: tighter ones end in
                     L-BFGS failures that stop the whole search */
        nlopt_opt local = nlopt_create(NLOPT_LD_LBFGS, (unsigned)K);
        if (!local) {
            st = tw_fail(c->err, TW_ERR_NOMEM, "out of memory");
            goto done;
        }
        nlopt_set_xtol_rel(local, 1e-7);
        nlopt_set_ftol_rel(local, 1e-9);
        nlopt_set_maxeval(local, 1500);
        nlopt_set_local_optimizer(c->opt, local);
        nlopt_destroy(local);
    }
    for (size_t q = 0; q < m; q++)
        tol[q] = 0.1 * TW_EQUAL_TOL;
    nlopt_set_max_objective(c->opt, nl_world, c);
    nlopt_add_equality_mconstraint(c->opt, (unsigned)m, nl_equal, c, tol);
    double *x = b.x, best = 0;
    nlopt_result r = nlopt_optimize(c->opt, x, &best);
    if (c->halt == TW_OUTCOME_STOPPED)
        settle_after_stop(c, x);
    if (c->failure == TW_OK && c->halt == TW_OUTCOME_NONE)
        evaluate_at(c, x, 1);
    if (c->failure != TW_OK) {
        st = c->failure;
        goto done;
    }
    double gap = gain_gap(c);
    tw_outcome out = c->halt;
    if (out == TW_OUTCOME_NONE) {
        if (r > 0 && r != NLOPT_MAXEVAL_REACHED && r != NLOPT_MAXTIME_REACHED)
            out = gap <= TW_EQUAL_TOL ? TW_OUTCOME_CONVERGED : TW_OUTCOME_STALLED;
        else
            out = nlopt_outcome(r);
    }
    rep->outcome = out;
    rep->evaluations = c->evals;
    rep->variables = K;
    rep->objective = objective_now(c);
    rep->projected_gradient = gap;
    rep->seconds = tw_now() - t0;
    if (c->halt == TW_OUTCOME_NONE && out != TW_OUTCOME_CONVERGED)
        tw_fail(c->err, TW_OK,
                "equal gains: the optimiser stopped before converging (%s after %ld "
                "evaluations; the players' gains differ by up to %.3g percentage points)",
                tw_outcome_name(out), c->evals, gap);
done:
    c->s->opt.tol = saved_tol;
    opt_teardown(c, &b);
    free(tol);
    return st;
}

static tw_status check_players(const tw_solver *s, const size_t *players, size_t n, tw_error *err)
{
    if (!players || n == 0)
        return tw_fail(err, TW_ERR_INVALID, "no players");
    for (size_t k = 0; k < n; k++) {
        if (players[k] >= s->N)
            return tw_fail(err, TW_ERR_INVALID, "player index %zu out of range", players[k]);
        for (size_t l = 0; l < k; l++)
            if (players[l] == players[k])
                return tw_fail(err, TW_ERR_INVALID, "player %s listed twice",
                               s->m->country_code[players[k]]);
    }
    return TW_OK;
}

/*
 * Equal gains for many instruments: the solution of the constrained problem
 * is a weighted optimum (its first-order conditions are those of
 * sum_k lambda_k W_k with lambda the multipliers' weights), so search the
 * weights, lambda_k = exp(theta_k) with theta_0 = 0, for which the weighted
 * optimum (L-BFGS, warm-started from the last) gives equal gains: Newton's
 * method on the n - 1 gaps, its Jacobian by differences once and then
 * Broyden's updates. The players' welfare rows in c->weights are replaced by
 * the weighted row while this runs.
 */
#define TW_EQUAL_WEIGHTS_TOL 1e-4 /* percentage points: what optima to gtol determine */
#define TW_EQUAL_MAX_OUTER 40

/* Weighted optimum at theta; gaps r[k-1] = gain_k - gain_0 (percentage points). */
static tw_status weighted_gaps(opt_ctx *c, const tw_optimal_options *o, const double *theta,
                               double *wrow, double *r, long *evals, tw_outcome *halt)
{
    size_t n = c->nplayers, N = c->s->N;
    memset(wrow, 0, N * sizeof *wrow);
    c->weight_sum = 0;
    for (size_t k = 0; k < n; k++)
        c->weight_sum += wrow[c->players[k]] = k == 0 ? 1.0 : exp(theta[k - 1]);
    c->weights = wrow;
    c->cached = 0;
    c->pg0 = 0;
    tw_optimal_report rep;
    memset(&rep, 0, sizeof rep);
    tw_status st = optimise(c, o, &rep);
    *evals += rep.evaluations;
    c->evals = 0;
    if (st != TW_OK)
        return st;
    /* a weighted optimum short of gtol still gives usable gaps; a stop or a
     * failed equilibrium ends the search */
    if (rep.outcome == TW_OUTCOME_STOPPED || rep.outcome == TW_OUTCOME_INNER_NOT_CONVERGED ||
        rep.outcome == TW_OUTCOME_SOLVER_FAILED || rep.outcome == TW_OUTCOME_NON_FINITE) {
        *halt = rep.outcome == TW_OUTCOME_STOPPED ? TW_OUTCOME_STOPPED
                                                  : TW_OUTCOME_INNER_NOT_CONVERGED;
        return TW_OK;
    }
    const double *wp = tw_result_country(c->res, TW_C_WELFARE_PCT);
    double g0 = wp[c->players[0]] - 100 * (c->ref[0] - 1);
    for (size_t k = 1; k < n; k++)
        r[k - 1] = wp[c->players[k]] - 100 * (c->ref[k] - 1) - g0;
    return TW_OK;
}

static double max_abs(const double *v, size_t m)
{
    double a = 0;
    for (size_t q = 0; q < m; q++)
        a = fmax(a, fabs(v[q]));
    return a;
}

/* Solve A x = b (m x m, row-major, overwritten) by Gaussian elimination with
 * partial pivoting; -1 when singular. */
static int small_solve(double *A, double *b, size_t m)
{
    for (size_t col = 0; col < m; col++) {
        size_t piv = col;
        for (size_t r = col + 1; r < m; r++)
            if (fabs(A[r * m + col]) > fabs(A[piv * m + col]))
                piv = r;
        if (!(fabs(A[piv * m + col]) > 1e-300))
            return -1;
        if (piv != col) {
            for (size_t k = 0; k < m; k++) {
                double t = A[col * m + k];
                A[col * m + k] = A[piv * m + k];
                A[piv * m + k] = t;
            }
            double t = b[col];
            b[col] = b[piv];
            b[piv] = t;
        }
        for (size_t r = col + 1; r < m; r++) {
            double f = A[r * m + col] / A[col * m + col];
            for (size_t k = col; k < m; k++)
                A[r * m + k] -= f * A[col * m + k];
            b[r] -= f * b[col];
        }
    }
    for (size_t col = m; col-- > 0;) {
        for (size_t k = col + 1; k < m; k++)
            b[col] -= A[col * m + k] * b[k];
        b[col] /= A[col * m + col];
    }
    return 0;
}

static tw_status optimise_equal_weights(opt_ctx *c, const tw_optimal_options *o,
                                        tw_optimal_report *rep)
{
    double t0 = tw_now();
    size_t n = c->nplayers, m = n - 1, N = c->s->N;
    tw_optimal_options inner = *o; /* optima to gtol: stricter ones cost thousands of
                                      evaluations each on Ossa's 1,386 tariffs */
    double *buf = tw_calloc(6 * m + 3 * m * m + N, sizeof *buf);
    if (!buf)
        return tw_fail(c->err, TW_ERR_NOMEM, "out of memory");
    double *theta = buf, *r = theta + m, *rt = r + m, *step = rt + m, *th2 = step + m,
           *dr = th2 + m, *Jm = dr + m, *A = Jm + m * m, *wrow = A + 2 * m * m;
    long evals = 0;
    int outer = 0, stalled = 0;
    tw_outcome halt = TW_OUTCOME_NONE;
#define TW_GOING (st == TW_OK && halt == TW_OUTCOME_NONE)
    tw_status st = weighted_gaps(c, &inner, theta, wrow, r, &evals, &halt);
    /* the Jacobian d r / d theta by forward differences */
    for (size_t q = 0; q < m && TW_GOING; q++) {
        memcpy(th2, theta, m * sizeof *th2);
        th2[q] += 0.05;
        st = weighted_gaps(c, &inner, th2, wrow, rt, &evals, &halt);
        for (size_t k = 0; k < m; k++)
            Jm[k * m + q] = (rt[k] - r[k]) / 0.05;
    }
    if (TW_GOING) /* back to the base point's optimum for the warm start */
        st = weighted_gaps(c, &inner, theta, wrow, r, &evals, &halt);
    while (TW_GOING && max_abs(r, m) > TW_EQUAL_WEIGHTS_TOL && outer < TW_EQUAL_MAX_OUTER) {
        outer++;
        memcpy(A, Jm, m * m * sizeof *A);
        for (size_t k = 0; k < m; k++)
            step[k] = -r[k];
        if (small_solve(A, step, m) != 0) {
            stalled = 1;
            break;
        }
        /* damped, and at most 1 in log weight: keep a step that reduces the
         * largest gap; none does: stop (not converged) */
        double big = max_abs(step, m), t = big > 1 ? 1 / big : 1, before = max_abs(r, m);
        int better = 0;
        for (int tries = 0; tries < 6 && TW_GOING && !better; tries++, t *= 0.5) {
            for (size_t k = 0; k < m; k++)
                th2[k] = theta[k] + t * step[k];
            st = weighted_gaps(c, &inner, th2, wrow, rt, &evals, &halt);
            better = max_abs(rt, m) < before;
        }
        if (!TW_GOING)
            break;
        if (!better) { /* back to the best point: the outputs must match theta */
            st = weighted_gaps(c, &inner, theta, wrow, r, &evals, &halt);
            stalled = 1;
            break;
        }
        /* Broyden: J += (dr - J ds) ds' / ds'ds */
        double ss = 0;
        for (size_t k = 0; k < m; k++) {
            step[k] = th2[k] - theta[k];
            ss += step[k] * step[k];
        }
        for (size_t k = 0; k < m; k++) {
            double js = 0;
            for (size_t q = 0; q < m; q++)
                js += Jm[k * m + q] * step[q];
            dr[k] = rt[k] - r[k] - js;
        }
        for (size_t k = 0; k < m && ss > 0; k++)
            for (size_t q = 0; q < m; q++)
                Jm[k * m + q] += dr[k] * step[q] / ss;
        memcpy(theta, th2, m * sizeof *theta);
        memcpy(r, rt, m * sizeof *r);
    }
#undef TW_GOING
    double gap = max_abs(r, m);
    tw_outcome out = halt;
    if (out == TW_OUTCOME_NONE)
        out = gap <= TW_EQUAL_WEIGHTS_TOL ? TW_OUTCOME_CONVERGED
              : stalled                   ? TW_OUTCOME_STALLED
                                          : TW_OUTCOME_ITERATION_LIMIT;
    if (st == TW_OK) {
        const double *wp = tw_result_country(c->res, TW_C_WELFARE_PCT);
        double gmin = INFINITY;
        for (size_t k = 0; k < n; k++)
            gmin = fmin(gmin, wp[c->players[k]] - 100 * (c->ref[k] - 1));
        rep->outcome = out;
        rep->evaluations = evals;
        rep->variables = c->ins->nvars;
        rep->objective = gmin;
        rep->projected_gradient = gap;
        rep->seconds = tw_now() - t0;
    }
    if (st == TW_OK && halt == TW_OUTCOME_NONE && out != TW_OUTCOME_CONVERGED)
        tw_fail(c->err, TW_OK,
                "equal gains: after %d weight updates the players' gains still differ by "
                "%.3g percentage points (%s)",
                outer, gap, tw_outcome_name(out));
    free(buf);
    return st;
}

/* What run_players maximises. */
typedef struct {
    const char *stage;
    const double *weights; /* weighted sum (NULL: equal weights) */
    const double *threat;  /* Nash product over these threat points */
    int equal;             /* Ossa's rule: equal gains over `ref` */
    const double *ref;     /* NULL: the factual */
    const char *phase;     /* tw_progress.phase */
} run_goal;

/* One optimisation over the players' instruments: a weighted sum of their
 * welfare (weights NULL: equal), with `threat` the Nash product, or equal
 * gains. */
static tw_status run_players(tw_solver *s, const size_t *players, size_t n, const run_goal *goal,
                             const tw_optimal_options *o, tw_policy *policy, tw_result *res,
                             tw_optimal_report *rep, tw_error *err)
{
    tw_optimal_options def;
    tw_optimal_report local;
    o = opts_or_default(o, &def);
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    tw_status st = check_players(s, players, n, err);
    if (st != TW_OK)
        return st;
    if (!policy || !res || policy->N != s->N || res->N != s->N)
        return tw_fail(err, TW_ERR_INVALID, "policy or result made for another model");
    if (goal->equal && n < 2)
        return tw_fail(err, TW_ERR_INVALID, "equal gains need at least two players");
    tw_instruments *ins = tw__instruments_create_multi(s->m, players, n, o);
    size_t rows = goal->equal ? n : 1;
    double *w = tw_calloc(s->N * rows, sizeof *w);
    double *ref = tw_calloc(n, sizeof *ref);
    if (!ins || !w || !ref) {
        tw__instruments_free(ins);
        free(w);
        free(ref);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    opt_ctx c;
    memset(&c, 0, sizeof c);
    for (size_t k = 0; k < n; k++) {
        ref[k] = goal->ref ? goal->ref[k] : 1.0;
        if (goal->equal)
            w[k * s->N + players[k]] = 1.0; /* row k: player k's welfare */
        else if (!goal->threat)
            c.weight_sum += w[players[k]] = goal->weights ? goal->weights[k] : 1.0;
    }
    c.s = s;
    c.p = policy;
    c.res = res;
    c.ins = ins;
    c.weights = w; /* with a threat point: set at every evaluation */
    c.players = players;
    c.nplayers = n;
    c.threat = goal->threat;
    c.ref = ref;
    c.err = err;
    c.stage = goal->stage;
    c.phase = goal->phase;
    tw_solver_set_start(s, NULL);
    if (goal->equal && ins->nvars > TW_EQUAL_SLSQP_MAX) {
        /* the augmented Lagrangian; should it not converge, the weights */
        st = optimise_equal(&c, o, rep, 1);
        if (st == TW_OK && c.halt == TW_OUTCOME_NONE && rep->outcome != TW_OUTCOME_CONVERGED)
            st = optimise_equal_weights(&c, o, rep);
    } else {
        st = goal->equal ? optimise_equal(&c, o, rep, 0) : optimise(&c, o, rep);
    }
    tw_solver_set_start(s, NULL);
    tw__instruments_free(ins);
    free(w);
    free(ref);
    return st;
}

tw_status tw_cooperate_equal(tw_solver *s, const size_t *players, size_t n_players,
                             const double *ref, const tw_optimal_options *o, tw_policy *policy,
                             tw_result *res, tw_optimal_report *rep, tw_error *err)
{
    if (!s)
        return tw_fail(err, TW_ERR_INVALID, "no solver");
    for (size_t k = 0; ref && k < n_players; k++)
        if (!(ref[k] > 0 && isfinite(ref[k])))
            return tw_fail(err, TW_ERR_INVALID,
                           "equal gains: reference welfare %g of player %zu "
                           "is not a positive number",
                           ref[k], k);
    run_goal goal = {"equal gains", NULL, NULL, 1, ref, NULL};
    return run_players(s, players, n_players, &goal, o, policy, res, rep, err);
}

tw_status tw_best_response(tw_solver *s, size_t country, const tw_optimal_options *o,
                           tw_policy *policy, tw_result *res, tw_optimal_report *rep, tw_error *err)
{
    if (!s)
        return tw_fail(err, TW_ERR_INVALID, "no solver");
    run_goal goal = {"optimise", NULL, NULL, 0, NULL, NULL};
    return run_players(s, &country, 1, &goal, o, policy, res, rep, err);
}

/* The MFN warm-up means something only for rates set by partner. */
static int warmup_applies(const tw_optimal_options *o)
{
    return !o->mfn &&
           (!o->instruments ||
            (o->instruments & (TW_INSTRUMENT_IMPORT_TARIFFS | TW_INSTRUMENT_EXPORT_TAXES)));
}

tw_status tw_optimal(tw_solver *s, size_t country, const tw_optimal_options *o, int warmup,
                     tw_policy *policy, tw_result *res, tw_optimal_report *rep,
                     tw_optimal_report *warm, tw_error *err)
{
    tw_optimal_options def, mfn;
    tw_optimal_report lrep, lwarm;
    o = opts_or_default(o, &def);
    if (!rep)
        rep = &lrep;
    if (!warm)
        warm = &lwarm;
    memset(rep, 0, sizeof *rep);
    memset(warm, 0, sizeof *warm);
    if (!s)
        return tw_fail(err, TW_ERR_INVALID, "no solver");
    const char *phase = NULL;
    if (warmup && warmup_applies(o)) {
        mfn = *o;
        mfn.mfn = 1;
        run_goal goal = {"optimise", NULL, NULL, 0, NULL, "mfn"};
        tw_status st = run_players(s, &country, 1, &goal, &mfn, policy, res, warm, err);
        if (st != TW_OK)
            return st;
        if (warm->outcome == TW_OUTCOME_STOPPED) {
            rep->outcome = TW_OUTCOME_STOPPED;
            return TW_OK;
        }
        phase = "bilateral"; /* a warm-up short of convergence is still a start */
    }
    run_goal goal = {"optimise", NULL, NULL, 0, NULL, phase};
    return run_players(s, &country, 1, &goal, o, policy, res, rep, err);
}

tw_status tw_cooperate(tw_solver *s, const size_t *players, size_t n_players, const double *weights,
                       const tw_optimal_options *o, tw_policy *policy, tw_result *res,
                       tw_optimal_report *rep, tw_error *err)
{
    if (!s)
        return tw_fail(err, TW_ERR_INVALID, "no solver");
    run_goal goal = {"cooperate", weights, NULL, 0, NULL, NULL};
    return run_players(s, players, n_players, &goal, o, policy, res, rep, err);
}

/*
 * Nash bargaining: maximise sum_k log(W_k - d_k) over the players'
 * instruments with the bound-constrained optimiser (no constraints needed:
 * the smooth continuation of log below a small slack pulls the search back
 * above the threat point, so any start point will do).
 */
tw_status tw_bargain(tw_solver *s, const size_t *players, size_t n_players, const double *threat,
                     const tw_optimal_options *o, tw_policy *policy, tw_result *res,
                     tw_optimal_report *rep, tw_error *err)
{
    if (!s || !threat)
        return tw_fail(err, TW_ERR_INVALID, "tw_bargain: bad arguments");
    run_goal goal = {"bargain", NULL, threat, 0, NULL, NULL};
    tw_optimal_report local;
    if (!rep)
        rep = &local;
    tw_status st = run_players(s, players, n_players, &goal, o, policy, res, rep, err);
    tw_outcome out = rep->outcome;
    if (st == TW_OK && (out == TW_OUTCOME_CONVERGED || out == TW_OUTCOME_ITERATION_LIMIT ||
                        out == TW_OUTCOME_STALLED)) {
        const double *wp = tw_result_country(res, TW_C_WELFARE_PCT);
        for (size_t k = 0; k < n_players; k++)
            if (!(1 + wp[players[k]] / 100 - threat[k] >= TW_BARGAIN_EPS)) {
                rep->outcome = TW_OUTCOME_INFEASIBLE;
                tw_fail(err, TW_OK,
                        "no agreement found gives %s more than its threat point "
                        "(%.6g vs %.6g): there may be no gains from talks",
                        s->m->country_code[players[k]], 1 + wp[players[k]] / 100, threat[k]);
                break;
            }
    }
    return st;
}

tw_status tw_welfare_gradient(tw_solver *s, const tw_policy *p, size_t country,
                              const tw_optimal_options *o, double *welfare, double *grad,
                              size_t len, tw_error *err)
{
    tw_optimal_options def;
    o = opts_or_default(o, &def);
    if (!s || !p || !welfare || !grad || country >= s->N)
        return tw_fail(err, TW_ERR_INVALID, "tw_welfare_gradient: bad arguments");
    tw_instruments *ins = tw__instruments_create(s->m, country, o);
    if (!ins)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (len != ins->nvars) {
        size_t k = ins->nvars;
        tw__instruments_free(ins);
        return tw_fail(err, TW_ERR_INVALID, "gradient length %zu, expected %zu", len, k);
    }
    tw_result *res = tw_result_create(s->m, NULL);
    tw_policy *pc = tw_policy_clone(p, NULL);
    tw_gradient_ws *g = tw__gradient_ws_create(s, len, 1);
    double *w = tw_calloc(s->N, sizeof *w);
    tw_status st = TW_OK;
    if (!res || !pc || !g || !w) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    } else {
        w[country] = 1;
        st = tw_solve(s, pc, res, err);
        if (st == TW_OK && tw_result_stats(res).outcome != TW_OUTCOME_CONVERGED)
            st = tw_fail(err, TW_ERR_NUMERICAL,
                         "no gradient: the equilibrium did not converge "
                         "(%s)",
                         tw_outcome_name(tw_result_stats(res).outcome));
        else if (st == TW_OK)
            st = tw__gradient(s, pc, ins, w, 1, g, res->u, welfare, grad);
        if (st != TW_OK && err && err->code != st)
            tw_fail(err, st, "the welfare gradient failed");
    }
    free(w);
    tw__gradient_ws_free(g);
    tw_policy_free(pc);
    tw_result_free(res);
    tw__instruments_free(ins);
    return st;
}

/* ---- the trade war ---------------------------------------------------------- */

typedef struct {
    const tw_model *m;
    const tw_solver_options *so;
    const tw_game_options *go;
    const size_t *players;
    size_t nplayers;
    const tw_policy *current; /* the round's starting policy (read only) */
    tw_policy **best;         /* per player: its best response (its instruments) */
    int thread, nthreads;
    pthread_t tid; /* this worker's thread in the current round, when started */
    int started;
    tw_solver *s;
    tw_policy *work;
    tw_result *res;
    long evals;
    long not_converged; /* best responses of this round that did not converge */
    int stopped;        /* a user stop ended a best response of this round */
    tw_status status;
    tw_error err;
    tw_optimal_options best_opts; /* go->best with the war's progress hook */
    struct war_stop *stop;
} war_worker;

/* A war's user stop, shared by its threads: the calling thread (worker 0)
 * runs the user's callback, the others only read the flag. */
struct war_stop {
    atomic_int stop;
    const tw_game_options *go;
    int round;
    long evals_before; /* equilibria of the completed rounds */
    long base, last;   /* worker 0's earlier best responses in this round */
    double t0, seconds_left;
    const char *phase; /* tw_progress.phase */
};

static int war_progress_main(void *user, const tw_progress *p)
{
    struct war_stop *ws = user;
    if (atomic_load(&ws->stop))
        return 1;
    tw_progress q = *p;
    q.stage = "war";
    q.phase = ws->phase;
    q.round = ws->round;
    if (p->evaluations < ws->last) /* worker 0 began its next best response */
        ws->base += ws->last;
    ws->last = p->evaluations;
    q.evaluations = ws->evals_before + ws->base + p->evaluations;
    q.best = NAN;
    q.seconds = tw_now() - ws->t0;
    q.seconds_left = ws->seconds_left;
    if (ws->go->best.progress(ws->go->best.progress_user, &q) != 0) {
        atomic_store(&ws->stop, 1);
        return 1;
    }
    return 0;
}

static int war_progress_other(void *user, const tw_progress *p)
{
    (void)p;
    return atomic_load(&((struct war_stop *)user)->stop);
}


static void *war_round(void *arg)
{
    war_worker *w = arg;
    for (size_t k = (size_t)w->thread; k < w->nplayers && w->status == TW_OK && !w->stopped;
         k += (size_t)w->nthreads) {
        tw__policy_copy(w->work, w->current);
        tw_optimal_report rep;
        memset(&rep, 0, sizeof rep);
        tw_status st = tw_best_response(w->s, w->players[k], &w->best_opts, w->work, w->res, &rep,
                                        &w->err);
        w->evals += rep.evaluations;
        if (st != TW_OK) {
            w->status = st;
            break;
        }
        if (rep.outcome == TW_OUTCOME_STOPPED) {
            w->stopped = 1;
            break;
        }
        /* a best response short of convergence is still the player's move */
        w->not_converged += rep.outcome != TW_OUTCOME_CONVERGED;
        tw__policy_copy(w->best[k], w->work);
    }
    return NULL;
}

static tw_status nash_run(const tw_model *m, const tw_solver_options *so, const size_t *players,
                          size_t n_players, const tw_game_options *go, const char *phase,
                          tw_policy *policy, tw_result *res, tw_game_report *rep, tw_error *err);

tw_status tw_nash(const tw_model *m, const tw_solver_options *so, const size_t *players,
                  size_t n_players, const tw_game_options *go, tw_policy *policy, tw_result *res,
                  tw_game_report *rep, tw_error *err)
{
    return nash_run(m, so, players, n_players, go, NULL, policy, res, rep, err);
}

tw_status tw_war(const tw_model *m, const tw_solver_options *so, const size_t *players,
                 size_t n_players, const tw_game_options *go, int warmup, tw_policy *policy,
                 tw_result *res, tw_game_report *rep, tw_game_report *warm, tw_error *err)
{
    tw_game_options gdef, mfn;
    tw_game_report lrep, lwarm;
    if (!go) {
        tw_game_options_default(&gdef);
        go = &gdef;
    }
    if (!rep)
        rep = &lrep;
    if (!warm)
        warm = &lwarm;
    memset(rep, 0, sizeof *rep);
    memset(warm, 0, sizeof *warm);
    const char *phase = NULL;
    if (warmup && warmup_applies(&go->best)) {
        mfn = *go;
        mfn.best.mfn = 1;
        tw_status st = nash_run(m, so, players, n_players, &mfn, "mfn", policy, res, warm, err);
        if (st != TW_OK)
            return st;
        if (warm->outcome == TW_OUTCOME_STOPPED) {
            rep->outcome = TW_OUTCOME_STOPPED;
            return TW_OK;
        }
        phase = "bilateral"; /* an MFN war that did not settle is still a start */
    }
    return nash_run(m, so, players, n_players, go, phase, policy, res, rep, err);
}

static tw_status nash_run(const tw_model *m, const tw_solver_options *so, const size_t *players,
                          size_t n_players, const tw_game_options *go, const char *phase,
                          tw_policy *policy, tw_result *res, tw_game_report *rep, tw_error *err)
{
    tw_game_options gdef;
    if (!go) {
        tw_game_options_default(&gdef);
        go = &gdef;
    }
    if (!m || !policy || !res || policy->N != m->N || res->N != m->N)
        return tw_fail(err, TW_ERR_INVALID, "tw_nash: bad arguments");
    /* no players would leave the workers' array empty (it was read past its end) */
    if (!players || n_players == 0)
        return tw_fail(err, TW_ERR_INVALID, "tw_nash: no players");
    for (size_t k = 0; k < n_players; k++)
        if (players[k] >= m->N)
            return tw_fail(err, TW_ERR_INVALID, "tw_nash: player %zu is country %zu of %zu", k,
                           players[k], m->N);
    double t0 = tw_now();
    int nthreads = go->threads < 1 ? 1 : go->threads;
    if ((size_t)nthreads > n_players)
        nthreads = (int)n_players;
    war_worker *wk = calloc((size_t)nthreads, sizeof *wk);
    tw_policy **best = calloc(n_players ? n_players : 1, sizeof *best);
    tw_instruments **ins = calloc(n_players ? n_players : 1, sizeof *ins);
    tw_policy *next = tw_policy_clone(policy, NULL);
    tw_status st = TW_OK;
    if (!wk || !best || !ins || !next) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n_players && st == TW_OK; k++) {
        if (players[k] >= m->N) {
            st = tw_fail(err, TW_ERR_INVALID, "player index %zu out of range", players[k]);
            break;
        }
        best[k] = tw_policy_clone(policy, NULL);
        ins[k] = tw__instruments_create_multi(m, &players[k], 1, &go->best);
        if (!best[k] || !ins[k])
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    struct war_stop ws;
    atomic_init(&ws.stop, 0);
    ws.go = go;
    ws.round = 0;
    ws.evals_before = 0;
    ws.base = ws.last = 0;
    ws.t0 = t0;
    ws.seconds_left = NAN;
    ws.phase = phase;
    for (int t = 0; t < nthreads && st == TW_OK; t++) {
        wk[t].best_opts = go->best;
        if (go->best.progress) {
            wk[t].best_opts.progress = t == 0 ? war_progress_main : war_progress_other;
            wk[t].best_opts.progress_user = &ws;
        }
        wk[t].m = m;
        wk[t].so = so;
        wk[t].go = go;
        wk[t].players = players;
        wk[t].nplayers = n_players;
        wk[t].best = best;
        wk[t].thread = t;
        wk[t].nthreads = nthreads;
        wk[t].s = tw_solver_create(m, so, err);
        wk[t].work = tw_policy_create(m, NULL);
        wk[t].res = tw_result_create(m, NULL);
        if (!wk[t].s || !wk[t].work || !wk[t].res)
            st = err && err->code != TW_OK ? err->code : TW_ERR_NOMEM;
    }
    if (st != TW_OK)
        goto done;
    double *vbuf = tw_calloc(2 * m->N * m->N * m->J + 2 * m->N * m->J + 2, sizeof *vbuf);
    if (!vbuf) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        goto done;
    }
    int round = 0, converged = 0, stopped = 0;
    double change = INFINITY, prev_change = INFINITY;
    long evals = 0, nc_total = 0, nc_round = 0;
    while (round < go->max_rounds && !converged) {
        round++;
        ws.round = round;
        ws.evals_before = evals;
        ws.base = ws.last = 0;
        for (int t = 0; t < nthreads; t++) {
            wk[t].current = policy;
            wk[t].status = TW_OK;
            wk[t].stopped = 0;
            wk[t].not_converged = 0;
        }
        /* every worker runs, on its own thread or (when one cannot be
         * started) on this one; only threads that started are joined */
        for (int t = 1; t < nthreads; t++) {
            wk[t].started = pthread_create(&wk[t].tid, NULL, war_round, &wk[t]) == 0;
            if (!wk[t].started)
                war_round(&wk[t]);
        }
        war_round(&wk[0]);
        for (int t = 1; t < nthreads; t++)
            if (wk[t].started)
                pthread_join(wk[t].tid, NULL);
        nc_round = 0;
        for (int t = 0; t < nthreads; t++) {
            evals += wk[t].evals;
            wk[t].evals = 0;
            stopped |= wk[t].stopped;
            nc_round += wk[t].not_converged;
            if (wk[t].status != TW_OK && st == TW_OK) {
                st = wk[t].status;
                if (err)
                    *err = wk[t].err;
            }
        }
        nc_total += nc_round;
        if (st != TW_OK || stopped)
            break; /* a user stop leaves the policy of the last completed round */
        /* everyone moves at once: take each player's instruments from its best response */
        tw__policy_copy(next, policy);
        change = 0;
        for (size_t k = 0; k < n_players; k++) {
            double *old = vbuf, *new_ = vbuf + ins[k]->nvars;
            tw__instruments_get(ins[k], policy, old);
            tw__instruments_get(ins[k], best[k], new_);
            for (size_t v = 0; v < ins[k]->nvars; v++)
                change = fmax(change, fabs(new_[v] - old[v]));
            tw__instruments_set(ins[k], next, new_);
        }
        tw__policy_copy(policy, next);
        converged = change <= go->tol;
        /* rounds left at the rate the largest change has been falling (one
         * more round confirms a fixed point) */
        double per_round = (tw_now() - t0) / round;
        if (converged)
            ws.seconds_left = 0;
        else if (change > 0 && prev_change < INFINITY && change < prev_change)
            ws.seconds_left = per_round *
                              (1 + ceil(log(change / go->tol) / log(prev_change / change)));
        else
            ws.seconds_left = NAN;
        prev_change = change;
        if (go->progress)
            go->progress(go->progress_user, round, change);
        if (go->best.progress && !converged) {
            tw_progress p = {"war", round, evals, change, tw_now() - t0, ws.seconds_left, phase};
            if (go->best.progress(go->best.progress_user, &p) != 0) {
                stopped = 1;
                break;
            }
        }
    }
    free(vbuf);
    tw_outcome out = TW_OUTCOME_NONE;
    if (st == TW_OK) {
        /* the equilibrium of the policy reached (after a stop: of the last
         * completed round, for the caller to report) */
        tw_error e2 = {TW_OK, ""};
        tw_solver_set_start(wk[0].s, NULL);
        st = tw_solve(wk[0].s, policy, res, &e2);
        evals++;
        int solved = st == TW_OK && tw_result_stats(res).outcome == TW_OUTCOME_CONVERGED;
        if (st != TW_OK && err)
            *err = e2;
        if (stopped)
            out = TW_OUTCOME_STOPPED;
        else if (!converged)
            out = TW_OUTCOME_ITERATION_LIMIT;
        else if (!solved || nc_round > 0)
            out = TW_OUTCOME_INNER_NOT_CONVERGED;
        else
            out = TW_OUTCOME_CONVERGED;
        if (st == TW_OK && stopped)
            tw_fail(err, TW_OK, "stopped at the caller's request in round %d", round);
        else if (st == TW_OK && !converged)
            tw_fail(err, TW_OK,
                    "the trade war did not settle: rates still moved by %.3g after %d "
                    "rounds",
                    change, round);
        else if (st == TW_OK && !solved)
            tw_fail(err, TW_OK, "the war's equilibrium did not converge: %s", e2.message);
        else if (st == TW_OK && nc_round > 0)
            tw_fail(err, TW_OK,
                    "the war settled, but %ld best response(s) of its last round did "
                    "not converge",
                    nc_round);
    }
    if (rep) {
        rep->outcome = out;
        rep->best_responses_not_converged = nc_total;
        rep->rounds = round;
        rep->change = change;
        rep->evaluations = evals;
        rep->seconds = tw_now() - t0;
    }
done:
    for (int t = 0; wk && t < nthreads; t++) {
        tw_solver_free(wk[t].s);
        tw_policy_free(wk[t].work);
        tw_result_free(wk[t].res);
    }
    for (size_t k = 0; best && ins && k < n_players; k++) {
        tw_policy_free(best[k]);
        tw__instruments_free(ins[k]);
    }
    free(wk);
    free(best);
    free(ins);
    tw_policy_free(next);
    return st;
}

/* ---- enforcement ------------------------------------------------------------ */

static double welfare_hat(const tw_result *r, size_t n)
{
    return 1 + tw_result_country(r, TW_C_WELFARE_PCT)[n] / 100;
}

static void finish_enforcement(tw_enforcement *e)
{
    e->deviation_gain = e->deviation_welfare - e->agreement_welfare;
    e->punishment_loss = e->agreement_welfare - e->punishment_welfare;
    if (e->deviation_gain <= 0)
        e->critical_discount = 0;
    else if (e->punishment_loss <= 0)
        e->critical_discount = INFINITY;
    else
        e->critical_discount = e->deviation_gain / (e->deviation_gain + e->punishment_loss);
}

tw_outcome tw_enforcement_outcome(const tw_enforcement *e)
{
    if (!e)
        return TW_OUTCOME_NONE;
    tw_outcome o[3] = {e->agreement_outcome, e->deviation_outcome, e->punishment_outcome};
    for (int k = 0; k < 3; k++)
        if (o[k] != TW_OUTCOME_CONVERGED)
            return o[k];
    return TW_OUTCOME_CONVERGED;
}

/* Welfare of `player` under the agreement and under its best response to it. */
static tw_status agreement_and_deviation(tw_solver *s, size_t player, const tw_optimal_options *o,
                                         const tw_policy *agreement, tw_policy *work,
                                         tw_result *res, tw_enforcement *e, tw_error *err)
{
    tw_status st = tw_solve(s, agreement, res, err);
    if (st != TW_OK)
        return st;
    e->agreement_outcome = tw_result_stats(res).outcome;
    e->agreement_welfare = welfare_hat(res, player);
    tw__policy_copy(work, agreement);
    tw_optimal_report rep;
    st = tw_best_response(s, player, o, work, res, &rep, err);
    if (st != TW_OK)
        return st;
    e->deviation_outcome = rep.outcome;
    e->deviation_welfare = welfare_hat(res, player);
    return TW_OK;
}

/* A scratch policy and result for s's model. */
static tw_status work_space(tw_solver *s, tw_policy **work, tw_result **res, tw_error *err)
{
    *work = tw_policy_create(s->m, NULL);
    *res = tw_result_create(s->m, NULL);
    if (*work && *res)
        return TW_OK;
    tw_policy_free(*work);
    tw_result_free(*res);
    return tw_fail(err, TW_ERR_NOMEM, "out of memory");
}

tw_status tw_enforce(tw_solver *s, const size_t *players, size_t n_players,
                     const tw_optimal_options *o, const tw_policy *agreement,
                     const tw_policy *punishment, tw_enforcement *out, tw_error *err)
{
    if (!s || !agreement || !punishment || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_enforce: bad arguments");
    tw_status st = check_players(s, players, n_players, err);
    if (st != TW_OK)
        return st;
    tw_policy *work = NULL;
    tw_result *res = NULL;
    if ((st = work_space(s, &work, &res, err)) != TW_OK)
        return st;
    for (size_t k = 0; k < n_players; k++)
        memset(&out[k], 0, sizeof out[k]);
    st = tw_solve(s, punishment, res, err);
    for (size_t k = 0; k < n_players && st == TW_OK; k++) {
        out[k].punishment_outcome = tw_result_stats(res).outcome;
        out[k].punishment_welfare = welfare_hat(res, players[k]);
    }
    /* a user stop ends the work: the players after it keep TW_OUTCOME_NONE */
    int stopped = 0;
    for (size_t k = 0; k < n_players && st == TW_OK && !stopped; k++) {
        st = agreement_and_deviation(s, players[k], o, agreement, work, res, &out[k], err);
        finish_enforcement(&out[k]);
        stopped = out[k].deviation_outcome == TW_OUTCOME_STOPPED;
    }
    tw_policy_free(work);
    tw_result_free(res);
    return st;
}

/* The punishment phase of a snapback of size `snap` against `player`. With
 * `warm` (a policy after an earlier snapback against the same player), the
 * deviator's best response starts from its instruments there. */
static tw_status snapback_welfare(tw_solver *s, size_t player, const size_t *players, size_t n,
                                  const tw_optimal_options *o, const tw_policy *agreement,
                                  double snap, const tw_policy *warm, tw_policy *work,
                                  tw_result *res, double *w, tw_outcome *outcome, tw_error *err)
{
    size_t N = s->N, J = s->J;
    tw__policy_copy(work, agreement);
    for (size_t k = 0; k < n; k++) {
        size_t q = players[k];
        if (q == player)
            continue;
        for (size_t j = 0; j < J; j++) {
            size_t x = tw_idx3(N, J, player, q, j);
            if (s->m->arr[TW_FLOWS][x] > 0)
                work->tariff[x] = agreement->tariff[x] + snap;
        }
    }
    if (warm)
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < J; j++) {
                size_t in = tw_idx3(N, J, i, player, j), out = tw_idx3(N, J, player, i, j);
                if (i != player) {
                    work->tariff[in] = warm->tariff[in];
                    work->export_tax[out] = warm->export_tax[out];
                }
                if (i == 0)
                    work->subsidy[tw_idx2(J, player, j)] = warm->subsidy[tw_idx2(J, player, j)];
            }
    tw_optimal_report rep;
    tw_status st = tw_best_response(s, player, o, work, res, &rep, err);
    if (st != TW_OK)
        return st;
    *outcome = rep.outcome;
    *w = welfare_hat(res, player);
    return TW_OK;
}

tw_status tw_enforce_snapback(tw_solver *s, size_t player, const size_t *players, size_t n_players,
                              const tw_optimal_options *o, const tw_policy *agreement,
                              double snapback, tw_enforcement *out, tw_error *err)
{
    if (!s || !agreement || !out || player >= s->N || !(snapback >= 0))
        return tw_fail(err, TW_ERR_INVALID, "tw_enforce_snapback: bad arguments");
    tw_status st = check_players(s, players, n_players, err);
    if (st != TW_OK)
        return st;
    tw_policy *work = NULL;
    tw_result *res = NULL;
    if ((st = work_space(s, &work, &res, err)) != TW_OK)
        return st;
    memset(out, 0, sizeof *out);
    st = agreement_and_deviation(s, player, o, agreement, work, res, out, err);
    if (st == TW_OK && out->deviation_outcome != TW_OUTCOME_STOPPED)
        st = snapback_welfare(s, player, players, n_players, o, agreement, snapback, NULL, work,
                              res, &out->punishment_welfare, &out->punishment_outcome, err);
    finish_enforcement(out);
    tw_policy_free(work);
    tw_result_free(res);
    return st;
}

tw_status tw_min_snapback(tw_solver *s, size_t player, const size_t *players, size_t n_players,
                          const tw_optimal_options *o, const tw_policy *agreement, double delta,
                          double *snapback, tw_outcome *outcome, tw_error *err)
{
    tw_optimal_options def;
    tw_outcome local;
    o = opts_or_default(o, &def);
    if (!outcome)
        outcome = &local;
    *outcome = TW_OUTCOME_NONE;
    if (!snapback || !(delta > 0 && delta < 1))
        return tw_fail(err, TW_ERR_INVALID, "the discount factor must lie in (0, 1)");
    tw_enforcement e;
    tw_status st = tw_enforce_snapback(s, player, players, n_players, o, agreement, o->upper, &e,
                                       err);
    if (st != TW_OK)
        return st;
    *outcome = tw_enforcement_outcome(&e);
    if (*outcome == TW_OUTCOME_STOPPED) {
        *snapback = INFINITY;
        return TW_OK;
    }
    double gain = e.deviation_gain, need = delta / (1 - delta);
    if (gain <= 0) {
        *snapback = 0;
        return TW_OK;
    }
    if (gain > need * e.punishment_loss) {
        *snapback = INFINITY;
        return TW_OK;
    }
    tw_policy *work = NULL, *warm = NULL;
    tw_result *res = NULL;
    if ((st = work_space(s, &work, &res, err)) != TW_OK)
        return st;
    /* f(snap) = gain - need (agreement - W(snap)) falls with the snapback; at
     * 0 the punishment is the deviation itself (f = gain (1 + need) > 0), at
     * the upper bound f <= 0. Regula falsi with the Illinois rule, a
     * bisection step whenever it fails to halve the bracket, each best
     * response warm-started from the last: fewer solves than bisection. */
    double lo = 0, hi = o->upper, flo = gain * (1 + need);
    double fhi = gain - need * e.punishment_loss;
    int side = 0, slow = 0;
    warm = tw_policy_clone(agreement, NULL);
    if (!warm)
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    while (hi - lo > 1e-4 && st == TW_OK) {
        double width = hi - lo, mid;
        if (slow >= 2 || !(flo > fhi)) {
            mid = 0.5 * (lo + hi);
            slow = 0;
        } else {
            mid = lo + flo * (hi - lo) / (flo - fhi);
            /* keep a quarter-tolerance away from the ends, so the bracket closes */
            mid = fmin(fmax(mid, lo + 2.5e-5), hi - 2.5e-5);
        }
        double w = 0;
        tw_outcome oc = TW_OUTCOME_NONE;
        st = snapback_welfare(s, player, players, n_players, o, agreement, mid, warm, work, res, &w,
                              &oc, err);
        if (st != TW_OK)
            break;
        if (oc != TW_OUTCOME_CONVERGED && *outcome == TW_OUTCOME_CONVERGED)
            *outcome = oc;
        if (oc == TW_OUTCOME_STOPPED)
            break; /* the bracket so far: the smallest snapback known to be enough */
        tw__policy_copy(warm, work);
        double f = gain - need * (e.agreement_welfare - w);
        if (f <= 0) {
            hi = mid;
            fhi = f;
            if (side == -1)
                flo *= 0.5; /* Illinois: the stale end's value halves */
            side = -1;
        } else {
            lo = mid;
            flo = f;
            if (side == 1)
                fhi *= 0.5;
            side = 1;
        }
        slow = hi - lo > 0.5 * width ? slow + 1 : 0;
    }
    *snapback = hi;
    tw_policy_free(warm);
    tw_policy_free(work);
    tw_result_free(res);
    return st;
}
