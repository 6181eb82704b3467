/*
 * test_ossa.c - Ossa (2014), "Trade Wars and Trade Talks with Data", from
 * data/ossa2007:
 *   1. tradewar reproduces his counterfactual equilibria: an independent
 *      implementation of his equilibrium conditions (his myconditions.m: 2N
 *      unknowns, expenditure and wage changes, solved here by a small Newton
 *      method) gives the same purged (balanced) economy and the same
 *      counterfactuals as tradewar's general solver;
 *   2. optimal tariffs with welfare-maximising governments (his Table 3,
 *      panel a): the median of each region's optimal tariffs, averaged over
 *      the seven regions, is 58.9%;
 *   3. the Nash trade war (Table 4, panel a): the median Nash tariff averaged
 *      over regions is about 58.1% and the average welfare change -2.4%.
 * Ossa's procedure is followed: MFN optimum first, then the bilateral
 * optimum from it (welfare is almost flat in tariffs on small flows, so the
 * reported medians depend on where the search starts); the war likewise.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 7
#define S 33

/* ---- an independent implementation of Ossa's equilibrium conditions ----- */

typedef struct {
    double X[N][N][S], t[N][N][S], sigma[S];
    double gam[N][N][S], alp[N][N][S], delta[N][S], mu[N][S];
    double E[N], LI[N], profits[N][S];
} ossa;

static void ossa_prepare(ossa *o)
{
    memset(o->gam, 0, sizeof o->gam);
    for (int n = 0; n < N; n++) {
        o->E[n] = 0;
        for (int i = 0; i < N; i++)
            for (int s = 0; s < S; s++)
                o->E[n] += (1 + o->t[i][n][s]) * o->X[i][n][s];
    }
    for (int s = 0; s < S; s++)
        for (int n = 0; n < N; n++) {
            double tot = 0;
            for (int i = 0; i < N; i++)
                tot += (1 + o->t[i][n][s]) * o->X[i][n][s];
            for (int i = 0; i < N; i++)
                o->gam[i][n][s] = (1 + o->t[i][n][s]) * o->X[i][n][s] / tot;
            o->mu[n][s] = tot / o->E[n];
        }
    for (int i = 0; i < N; i++) {
        double lab = 0, nx = 0, rev = 0, prof = 0;
        for (int s = 0; s < S; s++) {
            double sales = 0;
            for (int n = 0; n < N; n++)
                sales += o->X[i][n][s];
            for (int n = 0; n < N; n++)
                o->alp[i][n][s] = o->X[i][n][s] / sales;
            o->delta[i][s] = (o->sigma[s] - 1) / o->sigma[s] * sales;
            lab += o->delta[i][s];
            o->profits[i][s] = sales / o->sigma[s];
            prof += o->profits[i][s];
            for (int n = 0; n < N; n++) {
                nx += o->X[i][n][s] - o->X[n][i][s];
                rev += o->t[n][i][s] * o->X[n][i][s];
            }
        }
        for (int s = 0; s < S; s++)
            o->delta[i][s] /= lab;
        o->LI[i] = o->E[i] + nx - rev - prof;
    }
}

/* Conditions at x = (E_hat, w_hat); tc = counterfactual tariffs, nxc =
 * counterfactual net exports. f: 2N residuals (first dropped, numeraire
 * added, as in his mysolvedconditions.m). Also returns flows and welfare. */
static void ossa_conditions(const ossa *o, const double (*tc)[N][S], const double *nxc,
                            const double *x, double *f, double (*Xc)[N][S], double *welfare)
{
    const double *Eh = x, *wh = x + N;
    double padj[N][S], ph[N][S];
    double eq[2 * N];
    for (int n = 0; n < N; n++)
        for (int s = 0; s < S; s++) {
            double sum = 0;
            for (int i = 0; i < N; i++) {
                double tau = (1 + tc[i][n][s]) / (1 + o->t[i][n][s]);
                sum += o->gam[i][n][s] * pow(wh[i] * tau, 1 - o->sigma[s]);
            }
            padj[n][s] = 1 / sum;
        }
    for (int i = 0; i < N; i++) {
        double w = 0;
        for (int s = 0; s < S; s++) {
            ph[i][s] = 0;
            for (int n = 0; n < N; n++) {
                double tau = (1 + tc[i][n][s]) / (1 + o->t[i][n][s]);
                double t1 = pow(wh[i], 1 - o->sigma[s]) * pow(tau, -o->sigma[s]) * padj[n][s];
                ph[i][s] += o->alp[i][n][s] * t1 * Eh[n];
                if (Xc)
                    Xc[i][n][s] = o->X[i][n][s] * t1 * Eh[n];
            }
            w += o->delta[i][s] * ph[i][s];
        }
        eq[i] = wh[i] - w;
    }
    for (int n = 0; n < N; n++) {
        double num = o->LI[n] / o->E[n] * wh[n] - nxc[n] / o->E[n], den = 1;
        for (int s = 0; s < S; s++) {
            num += o->profits[n][s] / o->E[n] * ph[n][s];
            for (int i = 0; i < N; i++) {
                double tau = (1 + tc[i][n][s]) / (1 + o->t[i][n][s]);
                double t1 = pow(wh[i], 1 - o->sigma[s]) * pow(tau, -o->sigma[s]) * padj[n][s];
                den -= o->X[i][n][s] / o->E[n] * tc[i][n][s] * t1;
            }
        }
        eq[N + n] = Eh[n] - num / den;
    }
    double li = 0, num = 0;
    for (int n = 0; n < N; n++) {
        li += o->LI[n];
        num += o->LI[n] * wh[n];
    }
    for (int k = 1; k < 2 * N; k++)
        f[k - 1] = eq[k];
    f[2 * N - 1] = num / li - 1;
    if (welfare)
        for (int n = 0; n < N; n++) {
            double lp = 0;
            for (int s = 0; s < S; s++)
                lp += o->mu[n][s] * log(padj[n][s]) / (o->sigma[s] - 1);
            welfare[n] = Eh[n] / exp(lp);
        }
}

/* Newton's method with a forward-difference Jacobian and Gaussian
 * elimination with partial pivoting: 14 unknowns. */
static void ossa_solve(const ossa *o, const double (*tc)[N][S], const double *nxc, double *x)
{
    enum { M = 2 * N };
    for (int k = 0; k < M; k++)
        x[k] = 1;
    double f[M], f1[M], A[M][M + 1];
    for (int it = 0; it < 100; it++) {
        ossa_conditions(o, tc, nxc, x, f, NULL, NULL);
        double norm = 0;
        for (int k = 0; k < M; k++)
            norm = fmax(norm, fabs(f[k]));
        if (norm < 1e-14)
            return;
        for (int c = 0; c < M; c++) {
            double save = x[c], h = 1e-7 * fabs(save);
            x[c] = save + h;
            ossa_conditions(o, tc, nxc, x, f1, NULL, NULL);
            x[c] = save;
            for (int r = 0; r < M; r++)
                A[r][c] = (f1[r] - f[r]) / h;
        }
        for (int r = 0; r < M; r++)
            A[r][M] = -f[r];
        for (int c = 0; c < M; c++) {
            int piv = c;
            for (int r = c + 1; r < M; r++)
                if (fabs(A[r][c]) > fabs(A[piv][c]))
                    piv = r;
            for (int k = 0; k <= M; k++) {
                double tmp = A[c][k];
                A[c][k] = A[piv][k];
                A[piv][k] = tmp;
            }
            for (int r = c + 1; r < M; r++) {
                double q = A[r][c] / A[c][c];
                for (int k = c; k <= M; k++)
                    A[r][k] -= q * A[c][k];
            }
        }
        for (int r = M - 1; r >= 0; r--) {
            double acc = A[r][M];
            for (int k = r + 1; k < M; k++)
                acc -= A[r][k] * A[k][M];
            A[r][M] = acc / A[r][r];
        }
        for (int k = 0; k < M; k++)
            x[k] += A[k][M];
    }
    fail_msg("the independent Ossa solver did not converge");
}

/* ---- shared set-up ------------------------------------------------------------ */

typedef struct {
    tw_model *raw, *base;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tw_error err;
    if (tw_load_ossa(tt_src("data/ossa2007"), 1, &f->raw, &err) != TW_OK ||
        tw_baseline_build(f->raw, TW_DEFICIT_BALANCED, NULL, &f->base, NULL, &err) != TW_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tw_model_free(f->raw);
    tw_model_free(f->base);
    free(f);
    return 0;
}

static void fill_ossa(ossa *o, const tw_model *m)
{
    const double *X = tw_model_get(m, TW_FLOWS), *t = tw_model_get(m, TW_TARIFFS);
    const double *theta = tw_model_get(m, TW_THETA);
    for (int i = 0; i < N; i++)
        for (int n = 0; n < N; n++)
            for (int s = 0; s < S; s++) {
                o->X[i][n][s] = X[tw_idx3(N, S, (size_t)i, (size_t)n, (size_t)s)];
                o->t[i][n][s] = t[tw_idx3(N, S, (size_t)i, (size_t)n, (size_t)s)];
            }
    for (int s = 0; s < S; s++)
        o->sigma[s] = theta[s] + 1;
    ossa_prepare(o);
}

/* 1a. Purging the imbalances: his conditions with net exports zero. */
static void test_purge_matches(void **state)
{
    fixture *f = *state;
    static ossa o;
    static double Xc[N][N][S];
    fill_ossa(&o, f->raw);
    double nxc[N] = {0}, x[2 * N], res[2 * N];
    ossa_solve(&o, (const double(*)[N][S])o.t, nxc, x);
    ossa_conditions(&o, (const double(*)[N][S])o.t, nxc, x, res, Xc, NULL);
    const double *Xb = tw_model_get(f->base, TW_FLOWS);
    double deficits[N];
    tw_model_derive(f->base, TW_DERIVED_DEFICIT, deficits, N);
    for (int i = 0; i < N; i++) {
        assert_near(deficits[i], 0.0, 1e-6 * o.E[i]);
        for (int n = 0; n < N; n++)
            for (int s = 0; s < S; s++)
                assert_close(Xb[tw_idx3(N, S, (size_t)i, (size_t)n, (size_t)s)], Xc[i][n][s], 1e-7);
    }
}

/* 1b. His Table 2 experiments: the US raises its tariffs on all partners by
 * 50 points in chemicals, rubber and plastics (industry 24), or in wearing
 * apparel (industry 20); and all regions double their tariffs. */
static void counterfactual_case(const tw_model *base, int industry, double add, double scale)
{
    static ossa o;
    static double tc[N][N][S];
    fill_ossa(&o, base);
    tw_error err;
    tw_solver *s = tw_solver_create(base, NULL, &err);
    tw_policy *p = tw_policy_create(base, NULL);
    tw_result *r = tw_result_create(base, NULL);
    memcpy(tc, o.t, sizeof tc);
    for (int i = 0; i < N; i++)
        for (int n = 0; n < N; n++)
            for (int k = 0; k < S; k++) {
                if (i == n)
                    continue;
                if (industry >= 0 && k == industry && n == 6)
                    tc[i][n][k] += add;
                if (industry < 0)
                    tc[i][n][k] *= scale;
                tw_policy_set_tariff(p, (size_t)i, (size_t)n, (size_t)k, tc[i][n][k]);
            }
    if (tt_solve(s, p, r, &err) != TW_OK)
        fail_msg("solve: %s", err.message);
    double nxc[N] = {0}, x[2 * N], res[2 * N], welfare[N];
    ossa_solve(&o, (const double(*)[N][S])tc, nxc, x);
    ossa_conditions(&o, (const double(*)[N][S])tc, nxc, x, res, NULL, welfare);
    const double *W = tw_result_country(r, TW_C_WELFARE_PCT);
    const double *w = tw_result_wage_hat(r);
    for (int n = 0; n < N; n++) {
        assert_near(1 + W[n] / 100, welfare[n], 1e-9);
        assert_near(w[n], x[N + n], 1e-9); /* the same numeraire: world labour income */
    }
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
}

static void test_counterfactuals_match(void **state)
{
    fixture *f = *state;
    counterfactual_case(f->base, 23, 0.5, 1);
    counterfactual_case(f->base, 19, 0.5, 1);
    counterfactual_case(f->base, -1, 0, 2.0);
}

/* ---- Tables 3 and 4 ---------------------------------------------------------- */

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the tariffs country c levies on the other regions (198 rates). */
static double median_tariff(const tw_policy *p, size_t c)
{
    double v[(N - 1) * S];
    size_t k = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < S && i != c; j++)
            v[k++] = tw_policy_tariff(p, i, c, j);
    qsort(v, k, sizeof *v, cmp);
    return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

static tw_optimal_options options(int mfn)
{
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    o.mfn = mfn;
    o.xtol_rel = 1e-7;
    o.ftol_rel = 1e-10;
    return o;
}

static void test_table3_optimal_tariffs(void **state)
{
    fixture *f = *state;
    tw_error err;
    tw_solver *s = tw_solver_create(f->base, NULL, &err);
    tw_result *r = tw_result_create(f->base, NULL);
    double sum = 0;
    for (size_t c = 0; c < N; c++) {
        tw_policy *p = tw_policy_create(f->base, NULL);
        tw_optimal_options mfn = options(1), bil = options(0);
        tw_optimal_report rep;
        if (tw_best_response(s, c, &mfn, p, r, &rep, &err) != TW_OK ||
            rep.outcome != TW_OUTCOME_CONVERGED)
            fail_msg("%s MFN: %s", tw_model_country_code(f->base, c), err.message);
        double w_mfn = tw_result_country(r, TW_C_WELFARE_PCT)[c];
        if (tw_best_response(s, c, &bil, p, r, &rep, &err) != TW_OK ||
            rep.outcome != TW_OUTCOME_CONVERGED)
            fail_msg("%s: %s", tw_model_country_code(f->base, c), err.message);
        assert_int_equal(rep.variables, (N - 1) * S);
        /* discriminating can only help */
        assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[c] >= w_mfn - 1e-7);
        sum += 100 * median_tariff(p, c);
        tw_policy_free(p);
    }
    double mean = sum / N;
    print_message("mean of the regions' median optimal tariffs: %.3f%% (paper 58.9%%)\n", mean);
    /* Welfare is flat in the tariffs on tiny flows (moving them changes it by
     * less than 1e-8), so where those tariffs end depends on the optimiser's
     * path: measured 58.82-58.94 across tolerances and scalings. The welfare
     * gains themselves are determined to 1e-6. Hence 0.1, not 0.05. */
    assert_near(mean, 58.9, 0.1);
    tw_result_free(r);
    tw_solver_free(s);
}

static void test_table4_nash_war(void **state)
{
    fixture *f = *state;
    size_t players[N];
    for (size_t k = 0; k < N; k++)
        players[k] = k;
    tw_game_options go;
    tw_game_options_default(&go);
    go.tol = 1e-4;
    go.threads = 2;
    go.best = options(1);
    tw_policy *p = tw_policy_create(f->base, NULL);
    tw_result *r = tw_result_create(f->base, NULL);
    tw_game_report rep;
    tw_error err;
    /* Ossa's start: each region's MFN optimal tariffs against the factual ones */
    tw_solver *s = tw_solver_create(f->base, NULL, &err);
    tw_policy *q = tw_policy_create(f->base, NULL);
    for (size_t c = 0; c < N; c++) {
        tw_policy_reset(q);
        tw_optimal_report brep;
        assert_int_equal(tw_best_response(s, c, &go.best, q, r, &brep, &err), TW_OK);
        assert_int_equal(brep.outcome, TW_OUTCOME_CONVERGED);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < S && i != c; j++)
                tw_policy_set_tariff(p, i, c, j, tw_policy_tariff(q, i, c, j));
    }
    if (tw_nash(f->base, NULL, players, N, &go, p, r, &rep, &err) != TW_OK ||
        rep.outcome != TW_OUTCOME_CONVERGED)
        fail_msg("MFN war: %s", err.message);
    go.best = options(0);
    if (tw_nash(f->base, NULL, players, N, &go, p, r, &rep, &err) != TW_OK)
        fail_msg("war: %s", err.message);
    assert_int_equal(rep.outcome, TW_OUTCOME_CONVERGED);
    double med = 0, welfare = 0;
    for (size_t c = 0; c < N; c++) {
        med += 100 * median_tariff(p, c) / N;
        welfare += tw_result_country(r, TW_C_WELFARE_PCT)[c] / N;
        assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[c] < 0); /* everyone loses */
    }
    print_message("Nash war: mean median tariff %.3f%% (paper 58.1%%), mean welfare %.3f%% "
                  "(paper -2.4%%)\n",
                  med, welfare);
    /* The welfare change matches to the printed precision. The median is set
     * partly by tariffs on tiny flows, where welfare is flat: ours is 58.0
     * (measured 57.95 to 58.03 across tolerances, scalings and starts),
     * Ossa's 58.1, so it is held to 0.2. */
    assert_near(welfare, -2.4, 0.05);
    assert_near(med, 58.1, 0.2);
    tw_policy_free(q);
    tw_solver_free(s);
    tw_result_free(r);
    tw_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purge_matches),
        cmocka_unit_test(test_counterfactuals_match),
        cmocka_unit_test(test_table3_optimal_tariffs),
        cmocka_unit_test(test_table4_nash_war),
    };
    return cmocka_run_group_tests_name("ossa", tests, setup, teardown);
}
