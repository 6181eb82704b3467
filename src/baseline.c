/*
 * baseline.c - the base economy counterfactuals start from.
 *
 * Raw data are rarely an exact equilibrium of the model (final shares with
 * negatives set to zero, inventories, rounding), so a counterfactual measured
 * against them would mix the policy's effect with the data's inconsistency.
 * As Caliendo & Parro (2015) do, we first solve the model with no policy
 * change and the observed deficits and use that equilibrium as the base
 * ("calibration"); then, if asked, solve it again with every deficit set to
 * zero (Dekle-Eaton-Kortum 2008, Ossa 2014) and use that balanced economy.
 */
#include "solver_internal.h"

#include <math.h>
#include <string.h>

/* Largest change a no-change solve made: |log hat| of wages and prices and
 * the relative change in spending. Zero when the data are an equilibrium. */
static double calibration_gap(const tw_result *r, const tw_model *m)
{
    size_t N = r->N, J = r->J;
    double gap = 0;
    for (size_t i = 0; i < N; i++)
        gap = fmax(gap, fabs(log(r->w_hat[i])));
    for (size_t x = 0; x < N * J; x++)
        gap = fmax(gap, fabs(log(r->p_hat[x])));
    const double *X0 = m->arr[TW_FLOWS];
    double total = 0;
    for (size_t x = 0; x < N * N * J; x++)
        total += X0[x];
    for (size_t x = 0; x < N * N * J; x++)
        gap = fmax(gap, fabs(r->flows[x] - X0[x]) / total * (double)N);
    return gap;
}

/* Solve `m` under `p` and return the equilibrium as a new model in *out. */
static tw_status solve_to_model(const tw_model *m, const tw_policy *p, const tw_solver_options *opt,
                                tw_model **out, tw_solver_stats *stats, double *gap,
                                const char *what, tw_error *err)
{
    tw_solver *s = tw_solver_create(m, opt, err);
    if (!s)
        return err ? err->code : TW_ERR_INVALID;
    tw_result *r = tw_result_create(m, NULL);
    if (!r) {
        tw_solver_free(s);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    tw_error e2;
    tw_status st = tw_solve(s, p, r, &e2);
    *stats = tw_result_stats(r);
    if (st == TW_OK && stats->outcome != TW_OUTCOME_CONVERGED) {
        st = tw_fail(err, TW_ERR_NUMERICAL, "%s: %s", what, e2.message);
    } else if (st == TW_OK) {
        if (gap)
            *gap = calibration_gap(r, m);
        *out = tw_result_to_model(r, m, p, NULL);
        if (!*out)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    } else {
        st = tw_fail(err, st, "%s: %s", what, e2.message);
    }
    tw_result_free(r);
    tw_solver_free(s);
    return st;
}

tw_status tw_baseline_build(const tw_model *raw, tw_deficit_mode mode, const tw_solver_options *opt,
                            tw_model **out, tw_baseline_report *report, tw_error *err)
{
    if (!raw || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_baseline_build: missing argument");
    *out = NULL;
    tw_baseline_report rep;
    memset(&rep, 0, sizeof rep);
    tw_status st = tw_model_validate(raw, err);
    if (st != TW_OK)
        return st;

    /* A base is only as exact as the solve that made it: ask for more than the
     * counterfactuals will, so "no change" on the base is at round-off level. */
    tw_solver_options o;
    tw_solver_options_default(&o);
    if (opt)
        o = *opt;
    o.tol = fmin(o.tol, 1e-12);
    opt = &o;
    tw_policy *p = tw_policy_create(raw, NULL);
    if (!p)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_model *cal = NULL;
    st = solve_to_model(raw, p, opt, &cal, &rep.calibration, &rep.calibration_gap,
                        "calibration (no-change solve of the raw data)", err);
    tw_policy_free(p);
    if (st != TW_OK)
        return st;
    rep.calibrated = rep.calibration_gap > 1e-9;
    if (!rep.calibrated) {
        tw_model_free(cal);
        if (!(cal = tw_model_clone(raw, NULL)))
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }

    if (mode == TW_DEFICIT_BALANCED) {
        tw_policy *pb = tw_policy_create(cal, NULL);
        if (!pb) {
            tw_model_free(cal);
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
        }
        for (size_t n = 0; n < cal->N; n++)
            tw_policy_set_deficit(pb, n, 0.0);
        tw_model *bal = NULL;
        st = solve_to_model(cal, pb, opt, &bal, &rep.balancing, NULL,
                            "removing deficits (balanced-trade baseline)", err);
        tw_policy_free(pb);
        tw_model_free(cal);
        if (st != TW_OK)
            return st;
        cal = bal;
        rep.balanced = 1;
    }
    *out = cal;
    if (report)
        *report = rep;
    return TW_OK;
}
