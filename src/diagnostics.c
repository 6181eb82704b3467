/*
 * diagnostics.c - how close a result is to the model's edge (issue 10): the
 * largest psi theta (a sector's supply elasticity is theta / (1 - psi theta)),
 * the base economy's stability estimate and the largest sector output
 * change, with warnings that say what to try. Thresholds: tradewar.h
 * (TW_WARN_*) and docs/model.md, "Near the model's edge".
 */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tw_diagnostics_add_warning(tw_diagnostics *d, const char *code, const char *fmt, ...)
{
    if (!d || d->n_warnings >= TW_WARNINGS_MAX)
        return;
    tw_warning *w = &d->warnings[d->n_warnings++];
    snprintf(w->code, sizeof w->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
}

/* 1 when p changes any instrument of sector j from m's base policy. */
static int sector_moved(const tw_model *m, const tw_policy *p, size_t j)
{
    size_t N = m->N, J = m->J;
    for (size_t i = 0; i < N; i++) {
        if (p->subsidy[tw_idx2(J, i, j)] != m->arr[TW_SUBSIDIES][tw_idx2(J, i, j)])
            return 1;
        for (size_t n = 0; n < N; n++) {
            size_t x = tw_idx3(N, J, i, n, j);
            if (p->tariff[x] != m->arr[TW_TARIFFS][x] ||
                p->export_tax[x] != m->arr[TW_EXPORT_TAXES][x] || p->trade_cost_change[x] != 1)
                return 1;
        }
    }
    return 0;
}

tw_status tw_result_diagnose(tw_solver *s, const tw_model *m, const tw_policy *p,
                             const tw_result *res, tw_diagnostics *out, tw_error *err)
{
    if (!m || !p || !res || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_result_diagnose: missing argument");
    if (p->N != m->N || p->J != m->J || tw_result_sector(res, TW_CS_OUTPUT_PCT) == NULL)
        return tw_fail(err, TW_ERR_INVALID, "tw_result_diagnose: dimensions differ");
    size_t N = m->N, J = m->J;
    memset(out, 0, sizeof *out);
    out->max_psi_theta = 0;
    out->max_psi_theta_sector = -1;
    out->base_growth = NAN;
    out->largest_country = out->largest_sector = -1;
    out->largest_output_pct = 0;
    const double *theta = m->arr[TW_THETA], *psi = m->arr[TW_PSI];
    int has_scale = 0;
    for (size_t j = 0; j < J; j++) {
        double pt = psi[j] * theta[j];
        has_scale |= psi[j] > 0;
        if (out->max_psi_theta_sector < 0 || pt > out->max_psi_theta) {
            out->max_psi_theta = pt;
            out->max_psi_theta_sector = (long)j;
        }
    }
    /* the base's stability: the solver's estimate (a temporary solver when none is given) */
    tw_solver *own = NULL;
    if (!s) {
        own = s = tw_solver_create(m, NULL, err);
        if (!s)
            return err && err->code != TW_OK ? err->code : TW_ERR_NOMEM;
    }
    tw_status st = tw_solver_base_stability(s, &out->base_growth, err);
    tw_solver_free(own);
    if (st != TW_OK)
        return st;
    const double *pct = tw_result_sector(res, TW_CS_OUTPUT_PCT);
    const double *y0 = tw_result_sector(res, TW_CS_OUTPUT_BASE);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            size_t ij = tw_idx2(J, i, j);
            if (!(y0[ij] > 0) || !isfinite(pct[ij]) || fabs(pct[ij]) < 1e-9)
                continue; /* round-off is no change */
            if (out->largest_country < 0 || fabs(pct[ij]) > fabs(out->largest_output_pct)) {
                out->largest_output_pct = pct[ij];
                out->largest_country = (long)i;
                out->largest_sector = (long)j;
            }
        }
    if (has_scale && out->base_growth >= TW_WARN_BASE_GROWTH)
        tw_diagnostics_add_warning(
            out, "base-near-unstable",
            "the base economy is close to unstable (growth estimate %.3f >= %.2f): scale "
            "economies nearly feed on themselves and answers can be very large; try "
            "--psi-scale 0 or the sensitivity table of `tradewar report`",
            out->base_growth, TW_WARN_BASE_GROWTH);
    /* the moved sector with the largest psi theta above the threshold */
    long worst = -1;
    size_t n_high = 0;
    for (size_t j = 0; j < J; j++) {
        double pt = psi[j] * theta[j];
        if (pt > TW_WARN_PSI_THETA && sector_moved(m, p, j)) {
            n_high++;
            if (worst < 0 || pt > psi[worst] * theta[worst])
                worst = (long)j;
        }
    }
    if (worst >= 0) {
        double pt = psi[worst] * theta[worst];
        tw_diagnostics_add_warning(
            out, "high-psi-theta",
            "psi*theta exceeds %.2f in %zu sector(s) the policy moves (largest %.3f in %s: "
            "supply elasticity theta/(1-psi*theta) = %.3g, %.3g times theta); the answer is "
            "amplified by scale economies: compare with --psi-scale 0 and the sensitivity table",
            TW_WARN_PSI_THETA, n_high, pt, m->sector_code[worst], theta[worst] / (1 - pt),
            1 / (1 - pt));
    }
    /* With constant returns a large reallocation is the model's ordinary
     * specialisation; with scale economies it is the amplification at work. */
    long wi = -1, wj = -1;
    double wpct = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            size_t ij = tw_idx2(J, i, j);
            if (psi[j] > 0 && y0[ij] > 0 && isfinite(pct[ij]) &&
                fabs(pct[ij]) > TW_WARN_OUTPUT_PCT && fabs(pct[ij]) > fabs(wpct)) {
                wi = (long)i;
                wj = (long)j;
                wpct = pct[ij];
            }
        }
    if (wi >= 0)
        tw_diagnostics_add_warning(
            out, "large-output-change",
            "%s's %s output changes by %+.1f%% (more than %.0f%%) in a sector with scale "
            "economies (psi*theta %.3f): far from the base, where the amplification "
            "theta/(1-psi*theta) dominates; compare with --psi-scale 0 and the sensitivity table",
            m->country_code[wi], m->sector_code[wj], wpct, TW_WARN_OUTPUT_PCT, psi[wj] * theta[wj]);
    return TW_OK;
}
