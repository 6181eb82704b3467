/* test_sweep.c - Monte Carlo draws of elasticities and type-7 quantiles (src/sweep.c), and
 * the sweep runner, its record store and statistics (src/sweep_*.c). */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
                                              NULL),
                         TW_OK);
        assert_int_equal(tw_draw_elasticities(&tn, &psi_fixed, 1, 2019, k, &t[k - 1], &psi_t, NULL),
                         TW_OK);
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
        assert_int_equal(tw_draw_elasticities_bounded(&th3, &ps3, J, 0.9, 3, k, t3, p3, NULL, NULL),
                         TW_OK);
        for (int j = 0; j < J; j++)
            assert_true(k == 0 ? t3[j] == theta_mean[j] && p3[j] == pm[j] : t3[j] * p3[j] < 0.9);
    }

    /* a bound that (almost) nothing meets, and a bound that is no bound */
    const double m10[1] = {10.0}, s01[1] = {0.1}, p05[1] = {0.5};
    tw_draw_spec tight = {TW_DIST_NORMAL, m10, s01}, p_half = {TW_DIST_FIXED, p05, NULL};
    double a, b;
    tw_error err;
    assert_int_equal(tw_draw_elasticities_bounded(&tight, &p_half, 1, 1.0, 1, 1, &a, &b, NULL,
                                                  &err),
                     TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "not one of 1000 draws has psi*theta below 1"));
    assert_int_equal(tw_draw_elasticities_bounded(&th, &ps, 1, 0.0, 1, 1, &a, &b, NULL, &err),
                     TW_ERR_INVALID);
    assert_int_equal(tw_draw_elasticities_bounded(&th, &ps, 1, -1.0, 1, 1, &a, &b, NULL, NULL),
                     TW_ERR_INVALID);
}

/* ---- the sweep runner ------------------------------------------------------ */

#define SN 4
typedef struct {
    tw_model *m;
    tw_policy *p[2];
    double se[J];
} sweep_fixture;

/* A synthetic economy with scale economies and two points: 0 raises its
 * tariffs on 1, and 1 also answers. */
static void sweep_setup(sweep_fixture *f)
{
    assert_int_equal(tw_model_synthetic(SN, J, 2385, 0.05, &f->m, NULL), TW_OK);
    for (int k = 0; k < 2; k++) {
        f->p[k] = tw_policy_create(f->m, NULL);
        for (size_t j = 0; j < J; j++) {
            assert_int_equal(tw_policy_set_tariff(f->p[k], 1, 0, j, 0.15 + 0.05 * (double)j),
                             TW_OK);
            if (k)
                assert_int_equal(tw_policy_set_tariff(f->p[k], 0, 1, j, 0.125), TW_OK);
        }
    }
    const double *theta = tw_model_get(f->m, TW_THETA);
    for (size_t j = 0; j < J; j++)
        f->se[j] = 0.15 * theta[j];
}

static void sweep_teardown(sweep_fixture *f)
{
    tw_policy_free(f->p[0]);
    tw_policy_free(f->p[1]);
    tw_model_free(f->m);
}

static tw_sweep *make_sweep(sweep_fixture *f, size_t draws, int threads,
                            int (*cb)(void *, const tw_sweep_progress *), void *user)
{
    tw_sweep_options o;
    tw_sweep_options_default(&o);
    o.draws = draws;
    o.seed = 77;
    o.theta = (tw_draw_spec){TW_DIST_NORMAL, NULL, f->se};
    o.threads = threads;
    static const tw_sector_output keys[1] = {TW_CS_OUTPUT_PCT};
    o.sector_outputs = keys;
    o.n_sector_outputs = 1;
    o.progress = cb;
    o.progress_user = user;
    o.progress_interval = 0;
    tw_error err = {0};
    const tw_policy *pts[2] = {f->p[0], f->p[1]};
    tw_sweep *s = tw_sweep_create(f->m, pts, 2, &o, &err);
    if (!s)
        fail_msg("tw_sweep_create: %s", err.message);
    return s;
}

/* Every value of every solve of two sweeps, bit for bit. */
static void assert_same_sweep(const tw_sweep *a, const tw_sweep *b, size_t draws)
{
    size_t V = tw_sweep_value_count(a);
    assert_int_equal(V, tw_sweep_value_count(b));
    for (size_t pt = 0; pt < 2; pt++)
        for (size_t k = 0; k <= draws; k++) {
            const double *x = tw_sweep_values(a, pt, k), *y = tw_sweep_values(b, pt, k);
            assert_non_null(x);
            assert_non_null(y);
            assert_memory_equal(x, y, V * sizeof *x);
            tw_sweep_solve sa, sb;
            tw_sweep_get_solve(a, pt, k, &sa);
            tw_sweep_get_solve(b, pt, k, &sb);
            assert_int_equal(sa.status, sb.status);
            assert_int_equal(sa.iterations, sb.iterations);
        }
}

/* Each solve equals an independent one: the draw's elasticities (as
 * tw_draw_elasticities gives them) set into a fresh solver, solved cold. The
 * layout of the values is as documented; 1 and 3 threads agree bit for bit. */
static void test_sweep_solves(void **state)
{
    (void)state;
    tw_outcome outcome = TW_OUTCOME_NONE;
    sweep_fixture f;
    sweep_setup(&f);
    enum { D = 6 };
    tw_sweep *s1 = make_sweep(&f, D, 1, NULL, NULL), *s3 = make_sweep(&f, D, 3, NULL, NULL);
    tw_error err = {0};
    assert_int_equal(tw_sweep_run(s1, &outcome, &err), TW_OK);
    assert_int_equal(tw_sweep_run(s3, &outcome, &err), TW_OK);
    assert_int_equal(outcome, TW_OUTCOME_CONVERGED);
    assert_same_sweep(s1, s3, D);
    size_t V = tw_sweep_value_count(s1);
    assert_int_equal(V, TW_C_COUNT * SN + SN * J + 2 * J);
    tw_solver *solver = tw_solver_create(f.m, NULL, &err);
    tw_result *r = tw_result_create(f.m, NULL);
    tw_draw_spec th = {TW_DIST_NORMAL, tw_model_get(f.m, TW_THETA), f.se};
    tw_draw_spec ps = {TW_DIST_FIXED, tw_model_get(f.m, TW_PSI), NULL};
    for (size_t pt = 0; pt < 2; pt++)
        for (size_t k = 0; k <= D; k++) {
            double theta[J], psi[J], t2[J], p2[J];
            assert_int_equal(tw_draw_elasticities_bounded(&th, &ps, J, 1.0, 77, k, theta, psi, NULL,
                                                          NULL),
                             TW_OK);
            assert_int_equal(tw_sweep_elasticities(s1, k, t2, p2, NULL), TW_OK);
            assert_memory_equal(theta, t2, sizeof theta);
            tw_sweep_solve so;
            tw_sweep_get_solve(s1, pt, k, &so);
            assert_true(so.done);
            assert_int_equal(so.status, TW_SWEEP_CONVERGED);
            assert_int_equal(so.redraws, 0); /* the base is stable under these draws */
            assert_true(so.growth < 1);
            const double *v = tw_sweep_values(s1, pt, k);
            assert_memory_equal(v + TW_C_COUNT * SN + SN * J, theta, sizeof theta);
            assert_memory_equal(v + TW_C_COUNT * SN + SN * J + J, psi, sizeof psi);
            assert_int_equal(tw_solver_set_elasticities(solver, theta, psi, NULL), TW_OK);
            assert_int_equal(tw_solve(solver, f.p[pt], r, NULL), TW_OK);
            for (size_t i = 0; i < SN; i++) {
                assert_close(v[TW_C_WELFARE_PCT * SN + i],
                             tw_result_country(r, TW_C_WELFARE_PCT)[i], 1e-7);
                assert_close(v[TW_C_REAL_WAGE_PCT * SN + i],
                             tw_result_country(r, TW_C_REAL_WAGE_PCT)[i], 1e-7);
                for (size_t j = 0; j < J; j++)
                    assert_close(v[TW_C_COUNT * SN + i * J + j],
                                 tw_result_sector(r, TW_CS_OUTPUT_PCT)[i * J + j], 1e-6);
            }
        }
    tw_sweep_counts c;
    tw_sweep_get_counts(s1, &c);
    assert_int_equal(c.solved, 2 * (D + 1));
    assert_int_equal(c.converged, 2 * (D + 1));
    assert_int_equal(c.failed + c.retried, 0);
    assert_true(c.stability_checked);
    tw_result_free(r);
    tw_solver_free(solver);
    tw_sweep_free(s1);
    tw_sweep_free(s3);
    sweep_teardown(&f);
}

/* tw_sweep_summarise against the definitions: central, mean, sd (n - 1),
 * type-7 quantiles of the draws' values. */
static void test_sweep_summary(void **state)
{
    (void)state;
    tw_outcome outcome = TW_OUTCOME_NONE;
    sweep_fixture f;
    sweep_setup(&f);
    enum { D = 9 };
    tw_sweep *s = make_sweep(&f, D, 2, NULL, NULL);
    assert_int_equal(tw_sweep_run(s, &outcome, NULL), TW_OK);
    size_t V = tw_sweep_value_count(s);
    const double p[3] = {0.05, 0.5, 0.975};
    tw_sweep_stat *st = calloc(V, sizeof *st);
    double *q = calloc(3 * V, sizeof *q);
    assert_int_equal(tw_sweep_summarise(s, 1, p, 3, st, q, NULL), TW_OK);
    for (size_t v = 0; v < V; v++) {
        double x[D], sum = 0, ss = 0;
        for (size_t k = 1; k <= D; k++)
            sum += x[k - 1] = tw_sweep_values(s, 1, k)[v];
        double mean = sum / D;
        for (size_t k = 0; k < D; k++)
            ss += (x[k] - mean) * (x[k] - mean);
        qsort(x, D, sizeof *x, cmp_double);
        assert_int_equal(st[v].n, D);
        assert_true(st[v].central == tw_sweep_values(s, 1, 0)[v]);
        assert_close(st[v].mean, mean, 1e-12);
        assert_close(st[v].sd, sqrt(ss / (D - 1)), 1e-9);
        for (int k = 0; k < 3; k++)
            assert_true(q[v * 3 + k] == tw_quantile_sorted(x, D, p[k]));
    }
    const double bad = 1.5;
    assert_int_equal(tw_sweep_summarise(s, 0, &bad, 1, st, q, NULL), TW_ERR_INVALID);
    assert_int_equal(tw_sweep_summarise(s, 2, p, 3, st, q, NULL), TW_ERR_INVALID);
    free(st);
    free(q);
    tw_sweep_free(s);
    sweep_teardown(&f);
}

typedef struct {
    int calls, stop_at;
    size_t last_done;
    int finals;
} stopper;

static int stop_cb(void *user, const tw_sweep_progress *p)
{
    stopper *x = user;
    x->calls++;
    x->finals += p->final;
    assert_true(p->done >= x->last_done && p->done <= p->total);
    assert_true(p->seconds >= 0);
    x->last_done = p->done;
    return x->stop_at > 0 && p->done >= (size_t)x->stop_at;
}

/* A run stopped by its progress callback keeps what it did in the store and
 * says so (outcome `stopped`); a new sweep on the same directory does only the rest,
 * and ends with the values of an uninterrupted run. Another sweep's
 * directory is refused; a torn record at the end is solved again. */
static void test_sweep_stop_resume(void **state)
{
    (void)state;
    tw_outcome outcome = TW_OUTCOME_NONE;
    sweep_fixture f;
    sweep_setup(&f);
    enum { D = 300 }; /* solves take well under a millisecond: enough to stop midway */
    char dir[4096], other[4096];
    snprintf(dir, sizeof dir, "%s", tt_tmpdir());
    snprintf(other, sizeof other, "%s", tt_tmpdir());
    stopper x = {0, 4, 0, 0};
    tw_sweep *a = make_sweep(&f, D, 2, stop_cb, &x);
    tw_error err = {0};
    assert_int_equal(tw_sweep_open_store(a, dir, "test sweep 1", &err), TW_OK);
    assert_int_equal(tw_sweep_run(a, &outcome, &err), TW_OK);
    assert_int_equal(outcome, TW_OUTCOME_STOPPED);
    assert_int_equal(err.code, TW_OK);
    assert_non_null(strstr(err.message, "stopped by its progress callback"));
    assert_int_equal(x.finals, 1);
    tw_sweep_counts c;
    tw_sweep_get_counts(a, &c);
    if (!(c.solved >= 4 && c.solved < 2 * (D + 1)))
        fail_msg("solved %zu of %d, %d calls", c.solved, 2 * (D + 1), x.calls);
    size_t first = c.solved;
    tw_sweep_free(a);

    /* another identity: refused, nothing read */
    tw_sweep *b = make_sweep(&f, D, 2, NULL, NULL);
    assert_int_equal(tw_sweep_open_store(b, dir, "test sweep 2", &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "not written by this sweep"));
    /* the same: resumes */
    assert_int_equal(tw_sweep_open_store(b, dir, "test sweep 1", &err), TW_OK);
    tw_sweep_get_counts(b, &c);
    assert_int_equal(c.solved, first);
    uint32_t *items;
    size_t n;
    assert_int_equal(tw_sweep_pending(b, &items, &n, NULL), TW_OK);
    assert_int_equal(n, 2 * (D + 1) - first);
    free(items);
    x = (stopper){0, 0, 0, 0};
    assert_int_equal(tw_sweep_run(b, &outcome, &err), TW_OK);
    assert_int_equal(outcome, TW_OUTCOME_CONVERGED);
    tw_sweep_get_counts(b, &c);
    assert_int_equal(c.solved, 2 * (D + 1));

    tw_sweep *whole = make_sweep(&f, D, 1, NULL, NULL);
    assert_int_equal(tw_sweep_open_store(whole, other, NULL, &err), TW_OK);
    assert_int_equal(tw_sweep_run(whole, &outcome, &err), TW_OK);
    assert_same_sweep(b, whole, D);
    tw_sweep_free(b);

    /* a torn last record: cut off and solved again; more draws added later
     * keep the earlier ones (the library's own identity: NULL) */
    char path[4200];
    snprintf(path, sizeof path, "%s/records.twr", other);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    assert_int_equal(ftruncate(fileno(fp), size - 5), 0);
    fclose(fp);
    tw_sweep *again = make_sweep(&f, D, 2, NULL, NULL);
    assert_int_equal(tw_sweep_open_store(again, other, NULL, &err), TW_OK);
    tw_sweep_get_counts(again, &c);
    assert_int_equal(c.solved, 2 * (D + 1) - 1);
    assert_int_equal(tw_sweep_run(again, &outcome, &err), TW_OK);
    assert_same_sweep(again, whole, D);
    tw_sweep_free(again);
    tw_sweep_free(whole);
    sweep_teardown(&f);
}

/* ---- a run shared between two "processes" (the driver, as MPI backs it) ---- */

typedef struct mailbox {
    pthread_mutex_t mu;
    unsigned char *recs; /* records from the helper, not yet taken */
    size_t n, cap, bytes;
    int asked, answered, done;
    size_t first, count;
    int polls, fetches;
} mailbox;

static int box_poll(void *user, tw_sweep *s, tw_error *err)
{
    mailbox *b = user;
    pthread_mutex_lock(&b->mu);
    b->polls++;
    if (b->n && tw_sweep_add_records(s, b->recs, b->n, err) != TW_OK)
        err->code = err->code ? err->code : TW_ERR_INTERNAL;
    b->n = 0;
    if (b->asked && !b->answered) {
        tw_sweep_grant(s, 2, &b->first, &b->count);
        b->asked = 0;
        b->answered = 1;
    }
    int done = b->done;
    b->done = 0;
    pthread_mutex_unlock(&b->mu);
    return done;
}

static int box_send(void *user, const void *records, size_t n, tw_error *err)
{
    mailbox *b = user;
    (void)err;
    pthread_mutex_lock(&b->mu);
    if (b->n + n > b->cap) {
        b->cap = 2 * (b->n + n);
        b->recs = realloc(b->recs, b->cap * b->bytes);
    }
    memcpy(b->recs + b->n * b->bytes, records, n * b->bytes);
    b->n += n;
    pthread_mutex_unlock(&b->mu);
    return 0;
}

static int box_fetch(void *user, size_t *first, size_t *count, tw_error *err)
{
    mailbox *b = user;
    (void)err;
    int got = 0;
    pthread_mutex_lock(&b->mu);
    b->fetches++;
    if (b->answered) {
        *first = b->first;
        *count = b->count;
        b->answered = 0;
        got = 1;
    } else
        b->asked = 1;
    pthread_mutex_unlock(&b->mu);
    return got;
}

typedef struct helper {
    tw_sweep *s;
    mailbox *box;
    const uint32_t *items;
    size_t n;
    tw_status st;
} helper;

static void *helper_main(void *arg)
{
    helper *h = arg;
    tw_sweep_driver d = {h->box, NULL, 0, box_send, box_fetch};
    tw_outcome outcome;
    h->st = tw_sweep_run_shared(h->s, &d, h->items, h->n, &outcome, NULL);
    pthread_mutex_lock(&h->box->mu);
    h->box->done = 1;
    pthread_mutex_unlock(&h->box->mu);
    return NULL;
}

/* The storing process and a helper (two sweeps joined by the driver's hooks
 * over a mailbox) give the values of one process; the helper keeps nothing
 * itself (its records go through the mailbox). */
static void test_sweep_shared(void **state)
{
    (void)state;
    sweep_fixture f;
    sweep_setup(&f);
    enum { D = 40 };
    tw_sweep *store = make_sweep(&f, D, 1, NULL, NULL), *help = make_sweep(&f, D, 1, NULL, NULL);
    tw_sweep *alone = make_sweep(&f, D, 2, NULL, NULL);
    mailbox box;
    memset(&box, 0, sizeof box);
    pthread_mutex_init(&box.mu, NULL);
    box.bytes = tw_sweep_record_bytes(store);
    uint32_t *items;
    size_t n;
    assert_int_equal(tw_sweep_pending(store, &items, &n, NULL), TW_OK);
    assert_int_equal(n, 2 * (D + 1));
    helper h = {help, &box, items, n, TW_ERR_INTERNAL};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, helper_main, &h), 0);
    tw_sweep_driver d = {&box, box_poll, 1, NULL, NULL};
    tw_outcome outcome;
    tw_error err = {0};
    assert_int_equal(tw_sweep_run_shared(store, &d, items, n, &outcome, &err), TW_OK);
    pthread_join(t, NULL);
    assert_int_equal(h.st, TW_OK);
    assert_int_equal(outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(tw_sweep_run(alone, &outcome, NULL), TW_OK);
    assert_same_sweep(store, alone, D);
    tw_sweep_counts c;
    tw_sweep_get_counts(store, &c);
    assert_int_equal(c.solved, 2 * (D + 1));
    assert_true(box.fetches > 0 && box.polls > 0);
    /* the helper keeps nothing: its records went to the storing sweep */
    tw_sweep_get_counts(help, &c);
    assert_int_equal(c.solved, 0);
    free(items);
    free(box.recs);
    pthread_mutex_destroy(&box.mu);
    tw_sweep_free(store);
    tw_sweep_free(help);
    tw_sweep_free(alone);
    sweep_teardown(&f);
}

/* Bad plans fail at creation, naming what is wrong. */
static void test_sweep_errors(void **state)
{
    (void)state;
    sweep_fixture f;
    sweep_setup(&f);
    tw_sweep_options o;
    tw_sweep_options_default(&o);
    const tw_policy *pts[1] = {f.p[0]};
    double se[J] = {0.1, -0.5, 0.1};
    o.draws = 3;
    o.theta = (tw_draw_spec){TW_DIST_NORMAL, NULL, se};
    tw_error err = {0};
    assert_null(tw_sweep_create(f.m, pts, 1, &o, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "[1]"));
    o.theta = (tw_draw_spec){TW_DIST_FIXED, NULL, NULL};
    assert_null(tw_sweep_create(f.m, NULL, 1, &o, &err));
    assert_null(tw_sweep_create(f.m, pts, 0, &o, &err));
    tw_model *other = NULL;
    assert_int_equal(tw_model_synthetic(SN + 1, J, 1, 0.05, &other, NULL), TW_OK);
    assert_null(tw_sweep_create(other, pts, 1, &o, &err));
    assert_non_null(strstr(err.message, "point 0"));
    tw_model_free(other);
    assert_string_equal(tw_sweep_status_name(TW_SWEEP_RETRIED), "retried");
    sweep_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_type7),      cmocka_unit_test(test_normal_quantile),
        cmocka_unit_test(test_draws_deterministic), cmocka_unit_test(test_draws_distribution),
        cmocka_unit_test(test_draws_errors),        cmocka_unit_test(test_draws_bounded),
        cmocka_unit_test(test_sweep_solves),        cmocka_unit_test(test_sweep_summary),
        cmocka_unit_test(test_sweep_stop_resume),   cmocka_unit_test(test_sweep_errors),
        cmocka_unit_test(test_sweep_shared),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
