/* compare.c - the counterfactual of moving from one policy to another (stage k-1 -> stage k). */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tw_status tw_policy_rebase(const tw_policy *target, const tw_policy *from, tw_policy *out,
                           tw_error *err)
{
    if (!target || !from || !out || target->N != from->N || target->J != from->J ||
        out->N != target->N || out->J != target->J)
        return tw_fail(err, TW_ERR_INVALID, "tw_policy_rebase: policies of different dimensions");
    size_t N = target->N, J = target->J, NNJ = N * N * J;
    for (size_t x = 0; x < NNJ; x++) {
        double a = from->trade_cost_change[x], b = target->trade_cost_change[x];
        if (isinf(a) && !isinf(b)) {
            size_t i = x / (N * J), n = x / J % N, j = x % J;
            return tw_fail(err, TW_ERR_INVALID,
                           "tw_policy_rebase: the flow %s -> %s in %s is banned in the starting "
                           "policy but not in the target: no trade to start from",
                           tw_model_country_code(target->model, i),
                           tw_model_country_code(target->model, n),
                           tw_model_sector_code(target->model, j));
        }
        out->trade_cost_change[x] = isinf(a) ? 1.0 : b / a;
    }
    memcpy(out->tariff, target->tariff, NNJ * sizeof(double));
    memcpy(out->export_tax, target->export_tax, NNJ * sizeof(double));
    memcpy(out->subsidy, target->subsidy, N * J * sizeof(double));
    memcpy(out->deficit, target->deficit, N * sizeof(double));
    return TW_OK;
}

/* Solve `p` on the solver's model into a new result. */
static tw_status solve_new(const tw_model *m, const tw_solver_options *opt, const tw_policy *p,
                           tw_result **res, tw_error *err)
{
    tw_solver *s = tw_solver_create(m, opt, err);
    if (!s)
        return err && err->code != TW_OK ? err->code : TW_ERR_NOMEM;
    *res = tw_result_create(m, NULL);
    tw_status st = *res ? tw_solve(s, p, *res, err) : tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_solver_free(s);
    return st;
}

tw_status tw_compare(const tw_model *m, const tw_solver_options *opt, const tw_policy *from,
                     const tw_policy *to, tw_model **rebased, tw_result **res, tw_error *err)
{
    if (!m || !from || !to || !rebased || !res || from->model != m || to->model != m)
        return tw_fail(err, TW_ERR_INVALID, "tw_compare: both policies must be made for the model");
    *rebased = NULL;
    *res = NULL;
    tw_result *start = NULL;
    tw_policy *p = NULL;
    tw_status st = solve_new(m, opt, from, &start, err);
    if (st == TW_OK && tw_result_stats(start).outcome != TW_OUTCOME_CONVERGED)
        st = tw_fail(err, TW_ERR_NUMERICAL, "the starting policy did not converge (%s)",
                     tw_outcome_name(tw_result_stats(start).outcome));
    if (st == TW_OK && !(*rebased = tw_result_to_model(start, m, from, NULL)))
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK && !(p = tw_policy_create(*rebased, NULL)))
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK)
        st = tw_policy_rebase(to, from, p, err);
    if (st == TW_OK)
        st = solve_new(*rebased, opt, p, res, err);
    tw_policy_free(p);
    tw_result_free(start);
    if (st != TW_OK) {
        tw_result_free(*res);
        tw_model_free(*rebased);
        *res = NULL;
        *rebased = NULL;
    }
    return st;
}
