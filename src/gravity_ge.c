/*
 * gravity_ge.c - one-sector structural gravity counterfactuals with the
 * baseline built from estimated trade costs, under gegravity's (USITC)
 * OneSectorGE convention: multilateral resistances for the new trade costs
 * with the baseline's output and expenditure shares, factory-gate prices from
 * the change in outward resistance. (tradewar's own engine answers the same
 * question by exact hat algebra on observed flows: `tradewar import gravity`
 * plus a trade-cost scenario; docs/gravity.md compares the two.)
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tw_gravity_ge_result_free(tw_gravity_ge_result *r)
{
    if (!r)
        return;
    free(r->price_pct);
    free(r->imr_pct);
    free(r->omr_pct);
    free(r->gdp_pct);
    free(r->welfare);
    free(r->imr0);
    free(r->omr0);
    memset(r, 0, sizeof *r);
}

#define MR_MAX_ITER 1000000
#define MR_TOL 1e-13

/*
 * a_j = 1/P_j^(1-sigma), b_i = 1/Pi_i^(1-sigma): b_i sum_j T_ij e_j a_j = 1
 * for every i and a_j sum_i T_ij y_i b_i = 1 for every j (the reference
 * importer's equation then holds as the others do: both sides sum to one),
 * scaled so that a_ref = 1. Returns iterations, or -1 at the limit.
 */
static int resistances(size_t N, const double *T, const double *y, const double *e, size_t ref,
                       double *a, double *b, double *residual)
{
    for (size_t k = 0; k < N; k++)
        a[k] = b[k] = 1;
    for (int it = 1; it <= MR_MAX_ITER; it++) {
        for (size_t i = 0; i < N; i++) {
            double s = 0;
            for (size_t j = 0; j < N; j++)
                s += T[i * N + j] * e[j] * a[j];
            b[i] = 1 / s;
        }
        double worst = 0;
        for (size_t j = 0; j < N; j++) {
            double s = 0;
            for (size_t i = 0; i < N; i++)
                s += T[i * N + j] * y[i] * b[i];
            double gap = fabs(a[j] * s - 1);
            if (gap > worst)
                worst = gap;
            a[j] = 1 / s;
        }
        double scale = a[ref];
        for (size_t k = 0; k < N; k++) {
            a[k] /= scale;
            b[k] *= scale;
        }
        *residual = worst;
        if (worst < MR_TOL)
            return it;
    }
    return -1;
}

static tw_status check(const tw_gravity_ge_problem *p, tw_error *err)
{
    if (!p || p->N == 0 || !p->Y || !p->E || !p->T0 || !p->T1)
        return tw_fail(err, TW_ERR_INVALID, "gravity GE: empty or incomplete problem");
    if (!(p->sigma > 1) || !isfinite(p->sigma))
        return tw_fail(err, TW_ERR_INVALID, "gravity GE: sigma must exceed 1 (got %g)", p->sigma);
    if (p->reference >= p->N)
        return tw_fail(err, TW_ERR_INVALID, "gravity GE: reference country %zu of %zu",
                       p->reference + 1, p->N);
    for (size_t k = 0; k < p->N; k++)
        if (!(p->Y[k] > 0) || !(p->E[k] > 0) || !isfinite(p->Y[k]) || !isfinite(p->E[k]))
            return tw_fail(err, TW_ERR_INVALID,
                           "gravity GE: country %zu: output %g, expenditure "
                           "%g (both must be positive)",
                           k + 1, p->Y[k], p->E[k]);
    for (size_t q = 0; q < p->N * p->N; q++)
        if (!(p->T0[q] > 0) || !(p->T1[q] > 0) || !isfinite(p->T0[q]) || !isfinite(p->T1[q]))
            return tw_fail(err, TW_ERR_INVALID,
                           "gravity GE: trade cost of pair %zu,%zu is not "
                           "positive and finite",
                           q / p->N + 1, q % p->N + 1);
    return TW_OK;
}

tw_status tw_gravity_ge_gegravity(const tw_gravity_ge_problem *p, tw_gravity_ge_result *r,
                                  tw_error *err)
{
    if (!r)
        return tw_fail(err, TW_ERR_INVALID, "gravity GE: NULL result");
    memset(r, 0, sizeof *r);
    tw_status st = check(p, err);
    if (st != TW_OK)
        return st;
    size_t N = p->N;
    r->N = N;
    double *w = tw_calloc(6 * N, sizeof *w);
    double **out[7] = {&r->price_pct, &r->imr_pct, &r->omr_pct, &r->gdp_pct,
                       &r->welfare,   &r->imr0,    &r->omr0};
    int ok = w != NULL;
    for (int k = 0; k < 7; k++)
        ok = (*out[k] = tw_calloc(N, sizeof(double))) != NULL && ok;
    if (!ok) {
        free(w);
        tw_gravity_ge_result_free(r);
        return tw_fail(err, TW_ERR_NOMEM, "gravity GE: out of memory");
    }
    double *y = w, *e = w + N, *a0 = w + 2 * N, *b0 = w + 3 * N, *a1 = w + 4 * N, *b1 = w + 5 * N;
    double sy = 0, se = 0;
    for (size_t k = 0; k < N; k++) {
        sy += p->Y[k];
        se += p->E[k];
    }
    for (size_t k = 0; k < N; k++) {
        y[k] = p->Y[k] / sy;
        e[k] = p->E[k] / se;
    }
    double res0, res1;
    int it0 = resistances(N, p->T0, y, e, p->reference, a0, b0, &res0);
    int it1 = resistances(N, p->T1, y, e, p->reference, a1, b1, &res1);
    r->outcome = it0 > 0 && it1 > 0 ? TW_OUTCOME_CONVERGED : TW_OUTCOME_ITERATION_LIMIT;
    r->iterations = it1 > 0 ? it1 : MR_MAX_ITER;
    r->residual = fmax(res0, res1);
    double inv = 1 / (1 - p->sigma);
    for (size_t k = 0; k < N; k++) {
        double P0 = pow(1 / a0[k], inv), P1 = pow(1 / a1[k], inv);
        double Pi0 = pow(1 / b0[k], inv), Pi1 = pow(1 / b1[k], inv);
        double price = Pi0 / Pi1;
        r->imr0[k] = P0;
        r->omr0[k] = Pi0;
        r->price_pct[k] = 100 * (price - 1);
        r->imr_pct[k] = 100 * (P1 / P0 - 1);
        r->omr_pct[k] = 100 * (Pi1 / Pi0 - 1);
        r->gdp_pct[k] = 100 * (price * P0 / P1 - 1);
        r->welfare[k] = (1 / P0) / (price / P1);
    }
    free(w);
    return TW_OK;
}

/* ---- the guide's GEPPML procedure ------------------------------------------ */

/*
 * PPML of flows F on exporter and importer effects with offset log T: the
 * first-order conditions are the margins, mu = a_i b_j T_ij with
 * sum_j mu_ij = sum_j F_ij and sum_i mu_ij = sum_i F_ij (biproportional
 * scaling), normalised b_ref = 1 (the reference importer's effect omitted).
 */
static int biproportional(size_t N, const double *F, const double *T, size_t ref, double *a,
                          double *b, double *row, double *col)
{
    for (size_t k = 0; k < N; k++)
        row[k] = col[k] = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            row[i] += F[i * N + j];
            col[j] += F[i * N + j];
        }
    for (size_t k = 0; k < N; k++)
        b[k] = 1;
    for (int it = 1; it <= MR_MAX_ITER; it++) {
        for (size_t i = 0; i < N; i++) {
            double s = 0;
            for (size_t j = 0; j < N; j++)
                s += b[j] * T[i * N + j];
            a[i] = row[i] / s;
        }
        double worst = 0;
        for (size_t j = 0; j < N; j++) {
            double s = 0;
            for (size_t i = 0; i < N; i++)
                s += a[i] * T[i * N + j];
            double bj = col[j] / s;
            double gap = fabs(bj / b[j] - 1);
            if (gap > worst)
                worst = gap;
            b[j] = bj;
        }
        double scale = b[ref];
        for (size_t k = 0; k < N; k++) {
            b[k] /= scale;
            a[k] *= scale;
        }
        if (worst < MR_TOL)
            return it;
    }
    return -1;
}

typedef struct geppml_work {
    double *a0, *b0, *a1, *b1, *ac, *bc, *row, *col; /* N each */
    double *mu, *F;                                  /* N*N */
    double *y, *e, *phi, *dp, *dp_old, *omr, *imr, *domr, *dimr, *omr_bln, *imr_bln, *xi_bln;
} geppml_work;

static double xi(size_t N, const double *a, const double *b, const double *T, size_t i)
{
    double s = 0;
    for (size_t j = 0; j < N; j++)
        if (j != i)
            s += a[i] * b[j] * T[i * N + j];
    return s;
}

tw_status tw_gravity_ge_geppml(const tw_gravity_geppml_problem *p, tw_gravity_ge_result *r,
                               double *xi_cdl_pct, double *xi_full_pct, tw_error *err)
{
    if (!r || !xi_cdl_pct || !xi_full_pct)
        return tw_fail(err, TW_ERR_INVALID, "gravity GE: NULL result");
    memset(r, 0, sizeof *r);
    if (!p || p->N == 0 || !p->X || !p->T0 || !p->T1)
        return tw_fail(err, TW_ERR_INVALID, "gravity GE: empty or incomplete problem");
    if (!(p->sigma > 1) || p->reference >= p->N)
        return tw_fail(err, TW_ERR_INVALID,
                       "gravity GE: sigma must exceed 1 and the reference "
                       "be a country (sigma %g, reference %zu of %zu)",
                       p->sigma, p->reference + 1, p->N);
    size_t N = p->N;
    for (size_t q = 0; q < N * N; q++)
        if (!(p->X[q] >= 0) || !(p->T0[q] > 0) || !(p->T1[q] > 0) || !isfinite(p->X[q]) ||
            !isfinite(p->T0[q]) || !isfinite(p->T1[q]))
            return tw_fail(err, TW_ERR_INVALID,
                           "gravity GE: pair %zu,%zu: flow %g, costs %g, %g "
                           "(flows >= 0, costs > 0)",
                           q / N + 1, q % N + 1, p->X[q], p->T0[q], p->T1[q]);
    double tol = p->tol > 0 ? p->tol : 1e-5;
    int max_iter = p->max_iter > 0 ? p->max_iter : 1000;
    double *mem = tw_calloc(22 * N + 2 * N * N, sizeof *mem);
    double **outs[7] = {&r->price_pct, &r->imr_pct, &r->omr_pct, &r->gdp_pct,
                        &r->welfare,   &r->imr0,    &r->omr0};
    int ok = mem != NULL;
    for (int k = 0; k < 7; k++)
        ok = (*outs[k] = tw_calloc(N, sizeof(double))) != NULL && ok;
    if (!ok) {
        free(mem);
        tw_gravity_ge_result_free(r);
        return tw_fail(err, TW_ERR_NOMEM, "gravity GE: out of memory");
    }
    r->N = N;
    geppml_work w;
    double *m = mem;
    double **vec[20] = {&w.a0,  &w.b0,   &w.a1,   &w.b1,      &w.ac,      &w.bc,     &w.row,
                        &w.col, &w.y,    &w.e,    &w.phi,     &w.dp,      &w.dp_old, &w.omr,
                        &w.imr, &w.domr, &w.dimr, &w.omr_bln, &w.imr_bln, &w.xi_bln};
    for (int k = 0; k < 20; k++, m += N)
        *vec[k] = m;
    m += 2 * N;
    w.mu = m;
    w.F = m + N * N;
    size_t R = p->reference;
    double inv = 1 / (1 - p->sigma);
    tw_status st = TW_OK;
    /* baseline and conditional fits of the observed flows */
    if (biproportional(N, p->X, p->T0, R, w.a0, w.b0, w.row, w.col) < 0 ||
        biproportional(N, p->X, p->T1, R, w.ac, w.bc, w.row, w.col) < 0) {
        st = tw_fail(err, TW_ERR_DATA,
                     "gravity GE: the fixed-effect fit did not converge (a "
                     "country without trade?)");
        goto done;
    }
    for (size_t k = 0; k < N; k++) {
        w.y[k] = w.row[k];
        w.e[k] = w.col[k];
        if (!(w.y[k] > 0) || !(w.e[k] > 0)) {
            st = tw_fail(err, TW_ERR_DATA,
                         "gravity GE: country %zu has no output or no "
                         "expenditure",
                         k + 1);
            goto done;
        }
    }
    double er = w.e[R];
    for (size_t k = 0; k < N; k++) {
        w.phi[k] = w.e[k] / w.y[k];
        w.omr_bln[k] = w.y[k] * er / w.a0[k];
        w.imr_bln[k] = w.e[k] / (w.b0[k] * er);
        w.xi_bln[k] = xi(N, w.a0, w.b0, p->T0, k);
        xi_cdl_pct[k] = 100 * (xi(N, w.ac, w.bc, p->T1, k) / w.xi_bln[k] - 1);
        /* the loop's state: the conditional equilibrium */
        w.dp[k] = pow(w.ac[k] / w.a0[k], inv);
        w.dp_old[k] = 0;
        w.omr[k] = w.y[k] * er / w.ac[k];
        w.imr[k] = w.e[k] / (w.bc[k] * er);
        w.domr[k] = w.dimr[k] = 1;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            w.mu[i * N + j] = w.ac[i] * w.bc[j] * p->T1[i * N + j];
    double er0 = er, sd = 1, mx = 1;
    int it = 0;
    while ((sd > tol || mx > tol) && it < max_iter) {
        it++;
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++)
                w.F[i * N + j] = w.mu[i * N + j] * w.dp[i] * w.dp[j] / (w.domr[i] * w.dimr[j]);
        if (biproportional(N, w.F, p->T1, R, w.a1, w.b1, w.row, w.col) < 0) {
            st = tw_fail(err, TW_ERR_DATA, "gravity GE: the fixed-effect fit did not converge");
            goto done;
        }
        double er1 = w.phi[R] * w.row[R];
        /* the stopping rule compares the price changes of the previous two
         * rounds, over every exporter-importer row (sample sd, as R's sd) */
        double mean = 0, big = -INFINITY;
        for (size_t i = 0; i < N; i++) {
            double d = w.dp[i] - w.dp_old[i];
            mean += (double)N * d;
            if (d > big)
                big = d;
        }
        mean /= (double)(N * N);
        double ss = 0;
        for (size_t i = 0; i < N; i++) {
            double d = w.dp[i] - w.dp_old[i] - mean;
            ss += (double)N * d * d;
        }
        sd = sqrt(ss / (double)(N * N - 1));
        mx = fabs(big);
        for (size_t k = 0; k < N; k++) {
            double y1 = w.row[k], e1 = w.phi[k] * y1;
            double omr1 = y1 * er1 / w.a1[k], imr1 = e1 / (w.b1[k] * er1);
            w.dp_old[k] = w.dp[k];
            w.dp[k] = pow((w.a1[k] / er1) / (w.ac[k] / er0), inv);
            w.domr[k] = omr1 / w.omr[k];
            w.dimr[k] = imr1 / w.imr[k];
            w.omr[k] = omr1;
            w.imr[k] = imr1;
            w.ac[k] = w.a1[k];
            w.bc[k] = w.b1[k];
        }
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++)
                w.mu[i * N + j] = w.a1[i] * w.b1[j] * p->T1[i * N + j];
        er0 = er1;
    }
    r->iterations = it;
    r->outcome = !(sd > tol || mx > tol) ? TW_OUTCOME_CONVERGED : TW_OUTCOME_ITERATION_LIMIT;
    r->residual = fmax(sd, mx);
    /* the full-endowment indexes (the guide's Step IV) */
    for (size_t k = 0; k < N; k++)
        w.dp[k] = pow((w.ac[k] / er0) / (w.a0[k] / er), inv);
    double efr = w.dp[R] * w.e[R];
    for (size_t k = 0; k < N; k++) {
        double yf = w.dp[k] * w.y[k], ef = w.dp[k] * w.e[k];
        double omrf = yf * er0 / w.ac[k], imrf = ef / (w.bc[k] * efr);
        w.omr[k] = omrf;
        w.imr[k] = imrf;
        r->price_pct[k] = 100 * (w.dp[k] - 1);
        r->omr_pct[k] = 100 * (pow(omrf, inv) / pow(w.omr_bln[k], inv) - 1);
        r->imr_pct[k] = 100 * (pow(imrf, inv) / pow(w.imr_bln[k], inv) - 1);
        r->gdp_pct[k] = 100 * ((yf / pow(imrf, inv)) / (w.y[k] / pow(w.imr_bln[k], inv)) - 1);
        r->welfare[k] = NAN;
        r->imr0[k] = pow(w.imr_bln[k], inv);
        r->omr0[k] = pow(w.omr_bln[k], inv);
    }
    for (size_t i = 0; i < N; i++) {
        double s = 0, yf = w.dp[i] * w.y[i];
        for (size_t j = 0; j < N; j++)
            if (j != i)
                s += yf * (w.dp[j] * w.e[j]) * p->T1[i * N + j] / (w.imr[j] * w.omr[i]);
        xi_full_pct[i] = 100 * (s / w.xi_bln[i] - 1);
    }
done:
    free(mem);
    if (st != TW_OK)
        tw_gravity_ge_result_free(r);
    return st;
}
