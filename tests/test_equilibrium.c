/*
 * test_equilibrium.c - the counterfactual solver against identities and
 * closed forms that do not depend on any published number:
 *   no change gives every hat 1; homogeneity; reordering countries permutes
 *   the answer; the one-sector model matches the closed-form (ACR) welfare
 *   formula; every market-clearing condition and Walras' law hold; the two
 *   solution methods agree; psi -> 0 approaches psi = 0; non-convergence is
 *   reported, never passed off as success.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
    tw_model *m;
    tw_solver *s;
    tw_policy *p;
    tw_result *r;
} fixture;

static fixture make(tw_model *m, tw_method method)
{
    fixture f;
    tw_error err;
    tw_solver_options o;
    tw_solver_options_default(&o);
    o.method = method;
    o.fallback = 0; /* test each method on its own */
    f.m = m;
    f.s = tw_solver_create(m, &o, &err);
    if (!f.s)
        fail_msg("tw_solver_create: %s", err.message);
    f.p = tw_policy_create(m, NULL);
    f.r = tw_result_create(m, NULL);
    assert_non_null(f.p);
    assert_non_null(f.r);
    return f;
}

static void release(fixture *f)
{
    tw_result_free(f->r);
    tw_policy_free(f->p);
    tw_solver_free(f->s);
    tw_model_free(f->m);
}

static void solve_ok(fixture *f)
{
    tw_error err;
    tw_status st = tt_solve(f->s, f->p, f->r, &err);
    if (st != TW_OK)
        fail_msg("tw_solve: %s", err.message);
    assert_int_equal(tw_result_stats(f->r).outcome, TW_OUTCOME_CONVERGED);
}

static tw_model *synth(size_t N, size_t J, unsigned long seed, double psi)
{
    tw_model *m = NULL;
    tw_error err;
    if (tw_model_synthetic(N, J, seed, psi, &m, &err) != TW_OK)
        fail_msg("synthetic: %s", err.message);
    return m;
}

/* A rich counterfactual touching every instrument. */
static void rich_policy(tw_policy *p)
{
    size_t N = tw_policy_countries(p), J = tw_policy_sectors(p);
    for (size_t j = 0; j < J; j++) {
        tw_policy_set_tariff(p, 1, 0, j, tw_policy_tariff(p, 1, 0, j) + 0.25);
        tw_policy_set_tariff(p, 0, 1, j, tw_policy_tariff(p, 0, 1, j) + 0.1385);
        tw_policy_set_export_tax(p, 2 % N, 0, j, 0.05);
        tw_policy_set_trade_cost_change(p, 0, 2 % N, j, 1.07);
    }
    tw_policy_set_subsidy(p, 1, 0, 0.12);
    tw_policy_set_subsidy(p, 0, J - 1, -0.03);
    tw_policy_set_trade_cost_change(p, 2 % N, 1, 0, INFINITY); /* a ban */
}

static void assert_equilibrium(fixture *f, double tol)
{
    double chk[TW_CHECK_COUNT];
    assert_int_equal(tw_result_check(f->r, f->m, f->p, chk), TW_OK);
    for (int c = 0; c < TW_CHECK_COUNT; c++)
        if (!(chk[c] <= tol))
            fail_msg("equilibrium check '%s' = %.3g > %g", tw_check_name((tw_check)c), chk[c], tol);
}

/* ---- identities ----------------------------------------------------------- */

/* tol: how exact the base is (round-off for generated data; the solver
 * tolerance of the calibration for a calibrated base). */
static void no_change_case(tw_model *m, tw_method method, double tol)
{
    fixture f = make(m, method);
    solve_ok(&f);
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    const double *w = tw_result_wage_hat(f.r), *p = tw_result_price_hat(f.r);
    const double *L = tw_result_employment_hat(f.r);
    for (size_t i = 0; i < N; i++)
        assert_near(w[i], 1.0, tol);
    for (size_t x = 0; x < N * J; x++) {
        assert_near(p[x], 1.0, tol);
        assert_near(L[x], 1.0, 10 * tol);
    }
    const double *W = tw_result_country(f.r, TW_C_WELFARE_PCT);
    for (size_t i = 0; i < N; i++)
        assert_near(W[i], 0.0, 1e3 * tol);
    const double *X0 = tw_model_get(m, TW_FLOWS), *X1 = tw_result_flows(f.r);
    for (size_t x = 0; x < N * N * J; x++)
        assert_near(X1[x], X0[x], 1e3 * tol * (1 + X0[x]));
    assert_true(tw_result_stats(f.r).residual <= tol);
    assert_equilibrium(&f, tol);
    release(&f);
}

static void test_no_change(void **state)
{
    (void)state;
    no_change_case(synth(6, 5, 11, 0.0), TW_METHOD_ANDERSON, 1e-12);
    no_change_case(synth(6, 5, 11, 0.0), TW_METHOD_NEWTON_KRYLOV, 1e-12);
    no_change_case(synth(5, 7, 12, 0.08), TW_METHOD_ANDERSON, 1e-12);
}

/* Scaling every flow by 2.385 changes no hat and no percent change. */
static void test_homogeneity(void **state)
{
    (void)state;
    tw_model *a = synth(5, 4, 21, 0.05), *b = tw_model_clone(a, NULL);
    size_t len = tw_model_array_length(a, TW_FLOWS);
    double *X = malloc(len * sizeof *X);
    memcpy(X, tw_model_get(a, TW_FLOWS), len * sizeof *X);
    for (size_t x = 0; x < len; x++)
        X[x] *= 2.385;
    tw_model_set(b, TW_FLOWS, X, len, NULL);
    free(X);
    fixture fa = make(a, TW_METHOD_ANDERSON), fb = make(b, TW_METHOD_ANDERSON);
    rich_policy(fa.p);
    rich_policy(fb.p);
    solve_ok(&fa);
    solve_ok(&fb);
    for (int k = 0; k < TW_C_COUNT; k++) {
        const double *va = tw_result_country(fa.r, (tw_country_output)k);
        const double *vb = tw_result_country(fb.r, (tw_country_output)k);
        int level = k == TW_C_EV || k == TW_C_INCOME || k == TW_C_INCOME_BASE ||
                    (k >= TW_C_TARIFF_REVENUE_BASE && k <= TW_C_TRADE_BALANCE) ||
                    k == TW_C_GDP_BASE || k == TW_C_GDP;
        for (size_t i = 0; i < 5; i++)
            assert_near(vb[i], level ? 2.385 * va[i] : va[i], 1e-8 * (1 + fabs(vb[i])));
    }
    release(&fa);
    release(&fb);
}

/* Reversing the order of the countries reverses every per-country answer. */
static void test_reorder(void **state)
{
    (void)state;
    tw_model *a = synth(4, 3, 31, 0.0);
    size_t N = 4, J = 3;
    tw_model *b = tw_model_create(N, J, NULL);
    for (size_t i = 0; i < N; i++)
        tw_model_set_country(b, N - 1 - i, tw_model_country_code(a, i), NULL, NULL);
    for (size_t j = 0; j < J; j++)
        tw_model_set_sector(b, j, tw_model_sector_code(a, j), NULL, NULL);
    for (int k = 0; k < TW_ARRAY_COUNT; k++) {
        size_t len = tw_model_array_length(a, (tw_array)k);
        const double *src = tw_model_get(a, (tw_array)k);
        double *dst = malloc(len * sizeof *dst);
        for (size_t x = 0; x < len; x++) {
            size_t y = x;
            if (len == N * N * J)
                y = tw_idx3(N, J, N - 1 - x / (N * J), N - 1 - (x / J) % N, x % J);
            else if (len == N * J * J)
                y = tw_idx3io(J, N - 1 - x / (J * J), (x / J) % J, x % J);
            else if (len == N * J)
                y = tw_idx2(J, N - 1 - x / J, x % J);
            dst[y] = src[x];
        }
        tw_model_set(b, (tw_array)k, dst, len, NULL);
        free(dst);
    }
    fixture fa = make(a, TW_METHOD_ANDERSON), fb = make(b, TW_METHOD_ANDERSON);
    for (size_t j = 0; j < J; j++) {
        tw_policy_set_tariff(fa.p, 1, 0, j, 0.3);
        tw_policy_set_tariff(fb.p, N - 2, N - 1, j, 0.3);
    }
    solve_ok(&fa);
    solve_ok(&fb);
    const double *wa = tw_result_country(fa.r, TW_C_WELFARE_PCT);
    const double *wb = tw_result_country(fb.r, TW_C_WELFARE_PCT);
    const double *ta = tw_result_country(fa.r, TW_C_TOT_PCT);
    const double *tb = tw_result_country(fb.r, TW_C_TOT_PCT);
    for (size_t i = 0; i < N; i++) {
        assert_near(wb[N - 1 - i], wa[i], 1e-9);
        assert_near(tb[N - 1 - i], ta[i], 1e-9);
    }
    release(&fa);
    release(&fb);
}

/* ---- closed forms ---------------------------------------------------------- */

/* Two symmetric countries, one sector, home share lam, value-added share
 * beta. A symmetric change d in the iceberg cost leaves wages equal, and
 *   lam' = lam / (lam + (1 - lam) d^-theta),
 *   welfare change = (lam'/lam)^(-1/(theta beta))   (Arkolakis-Costinot-
 * Rodriguez-Clare; with input-output links the exponent is 1/(theta beta)). */
static tw_model *two_country(double lam, double beta, double theta)
{
    tw_model *m = tw_model_create(2, 1, NULL);
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
    return m;
}

static void closed_form_case(double lam, double beta, double theta, double d)
{
    fixture f = make(two_country(lam, beta, theta), TW_METHOD_ANDERSON);
    tw_policy_set_trade_cost_change(f.p, 0, 1, 0, d);
    tw_policy_set_trade_cost_change(f.p, 1, 0, 0, d);
    solve_ok(&f);
    double lam1 = lam / (lam + (1 - lam) * pow(d, -theta));
    double want = 100 * (pow(lam1 / lam, -1 / (theta * beta)) - 1);
    const double *W = tw_result_country(f.r, TW_C_WELFARE_PCT);
    assert_close(W[0], want, 1e-9);
    assert_close(W[1], want, 1e-9);
    assert_close(tw_result_flows(f.r)[0] / (tw_result_flows(f.r)[0] + tw_result_flows(f.r)[2]),
                 lam1, 1e-10);
    release(&f);
}

static void test_closed_form_one_sector(void **state)
{
    (void)state;
    closed_form_case(0.8, 1.0, 4.0, 1.25);     /* gravity, no input-output */
    closed_form_case(0.65, 1.0, 8.28, 0.83);   /* liberalisation */
    closed_form_case(0.7, 0.4, 5.0, 1.5);      /* roundabout production */
    closed_form_case(0.9, 1.0, 3.0, INFINITY); /* autarky: W = lam^(1/theta) */
}

/* Autarky through a ban: the welfare loss is lam^(1/theta) - 1 in one step. */
static void test_ban_is_autarky(void **state)
{
    (void)state;
    fixture f = make(two_country(0.75, 1.0, 5.0), TW_METHOD_ANDERSON);
    tw_policy_set_trade_cost_change(f.p, 0, 1, 0, INFINITY);
    tw_policy_set_trade_cost_change(f.p, 1, 0, 0, INFINITY);
    solve_ok(&f);
    assert_close(tw_result_country(f.r, TW_C_WELFARE_PCT)[0], 100 * (pow(0.75, 1 / 5.0) - 1),
                 1e-10);
    assert_near(tw_result_flows(f.r)[1], 0.0, 0.0);
    release(&f);
}

/* ---- equilibrium conditions and methods -------------------------------------- */

static void test_market_clearing_rich(void **state)
{
    (void)state;
    fixture f = make(synth(6, 5, 41, 0.06), TW_METHOD_ANDERSON);
    rich_policy(f.p);
    for (size_t n = 0; n < 6; n++) /* deficits of their own */
        tw_policy_set_deficit(f.p, n, (n % 2 ? 1.0 : -1.0) * 10.0 * (double)(n / 2 + 1));
    solve_ok(&f);
    assert_equilibrium(&f, 1e-9);
    /* the numeraire: the world wage bill is unchanged */
    const double *w = tw_result_wage_hat(f.r);
    double bill0 = 0, bill1 = 0, *lab = malloc(6 * sizeof *lab);
    tw_model_derive(f.m, TW_DERIVED_VALUE_ADDED, lab, 6);
    for (size_t i = 0; i < 6; i++) {
        bill0 += lab[i];
        bill1 += w[i] * lab[i];
    }
    free(lab);
    assert_close(bill1, bill0, 1e-9);
    release(&f);
}

static void test_methods_agree(void **state)
{
    (void)state;
    fixture a = make(synth(7, 6, 51, 0.04), TW_METHOD_ANDERSON);
    fixture b = make(synth(7, 6, 51, 0.04), TW_METHOD_NEWTON_KRYLOV);
    rich_policy(a.p);
    rich_policy(b.p);
    solve_ok(&a);
    solve_ok(&b);
    assert_int_equal(tw_result_stats(a.r).method, TW_METHOD_ANDERSON);
    assert_int_equal(tw_result_stats(b.r).method, TW_METHOD_NEWTON_KRYLOV);
    for (int k = 0; k < TW_C_COUNT; k++) {
        const double *va = tw_result_country(a.r, (tw_country_output)k);
        const double *vb = tw_result_country(b.r, (tw_country_output)k);
        for (size_t i = 0; i < 7; i++)
            assert_near(vb[i], va[i], 1e-7 * (1 + fabs(va[i])));
    }
    release(&a);
    release(&b);
}

/* psi -> 0: the answers converge to the constant-returns answer. */
static void test_psi_limit(void **state)
{
    (void)state;
    double prev_gap = INFINITY;
    fixture f0 = make(synth(5, 4, 61, 0.0), TW_METHOD_ANDERSON);
    rich_policy(f0.p);
    solve_ok(&f0);
    const double *w0 = tw_result_country(f0.r, TW_C_WELFARE_PCT);
    const double psis[] = {0.1, 0.01, 0.001, 1e-5};
    for (size_t k = 0; k < 4; k++) {
        tw_model *m = synth(5, 4, 61, 0.0);
        double psi[4] = {psis[k], psis[k], psis[k], psis[k]};
        tw_model_set(m, TW_PSI, psi, 4, NULL);
        fixture f = make(m, TW_METHOD_ANDERSON);
        rich_policy(f.p);
        solve_ok(&f);
        const double *w = tw_result_country(f.r, TW_C_WELFARE_PCT);
        double gap = 0;
        for (size_t i = 0; i < 5; i++)
            gap = fmax(gap, fabs(w[i] - w0[i]));
        assert_true(gap < prev_gap);
        prev_gap = gap;
        release(&f);
    }
    assert_true(prev_gap < 1e-3);
    release(&f0);
}

/* Markups (Ossa's Krugman model): profits are income; identities still hold. */
static void test_markups(void **state)
{
    (void)state;
    tw_model *m = synth(4, 3, 71, 0.0);
    double pi[3] = {1 / 4.5, 1 / 6.0, 1 / 9.0};
    tw_model_set(m, TW_MARKUP, pi, 3, NULL);
    /* with markups the synthetic flows are no longer an equilibrium: calibrate */
    tw_model *base = NULL;
    tw_baseline_report rep;
    tw_error err;
    assert_int_equal(tw_baseline_build(m, TW_DEFICIT_FIXED, NULL, &base, &rep, &err), TW_OK);
    tw_model_free(m);
    no_change_case(tw_model_clone(base, NULL), TW_METHOD_ANDERSON, 1e-11);
    fixture f = make(base, TW_METHOD_ANDERSON);
    rich_policy(f.p);
    solve_ok(&f);
    assert_equilibrium(&f, 1e-9);
    release(&f);
}

/* ---- baselines ------------------------------------------------------------- */

static tw_model *perturbed(unsigned long seed)
{
    tw_model *m = synth(5, 4, seed, 0.0);
    size_t len = tw_model_array_length(m, TW_FLOWS);
    double *X = malloc(len * sizeof *X);
    memcpy(X, tw_model_get(m, TW_FLOWS), len * sizeof *X);
    for (size_t x = 0; x < len; x++) /* raw data: not an equilibrium, with deficits */
        X[x] *= 1 + 0.2 * sin((double)x * 1.7);
    tw_model_set(m, TW_FLOWS, X, len, NULL);
    free(X);
    return m;
}

static void test_baseline_fixed_and_balanced(void **state)
{
    (void)state;
    tw_model *raw = perturbed(81), *fixed = NULL, *bal = NULL;
    tw_baseline_report rep;
    tw_error err;
    assert_int_equal(tw_baseline_build(raw, TW_DEFICIT_FIXED, NULL, &fixed, &rep, &err), TW_OK);
    assert_true(rep.calibrated);
    assert_false(rep.balanced);
    double d0[5], d1[5], d2[5];
    tw_model_derive(raw, TW_DERIVED_DEFICIT, d0, 5);
    tw_model_derive(fixed, TW_DERIVED_DEFICIT, d1, 5);
    for (size_t n = 0; n < 5; n++)
        assert_near(d1[n], d0[n], 1e-8 * (1 + fabs(d0[n])));
    assert_int_equal(tw_baseline_build(raw, TW_DEFICIT_BALANCED, NULL, &bal, &rep, &err), TW_OK);
    assert_true(rep.balanced);
    tw_model_derive(bal, TW_DERIVED_DEFICIT, d2, 5);
    for (size_t n = 0; n < 5; n++)
        assert_near(d2[n], 0.0, 1e-7);
    no_change_case(fixed, TW_METHOD_ANDERSON, 1e-11); /* the base is an equilibrium */
    no_change_case(bal, TW_METHOD_NEWTON_KRYLOV, 1e-11);
    tw_model_free(raw);
}

/* ---- failures are reported ------------------------------------------------- */

static void test_nonconvergence_reported(void **state)
{
    (void)state;
    tw_model *m = synth(6, 5, 91, 0.0);
    tw_solver_options o;
    tw_solver_options_default(&o);
    o.max_iter = 2;
    o.fallback = 0;
    tw_error err;
    tw_solver *s = tw_solver_create(m, &o, &err);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    rich_policy(p);
    /* the call ran: TW_OK; how it ended is the outcome, the detail in err */
    assert_int_equal(tw_solve(s, p, r, &err), TW_OK);
    tw_solver_stats st = tw_result_stats(r);
    assert_int_equal(st.outcome, TW_OUTCOME_ITERATION_LIMIT);
    assert_string_equal(tw_outcome_name(st.outcome), "iteration-limit");
    assert_true(st.residual > o.tol);
    assert_int_equal(err.code, TW_OK);
    assert_non_null(strstr(err.message, "did not converge (iteration-limit"));
    /* bad options are rejected up front */
    o.tol = -1;
    assert_null(tw_solver_create(m, &o, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
    tw_model_free(m);
}

/* Warm starts reach the same answer in fewer iterations. */
static void test_warm_start(void **state)
{
    (void)state;
    fixture f = make(synth(6, 5, 101, 0.0), TW_METHOD_ANDERSON);
    rich_policy(f.p);
    solve_ok(&f);
    double w_cold = tw_result_country(f.r, TW_C_WELFARE_PCT)[0];
    long it_cold = tw_result_stats(f.r).iterations;
    tw_result *start = tw_result_create(f.m, NULL);
    tw_error err;
    assert_int_equal(tt_solve(f.s, f.p, start, &err), TW_OK);
    assert_int_equal(tw_solver_set_start(f.s, start), TW_OK);
    solve_ok(&f);
    assert_near(tw_result_country(f.r, TW_C_WELFARE_PCT)[0], w_cold, 1e-9);
    assert_true(tw_result_stats(f.r).iterations < it_cold);
    tw_result_free(start);
    release(&f);
}

/* The progress callback: it sees the residual fall; a callback that never
 * stops leaves the answer as it was; one that stops ends the solve with
 * the outcome `stopped` (status TW_OK), never as "did not converge", with
 * both methods. */
typedef struct {
    int calls, stop_at;
    long last_evaluations;
    double first_residual, last_residual;
} watch;

static int watch_cb(void *user, const tw_solve_progress *p)
{
    watch *w = user;
    w->calls++;
    assert_true(p->evaluations > w->last_evaluations);
    w->last_evaluations = p->evaluations;
    assert_true(isfinite(p->residual) && p->seconds >= 0 && p->tol > 0);
    if (w->calls == 1)
        w->first_residual = p->residual;
    w->last_residual = p->residual;
    return w->stop_at > 0 && w->calls >= w->stop_at;
}

static void test_progress_and_stop(void **state)
{
    (void)state;
    for (int method = 0; method < 2; method++) {
        tw_model *m = synth(6, 5, 113, 0.0);
        tw_solver_options o;
        tw_solver_options_default(&o);
        o.method = method ? TW_METHOD_NEWTON_KRYLOV : TW_METHOD_ANDERSON;
        o.fallback = 0;
        tw_error err;
        tw_solver *plain = tw_solver_create(m, &o, &err);
        watch w = {0, 0, 0, NAN, NAN};
        o.progress = watch_cb;
        o.progress_user = &w;
        o.progress_every = 3;
        tw_solver *s = tw_solver_create(m, &o, &err);
        tw_policy *p = tw_policy_create(m, NULL);
        tw_result *r0 = tw_result_create(m, NULL), *r = tw_result_create(m, NULL);
        rich_policy(p);
        assert_int_equal(tw_solve(plain, p, r0, &err), TW_OK);
        assert_int_equal(tw_solve(s, p, r, &err), TW_OK);
        assert_int_equal(tw_result_stats(r).outcome, TW_OUTCOME_CONVERGED);
        assert_true(w.calls >= 1);
        assert_true(w.last_residual < w.first_residual);
        assert_int_equal(tw_result_stats(r).evaluations / 3 >= w.calls, 1);
        for (size_t i = 0; i < 6; i++)
            assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[i] ==
                        tw_result_country(r0, TW_C_WELFARE_PCT)[i]);
        /* stop at the first call */
        w = (watch){0, 1, 0, NAN, NAN};
        assert_int_equal(tw_solve(s, p, r, &err), TW_OK);
        assert_int_equal(w.calls, 1);
        assert_int_equal(tw_result_stats(r).outcome, TW_OUTCOME_STOPPED);
        assert_int_equal(err.code, TW_OK);
        assert_non_null(strstr(err.message, "stopped by its progress callback"));
        /* the next solve starts afresh */
        w = (watch){0, 0, 0, NAN, NAN};
        assert_int_equal(tw_solve(s, p, r, &err), TW_OK);
        assert_int_equal(tw_result_stats(r).outcome, TW_OUTCOME_CONVERGED);
        tw_result_free(r0);
        tw_result_free(r);
        tw_policy_free(p);
        tw_solver_free(s);
        tw_solver_free(plain);
        tw_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_change),
        cmocka_unit_test(test_homogeneity),
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_closed_form_one_sector),
        cmocka_unit_test(test_ban_is_autarky),
        cmocka_unit_test(test_market_clearing_rich),
        cmocka_unit_test(test_methods_agree),
        cmocka_unit_test(test_psi_limit),
        cmocka_unit_test(test_markups),
        cmocka_unit_test(test_baseline_fixed_and_balanced),
        cmocka_unit_test(test_nonconvergence_reported),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_progress_and_stop),
    };
    return cmocka_run_group_tests_name("equilibrium", tests, NULL, NULL);
}
