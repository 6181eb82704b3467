/* test_sweep.c - Monte Carlo draws of elasticities and type-7 quantiles (src/sweep.c). */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Values checked against R: quantile(x, p, type = 7). */
static void test_quantile_type7(void **state)
{
    (void)state;
    const double x[5] = {2.385, 3.1, 7.25, 11.0, 12.5};
    assert_close(tw_quantile_sorted(x, 5, 0.0), 2.385, 0);
    assert_close(tw_quantile_sorted(x, 5, 1.0), 12.5, 0);
    assert_close(tw_quantile_sorted(x, 5, 0.5), 7.25, 0);
    assert_close(tw_quantile_sorted(x, 5, 0.3), 3.1 + 0.2 * (7.25 - 3.1), 1e-15); /* 3.93 */
    assert_close(tw_quantile_sorted(x, 5, 0.05), 2.385 + 0.2 * (3.1 - 2.385), 1e-15);
    assert_close(tw_quantile_sorted(x, 5, 0.95), 11.0 + 0.8 * (12.5 - 11.0), 1e-15);
    const double y[4] = {1, 2, 3, 4};
    assert_close(tw_quantile_sorted(y, 4, 0.05), 1.15, 1e-15);
    assert_close(tw_quantile_sorted(y, 4, 0.5), 2.5, 1e-15);
    assert_close(tw_quantile_sorted(y, 4, 0.95), 3.85, 1e-15);
    assert_close(tw_quantile_sorted(x, 1, 0.73), 2.385, 0);
    assert_true(isnan(tw_quantile_sorted(x, 0, 0.5)));
    assert_true(isnan(tw_quantile_sorted(x, 5, -0.01)));
    assert_true(isnan(tw_quantile_sorted(x, 5, 1.5)));
    assert_true(isnan(tw_quantile_sorted(x, 5, NAN)));
    assert_true(isnan(tw_quantile_sorted(NULL, 5, 0.5)));
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

static void test_normal_quantile(void **state)
{
    (void)state;
    assert_near(tw_normal_quantile(0.5), 0, 1e-300);
    assert_close(tw_normal_quantile(0.975), 1.959963984540054, 1e-14);
    assert_close(tw_normal_quantile(0.05), -1.6448536269514729, 1e-14);
    assert_close(tw_normal_quantile(1e-10), -6.3613409024040557, 1e-13);
    assert_close(tw_normal_quantile(1 - 1e-3), 3.0902323061678132, 1e-13);
    for (double p = 0.0013; p < 1; p += 0.0371) {
        assert_close(tw_normal_quantile(1 - p), -tw_normal_quantile(p), 1e-12);
        assert_close(normal_cdf(tw_normal_quantile(p)), p, 1e-13);
    }
    assert_true(isinf(tw_normal_quantile(0)) && tw_normal_quantile(0) < 0);
    assert_true(isinf(tw_normal_quantile(1)) && tw_normal_quantile(1) > 0);
    assert_true(isnan(tw_normal_quantile(1.25)));
}

#define J 3
static const double theta_mean[J] = {4.55, 0.64, 8.0}, theta_se[J] = {0.91, 0.5, 0.0};
static const double psi_lo[J] = {0.0, 0.1, 0.2}, psi_hi[J] = {0.0, 0.3, 0.2};

static void test_draws_deterministic(void **state)
{
    (void)state;
    tw_draw_spec th = {TW_DIST_NORMAL, theta_mean, theta_se};
    tw_draw_spec ps = {TW_DIST_UNIFORM, psi_lo, psi_hi};
    double t1[J], p1[J], t2[J], p2[J], t3[J], p3[J];
    /* draw 0 is the central values */
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 7, 0, t1, p1, NULL), TW_OK);
    assert_memory_equal(t1, theta_mean, sizeof t1);
    assert_memory_equal(p1, psi_lo, sizeof p1);
    /* the same coordinates give the same numbers whatever was drawn before */
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 7, 1234, t1, p1, NULL), TW_OK);
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 7, 99, t3, p3, NULL), TW_OK);
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 7, 1234, t2, p2, NULL), TW_OK);
    assert_memory_equal(t1, t2, sizeof t1);
    assert_memory_equal(p1, p2, sizeof p1);
    assert_true(t1[0] != t3[0] && p1[1] != p3[1]);
    assert_close(t1[2], 8.0, 0); /* zero standard error: the mean */
    assert_close(p1[0], 0.0, 0); /* degenerate range */
    assert_true(p1[1] >= 0.1 && p1[1] <= 0.3);
    /* another seed, other numbers */
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 8, 1234, t2, p2, NULL), TW_OK);
    assert_true(t1[0] != t2[0]);
}

/* Empirical quantiles of many draws against the exact ones: a uniform
 * distribution and a normal truncated at zero (0.64 +- 0.5 loses 10% below 0). */
static void test_draws_distribution(void **state)
{
    (void)state;
    enum { K = 40000 };
    const double lo[1] = {2.385}, hi[1] = {7.5}, mean[1] = {0.64}, se[1] = {0.5};
    tw_draw_spec uni = {TW_DIST_UNIFORM, lo, hi}, tn = {TW_DIST_NORMAL, mean, se};
    double *u = malloc(K * sizeof *u), *t = malloc(K * sizeof *t);
    assert_non_null(u);
    assert_non_null(t);
    for (unsigned long long k = 1; k <= K; k++) {
        double psi_u, psi_t;
        tw_draw_spec psi_fixed = {TW_DIST_FIXED, lo, NULL};
        assert_int_equal(tw_draw_elasticities(&uni, &psi_fixed, 1, 2019, k, &u[k - 1], &psi_u,
                                              NULL), TW_OK);
        assert_int_equal(tw_draw_elasticities(&tn, &psi_fixed, 1, 2019, k, &t[k - 1], &psi_t,
                                              NULL), TW_OK);
        assert_true(t[k - 1] > 0);
    }
    qsort(u, K, sizeof *u, cmp_double);
    qsort(t, K, sizeof *t, cmp_double);
    const double ps[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
    double p0 = normal_cdf(-mean[0] / se[0]);
    for (int q = 0; q < 5; q++) {
        /* standard error of a sample quantile: sqrt(p(1-p)/K) / density, about 0.01 here */
        assert_near(tw_quantile_sorted(u, K, ps[q]), lo[0] + ps[q] * (hi[0] - lo[0]), 0.04);
        double exact = mean[0] + se[0] * tw_normal_quantile(p0 + ps[q] * (1 - p0));
        assert_near(tw_quantile_sorted(t, K, ps[q]), exact, 0.02);
    }
    free(u);
    free(t);
}

static void test_draws_errors(void **state)
{
    (void)state;
    const double bad_mean[J] = {4.55, 0.0, 8.0}, neg_se[J] = {0.1, -0.2, 0.1};
    const double hi_low[J] = {0.0, 0.05, 0.2};
    double t[J], p[J];
    tw_error err;
    tw_draw_spec th = {TW_DIST_NORMAL, bad_mean, theta_se};
    tw_draw_spec ps = {TW_DIST_FIXED, psi_lo, NULL};
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 1, 1, t, p, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "theta[1]"));
    th.a = theta_mean;
    th.b = neg_se;
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 1, 1, t, p, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "standard error -0.2"));
    th.b = theta_se;
    tw_draw_spec bad_range = {TW_DIST_UNIFORM, psi_lo, hi_low};
    assert_int_equal(tw_draw_elasticities(&th, &bad_range, J, 1, 1, t, p, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "psi[1]: empty range"));
    assert_int_equal(tw_draw_elasticities(NULL, &ps, J, 1, 1, t, p, &err), TW_ERR_INVALID);
    assert_int_equal(tw_draw_elasticities(&th, &ps, J, 1, 1, t, NULL, NULL), TW_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_type7),     cmocka_unit_test(test_normal_quantile),
        cmocka_unit_test(test_draws_deterministic), cmocka_unit_test(test_draws_distribution),
        cmocka_unit_test(test_draws_errors),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
