/*
 * test_gradient.c - the reverse pass of the equilibrium relations
 * (src/gradient.c) against finite differences of the evaluation itself:
 * the exact Jacobian F_u of the Newton residual, formed row by row by the
 * adjoint, must match central differences of tw__residual_vec column by
 * column, on economies with input-output links, scale economies and every
 * kind of instrument away from its base value. And the adjoint solve that
 * reuses an earlier point's factors (GMRES) must give the gradient a fresh
 * factorisation gives, for one objective and for several at once.
 * (tests/test_game.c checks the welfare gradient built on all this against
 * finite differences of re-solved equilibria.)
 */
#include "testutil.h"

#include "game_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Max |analytic - central difference| over F_u, relative to the largest entry
 * of its column (entries of the order of round-off in a column are compared
 * on that column's scale). */
static double jacobian_error(tw_solver *s, const tw_policy *p)
{
    tw_result *r = tw_result_create(s->m, NULL);
    tw_error err;
    if (tw_solve(s, p, r, &err) != TW_OK)
        fail_msg("solve: %s", err.message);
    size_t nu = s->nu;
    tw_gradient_ws *g = tw__gradient_ws_create(s, 1, 1);
    double *u = calloc(nu, sizeof *u), *fp = calloc(nu, sizeof *fp), *fm = calloc(nu, sizeof *fm),
           *fd1 = calloc(nu, sizeof *fd1);
    assert_non_null(g);
    assert_non_null(u);
    assert_non_null(fd1);
    memcpy(u, r->u, nu * sizeof *u);
    assert_int_equal(tw__evaluate(s, u), 0);
    tw__jacobian_transposed(s, u, g);
    double worst = 0;
    for (size_t k = 0; k < nu; k++) {
        /* Richardson's extrapolation of central differences with steps h and
         * h/2: truncation error O(h^4) (on us-china-2017 the disagreement
         * falls 16-fold when h halves, down to round-off near this h), so the
         * comparison can be tight */
        double save = u[k], h = 2.5e-6 * (1 + fabs(save));
        for (int half = 0; half < 2; half++) {
            double hh = half ? h / 2 : h;
            u[k] = save + hh;
            assert_int_equal(tw__residual_vec(s, u, fp), 0);
            u[k] = save - hh;
            assert_int_equal(tw__residual_vec(s, u, fm), 0);
            u[k] = save;
            for (size_t rr = 0; rr < nu; rr++) {
                double d = (fp[rr] - fm[rr]) / (2 * hh);
                fd1[rr] = half ? (4 * d - fd1[rr]) / 3 : d;
            }
        }
        double scale = 0, e = 0;
        for (size_t rr = 0; rr < nu; rr++) {
            double fd = fd1[rr], an = g->jac[rr * nu + k];
            scale = fmax(scale, fabs(fd));
            e = fmax(e, fabs(an - fd));
            if (!isfinite(an))
                fail_msg("F_u[%zu][%zu] is not finite", rr, k);
        }
        worst = fmax(worst, e / fmax(scale, 1e-300));
    }
    free(u);
    free(fp);
    free(fm);
    free(fd1);
    tw__gradient_ws_free(g);
    tw_result_free(r);
    return worst;
}

/* Every instrument moved: tariffs, export taxes, subsidies, a trade cost. */
static void move_policy(tw_policy *p, size_t N, size_t J)
{
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++)
                if (i != n) {
                    double d = 0.0173 * (double)((i + 2 * n + 3 * j) % 7);
                    tw_policy_set_tariff(p, i, n, j, tw_policy_tariff(p, i, n, j) + d);
                    tw_policy_set_export_tax(p, i, n, j, 0.5 * d - 0.01);
                }
    tw_policy_set_subsidy(p, 1, 0, 0.0437);
    tw_policy_set_subsidy(p, 0, J - 1, -0.0291);
}

static void synthetic_case(double psi)
{
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_model_synthetic(4, 3, 7, psi, &m, &err), TW_OK);
    tw_solver *s = tw_solver_create(m, NULL, &err);
    assert_non_null(s);
    tw_policy *p = tw_policy_create(m, NULL);
    move_policy(p, 4, 3);
    double e = jacobian_error(s, p);
    print_message("synthetic psi %g: F_u agrees to %.2g\n", psi, e);
    if (!(e < 1e-8))
        fail_msg("synthetic psi %g: F_u off by %.3g (relative to its column)", psi, e);
    tw_policy_free(p);
    tw_solver_free(s);
    tw_model_free(m);
}

static void test_jacobian_synthetic(void **state)
{
    (void)state;
    synthetic_case(0.0);
    synthetic_case(0.05); /* scale economies: employment by sector is an unknown */
}

/* The bundled economy: 44 sectors with input-output links and scale
 * economies, 1,855 unknowns, away from the base. */
static void test_jacobian_us_china(void **state)
{
    (void)state;
    tw_model *raw = NULL, *m = NULL;
    tw_error err = {0};
    tw_baseline_report rep;
    if (tw_load_any(tt_src("data/us-china-2017"), &raw, &err) != TW_OK ||
        tw_baseline_build(raw, TW_DEFICIT_FIXED, NULL, &m, &rep, &err) != TW_OK)
        fail_msg("load: %s", err.message);
    tw_model_free(raw);
    tw_solver *s = tw_solver_create(m, NULL, &err);
    assert_non_null(s);
    tw_policy *p = tw_policy_create(m, NULL);
    move_policy(p, s->N, s->J);
    double e = jacobian_error(s, p);
    print_message("us-china-2017: F_u agrees to %.2g\n", e);
    if (!(e < 1e-8))
        fail_msg("us-china-2017: F_u off by %.3g (relative to its column)", e);
    tw_policy_free(p);
    tw_solver_free(s);
    tw_model_free(m);
}

/* Gradients of nobj objectives at p with workspace g (and its history). */
static void gradient_at(tw_solver *s, tw_policy *p, const tw_instruments *ins,
                        const double *weights, size_t nobj, tw_gradient_ws *g, double *values,
                        double *grads)
{
    tw_result *r = tw_result_create(s->m, NULL);
    tw_error err;
    if (tw_solve(s, p, r, &err) != TW_OK)
        fail_msg("solve: %s", err.message);
    assert_int_equal(tw__gradient(s, p, ins, weights, nobj, g, r->u, values, grads), TW_OK);
    tw_result_free(r);
}

/* The gradient at p through g's history against a fresh workspace's. */
static double reuse_error(tw_solver *s, tw_policy *p, const tw_instruments *ins,
                          const double *weights, size_t nobj, tw_gradient_ws *g)
{
    size_t K = ins->nvars;
    double *v1 = calloc(nobj, sizeof *v1), *v2 = calloc(nobj, sizeof *v2);
    double *g1 = calloc(nobj * K, sizeof *g1), *g2 = calloc(nobj * K, sizeof *g2);
    tw_gradient_ws *fresh = tw__gradient_ws_create(s, K, nobj);
    assert_non_null(fresh);
    gradient_at(s, p, ins, weights, nobj, g, v1, g1);
    gradient_at(s, p, ins, weights, nobj, fresh, v2, g2);
    assert_int_equal(fresh->factorisations, 1);
    double scale = 0, e = 0;
    for (size_t k = 0; k < nobj * K; k++) {
        scale = fmax(scale, fabs(g2[k]));
        e = fmax(e, fabs(g1[k] - g2[k]));
    }
    for (size_t q = 0; q < nobj; q++)
        assert_true(v1[q] == v2[q]);
    free(v1);
    free(v2);
    free(g1);
    free(g2);
    tw__gradient_ws_free(fresh);
    return e / scale;
}

static void reuse_case(size_t nobj)
{
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_model_synthetic(4, 3, 7, 0.05, &m, &err), TW_OK);
    tw_solver *s = tw_solver_create(m, NULL, &err);
    assert_non_null(s);
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    o.instruments = TW_INSTRUMENT_IMPORT_TARIFFS | TW_INSTRUMENT_EXPORT_TAXES |
                    TW_INSTRUMENT_SUBSIDIES;
    size_t players[2] = {1, 2};
    tw_instruments *ins = tw__instruments_create_multi(m, players, 2, &o);
    assert_non_null(ins);
    double weights[3 * 4] = {0, 1, 0, 0, 0, 0, 1, 0, 0.3, 0.7, 0.2, 1.1};
    tw_gradient_ws *g = tw__gradient_ws_create(s, ins->nvars, nobj);
    assert_non_null(g);
    tw_policy *p = tw_policy_create(m, NULL);
    move_policy(p, 4, 3);
    double *v = calloc(nobj, sizeof *v), *gr = calloc(nobj * ins->nvars, sizeof *gr);
    gradient_at(s, p, ins, weights, nobj, g, v, gr); /* factors F_u' here */
    assert_int_equal(g->factorisations, 1);
    /* a nearby point: the old factors precondition GMRES, no new factorisation */
    tw_policy_set_tariff(p, 0, 1, 2, tw_policy_tariff(p, 0, 1, 2) + 0.0123);
    tw_policy_set_export_tax(p, 2, 3, 0, tw_policy_export_tax(p, 2, 3, 0) - 0.0087);
    tw_policy_set_subsidy(p, 1, 1, 0.0211);
    double e = reuse_error(s, p, ins, weights, nobj, g);
    print_message("%zu objective(s), factors of a nearby point: gradient agrees to %.2g "
                  "(%ld factorisation(s), %ld GMRES solve(s))\n",
                  nobj, e, g->factorisations, g->krylov);
    assert_int_equal(g->factorisations, 1);
    assert_int_equal(g->krylov, 1);
    if (!(e < 1e-9))
        fail_msg("gradient through GMRES off by %.3g", e);
    /* a point far away: whatever the solve takes, the answer is the same */
    for (size_t j = 0; j < 3; j++)
        tw_policy_set_tariff(p, 3, 1, j, 1.7 + 0.3 * (double)j);
    e = reuse_error(s, p, ins, weights, nobj, g);
    print_message("%zu objective(s), a distant point: gradient agrees to %.2g (%ld "
                  "factorisation(s), %ld GMRES solve(s))\n",
                  nobj, e, g->factorisations, g->krylov);
    if (!(e < 1e-9))
        fail_msg("gradient at a distant point off by %.3g", e);
    free(v);
    free(gr);
    tw_policy_free(p);
    tw__gradient_ws_free(g);
    tw__instruments_free(ins);
    tw_solver_free(s);
    tw_model_free(m);
}

static void test_factor_reuse(void **state)
{
    (void)state;
    reuse_case(1);
    reuse_case(3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jacobian_synthetic),
        cmocka_unit_test(test_jacobian_us_china),
        cmocka_unit_test(test_factor_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
