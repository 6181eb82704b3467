/*
 * gravity.c - Poisson pseudo-maximum likelihood with high-dimensional fixed
 * effects (Santos Silva & Tenreyro 2006; Correia, Guimaraes & Zylkin 2020,
 * "ppmlhdfe"; Berge 2018, "fixest").
 *
 * IRLS: each step regresses the working variable z = eta + (y - mu) / mu on
 * the regressors with weights mu, the fixed effects partialled out of z and
 * of every regressor by a weighted within-transformation. The transformation
 * is block Gauss-Seidel over the FE dimensions (alternating projections) on
 * all columns at once, accelerated by Irons-Tuck extrapolation every third
 * sweep, and warm-started: the regressors from their previous transform (the
 * projection depends only on the coset X + span(D)) and z from z minus the
 * previous step's fixed-effect part. The projection tolerance tightens with
 * the IRLS step, as in ppmlhdfe.
 */
#include "internal.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void tw_ppml_options_default(tw_ppml_options *o)
{
    o->tol = 1e-10;
    o->max_iter = 100;
    o->fe_tol = 1e-10;
    o->fe_max_iter = 10000;
    o->separation = 1;
    o->drop_singletons = 0;
    o->vcov = TW_VCOV_ROBUST;
}

void tw_ppml_result_free(tw_ppml_result *r)
{
    if (!r)
        return;
    free(r->beta);
    free(r->se);
    free(r->vcov);
    free(r->dropped);
    free(r->mu);
    memset(r, 0, sizeof *r);
}

/* ---- the fixed-effect structure on the observations in use --------------- */

typedef struct fe_work {
    size_t n;          /* observations in use */
    size_t D;          /* dimensions */
    size_t m;          /* columns projected together */
    uint32_t **g;      /* D arrays of n codes (compacted, 0..L[d]-1) */
    size_t *L;         /* D */
    double **sw;       /* D arrays of L[d] weight sums */
    double **alpha;    /* D arrays of L[d]*m accumulated effects (for acceleration) */
    double **a1, **a2; /* D arrays of L[d]*m: the last two sweeps' effects */
    double **delta;    /* D arrays of L[d]*m: group means of R (scratch) */
    double **step;     /* D arrays of L[d]*m: an extrapolation's steps */
    int ready0;        /* delta[0] holds dimension 0's means of the current R */
    size_t Lsum;
} fe_work;

static void fe_free(fe_work *f)
{
    for (size_t d = 0; f->g && d < f->D; d++) {
        free(f->g[d]);
        if (f->sw)
            free(f->sw[d]);
        if (f->alpha)
            free(f->alpha[d]);
        if (f->a1)
            free(f->a1[d]);
        if (f->a2)
            free(f->a2[d]);
        if (f->delta)
            free(f->delta[d]);
        if (f->step)
            free(f->step[d]);
    }
    free(f->step);
    free(f->g);
    free(f->L);
    free(f->sw);
    free(f->alpha);
    free(f->a1);
    free(f->a2);
    free(f->delta);
    memset(f, 0, sizeof *f);
}

/* Recode dimension codes of the kept rows to 0..L-1. */
static int fe_build(fe_work *f, const tw_ppml_problem *p, const unsigned char *dropped, size_t m)
{
    size_t D = p->n_fe ? p->n_fe : 1;
    f->D = D;
    f->m = m;
    f->g = tw_calloc(D, sizeof *f->g);
    f->L = tw_calloc(D, sizeof *f->L);
    f->sw = tw_calloc(D, sizeof *f->sw);
    f->alpha = tw_calloc(D, sizeof *f->alpha);
    f->a1 = tw_calloc(D, sizeof *f->a1);
    f->a2 = tw_calloc(D, sizeof *f->a2);
    f->delta = tw_calloc(D, sizeof *f->delta);
    f->step = tw_calloc(D, sizeof *f->step);
    if (!f->g || !f->L || !f->sw || !f->alpha || !f->a1 || !f->a2 || !f->delta || !f->step)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += dropped[i] == TW_PPML_KEPT;
    f->n = n;
    for (size_t d = 0; d < D; d++) {
        size_t levels = p->n_fe ? p->fe_levels[d] : 1;
        uint32_t *map = tw_calloc(levels, sizeof *map);
        f->g[d] = tw_calloc(n, sizeof(uint32_t));
        if (!map || !f->g[d]) {
            free(map);
            return -1;
        }
        for (size_t l = 0; l < levels; l++)
            map[l] = UINT32_MAX;
        size_t L = 0, r = 0;
        for (size_t i = 0; i < p->n; i++) {
            if (dropped[i] != TW_PPML_KEPT)
                continue;
            uint32_t c = p->n_fe ? p->fe[d][i] : 0;
            if (map[c] == UINT32_MAX)
                map[c] = (uint32_t)L++;
            f->g[d][r++] = map[c];
        }
        free(map);
        f->L[d] = L;
        f->Lsum += L;
        f->sw[d] = tw_calloc(L, sizeof(double));
        f->alpha[d] = tw_calloc(L * m, sizeof(double));
        f->a1[d] = tw_calloc(L * m, sizeof(double));
        f->a2[d] = tw_calloc(L * m, sizeof(double));
        f->delta[d] = tw_calloc(L * m, sizeof(double));
        f->step[d] = tw_calloc(L * m, sizeof(double));
        if (!f->sw[d] || !f->alpha[d] || !f->a1[d] || !f->a2[d] || !f->delta[d] || !f->step[d])
            return -1;
    }
    return 0;
}

static void fe_set_weights(fe_work *f, const double *w)
{
    for (size_t d = 0; d < f->D; d++) {
        double *sw = f->sw[d];
        memset(sw, 0, f->L[d] * sizeof *sw);
        const uint32_t *g = f->g[d];
        for (size_t i = 0; i < f->n; i++)
            sw[g[i]] += w[i];
    }
}

/* Group means of w*R for dimension d into delta[d] (R is n x m row-major). */
static void group_means(fe_work *f, size_t d, const double *w, const double *R)
{
    size_t m = f->m, L = f->L[d];
    double *S = f->delta[d];
    memset(S, 0, L * m * sizeof *S);
    const uint32_t *g = f->g[d];
    for (size_t i = 0; i < f->n; i++) {
        double *s = S + (size_t)g[i] * m;
        const double *r = R + i * m;
        for (size_t c = 0; c < m; c++)
            s[c] += w[i] * r[c];
    }
    for (size_t l = 0; l < L; l++) {
        double inv = f->sw[d][l] > 0 ? 1.0 / f->sw[d][l] : 0.0;
        for (size_t c = 0; c < m; c++)
            S[l * m + c] *= inv;
    }
}

/* Divide the group sums in delta[d] by the groups' weights: means. */
static void to_means(fe_work *f, size_t d)
{
    size_t m = f->m;
    double *S = f->delta[d];
    for (size_t l = 0; l < f->L[d]; l++) {
        double inv = f->sw[d][l] > 0 ? 1.0 / f->sw[d][l] : 0.0;
        for (size_t c = 0; c < m; c++)
            S[l * m + c] *= inv;
    }
}

/* The hot loop: R -= del[g], then S[gn] += w R, row by row; specialised
 * for small column counts so that the compiler unrolls the inner loop. */
#define PASS_BODY(M)                                 \
    for (size_t i = 0; i < n; i++) {                 \
        double *r = R + i * (M);                     \
        const double *dl = del + (size_t)g[i] * (M); \
        double *sr = S + (size_t)gn[i] * (M);        \
        for (size_t c = 0; c < (M); c++) {           \
            r[c] -= dl[c];                           \
            sr[c] += w[i] * r[c];                    \
        }                                            \
    }
static void pass_sub_sum(size_t n, size_t m, double *R, const uint32_t *g, const double *del,
                         const uint32_t *gn, double *S, const double *w)
{
    switch (m) {
    case 1:
        PASS_BODY(1) break;
    case 2:
        PASS_BODY(2) break;
    case 3:
        PASS_BODY(3) break;
    case 4:
        PASS_BODY(4) break;
    case 5:
        PASS_BODY(5) break;
    case 6:
        PASS_BODY(6) break;
    default:
        PASS_BODY(m) break;
    }
}
#undef PASS_BODY

/* One Gauss-Seidel sweep over the dimensions: R -= D delta, alpha += delta.
 * The subtraction for dimension d and the sums for d+1 share one pass, and
 * the last dimension's pass sums dimension 0 for the next sweep (ready0).
 * Returns the largest |delta| relative to 1 + |alpha|. */
static double sweep(fe_work *f, const double *w, double *R)
{
    size_t m = f->m, D = f->D;
    double change = 0;
    if (!f->ready0)
        group_means(f, 0, w, R);
    for (size_t d = 0; d < D; d++) {
        const double *del = f->delta[d];
        double *al = f->alpha[d];
        for (size_t q = 0; q < f->L[d] * m; q++) {
            al[q] += del[q];
            double rel = fabs(del[q]) / (1.0 + fabs(al[q]));
            if (rel > change)
                change = rel;
        }
        const uint32_t *g = f->g[d];
        size_t dn = d + 1 < D ? d + 1 : 0; /* the dimension summed in this pass */
        if (D == 1) {
            for (size_t i = 0; i < f->n; i++) {
                double *r = R + i * m;
                const double *dl = del + (size_t)g[i] * m;
                for (size_t c = 0; c < m; c++)
                    r[c] -= dl[c];
            }
            f->ready0 = 0;
            break;
        }
        /* delta[dn] is free: delta[0] was applied in the first pass */
        double *S = f->delta[dn];
        memset(S, 0, f->L[dn] * m * sizeof *S);
        pass_sub_sum(f->n, m, R, g, del, f->g[dn], S, w);
        to_means(f, dn);
    }
    if (D > 1)
        f->ready0 = 1;
    return change;
}

/* Irons-Tuck: from alpha0 (a2), alpha1 (a1), alpha2 (alpha) extrapolate each
 * column and move R accordingly in one pass, which also sums dimension 0 for
 * the next sweep. */
static void irons_tuck(fe_work *f, const double *w, double *R)
{
    size_t m = f->m, D = f->D;
    double num[65], den[65];
    if (m > 65)
        return;
    for (size_t c = 0; c < m; c++)
        num[c] = den[c] = 0;
    for (size_t d = 0; d < D; d++)
        for (size_t l = 0; l < f->L[d]; l++)
            for (size_t c = 0; c < m; c++) {
                size_t q = l * m + c;
                double x0 = f->a2[d][q], x1 = f->a1[d][q], x2 = f->alpha[d][q];
                double d1 = x2 - x1, d2 = x2 - 2 * x1 + x0;
                num[c] += d1 * d2;
                den[c] += d2 * d2;
            }
    int any = 0;
    for (size_t c = 0; c < m; c++) {
        num[c] = den[c] > 0 ? num[c] / den[c] : 0.0; /* the step along -d1 */
        if (!isfinite(num[c]))
            num[c] = 0;
        any |= num[c] != 0;
    }
    if (!any)
        return;
    for (size_t d = 0; d < D; d++) {
        double *st = f->step[d];
        for (size_t l = 0; l < f->L[d]; l++)
            for (size_t c = 0; c < m; c++) {
                size_t q = l * m + c;
                st[q] = -num[c] * (f->alpha[d][q] - f->a1[d][q]);
                f->alpha[d][q] += st[q];
            }
    }
    double *S = f->delta[0];
    memset(S, 0, f->L[0] * m * sizeof *S);
    for (size_t i = 0; i < f->n; i++) {
        double *r = R + i * m;
        for (size_t d = 0; d < D; d++) {
            const double *st = f->step[d] + (size_t)f->g[d][i] * m;
            for (size_t c = 0; c < m; c++)
                r[c] -= st[c];
        }
        double *sr = S + (size_t)f->g[0][i] * m;
        for (size_t c = 0; c < m; c++)
            sr[c] += w[i] * r[c];
    }
    to_means(f, 0);
    f->ready0 = 1;
}

/* Partial the fixed effects out of R (n x m, in place) with weights w (already
 * summed by fe_set_weights). Returns sweeps used, or -1 when the limit hit. */
static long demean(fe_work *f, const double *w, double *R, double tol, int max_sweeps)
{
    f->ready0 = 0;
    if (f->D == 1) { /* one dimension: exact in one sweep */
        for (size_t q = 0; q < f->L[0] * f->m; q++)
            f->alpha[0][q] = 0;
        sweep(f, w, R);
        return 1;
    }
    for (size_t d = 0; d < f->D; d++)
        memset(f->alpha[d], 0, f->L[d] * f->m * sizeof(double));
    for (long s = 1; s <= max_sweeps; s++) {
        if (s % 3 == 0)
            for (size_t d = 0; d < f->D; d++) {
                memcpy(f->a2[d], f->a1[d], f->L[d] * f->m * sizeof(double));
                memcpy(f->a1[d], f->alpha[d], f->L[d] * f->m * sizeof(double));
            }
        else if (s % 3 == 2)
            for (size_t d = 0; d < f->D; d++)
                memcpy(f->a1[d], f->alpha[d], f->L[d] * f->m * sizeof(double));
        else
            for (size_t d = 0; d < f->D; d++)
                memcpy(f->a2[d], f->alpha[d], f->L[d] * f->m * sizeof(double));
        double change = sweep(f, w, R);
        if (change < tol)
            return s;
        if (s % 3 == 2) {
            /* a2 = before sweep s-1, a1 = before sweep s, alpha = after sweep s */
            irons_tuck(f, w, R);
        }
    }
    return -1;
}

/* ---- separation ---------------------------------------------------------- */

/* Drop kept rows whose group in some dimension has only zero outcomes;
 * then (optionally) singletons, repeated until nothing changes. */
static int drop_fe_separated(const tw_ppml_problem *p, int singletons, unsigned char *dropped)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t d = 0; d < p->n_fe; d++) {
            size_t L = p->fe_levels[d];
            double *sy = tw_calloc(L, sizeof *sy);
            size_t *cnt = tw_calloc(L, sizeof *cnt);
            if (!sy || !cnt) {
                free(sy);
                free(cnt);
                return -1;
            }
            for (size_t i = 0; i < p->n; i++)
                if (dropped[i] == TW_PPML_KEPT) {
                    sy[p->fe[d][i]] += p->y[i];
                    cnt[p->fe[d][i]]++;
                }
            for (size_t i = 0; i < p->n; i++) {
                if (dropped[i] != TW_PPML_KEPT)
                    continue;
                uint32_t c = p->fe[d][i];
                if (sy[c] <= 0) {
                    dropped[i] = TW_PPML_SEPARATED_FE;
                    changed = 1;
                } else if (singletons && cnt[c] == 1) {
                    dropped[i] = TW_PPML_SINGLETON;
                    changed = 1;
                }
            }
            free(sy);
            free(cnt);
        }
    }
    return 0;
}

/* ---- small dense algebra --------------------------------------------------- */

/* Solve A b = r for the k x k SPD matrix A (destroyed); 0 or -1 when singular. */
static int spd_solve(double *A, double *b, size_t k)
{
    if (k == 0)
        return 0;
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, 1, A, (lapack_int)k, b,
                                    1);
    return info == 0 ? 0 : -1;
}

/* Invert the SPD matrix A in place (full symmetric result); 0 or -1. */
static int spd_invert(double *A, size_t k)
{
    if (k == 0)
        return 0;
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, A, (lapack_int)k) != 0)
        return -1;
    if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, A, (lapack_int)k) != 0)
        return -1;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < a; b++)
            A[a * k + b] = A[b * k + a];
    return 0;
}

/* ---- the fit ----------------------------------------------------------------- */

typedef struct ppml_work {
    size_t n, k, m;                     /* rows in use, regressors, m = 1 + regressors in use */
    size_t *row;                        /* n: original row of each row in use */
    size_t *col;                        /* k columns in use -> original regressor */
    size_t kk;                          /* regressors in use */
    double *y, *mu, *eta, *w, *z, *fez; /* n each */
    double *X;                          /* n x kk row-major (original values) */
    double *R;     /* n x m row-major: column 0 the transformed z, 1.. the regressors */
    double *A, *b; /* kk x kk, kk */
    fe_work fe;
} ppml_work;

static void work_free(ppml_work *s)
{
    free(s->row);
    free(s->col);
    free(s->y);
    free(s->mu);
    free(s->eta);
    free(s->w);
    free(s->z);
    free(s->fez);
    free(s->X);
    free(s->R);
    free(s->A);
    free(s->b);
    fe_free(&s->fe);
}

static double deviance(const double *y, const double *mu, size_t n)
{
    double dev = 0;
    for (size_t i = 0; i < n; i++)
        dev += (y[i] > 0 ? y[i] * log(y[i] / mu[i]) : 0.0) - (y[i] - mu[i]);
    return 2 * dev;
}

static tw_status check_problem(const tw_ppml_problem *p, tw_error *err)
{
    if (!p || p->n == 0 || !p->y || (p->k && !p->x) || (p->n_fe && (!p->fe || !p->fe_levels)))
        return tw_fail(err, TW_ERR_INVALID, "PPML: empty or incomplete problem");
    if (p->n_cluster > 2 || (p->n_cluster && (!p->cluster || !p->cluster_levels)))
        return tw_fail(err, TW_ERR_INVALID, "PPML: 0, 1 or 2 cluster dimensions");
    if (p->k > 60)
        return tw_fail(err, TW_ERR_INVALID, "PPML: at most 60 regressors (got %zu)", p->k);
    for (size_t i = 0; i < p->n; i++)
        if (p->y[i] < 0)
            return tw_fail(err, TW_ERR_INVALID, "PPML: observation %zu has a negative outcome %g",
                           i + 1, p->y[i]);
    for (size_t d = 0; d < p->n_fe; d++)
        for (size_t i = 0; i < p->n; i++)
            if (p->fe[d][i] != UINT32_MAX && p->fe[d][i] >= p->fe_levels[d])
                return tw_fail(err, TW_ERR_INVALID, "PPML: fixed effect %zu code out of range",
                               d + 1);
    for (size_t d = 0; d < p->n_cluster; d++)
        for (size_t i = 0; i < p->n; i++)
            if (p->cluster[d][i] != UINT32_MAX && p->cluster[d][i] >= p->cluster_levels[d])
                return tw_fail(err, TW_ERR_INVALID, "PPML: cluster %zu code out of range", d + 1);
    return TW_OK;
}

static void mark_missing(const tw_ppml_problem *p, unsigned char *dropped)
{
    for (size_t i = 0; i < p->n; i++) {
        int bad = !isfinite(p->y[i]);
        for (size_t c = 0; c < p->k && !bad; c++)
            bad = !isfinite(p->x[c * p->n + i]);
        for (size_t d = 0; d < p->n_fe && !bad; d++)
            bad = p->fe[d][i] == UINT32_MAX;
        for (size_t d = 0; d < p->n_cluster && !bad; d++)
            bad = p->cluster[d][i] == UINT32_MAX;
        dropped[i] = bad ? TW_PPML_MISSING : TW_PPML_KEPT;
    }
}

static int work_alloc(ppml_work *s, const tw_ppml_problem *p, const unsigned char *dropped)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += dropped[i] == TW_PPML_KEPT;
    s->n = n;
    s->k = p->k;
    s->kk = p->k;
    s->m = 1 + p->k;
    s->row = tw_calloc(n, sizeof *s->row);
    s->col = tw_calloc(p->k, sizeof *s->col);
    s->y = tw_calloc(n, sizeof(double));
    s->mu = tw_calloc(n, sizeof(double));
    s->eta = tw_calloc(n, sizeof(double));
    s->w = tw_calloc(n, sizeof(double));
    s->z = tw_calloc(n, sizeof(double));
    s->fez = tw_calloc(n, sizeof(double));
    s->X = tw_calloc(n * (p->k ? p->k : 1), sizeof(double));
    s->R = tw_calloc(n * s->m, sizeof(double));
    s->A = tw_calloc(p->k * p->k + 1, sizeof(double));
    s->b = tw_calloc(p->k + 1, sizeof(double));
    if (!s->row || !s->col || !s->y || !s->mu || !s->eta || !s->w || !s->z || !s->fez || !s->X ||
        !s->R || !s->A || !s->b)
        return -1;
    size_t r = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (dropped[i] != TW_PPML_KEPT)
            continue;
        s->row[r] = i;
        s->y[r] = p->y[i];
        for (size_t c = 0; c < p->k; c++)
            s->X[r * p->k + c] = p->x[c * p->n + i];
        r++;
    }
    for (size_t c = 0; c < p->k; c++)
        s->col[c] = c;
    return fe_build(&s->fe, p, dropped, s->m);
}

/* Column c of X (in use) into column 1+c of R, for every row. */
static void load_regressors(ppml_work *s)
{
    for (size_t i = 0; i < s->n; i++)
        for (size_t c = 0; c < s->kk; c++)
            s->R[i * s->m + 1 + c] = s->X[i * s->k + s->col[c]];
}

/* After the first projection: drop regressors the fixed effects absorb
 * (weighted variance after < 1e-9 of before), compacting R's columns. */
static void drop_absorbed(ppml_work *s, const double *before, size_t *n_omitted)
{
    int keepc[64];
    size_t keep = 0;
    for (size_t c = 0; c < s->kk; c++) {
        double after = 0;
        for (size_t i = 0; i < s->n; i++) {
            double v = s->R[i * s->m + 1 + c];
            after += s->w[i] * v * v;
        }
        keepc[c] = after > 1e-9 * before[c] && after > 0;
        if (keepc[c])
            s->col[keep++] = s->col[c];
        else
            (*n_omitted)++;
    }
    if (keep == s->kk)
        return;
    size_t m_new = 1 + keep;
    for (size_t i = 0; i < s->n; i++) {
        double tmp[65];
        size_t q = 0;
        tmp[q++] = s->R[i * s->m];
        for (size_t c = 0; c < s->kk; c++)
            if (keepc[c])
                tmp[q++] = s->R[i * s->m + 1 + c];
        memcpy(s->R + i * m_new, tmp, m_new * sizeof(double));
    }
    s->kk = keep;
    s->m = m_new;
    s->fe.m = m_new;
}

/* Weighted least squares of R[:,0] on R[:,1..]: beta into s->b. */
static int wls(ppml_work *s)
{
    size_t kk = s->kk, m = s->m;
    memset(s->A, 0, kk * kk * sizeof(double));
    memset(s->b, 0, (kk + 1) * sizeof(double));
    for (size_t i = 0; i < s->n; i++) {
        const double *r = s->R + i * m;
        double wi = s->w[i];
        for (size_t a = 0; a < kk; a++) {
            double wa = wi * r[1 + a];
            s->b[a] += wa * r[0];
            for (size_t c = 0; c <= a; c++)
                s->A[a * kk + c] += wa * r[1 + c];
        }
    }
    for (size_t a = 0; a < kk; a++)
        for (size_t c = 0; c < a; c++)
            s->A[c * kk + a] = s->A[a * kk + c];
    return spd_solve(s->A, s->b, kk);
}

/* ---- covariance -------------------------------------------------------------- */

/* Cluster codes of the rows in use for dimension d (or the intersection when
 * d == 2), compacted to 0..G-1. Returns G, or 0 on allocation failure. */
static size_t cluster_codes(const ppml_work *s, const tw_ppml_problem *p, int d, uint32_t *out)
{
    size_t cap = 16;
    while (cap < 2 * s->n + 2)
        cap <<= 1;
    uint64_t *key = tw_calloc(cap, sizeof *key);
    uint32_t *val = tw_calloc(cap, sizeof *val);
    if (!key || !val) {
        free(key);
        free(val);
        return 0;
    }
    size_t G = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t r = s->row[i];
        uint64_t k = d < 2 ? (uint64_t)p->cluster[d][r]
                           : ((uint64_t)p->cluster[0][r] << 32) | p->cluster[1][r];
        k += 1; /* 0 marks an empty slot */
        uint64_t h = k * 0x9E3779B97F4A7C15ull;
        size_t q = (size_t)(h >> 20) & (cap - 1);
        while (key[q] != 0 && key[q] != k)
            q = (q + 1) & (cap - 1);
        if (key[q] == 0) {
            key[q] = k;
            val[q] = (uint32_t)G++;
        }
        out[i] = val[q];
    }
    free(key);
    free(val);
    return G;
}

/* meat += scale * sum over groups of (sum of scores)(sum of scores)'. */
static int cluster_meat(const ppml_work *s, const uint32_t *code, size_t G, double scale,
                        double *meat)
{
    size_t kk = s->kk, m = s->m;
    double *S = tw_calloc(G * (kk ? kk : 1), sizeof *S);
    if (!S)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        double e = s->y[i] - s->mu[i];
        for (size_t a = 0; a < kk; a++)
            S[(size_t)code[i] * kk + a] += e * s->R[i * m + 1 + a];
    }
    for (size_t g = 0; g < G; g++)
        for (size_t a = 0; a < kk; a++)
            for (size_t c = 0; c < kk; c++)
                meat[a * kk + c] += scale * S[g * kk + a] * S[g * kk + c];
    free(S);
    return 0;
}

static tw_status covariance(ppml_work *s, const tw_ppml_problem *p, tw_vcov_kind kind,
                            tw_ppml_result *res, double *V, tw_error *err)
{
    size_t kk = s->kk, m = s->m;
    double *H = tw_calloc(kk * kk + 1, sizeof *H), *M = tw_calloc(kk * kk + 1, sizeof *M);
    double *T = tw_calloc(kk * kk + 1, sizeof *T);
    uint32_t *code = tw_calloc(s->n, sizeof *code);
    tw_status st = TW_OK;
    if (!H || !M || !T || !code) {
        st = tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory (covariance)");
        goto done;
    }
    for (size_t i = 0; i < s->n; i++) {
        const double *r = s->R + i * m;
        for (size_t a = 0; a < kk; a++)
            for (size_t c = 0; c < kk; c++)
                H[a * kk + c] += s->mu[i] * r[1 + a] * r[1 + c];
    }
    if (spd_invert(H, kk) != 0) {
        st = tw_fail(err, TW_ERR_DATA, "PPML: the regressors are collinear (singular Hessian)");
        goto done;
    }
    if (kind == TW_VCOV_IID || (kind == TW_VCOV_CLUSTER && p->n_cluster == 0)) {
        memcpy(V, H, kk * kk * sizeof *V);
        goto done;
    }
    if (kind == TW_VCOV_ROBUST) {
        for (size_t i = 0; i < s->n; i++) {
            double e = s->y[i] - s->mu[i];
            const double *r = s->R + i * m;
            for (size_t a = 0; a < kk; a++)
                for (size_t c = 0; c < kk; c++)
                    M[a * kk + c] += e * e * r[1 + a] * r[1 + c];
        }
        double nn = (double)s->n;
        for (size_t q = 0; q < kk * kk; q++)
            M[q] *= nn / (nn - 1);
    } else {
        int dims[3] = {0, 1, 2};
        double sign[3] = {1, 1, -1};
        size_t nd = p->n_cluster == 2 ? 3 : 1;
        for (size_t t = 0; t < nd; t++) {
            size_t G = cluster_codes(s, p, dims[t], code);
            if (G == 0) {
                st = tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory (clusters)");
                goto done;
            }
            if (t < 2)
                res->clusters[t] = G;
            double adj = G > 1 ? (double)G / (double)(G - 1) : 1.0;
            if (cluster_meat(s, code, G, sign[t] * adj, M) != 0) {
                st = tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory (clusters)");
                goto done;
            }
        }
    }
    /* V = H M H */
    for (size_t a = 0; a < kk; a++)
        for (size_t c = 0; c < kk; c++) {
            double v = 0;
            for (size_t q = 0; q < kk; q++)
                v += H[a * kk + q] * M[q * kk + c];
            T[a * kk + c] = v;
        }
    for (size_t a = 0; a < kk; a++)
        for (size_t c = 0; c < kk; c++) {
            double v = 0;
            for (size_t q = 0; q < kk; q++)
                v += T[a * kk + q] * H[q * kk + c];
            V[a * kk + c] = v;
        }
done:
    free(H);
    free(M);
    free(T);
    free(code);
    return st;
}

/* ---- IRLS ---------------------------------------------------------------------- */

static void init_mean(ppml_work *s)
{
    double mean = 0;
    for (size_t i = 0; i < s->n; i++)
        mean += s->y[i];
    mean /= (double)s->n;
    for (size_t i = 0; i < s->n; i++) {
        s->mu[i] = 0.5 * (s->y[i] + mean);
        s->eta[i] = log(s->mu[i]);
        s->fez[i] = 0;
    }
}

/* One IRLS step; returns 0, -1 (singular), -2 (projection limit). */
static int irls_step(ppml_work *s, double fe_tol, int fe_max, int first, size_t *n_omitted,
                     long *sweeps)
{
    size_t m = s->m;
    double before[64];
    for (size_t i = 0; i < s->n; i++) {
        s->w[i] = s->mu[i];
        s->z[i] = s->eta[i] + (s->y[i] - s->mu[i]) / s->mu[i];
        s->R[i * m] = s->z[i] - s->fez[i];
    }
    fe_set_weights(&s->fe, s->w);
    if (first) {
        load_regressors(s);
        for (size_t c = 0; c < s->kk; c++) {
            double sw = 0, swx = 0, swxx = 0;
            for (size_t i = 0; i < s->n; i++) {
                double v = s->R[i * m + 1 + c];
                sw += s->w[i];
                swx += s->w[i] * v;
                swxx += s->w[i] * v * v;
            }
            before[c] = swxx - swx * swx / sw; /* around the mean: a constant is absorbed */
            if (before[c] <= 0)
                before[c] = swxx > 0 ? swxx * 1e-30 : 0;
        }
    }
    long used = demean(&s->fe, s->w, s->R, fe_tol, fe_max);
    if (used < 0)
        return -2;
    *sweeps += used;
    if (first)
        drop_absorbed(s, before, n_omitted);
    m = s->m;
    for (size_t i = 0; i < s->n; i++)
        s->fez[i] = s->z[i] - s->R[i * m];
    if (wls(s) != 0)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        const double *r = s->R + i * m;
        double resid = r[0];
        for (size_t c = 0; c < s->kk; c++)
            resid -= r[1 + c] * s->b[c];
        s->eta[i] = s->z[i] - resid;
        s->mu[i] = exp(s->eta[i]);
    }
    return 0;
}

static tw_status result_alloc(tw_ppml_result *res, size_t n, size_t k)
{
    res->n = n;
    res->k = k;
    res->beta = tw_calloc(k, sizeof(double));
    res->se = tw_calloc(k, sizeof(double));
    res->vcov = tw_calloc(k * k, sizeof(double));
    res->dropped = tw_calloc(n, 1);
    res->mu = tw_calloc(n, sizeof(double));
    if (!res->beta || !res->se || !res->vcov || !res->dropped || !res->mu)
        return TW_ERR_NOMEM;
    for (size_t c = 0; c < k; c++)
        res->beta[c] = res->se[c] = NAN;
    for (size_t q = 0; q < k * k; q++)
        res->vcov[q] = NAN;
    for (size_t i = 0; i < n; i++)
        res->mu[i] = NAN;
    return TW_OK;
}

/* Fill the result from the converged (or stopped) work. */
static tw_status finish(ppml_work *s, const tw_ppml_problem *p, const tw_ppml_options *o,
                        tw_ppml_result *res, tw_error *err)
{
    /* the regressors transformed with the final weights */
    for (size_t i = 0; i < s->n; i++) {
        s->w[i] = s->mu[i];
        s->R[i * s->m] = 0;
    }
    fe_set_weights(&s->fe, s->w);
    long used = demean(&s->fe, s->w, s->R, o->fe_tol, o->fe_max_iter);
    if (used > 0)
        res->fe_sweeps += used;
    double *V = tw_calloc(s->kk * s->kk + 1, sizeof *V);
    if (!V)
        return tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory");
    tw_status st = covariance(s, p, o->vcov, res, V, err);
    if (st == TW_OK)
        for (size_t a = 0; a < s->kk; a++) {
            size_t ca = s->col[a];
            res->beta[ca] = s->b[a];
            res->se[ca] = sqrt(V[a * s->kk + a]);
            for (size_t c = 0; c < s->kk; c++)
                res->vcov[ca * p->k + s->col[c]] = V[a * s->kk + c];
        }
    free(V);
    for (size_t i = 0; i < s->n; i++)
        res->mu[s->row[i]] = s->mu[i];
    res->deviance = deviance(s->y, s->mu, s->n);
    double ybar = 0, ll = 0;
    for (size_t i = 0; i < s->n; i++)
        ybar += s->y[i];
    ybar /= (double)s->n;
    double null_dev = 0;
    for (size_t i = 0; i < s->n; i++) {
        null_dev += (s->y[i] > 0 ? s->y[i] * log(s->y[i] / ybar) : 0.0) - (s->y[i] - ybar);
        ll += -s->mu[i] + (s->y[i] > 0 ? s->y[i] * log(s->mu[i]) : 0.0) - lgamma(s->y[i] + 1);
    }
    res->null_deviance = 2 * null_dev;
    res->pseudo_r2 = res->null_deviance > 0 ? 1 - res->deviance / res->null_deviance : NAN;
    res->log_likelihood = ll;
    return st;
}

/* ---- separation by the regressors: the ReLU check ------------------------ */

/*
 * Correia, Guimaraes & Zylkin (2019), "Verifying the existence of maximum
 * likelihood estimates for generalized linear models": a linear regression
 * of u on the regressors and fixed effects, weights 1 where y = 0 and a large
 * K where y > 0 (so the fit is held at zero there), u = 1{y = 0} at first and
 * then max(fit, 0) where y = 0, until the fit is non-negative everywhere;
 * observations with y = 0 and a positive fit are separated. Without
 * convergence in 100 rounds nothing is dropped. The thresholds are absolute
 * (u starts at 1), as in ppmlhdfe.
 */
#define RELU_K 1e7
#define RELU_TOL 1e-6  /* fits above -RELU_TOL count as non-negative (u starts at 1) */
#define RELU_DROP 1e-3 /* a fit above RELU_DROP marks separation; all below: none */
static tw_status ppml_relu(const tw_ppml_problem *p, const tw_ppml_options *o,
                           unsigned char *dropped, tw_error *err)
{
    size_t zeros = 0, kept = 0;
    for (size_t i = 0; i < p->n; i++)
        if (dropped[i] == TW_PPML_KEPT) {
            kept++;
            zeros += p->y[i] <= 0;
        }
    if (zeros == 0 || kept == 0)
        return TW_OK;
    ppml_work s;
    memset(&s, 0, sizeof s);
    if (work_alloc(&s, p, dropped) != 0) {
        work_free(&s);
        return tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory (separation check)");
    }
    double *u = s.z;
    for (size_t i = 0; i < s.n; i++) {
        s.w[i] = s.y[i] > 0 ? RELU_K : 1.0;
        u[i] = s.y[i] > 0 ? 0.0 : 1.0;
        s.fez[i] = 0;
    }
    fe_set_weights(&s.fe, s.w);
    load_regressors(&s);
    for (int round = 0; round < 100; round++) {
        for (size_t i = 0; i < s.n; i++)
            s.R[i * s.m] = u[i] - s.fez[i];
        if (demean(&s.fe, s.w, s.R, o->fe_tol, o->fe_max_iter) < 0)
            break;
        for (size_t i = 0; i < s.n; i++)
            s.fez[i] = u[i] - s.R[i * s.m];
        if (wls(&s) != 0)
            break; /* collinear: the fit reports it */
        double lo = 0, hi = 0;
        for (size_t i = 0; i < s.n; i++) {
            const double *r = s.R + i * s.m;
            double resid = r[0];
            for (size_t c = 0; c < s.kk; c++)
                resid -= r[1 + c] * s.b[c];
            s.eta[i] = u[i] - resid; /* the fit */
            if (s.y[i] <= 0 && s.eta[i] < lo)
                lo = s.eta[i];
            if (s.y[i] <= 0 && s.eta[i] > hi)
                hi = s.eta[i];
        }
        if (hi < RELU_DROP)
            break; /* the fit vanished: no separation */
        if (lo >= -RELU_TOL) {
            for (size_t i = 0; i < s.n; i++)
                if (s.y[i] <= 0 && s.eta[i] > RELU_DROP)
                    dropped[s.row[i]] = TW_PPML_SEPARATED_X;
            break;
        }
        for (size_t i = 0; i < s.n; i++)
            if (s.y[i] <= 0)
                u[i] = s.eta[i] > 0 ? s.eta[i] : 0.0;
    }
    work_free(&s);
    return TW_OK;
}

tw_status tw_ppml_fit(const tw_ppml_problem *p, const tw_ppml_options *opt, tw_ppml_result *res,
                      tw_error *err)
{
    if (!res)
        return tw_fail(err, TW_ERR_INVALID, "PPML: NULL result");
    memset(res, 0, sizeof *res);
    tw_status st = check_problem(p, err);
    if (st != TW_OK)
        return st;
    tw_ppml_options o;
    tw_ppml_options_default(&o);
    if (opt)
        o = *opt;
    double t0 = tw_now();
    if (result_alloc(res, p->n, p->k) != TW_OK)
        return tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory");
    res->vcov_kind = o.vcov;
    mark_missing(p, res->dropped);
    if (o.separation || o.drop_singletons)
        if (drop_fe_separated(p, o.drop_singletons, res->dropped) != 0)
            return tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory");
    ppml_work s;
    memset(&s, 0, sizeof s);
    if (o.separation && p->k > 0) {
        st = ppml_relu(p, &o, res->dropped, err);
        if (st != TW_OK)
            return st;
    }
    for (size_t i = 0; i < p->n; i++)
        res->n_dropped[res->dropped[i]]++;
    res->n_used = res->n_dropped[TW_PPML_KEPT];
    res->n_dropped[TW_PPML_KEPT] = 0;
    if (res->n_used == 0)
        return tw_fail(err, TW_ERR_DATA, "PPML: no observation left (missing or separated)");
    if (work_alloc(&s, p, res->dropped) != 0) {
        work_free(&s);
        return tw_fail(err, TW_ERR_NOMEM, "PPML: out of memory");
    }
    init_mean(&s);
    double dev_old = INFINITY, fe_tol = o.fe_tol > 1e-4 ? o.fe_tol : 1e-4;
    res->outcome = TW_OUTCOME_ITERATION_LIMIT;
    for (int it = 1; it <= o.max_iter; it++) {
        int rc = irls_step(&s, fe_tol, o.fe_max_iter, it == 1, &res->n_omitted, &res->fe_sweeps);
        res->iterations = it;
        if (rc == -1) {
            work_free(&s);
            return tw_fail(err, TW_ERR_DATA, "PPML: the regressors are collinear");
        }
        if (rc == -2) {
            res->outcome = TW_OUTCOME_INNER_NOT_CONVERGED;
            break;
        }
        double dev = deviance(s.y, s.mu, s.n);
        if (!isfinite(dev)) {
            res->outcome = TW_OUTCOME_NON_FINITE;
            break;
        }
        double change = fabs(dev - dev_old) / fmax(fmin(dev, dev_old), 0.1);
        dev_old = dev;
        if (change < o.tol && fe_tol <= o.fe_tol) {
            res->outcome = TW_OUTCOME_CONVERGED;
            break;
        }
        /* tighten the projections as the deviance settles (ppmlhdfe) */
        double want = fmin(1e-4, change * 1e-3);
        fe_tol = fmax(o.fe_tol, fmin(fe_tol, want));
        if (change < o.tol)
            fe_tol = o.fe_tol;
    }
    if (res->outcome == TW_OUTCOME_NON_FINITE) {
        work_free(&s);
        res->seconds = tw_now() - t0;
        return TW_OK;
    }
    st = finish(&s, p, &o, res, err);
    work_free(&s);
    res->seconds = tw_now() - t0;
    return st;
}
