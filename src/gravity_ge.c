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
            return tw_fail(err, TW_ERR_INVALID, "gravity GE: country %zu: output %g, expenditure "
                           "%g (both must be positive)", k + 1, p->Y[k], p->E[k]);
    for (size_t q = 0; q < p->N * p->N; q++)
        if (!(p->T0[q] > 0) || !(p->T1[q] > 0) || !isfinite(p->T0[q]) || !isfinite(p->T1[q]))
            return tw_fail(err, TW_ERR_INVALID, "gravity GE: trade cost of pair %zu,%zu is not "
                           "positive and finite", q / p->N + 1, q % p->N + 1);
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
    double **out[7] = {&r->price_pct, &r->imr_pct, &r->omr_pct, &r->gdp_pct, &r->welfare,
                       &r->imr0, &r->omr0};
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
    r->converged = it0 > 0 && it1 > 0;
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
