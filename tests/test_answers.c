/*
 * test_answers.c - the outcomes that let a result be set beside published
 * ones (issue 10): real and nominal GDP, elasticity control and the
 * diagnostics and warnings near the model's edge. Each test checks an
 * identity or an independent computation:
 *   nominal GDP = value added + net taxes (from sector outputs);
 *   world real GDP at base prices = world real final spending (every flow
 *   enters one exporter's and one importer's GDP with the same volume);
 *   real GDP = real income in the symmetric one-sector balanced case with
 *   no revenue (the ACR closed form).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tw_model *synth(size_t N, size_t J, unsigned long seed, double psi)
{
    tw_model *m = NULL;
    tw_error err;
    if (tw_model_synthetic(N, J, seed, psi, &m, &err) != TW_OK)
        fail_msg("synthetic: %s", err.message);
    return m;
}

static void solve(const tw_model *m, const tw_policy *p, tw_result *r)
{
    tw_error err;
    tw_solver *s = tw_solver_create(m, NULL, &err);
    if (!s)
        fail_msg("tw_solver_create: %s", err.message);
    if (tw_solve(s, p, r, &err) != TW_OK)
        fail_msg("tw_solve: %s", err.message);
    tw_solver_free(s);
}

/* ---- real and nominal GDP -------------------------------------------------- */

static void test_gdp_identities(void **state)
{
    (void)state;
    tw_model *m = synth(4, 5, 7, 0);
    size_t N = 4, J = 5;
    tw_policy *p = tw_policy_create(m);
    for (size_t j = 0; j < J; j++) {
        tw_policy_set_tariff(p, 1, 0, j, tw_policy_tariff(p, 1, 0, j) + 0.25);
        tw_policy_set_tariff(p, 0, 1, j, tw_policy_tariff(p, 0, 1, j) + 0.10);
        tw_policy_set_export_tax(p, 2, 0, j, 0.05);
    }
    tw_policy_set_subsidy(p, 3, 1, 0.1);
    double inc[4];
    tw_model_derive(m, TW_DERIVED_INCOME, inc, N);
    tw_policy_set_deficit(p, 2, 0.02 * inc[2]); /* unbalanced trade */
    tw_policy_set_deficit(p, 0, -0.02 * inc[2]);
    tw_result *r = tw_result_create(m);
    solve(m, p, r);
    const double *g0 = tw_result_country(r, TW_C_GDP_BASE), *g1 = tw_result_country(r, TW_C_GDP);
    const double *q = tw_result_country(r, TW_C_REAL_GDP_PCT);
    const double *inc0 = tw_result_country(r, TW_C_INCOME_BASE);
    const double *W = tw_result_country(r, TW_C_WELFARE_PCT);
    const double *Y = tw_result_sector(r, TW_CS_OUTPUT);
    const double *beta = tw_model_get(m, TW_VA_SHARES), *pi = tw_model_get(m, TW_MARKUP);
    const double *R = tw_result_country(r, TW_C_TARIFF_REVENUE);
    const double *XT = tw_result_country(r, TW_C_EXPORT_TAX_REVENUE);
    const double *SUB = tw_result_country(r, TW_C_SUBSIDY_COST);
    double world_gdp = 0, world_real_spending = 0, va0[4];
    tw_model_derive(m, TW_DERIVED_VALUE_ADDED, va0, N);
    double tr0[4];
    tw_model_derive(m, TW_DERIVED_TARIFF_REVENUE, tr0, N);
    for (size_t n = 0; n < N; n++) {
        /* nominal GDP = value added + net tax revenue, from sector outputs */
        double va = 0;
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            va += (beta[nj] * (1 - pi[j]) + pi[j]) * Y[nj];
        }
        assert_close(g1[n], va + R[n] + XT[n] - SUB[n], 1e-8);
        /* the synthetic base has no export taxes or subsidies */
        assert_close(g0[n], va0[n] + tr0[n], 1e-9);
        world_gdp += g0[n] * (1 + q[n] / 100);
        world_real_spending += inc0[n] * (1 + W[n] / 100);
        assert_true(isfinite(q[n]));
    }
    assert_close(world_gdp, world_real_spending, 1e-10);
    /* the answer moved real GDP: the identity is not met by zeros */
    assert_true(fabs(q[0]) > 1e-4);
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}

/* Two symmetric countries, one sector, balanced trade, no tariffs: a
 * symmetric trade-cost change moves both price indices alike, so real GDP at
 * base prices equals real income, which has the closed form
 * (lam'/lam)^(-1/(theta beta)) - 1 (Arkolakis-Costinot-Rodriguez-Clare). */
static void symmetric_case(double lam, double beta, double theta, double d)
{
    tw_model *m = tw_model_create(2, 1);
    tw_model_set_country(m, 0, "HOME", NULL, NULL);
    tw_model_set_country(m, 1, "FOREIGN", NULL, NULL);
    tw_model_set_sector(m, 0, "all", NULL, NULL);
    const double X[4] = {lam * 100, (1 - lam) * 100, (1 - lam) * 100, lam * 100};
    const double b[2] = {beta, beta}, one[2] = {1, 1};
    tw_model_set(m, TW_FLOWS, X, 4, NULL);
    tw_model_set(m, TW_VA_SHARES, b, 2, NULL);
    tw_model_set(m, TW_FINAL_SHARES, one, 2, NULL);
    tw_model_set(m, TW_IO_SHARES, one, 2, NULL);
    tw_model_set(m, TW_THETA, &theta, 1, NULL);
    tw_policy *p = tw_policy_create(m);
    tw_policy_set_trade_cost_change(p, 0, 1, 0, d);
    tw_policy_set_trade_cost_change(p, 1, 0, 0, d);
    tw_result *r = tw_result_create(m);
    solve(m, p, r);
    double lam1 = lam / (lam + (1 - lam) * pow(d, -theta));
    double want = 100 * (pow(lam1 / lam, -1 / (theta * beta)) - 1);
    for (size_t n = 0; n < 2; n++) {
        assert_close(tw_result_country(r, TW_C_REAL_GDP_PCT)[n], want, 1e-8);
        assert_close(tw_result_country(r, TW_C_GDP)[n], tw_result_country(r, TW_C_INCOME)[n],
                     1e-12);
    }
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}

static void test_gdp_symmetric_equals_real_income(void **state)
{
    (void)state;
    symmetric_case(0.8, 1.0, 4.0, 1.25);
    symmetric_case(0.65, 1.0, 8.28, 0.83);
    symmetric_case(0.7, 0.4, 5.0, 1.5);
}

/* No change: real GDP unchanged, nominal GDP the base's. */
static void test_gdp_no_change(void **state)
{
    (void)state;
    tw_model *m = synth(3, 4, 11, 0.1);
    tw_policy *p = tw_policy_create(m);
    tw_result *r = tw_result_create(m);
    solve(m, p, r);
    for (size_t n = 0; n < 3; n++) {
        assert_near(tw_result_country(r, TW_C_REAL_GDP_PCT)[n], 0, 1e-8);
        assert_close(tw_result_country(r, TW_C_GDP)[n], tw_result_country(r, TW_C_GDP_BASE)[n],
                     1e-9);
    }
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gdp_identities),
        cmocka_unit_test(test_gdp_symmetric_equals_real_income),
        cmocka_unit_test(test_gdp_no_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
