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

/* Draws bounded to psi theta < 1. With psi fixed at 0.2, theta ~ N(4, 1) is
 * drawn conditional on 0 < theta < 5: its quantiles are known exactly. Draws
 * that met the bound at once equal the unbounded draws. */
static void test_draws_bounded(void **state)
{
    (void)state;
    enum { K = 40000 };
    const double mean[1] = {4.0}, se[1] = {1.0}, psi[1] = {0.2};
    tw_draw_spec th = {TW_DIST_NORMAL, mean, se}, ps = {TW_DIST_FIXED, psi, NULL};
    double *t = malloc(K * sizeof *t);
    assert_non_null(t);
    size_t redrawn = 0;
    for (unsigned long long k = 1; k <= K; k++) {
        double tb, pb, tu, pu;
        unsigned long long r = 99;
        assert_int_equal(tw_draw_elasticities_bounded(&th, &ps, 1, 1.0, 5, k, &tb, &pb, &r, NULL),
                         TW_OK);
        assert_int_equal(tw_draw_elasticities(&th, &ps, 1, 5, k, &tu, &pu, NULL), TW_OK);
        assert_true(tb > 0 && tb * pb < 1.0 && pb == 0.2);
        if (tu * pu < 1.0) {
            assert_int_equal(r, 0);
            assert_true(tb == tu);
        } else {
            assert_true(r >= 1);
            redrawn++;
        }
        t[k - 1] = tb;
    }
    /* P(theta > 5 | theta > 0) = (1 - Phi(1)) / (1 - Phi(-4)): about 15.9% */
    double p_out = (1 - normal_cdf(1.0)) / (1 - normal_cdf(-4.0));
    assert_near((double)redrawn / K, p_out, 4 * sqrt(p_out * (1 - p_out) / K));
    qsort(t, K, sizeof *t, cmp_double);
    const double qs[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
    double lo = normal_cdf(-4.0), hi = normal_cdf(1.0);
    for (int q = 0; q < 5; q++) {
        double exact = 4.0 + tw_normal_quantile(lo + qs[q] * (hi - lo));
        assert_near(tw_quantile_sorted(t, K, qs[q]), exact, 0.03);
    }
    free(t);

    /* both drawn: every pair below the bound; draw 0 is the data's, bound or not */
    const double pm[J] = {0.2, 0.3, 0.1}, pse[J] = {0.05, 0.1, 0.02};
    tw_draw_spec th3 = {TW_DIST_NORMAL, theta_mean, theta_se}, ps3 = {TW_DIST_NORMAL, pm, pse};
    double t3[J], p3[J];
    for (unsigned long long k = 0; k < 2000; k++) {
        assert_int_equal(tw_draw_elasticities_bounded(&th3, &ps3, J, 0.9, 3, k, t3, p3, NULL,
                                                      NULL), TW_OK);
        for (int j = 0; j < J; j++)
            assert_true(k == 0 ? t3[j] == theta_mean[j] && p3[j] == pm[j] : t3[j] * p3[j] < 0.9);
    }

    /* a bound that (almost) nothing meets, and a bound that is no bound */
    const double m10[1] = {10.0}, s01[1] = {0.1}, p05[1] = {0.5};
    tw_draw_spec tight = {TW_DIST_NORMAL, m10, s01}, p_half = {TW_DIST_FIXED, p05, NULL};
    double a, b;
    tw_error err;
    assert_int_equal(
        tw_draw_elasticities_bounded(&tight, &p_half, 1, 1.0, 1, 1, &a, &b, NULL, &err),
        TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "not one of 1000 draws has psi*theta below 1"));
    assert_int_equal(tw_draw_elasticities_bounded(&th, &ps, 1, 0.0, 1, 1, &a, &b, NULL, &err),
                     TW_ERR_INVALID);
    assert_int_equal(tw_draw_elasticities_bounded(&th, &ps, 1, -1.0, 1, 1, &a, &b, NULL, NULL),
                     TW_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_type7),     cmocka_unit_test(test_normal_quantile),
        cmocka_unit_test(test_draws_deterministic), cmocka_unit_test(test_draws_distribution),
        cmocka_unit_test(test_draws_errors),       cmocka_unit_test(test_draws_bounded),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
