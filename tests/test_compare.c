/* test_compare.c - tw_compare and tw_policy_rebase: stage k-1 -> stage k counterfactuals. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4, J = 5 };

/* A synthetic equilibrium (psi > 0) and two policies: A raises 0's tariffs on 1,
 * B raises them more and adds 1's answer and a subsidy. */
typedef struct {
    tw_model *m;
    tw_policy *a, *b;
    tw_solver_options opt;
} fixture;

static void setup_fixture(fixture *f, double psi)
{
    assert_int_equal(tw_model_synthetic(N, J, 2385, psi, &f->m, NULL), TW_OK);
    f->a = tw_policy_create(f->m, NULL);
    f->b = tw_policy_create(f->m, NULL);
    assert_non_null(f->a);
    assert_non_null(f->b);
    for (size_t j = 0; j < 3; j++) {
        double t = tw_policy_tariff(f->a, 1, 0, j);
        assert_int_equal(tw_policy_set_tariff(f->a, 1, 0, j, t + 0.10), TW_OK);
        assert_int_equal(tw_policy_set_tariff(f->b, 1, 0, j, t + 0.25), TW_OK);
        double u = tw_policy_tariff(f->b, 0, 1, j);
        assert_int_equal(tw_policy_set_tariff(f->b, 0, 1, j, u + 0.125), TW_OK);
    }
    assert_int_equal(tw_policy_set_subsidy(f->b, 1, 2, 0.05), TW_OK);
    tw_solver_options_default(&f->opt);
}

static void free_fixture(fixture *f)
{
    tw_policy_free(f->a);
    tw_policy_free(f->b);
    tw_model_free(f->m);
}

static tw_result *solve(const tw_model *m, const tw_solver_options *o, const tw_policy *p)
{
    tw_solver *s = tw_solver_create(m, o, NULL);
    tw_result *r = tw_result_create(m, NULL);
    assert_non_null(s);
    assert_non_null(r);
    assert_int_equal(tt_solve(s, p, r, NULL), TW_OK);
    tw_solver_free(s);
    return r;
}

/* Rebasing at A and solving B gives the same equilibrium as solving A and B from
 * the base: welfare ratios, flows and tariff revenue agree. */
static void check_path_independence(double psi)
{
    fixture f;
    setup_fixture(&f, psi);
    tw_model *reb = NULL;
    tw_result *ab = NULL;
    assert_int_equal(tw_compare(f.m, &f.opt, f.a, f.b, &reb, &ab, NULL), TW_OK);
    tw_result *ra = solve(f.m, &f.opt, f.a), *rb = solve(f.m, &f.opt, f.b);
    const double *wa = tw_result_country(ra, TW_C_WELFARE_PCT),
                 *wb = tw_result_country(rb, TW_C_WELFARE_PCT),
                 *wab = tw_result_country(ab, TW_C_WELFARE_PCT);
    for (size_t i = 0; i < N; i++) {
        double want = 100 * ((1 + wb[i] / 100) / (1 + wa[i] / 100) - 1);
        assert_near(wab[i], want, 1e-7);
        assert_close(tw_result_country(ab, TW_C_TARIFF_REVENUE_BASE)[i],
                     tw_result_country(ra, TW_C_TARIFF_REVENUE)[i], 1e-8);
        assert_close(tw_result_country(ab, TW_C_TARIFF_REVENUE)[i],
                     tw_result_country(rb, TW_C_TARIFF_REVENUE)[i], 1e-7);
    }
    for (size_t x = 0; x < (size_t)(N * N * J); x++) {
        assert_close(tw_model_get(reb, TW_FLOWS)[x], tw_result_flows(ra)[x], 1e-8);
        assert_close(tw_result_flows(ab)[x], tw_result_flows(rb)[x], 1e-7);
    }
    tw_result_free(ab);
    tw_result_free(ra);
    tw_result_free(rb);
    tw_model_free(reb);
    free_fixture(&f);
}

static void test_path_independence(void **state)
{
    (void)state;
    check_path_independence(0.0);
}

static void test_path_independence_scale(void **state)
{
    (void)state;
    check_path_independence(0.05);
}

/* A stage that changes nothing leaves everything unchanged. */
static void test_no_change_stage(void **state)
{
    (void)state;
    fixture f;
    setup_fixture(&f, 0.05);
    tw_model *reb = NULL;
    tw_result *r = NULL;
    assert_int_equal(tw_compare(f.m, &f.opt, f.a, f.a, &reb, &r, NULL), TW_OK);
    for (size_t i = 0; i < N; i++) {
        assert_near(tw_result_country(r, TW_C_WELFARE_PCT)[i], 0, 1e-8);
        assert_near(tw_result_country(r, TW_C_EV)[i], 0, 1e-6);
        assert_near(tw_result_country(r, TW_C_REAL_WAGE_PCT)[i], 0, 1e-8);
    }
    for (size_t x = 0; x < (size_t)(N * J); x++)
        assert_near(tw_result_sector(r, TW_CS_OUTPUT_PCT)[x], 0, 1e-8);
    tw_result_free(r);
    tw_model_free(reb);
    free_fixture(&f);
}

/* Trade-cost changes are relative to the starting policy; a flow banned at the
 * start cannot reopen; dimensions must agree. */
static void test_rebase_trade_costs_and_errors(void **state)
{
    (void)state;
    fixture f;
    setup_fixture(&f, 0.0);
    assert_int_equal(tw_policy_set_trade_cost_change(f.a, 2, 3, 1, 1.25), TW_OK);
    assert_int_equal(tw_policy_set_trade_cost_change(f.b, 2, 3, 1, 1.5), TW_OK);
    tw_result *ra = solve(f.m, &f.opt, f.a);
    tw_model *reb = tw_result_to_model(ra, f.m, f.a, NULL);
    tw_policy *out = tw_policy_create(reb, NULL);
    assert_int_equal(tw_policy_rebase(f.b, f.a, out, NULL), TW_OK);
    assert_close(tw_policy_trade_cost_change(out, 2, 3, 1), 1.2, 1e-15);
    assert_close(tw_policy_tariff(out, 1, 0, 0), tw_policy_tariff(f.b, 1, 0, 0), 1e-15);
    assert_close(tw_policy_subsidy(out, 1, 2), 0.05, 1e-15);

    tw_error err;
    assert_int_equal(tw_policy_set_trade_cost_change(f.a, 2, 3, 1, INFINITY), TW_OK);
    assert_int_equal(tw_policy_rebase(f.b, f.a, out, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "banned"));

    tw_model *other = NULL;
    assert_int_equal(tw_model_synthetic(N + 1, J, 7, 0.0, &other, NULL), TW_OK);
    tw_policy *po = tw_policy_create(other, NULL);
    assert_int_equal(tw_policy_rebase(po, f.a, out, NULL), TW_ERR_INVALID);
    tw_model *r2 = NULL;
    tw_result *res2 = NULL;
    assert_int_equal(tw_compare(f.m, &f.opt, po, f.b, &r2, &res2, &err), TW_ERR_INVALID);
    assert_null(r2);
    assert_null(res2);
    tw_policy_free(po);
    tw_model_free(other);
    tw_policy_free(out);
    tw_model_free(reb);
    tw_result_free(ra);
    free_fixture(&f);
}

/* Policies A and B of the fixture, made for any model of its dimensions. */
static void fixture_policies(const tw_model *m, tw_policy **a, tw_policy **b)
{
    *a = tw_policy_create(m, NULL);
    *b = tw_policy_create(m, NULL);
    for (size_t j = 0; j < 3; j++) {
        double t = tw_policy_tariff(*a, 1, 0, j);
        assert_int_equal(tw_policy_set_tariff(*a, 1, 0, j, t + 0.10), TW_OK);
        assert_int_equal(tw_policy_set_tariff(*b, 1, 0, j, t + 0.25), TW_OK);
        double u = tw_policy_tariff(*b, 0, 1, j);
        assert_int_equal(tw_policy_set_tariff(*b, 0, 1, j, u + 0.125), TW_OK);
    }
    assert_int_equal(tw_policy_set_subsidy(*b, 1, 2, 0.05), TW_OK);
}

/* tw_compare_variants equals tw_compare on models whose elasticities were set
 * by hand, variant by variant; a bad variant is an error. */
static void test_variants(void **state)
{
    (void)state;
    fixture f;
    setup_fixture(&f, 0.1);
    size_t n;
    const tw_elasticity_variant *v = tw_sensitivity_variants(&n);
    assert_int_equal(n, 6);
    assert_string_equal(v[0].key, "central");
    tw_model *reb[6];
    tw_result *res[6];
    tw_outcome outcome[6];
    tw_error errs[6], err;
    assert_int_equal(tw_compare_variants(f.m, &f.opt, v, n, f.a, f.b, reb, res, outcome, errs,
                                         &err),
                     TW_OK);
    const double *theta = tw_model_get(f.m, TW_THETA), *psi = tw_model_get(f.m, TW_PSI);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(outcome[k], TW_OUTCOME_CONVERGED);
        double t[J], p[J];
        for (size_t j = 0; j < J; j++) {
            t[j] = theta[j] * v[k].theta_scale;
            p[j] = v[k].psi == TW_PSI_ZERO   ? 0
                   : v[k].psi == TW_PSI_DATA ? psi[j]
                                             : psi[j] / v[k].theta_scale;
        }
        tw_model *m = tw_model_clone(f.m, NULL);
        assert_int_equal(tw_model_set(m, TW_THETA, t, J, NULL), TW_OK);
        assert_int_equal(tw_model_set(m, TW_PSI, p, J, NULL), TW_OK);
        tw_policy *a, *b;
        fixture_policies(m, &a, &b);
        tw_model *rb = NULL;
        tw_result *r = NULL;
        assert_int_equal(tw_compare(m, &f.opt, a, b, &rb, &r, NULL), TW_OK);
        for (size_t i = 0; i < N; i++) {
            assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[i] ==
                        tw_result_country(res[k], TW_C_WELFARE_PCT)[i]);
            assert_true(tw_result_country(r, TW_C_EV)[i] == tw_result_country(res[k], TW_C_EV)[i]);
        }
        /* the variants differ from one another */
        if (k > 0)
            assert_true(tw_result_country(res[k], TW_C_WELFARE_PCT)[0] !=
                        tw_result_country(res[0], TW_C_WELFARE_PCT)[0]);
        tw_result_free(r);
        tw_model_free(rb);
        tw_policy_free(a);
        tw_policy_free(b);
        tw_model_free(m);
    }
    for (size_t k = 0; k < n; k++) {
        tw_result_free(res[k]);
        tw_model_free(reb[k]);
    }
    tw_elasticity_variant bad = {"bad", "bad", 0.0, TW_PSI_DATA};
    assert_int_equal(tw_compare_variants(f.m, &f.opt, &bad, 1, f.a, f.b, reb, res, outcome, errs,
                                         &err),
                     TW_ERR_INVALID);
    assert_null(res[0]);
    assert_string_equal(tw_psi_rule_name(TW_PSI_KEEP_PRODUCT), "data / theta_scale");
    free_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_independence),
        cmocka_unit_test(test_path_independence_scale),
        cmocka_unit_test(test_no_change_stage),
        cmocka_unit_test(test_rebase_trade_costs_and_errors),
        cmocka_unit_test(test_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
