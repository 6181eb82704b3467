/*
 * sensitivity.c - one comparison under other elasticities: the sensitivity
 * table of `tradewar report` (every theta scaled, psi as in the data, zero,
 * or scaled inversely so that psi * theta stays as in the data).
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* With psi > 0 the model is well behaved only while psi * theta < 1 in every
 * sector (Kucheryavyy, Lyn and Rodriguez-Clare 2023); in us-china-2017 the
 * product is 0.37-0.93, so scaling theta by 1.5 alone leaves that region in 19
 * of 22 goods sectors. The theta variants therefore either keep psi * theta
 * as in the data (psi scaled by 1/s) or set psi = 0. */
static const tw_elasticity_variant report_variants[] = {
    {"central", "data", 1.0, TW_PSI_DATA},
    {"psi0", "psi=0", 1.0, TW_PSI_ZERO},
    {"theta_x0.5", "th*0.5", 0.5, TW_PSI_KEEP_PRODUCT},
    {"theta_x1.5", "th*1.5", 1.5, TW_PSI_KEEP_PRODUCT},
    {"theta_x0.5_psi0", "th*0.5,psi=0", 0.5, TW_PSI_ZERO},
    {"theta_x1.5_psi0", "th*1.5,psi=0", 1.5, TW_PSI_ZERO},
};

const tw_elasticity_variant *tw_sensitivity_variants(size_t *n)
{
    if (n)
        *n = sizeof report_variants / sizeof report_variants[0];
    return report_variants;
}

const char *tw_psi_rule_name(tw_psi_rule r)
{
    static const char *const names[] = {"data", "zero", "data / theta_scale"};
    return (int)r >= 0 && r <= TW_PSI_KEEP_PRODUCT ? names[r] : "unknown";
}

tw_status tw_model_variant(const tw_model *m, const tw_elasticity_variant *v, tw_model **out,
                           tw_error *err)
{
    if (!m || !v || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_model_variant: missing argument");
    *out = NULL;
    if (!(v->theta_scale > 0 && isfinite(v->theta_scale)) || (int)v->psi < 0 ||
        v->psi > TW_PSI_KEEP_PRODUCT)
        return tw_fail(err, TW_ERR_INVALID,
                       "variant %s: theta_scale %g must be positive and "
                       "the psi rule one of tw_psi_rule",
                       v->key ? v->key : "?", v->theta_scale);
    size_t J = m->J;
    tw_model *c = tw_model_clone(m, err);
    double *theta = malloc(J * sizeof *theta), *psi = calloc(J, sizeof *psi);
    int ok = c && theta && psi;
    if (!c) {
        free(theta);
        free(psi);
        return err && err->code ? err->code : TW_ERR_NOMEM;
    }
    for (size_t j = 0; ok && j < J; j++) {
        theta[j] = m->arr[TW_THETA][j] * v->theta_scale;
        psi[j] = v->psi == TW_PSI_ZERO           ? 0
                 : v->psi == TW_PSI_KEEP_PRODUCT ? m->arr[TW_PSI][j] / v->theta_scale
                                                 : m->arr[TW_PSI][j];
    }
    tw_status st = ok ? TW_OK : tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK)
        st = tw_model_set(c, TW_THETA, theta, J, err);
    if (st == TW_OK)
        st = tw_model_set(c, TW_PSI, psi, J, err);
    free(theta);
    free(psi);
    if (st != TW_OK) {
        tw_model_free(c);
        return st;
    }
    *out = c;
    return TW_OK;
}

/* One variant: its model, the policies on it, tw_compare. */
static tw_status one_variant(const tw_model *m, const tw_solver_options *opt,
                             const tw_elasticity_variant *v, const tw_policy *from,
                             const tw_policy *to, tw_model **rebased, tw_result **res,
                             tw_error *err)
{
    tw_model *vm = NULL;
    tw_status st = tw_model_variant(m, v, &vm, err);
    if (st != TW_OK)
        return st;
    tw_policy *f = tw_policy_create(vm, NULL), *t = tw_policy_create(vm, NULL);
    if (f && t) {
        tw__policy_copy(f, from);
        tw__policy_copy(t, to);
        st = tw_compare(vm, opt, f, t, rebased, res, err);
    } else
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_policy_free(f);
    tw_policy_free(t);
    /* the rebased model copies what it needs of vm (tw_result_to_model) */
    tw_model_free(vm);
    return st;
}

tw_status tw_compare_variants(const tw_model *m, const tw_solver_options *opt,
                              const tw_elasticity_variant *variants, size_t n,
                              const tw_policy *from, const tw_policy *to, tw_model **rebased,
                              tw_result **res, tw_outcome *outcome, tw_error *errors, tw_error *err)
{
    if (!m || !variants || !from || !to || !rebased || !res || !outcome || from->model != m ||
        to->model != m)
        return tw_fail(err, TW_ERR_INVALID,
                       "tw_compare_variants: missing argument, or policies "
                       "not made for the model");
    for (size_t v = 0; v < n; v++) {
        res[v] = NULL;
        rebased[v] = NULL;
        outcome[v] = TW_OUTCOME_NONE;
        if (errors)
            errors[v] = (tw_error){0};
    }
    for (size_t v = 0; v < n; v++) {
        tw_error e = {0};
        tw_status st = one_variant(m, opt, &variants[v], from, to, &rebased[v], &res[v], &e);
        if (st == TW_ERR_NUMERICAL) /* the starting policy did not converge: no comparison */
            outcome[v] = TW_OUTCOME_INNER_NOT_CONVERGED;
        else if (st == TW_OK)
            outcome[v] = tw_result_stats(res[v]).outcome;
        if (errors)
            errors[v] = e;
        if (st != TW_OK && st != TW_ERR_NUMERICAL) {
            if (err)
                *err = e;
            return st;
        }
        if (outcome[v] == TW_OUTCOME_STOPPED) /* a user stop ends the call */
            break;
    }
    return TW_OK;
}
