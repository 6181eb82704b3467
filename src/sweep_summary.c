/*
 * sweep_summary.c - what a sweep's solves say: for every point and value,
 * the central value (the data's elasticities), and over the converged Monte
 * Carlo draws the mean, standard deviation and chosen quantiles (type 7, see
 * tw_quantile_sorted); the counts of retried and failed solves. Nothing here
 * depends on timing, threads or processes.
 */
#include "sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t tw_sweep_value_count(const tw_sweep *s) { return s ? s->n_values : 0; }

const double *tw_sweep_values(const tw_sweep *s, size_t point, size_t draw)
{
    if (!s || point >= s->n_points || draw >= s->per_point)
        return NULL;
    size_t a = point * s->per_point + draw;
    return s->done[a] ? s->values + a * s->n_values : NULL;
}

void tw_sweep_get_solve(const tw_sweep *s, size_t point, size_t draw, tw_sweep_solve *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    out->residual = out->growth = NAN;
    if (!s || point >= s->n_points || draw >= s->per_point)
        return;
    size_t a = point * s->per_point + draw;
    if (!s->done[a])
        return;
    out->done = 1;
    out->status = (tw_sweep_status)s->status[a];
    out->iterations = s->iterations[a];
    out->residual = s->residual[a];
    out->redraws = s->redraws[a];
    out->growth = s->growth[a];
}

void tw_sweep_get_counts(const tw_sweep *s, tw_sweep_counts *c)
{
    if (!c)
        return;
    memset(c, 0, sizeof *c);
    if (!s)
        return;
    for (size_t a = 0; a < s->n_points * s->per_point; a++) {
        if (!s->done[a])
            continue;
        c->solved++;
        c->retried += s->status[a] == TW_SWEEP_RETRIED;
        c->failed += s->status[a] == TW_SWEEP_FAILED;
    }
    c->converged = c->solved - c->retried - c->failed;
    c->redrawn_pairs = s->redrawn;
    c->draws_redrawn = s->draws_redrawn;
    c->stability_checked = s->check_stability;
    /* over point 0's draws (every point has the same draws) */
    for (size_t k = 1; k < s->per_point; k++) {
        if (!s->done[k])
            continue;
        c->unstable_set_aside += s->redraws[k];
        c->unstable_kept += s->growth[k] >= 1;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

tw_status tw_sweep_summarise(const tw_sweep *s, size_t point, const double *p, size_t n_quantiles,
                             tw_sweep_stat *stats, double *q, tw_error *err)
{
    if (!s || !stats || (n_quantiles && (!p || !q)))
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_summarise: missing argument");
    if (point >= s->n_points)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_summarise: point %zu of %zu", point,
                       s->n_points);
    for (size_t k = 0; k < n_quantiles; k++)
        if (!(p[k] >= 0 && p[k] <= 1))
            return tw_fail(err, TW_ERR_INVALID, "quantile %g is outside [0, 1]", p[k]);
    double *buf = malloc(s->per_point * sizeof *buf);
    if (!buf)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    size_t nv = s->n_values, c = point * s->per_point;
    int central_ok = s->done[c] && s->status[c] != TW_SWEEP_FAILED;
    for (size_t v = 0; v < nv; v++) {
        tw_sweep_stat *st = &stats[v];
        size_t n = 0;
        double sum = 0;
        st->central = central_ok ? s->values[c * nv + v] : NAN;
        for (size_t k = 1; k < s->per_point; k++) {
            size_t a = c + k;
            double x = s->values[a * nv + v];
            if (s->done[a] && s->status[a] != TW_SWEEP_FAILED && isfinite(x)) {
                buf[n++] = x;
                sum += x;
            }
        }
        st->n = n;
        st->mean = n ? sum / (double)n : NAN;
        double ss = 0;
        for (size_t k = 0; k < n; k++)
            ss += (buf[k] - st->mean) * (buf[k] - st->mean);
        st->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
        qsort(buf, n, sizeof *buf, cmp_double);
        for (size_t k = 0; k < n_quantiles; k++)
            q[v * n_quantiles + k] = tw_quantile_sorted(buf, n, p[k]);
    }
    free(buf);
    return TW_OK;
}
