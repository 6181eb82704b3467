/*
 * test_stability.c - tw_solver_base_stability (src/equilibrium.c) on the
 * bundled us-china-2017 economy (scale economies, input-output links),
 * checked two independent ways:
 *   1. the dense Jacobian of the plain fixed-point map at the base, by finite
 *      differences column by column, and all its eigenvalues by LAPACK's
 *      dgeev: the rightmost real part must match the Arnoldi estimate;
 *   2. what stability means: the plain map iterated from a tiny displacement
 *      of the base moves back to it when growth < 1 and away from it when
 *      growth > 1.
 * The economies tested: the data's elasticities, and theta of the computers
 * sector (psi = 0.55) raised until its scale economies, fed through its own
 * use of computers as inputs, make the base unstable although psi theta < 1.
 */
#include "testutil.h"

#include "solver_internal.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    tw_model *base;
    tw_solver *s;
    size_t n, N, J;
    double *u0, *g, *jac;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tw_model *raw = NULL;
    tw_error err = {0};
    tw_baseline_report rep;
    if (!f || tw_load_any(tt_src("data/us-china-2017"), &raw, &err) != TW_OK ||
        tw_baseline_build(raw, TW_DEFICIT_FIXED, NULL, &f->base, &rep, &err) != TW_OK)
        return -1;
    tw_model_free(raw);
    f->s = tw_solver_create(f->base, NULL, &err);
    if (!f->s)
        return -1;
    f->n = f->s->nu;
    f->N = f->s->N;
    f->J = f->s->J;
    f->u0 = calloc(f->n, sizeof *f->u0);
    f->g = calloc(f->n, sizeof *f->g);
    f->jac = calloc(f->n * f->n, sizeof *f->jac);
    *state = f;
    return f->u0 && f->g && f->jac ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tw_solver_free(f->s);
    tw_model_free(f->base);
    free(f->u0);
    free(f->g);
    free(f->jac);
    free(f);
    return 0;
}

/* The plain fixed-point map, written out from its definition (docs/model.md):
 * wages step by mu times the labour-market gap and are put back on the
 * numeraire; prices, spending and employment take their new values. */
static void plain_map(tw_solver *s, const double *u, double *g)
{
    size_t N = s->N, NJ = s->N * s->J;
    assert_int_equal(tw__evaluate(s, u), 0);
    double bill = 0;
    for (size_t i = 0; i < N; i++) {
        g[i] = u[i] + s->mu[i] * s->ex[i];
        bill += exp(g[i]) * s->wL0[i];
    }
    for (size_t i = 0; i < N; i++)
        g[i] -= log(bill / s->wL_world);
    for (size_t x = 0; x < NJ; x++) {
        g[N + x] = s->lp_new[x];
        g[N + NJ + x] = s->E_new[x] / s->S0[x / s->J];
        g[N + 2 * NJ + x] = s->lL_new[x];
    }
}

/* The base point: every hat 1, spending at its base value. */
static void base_point(const fixture *f, double *u)
{
    size_t NJ = f->N * f->J;
    memset(u, 0, f->n * sizeof *u);
    for (size_t x = 0; x < NJ; x++)
        u[f->N + NJ + x] = f->s->E0[x] / f->s->S0[x / f->J];
}

/* The rightmost real part of the eigenvalues of the dense Jacobian. */
static double dense_growth(fixture *f)
{
    size_t n = f->n;
    double *u = malloc(n * sizeof *u), *wr = malloc(n * sizeof *wr), *wi = malloc(n * sizeof *wi);
    assert_non_null(u);
    assert_non_null(wr);
    assert_non_null(wi);
    base_point(f, f->u0);
    plain_map(f->s, f->u0, f->g);
    for (size_t k = 0; k < n; k++) /* the base is a fixed point */
        assert_near(f->g[k], f->u0[k], 1e-12);
    memcpy(u, f->u0, n * sizeof *u);
    for (size_t c = 0; c < n; c++) {
        const double h = 1e-6; /* central differences: error O(h^2) */
        double *col = f->g;
        u[c] = f->u0[c] + h;
        plain_map(f->s, u, col);
        for (size_t r = 0; r < n; r++)
            f->jac[r * n + c] = col[r];
        u[c] = f->u0[c] - h;
        plain_map(f->s, u, col);
        for (size_t r = 0; r < n; r++)
            f->jac[r * n + c] = (f->jac[r * n + c] - col[r]) / (2 * h);
        u[c] = f->u0[c];
    }
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, f->jac,
                                    (lapack_int)n, wr, wi, NULL, 1, NULL, 1);
    assert_int_equal(info, 0);
    double best = -INFINITY;
    for (size_t k = 0; k < n; k++)
        best = fmax(best, wr[k]);
    free(u);
    free(wr);
    free(wi);
    return best;
}

/* How far the plain iteration is from the base after `steps`, started 1e-9
 * away from it, relative to that start. */
static double drift(fixture *f, int steps)
{
    size_t n = f->n;
    double *u = malloc(n * sizeof *u);
    assert_non_null(u);
    base_point(f, f->u0);
    memcpy(u, f->u0, n * sizeof *u);
    for (size_t k = 0; k < n; k++)
        u[k] += 1e-9 * (1.0 + 0.5 * cos(0.7 * (double)k));
    double d = 0;
    for (int t = 0; t < steps; t++) {
        plain_map(f->s, u, f->g);
        memcpy(u, f->g, n * sizeof *u);
    }
    for (size_t k = 0; k < n; k++)
        d = fmax(d, fabs(u[k] - f->u0[k]));
    free(u);
    return d / 1e-9;
}

/* theta with the computers sector's multiplied by `factor` (psi unchanged). */
static void set_computers(fixture *f, double factor)
{
    double theta[64], psi[64];
    assert_true(f->J <= 64);
    memcpy(theta, tw_model_get(f->base, TW_THETA), f->J * sizeof *theta);
    memcpy(psi, tw_model_get(f->base, TW_PSI), f->J * sizeof *psi);
    size_t j = 0;
    while (j < f->J && strcmp(tw_model_sector_code(f->base, j), "computers"))
        j++;
    assert_true(j < f->J);
    theta[j] *= factor;
    assert_true(theta[j] * psi[j] < 1); /* inside the per-sector bound */
    assert_int_equal(tw_solver_set_elasticities(f->s, theta, psi, NULL), TW_OK);
}

static void check(fixture *f, double factor, int want_stable)
{
    set_computers(f, factor);
    double growth = NAN;
    tw_error err = {0};
    assert_int_equal(tw_solver_base_stability(f->s, &growth, &err), TW_OK);
    double dense = dense_growth(f);
    print_message("computers theta x %.2f: Arnoldi %.5f, dense %.5f\n", factor, growth, dense);
    /* the rightmost eigenvalues converge first; clustered ones inside the
     * unit circle less so, which the classification does not need */
    assert_near(growth, dense, dense > 0.97 ? 1e-3 : 2e-2);
    assert_int_equal(growth < 1, want_stable);
    assert_int_equal(dense < 1, want_stable);
    /* the meaning: a small displacement dies out, or grows */
    double d = drift(f, 600);
    if (want_stable)
        assert_true(d < 1e-3);
    else
        assert_true(d > 10);
}

static void test_data_elasticities_stable(void **state) { check(*state, 1.0, 1); }
static void test_computers_unstable(void **state) { check(*state, 1.3, 0); }

/* The estimate leaves the solver usable: the next solve is as before. */
static void test_solver_unchanged(void **state)
{
    fixture *f = *state;
    set_computers(f, 1.0);
    tw_policy *p = tw_policy_create(f->base, NULL);
    tw_result *a = tw_result_create(f->base, NULL), *b = tw_result_create(f->base, NULL);
    assert_non_null(p);
    assert_non_null(a);
    assert_non_null(b);
    size_t usa = 0, chn = 0;
    for (size_t i = 0; i < f->N; i++) {
        usa = strcmp(tw_model_country_code(f->base, i), "USA") ? usa : i;
        chn = strcmp(tw_model_country_code(f->base, i), "CHN") ? chn : i;
    }
    for (size_t j = 0; j < f->J; j++)
        assert_int_equal(tw_policy_set_tariff(p, chn, usa, j, 0.25), TW_OK);
    assert_int_equal(tt_solve(f->s, p, a, NULL), TW_OK);
    double growth;
    assert_int_equal(tw_solver_base_stability(f->s, &growth, NULL), TW_OK);
    assert_int_equal(tt_solve(f->s, p, b, NULL), TW_OK);
    const double *wa = tw_result_country(a, TW_C_WELFARE_PCT);
    const double *wb = tw_result_country(b, TW_C_WELFARE_PCT);
    for (size_t i = 0; i < f->N; i++)
        assert_near(wa[i], wb[i], 1e-9);
    assert_int_equal(tw_solver_base_stability(NULL, &growth, NULL), TW_ERR_INVALID);
    tw_policy_free(p);
    tw_result_free(a);
    tw_result_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_elasticities_stable),
        cmocka_unit_test(test_computers_unstable),
        cmocka_unit_test(test_solver_unchanged),
    };
    return cmocka_run_group_tests_name("stability", tests, setup, teardown);
}
