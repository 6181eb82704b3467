/*
 * gradient.c - welfare and its gradient with respect to policy instruments,
 * by the adjoint of the equilibrium (implicit-function theorem).
 *
 * At an equilibrium u*(v) of the residual F(u, v) = 0 (the Newton residual of
 * equilibrium.c, square, with the numeraire in place of one labour market),
 * an objective W(u, v) has
 *     dW/dv = W_v - mu' F_v,   where   F_u' mu = W_u'.
 * Everything is exact: a reverse pass through one evaluation of F and W
 * (tw__evaluate differentiated by hand, vjp() below) gives y' F_u and W_u for
 * a seed y, and, through the policy factors of each cell, y' F_v and W_v for
 * every instrument at once. So a gradient costs:
 *   - W_u: one pass;  dW/dv: one pass seeded with -mu;
 *   - the adjoint solve: GMRES on F_u' preconditioned with the LU factors of
 *     the last point where F_u' was factored (a few passes, each one product,
 *     while the optimiser's points stay close); when that does not reach the
 *     tolerance, F_u' is formed row by row (nu / VB passes of VB rows) and
 *     factored afresh (LAPACK), and those factors serve the next points.
 * Before version 0.2 F_u and F_v were formed from central differences of F:
 * 2 (nu + K) evaluations and an LU factorisation at every point.
 */
#include "game_internal.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VB TW_VJP_BLOCK
/* GMRES on the adjoint system: at most GMRES_M products with F_u', to a
 * residual of GMRES_TOL relative to the right-hand side */
#define GMRES_M 30
#if defined(__GNUC__)
#define TW_ALWAYS_INLINE __attribute__((always_inline))
#else
#define TW_ALWAYS_INLINE
#endif
#define GMRES_TOL 1e-12

/* ---- instruments -------------------------------------------------------- */

static int sector_ok(const tw_optimal_options *o, size_t j) { return !o->sectors || o->sectors[j]; }

/* Add one variable over the cells appended since `first`. */
static void add_var(tw_instruments *ins, int kind, size_t first, size_t count)
{
    tw_var *v = &ins->vars[ins->nvars++];
    v->kind = kind;
    v->first = first;
    v->count = count;
}

/* Append `country`'s instruments; `partner[i]` says whom they may target.
 * Instruments on flows that are zero in the base are left out: they cannot
 * matter (a zero flow stays zero). */
static void append_country(tw_instruments *ins, const tw_model *m, size_t country,
                           const tw_optimal_options *o, const unsigned char *partner)
{
    size_t N = m->N, J = m->J;
    const double *X = m->arr[TW_FLOWS];
    unsigned kinds = o->instruments ? o->instruments : TW_INSTRUMENT_IMPORT_TARIFFS;
    for (int pass = 0; pass < 2; pass++) {
        int kind = pass == 0 ? (int)TW_INSTRUMENT_IMPORT_TARIFFS : (int)TW_INSTRUMENT_EXPORT_TAXES;
        if (!(kinds & (unsigned)kind))
            continue;
        for (size_t j = 0; j < J; j++) {
            if (!sector_ok(o, j))
                continue;
            size_t first = ins->ncells;
            for (size_t k = 0; k < N; k++) {
                /* import tariff: cell (k, country, j); export tax: cell (country, k, j) */
                size_t x = pass == 0 ? tw_idx3(N, J, k, country, j) : tw_idx3(N, J, country, k, j);
                if (k == country || !partner[k] || X[x] <= 0)
                    continue;
                ins->cells[ins->ncells++] = x;
                if (!o->mfn)
                    add_var(ins, kind, ins->ncells - 1, 1);
            }
            if (o->mfn && ins->ncells > first)
                add_var(ins, kind, first, ins->ncells - first);
        }
    }
    if (kinds & TW_INSTRUMENT_SUBSIDIES)
        for (size_t j = 0; j < J; j++) {
            if (!sector_ok(o, j))
                continue;
            ins->cells[ins->ncells++] = tw_idx2(J, country, j);
            add_var(ins, TW_INSTRUMENT_SUBSIDIES, ins->ncells - 1, 1);
        }
}

tw_instruments *tw__instruments_create_multi(const tw_model *m, const size_t *countries, size_t n,
                                             const tw_optimal_options *o)
{
    size_t N = m->N, J = m->J;
    tw_instruments *ins = calloc(1, sizeof *ins);
    unsigned char *partner = tw_calloc(N, 1);
    if (!ins || !partner) {
        free(ins);
        free(partner);
        return NULL;
    }
    size_t maxcells = n * (2 * N * J + J) + 1;
    ins->vars = tw_calloc(maxcells, sizeof *ins->vars);
    ins->cells = tw_calloc(maxcells, sizeof *ins->cells);
    if (!ins->vars || !ins->cells) {
        free(partner);
        tw__instruments_free(ins);
        return NULL;
    }
    for (size_t c = 0; c < n; c++) {
        for (size_t i = 0; i < N; i++) {
            int listed = n == 1; /* one country alone may target everyone */
            for (size_t d = 0; d < n && !listed; d++)
                listed = countries[d] == i;
            partner[i] = (unsigned char)(o->partners ? o->partners[i] != 0 : listed);
        }
        append_country(ins, m, countries[c], o, partner);
    }
    ins->country = countries[0];
    free(partner);
    return ins;
}

tw_instruments *tw__instruments_create(const tw_model *m, size_t country,
                                       const tw_optimal_options *o)
{
    return tw__instruments_create_multi(m, &country, 1, o);
}

void tw__instruments_free(tw_instruments *ins)
{
    if (!ins)
        return;
    free(ins->vars);
    free(ins->cells);
    free(ins);
}

static double *policy_slot(tw_policy *p, int kind, size_t cell)
{
    switch (kind) {
    case TW_INSTRUMENT_IMPORT_TARIFFS:
        return &p->tariff[cell];
    case TW_INSTRUMENT_EXPORT_TAXES:
        return &p->export_tax[cell];
    default:
        return &p->subsidy[cell];
    }
}

void tw__instruments_get(const tw_instruments *ins, const tw_policy *p, double *v)
{
    for (size_t k = 0; k < ins->nvars; k++) {
        const tw_var *var = &ins->vars[k];
        double sum = 0;
        for (size_t c = 0; c < var->count; c++)
            sum += *policy_slot((tw_policy *)p, var->kind, ins->cells[var->first + c]);
        v[k] = sum / (double)var->count; /* MFN: the mean of the current rates */
    }
}

void tw__instruments_set(const tw_instruments *ins, tw_policy *p, const double *v)
{
    for (size_t k = 0; k < ins->nvars; k++) {
        const tw_var *var = &ins->vars[k];
        for (size_t c = 0; c < var->count; c++)
            *policy_slot(p, var->kind, ins->cells[var->first + c]) = v[k];
    }
}

/* ---- objective ---------------------------------------------------------- */

/* sum_n weight[n] W_hat[n] at the point last evaluated (u). */
static double objective(const tw_solver *s, const double *u, const double *weight,
                        const double *income0)
{
    size_t N = s->N, J = s->J;
    double f = 0;
    for (size_t n = 0; n < N; n++) {
        if (weight[n] == 0)
            continue;
        double lpi = 0;
        for (size_t j = 0; j < J; j++)
            lpi += s->alpha[tw_idx2(J, n, j)] * u[N + tw_idx2(J, n, j)];
        f += weight[n] * (s->income[n] / income0[n]) * exp(-lpi);
    }
    return f;
}

/* ---- the reverse pass (adjoint) of one evaluation ------------------------ */

/* Zero n doubles. */
static void zero(double *x, size_t n) { memset(x, 0, n * sizeof *x); }

/*
 * Vector-Jacobian products of the residual and the objectives at the point of
 * the last tw__evaluate(u), for B seeds at once (B = VB or 1; slot b of
 * every adjoint array is [index * B + b]): with seed r (nu * VB, the weights of the
 * residual rows) and objective weights wts[b] (N each, or NULL), the pass
 * computes the gradient of L_b = sum_n wts[b][n] W_hat[n] + seed_b' F(u, v)
 * over the unknowns (v->ub, nu * VB) and, with `factors`, over the policy
 * factors of every cell (a, f_prod, f_tar, f_etax and sub). Exact: it is
 * tw__evaluate differentiated by hand, step by step backwards, with no
 * exponential or logarithm; tests/test_game.c checks it against differences.
 */
TW_ALWAYS_INLINE static inline void vjp_block(const tw_solver *s, const double *u,
                                              const double *seed, const double *const *wts,
                                              const double *income0, tw_vjp_ws *v, int factors,
                                              const size_t B)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J, NJ = N * J, NNJ = N * NJ;
    const double *beta = m->arr[TW_VA_SHARES], *pi = m->arr[TW_MARKUP], *gam = s->gam;
    const double *alpha = s->alpha, *theta = s->theta, *psi = s->psi;
    const double *lp = u + N;
    double *ub = v->ub, *ub_lw = ub, *ub_lp = ub + N * B, *ub_x = ub + (N + NJ) * B;
    double *ub_lL = s->has_scale ? ub + (N + 2 * NJ) * B : NULL;
    const double *sd_lp = seed + N * B, *sd_x = seed + (N + NJ) * B;
    const double *sd_lL = s->has_scale ? seed + (N + 2 * NJ) * B : NULL;
    double *inc = v->inc, *ldb = v->ld, *Yb = v->Yb, *ESb = v->ESb, *Sb = v->Sb, *zb = v->zb;
    zero(ub, s->nu * B);
    zero(inc, N * B);
    zero(ldb, N * B);
    zero(Yb, NJ * B);
    zero(ESb, NJ * B);
    zero(zb, NJ * B);
    if (factors) { /* cells without trade keep zeros */
        zero(v->ab, NNJ * B);
        zero(v->fpb, NNJ * B);
        zero(v->ftb, NNJ * B);
        zero(v->feb, NNJ * B);
    }
    /* the residual's own terms: - lp, - x, - lL */
    for (size_t k = 0; k < NJ * B; k++) {
        ub_lp[k] = -sd_lp[k];
        ub_x[k] = -sd_x[k];
        if (ub_lL)
            ub_lL[k] = -sd_lL[k];
    }
    /* objectives: W_hat[n] = income[n] / income0[n] exp(-sum_j alpha lp[n,j]) */
    for (size_t b = 0; b < B; b++) {
        if (!wts || !wts[b])
            continue;
        for (size_t n = 0; n < N; n++) {
            if (wts[b][n] == 0)
                continue;
            double lpi = 0;
            for (size_t j = 0; j < J; j++)
                lpi += alpha[n * J + j] * lp[n * J + j];
            double e = wts[b][n] * exp(-lpi) / income0[n], W = e * s->income[n];
            inc[n * B + b] += e;
            for (size_t j = 0; j < J; j++)
                ub_lp[(n * J + j) * B + b] -= alpha[n * J + j] * W;
        }
    }
    /* numeraire: log(sum_i w_i wL0_i / wL_world) */
    double bill = 0;
    for (size_t i = 0; i < N; i++)
        bill += s->w[i] * s->wL0[i];
    for (size_t i = 0; i < N; i++)
        for (size_t b = 0; b < B; b++)
            ub_lw[i * B + b] += seed[b] * s->w[i] * s->wL0[i] / bill;
    /* incomes, spending, labour markets, country by country */
    for (size_t n = 0; n < N; n++) {
        double *ic = inc + n * B, *lb = ldb + n * B, ld = s->LD[n], wl = s->w[n] * s->wL0[n];
        /* E_new[n,j] = alpha income + sum_k gam[n,j,k] inter[k]; residual E_new / S0 - x */
        for (size_t j = 0; j < J; j++)
            for (size_t b = 0; b < B; b++)
                ic[b] += alpha[n * J + j] * sd_x[(n * J + j) * B + b] / s->S0[n];
        for (size_t k = 0; k < J; k++) {
            double c = (1 - beta[n * J + k]) * (1 - pi[k]) / s->S0[n];
            if (c == 0)
                continue;
            double acc[VB] = {0};
            for (size_t j = 0; j < J; j++) {
                double g = gam[tw_idx3io(J, n, j, k)];
                const double *sx = sd_x + (n * J + j) * B;
                for (size_t b = 0; b < B; b++)
                    acc[b] += g * sx[b];
            }
            for (size_t b = 0; b < B; b++)
                Yb[(n * J + k) * B + b] += c * acc[b];
        }
        /* employment by sector: lL_new = log(beta (1-pi) Y / ld / ell0) */
        if (sd_lL && ld > 0)
            for (size_t j = 0; j < J; j++) {
                size_t nj = n * J + j;
                double share = beta[nj] * (1 - pi[j]) * s->Y[nj] / ld;
                if (!(s->ell0[nj] > 0 && share > 0))
                    continue;
                for (size_t b = 0; b < B; b++) {
                    Yb[nj * B + b] += sd_lL[nj * B + b] / s->Y[nj];
                    lb[b] -= sd_lL[nj * B + b] / ld;
                }
            }
        /* ex[n] = log(ld / (w wL0)), a residual row for n >= 1 */
        if (n > 0 && ld > 0)
            for (size_t b = 0; b < B; b++) {
                lb[b] += seed[n * B + b] / ld;
                ub_lw[n * B + b] -= seed[n * B + b];
            }
        /* income = w wL0 + profits + tariff and export-tax revenue - subsidies + D */
        for (size_t b = 0; b < B; b++)
            ub_lw[n * B + b] += ic[b] * wl;
        for (size_t j = 0; j < J; j++) {
            size_t nj = n * J + j;
            double cl = beta[nj] * (1 - pi[j]), ci = pi[j] - s->sub[nj];
            for (size_t b = 0; b < B; b++)
                Yb[nj * B + b] += cl * lb[b] + ci * ic[b];
            if (factors)
                for (size_t b = 0; b < B; b++)
                    v->subb[nj * B + b] = -ic[b] * s->Y[nj];
        }
    }
    /* sales and revenue: q[i,n,j] = a z[i,j] ES[n,j] goes to Y[i,j] f_prod,
     * R[n] f_tar and XT[i] f_etax */
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j), ij = i * J + j, nj = n * J + j;
                double a = s->a[x], fp = s->f_prod[x], ft = s->f_tar[x], fe = s->f_etax[x];
                if (a == 0)
                    continue;
                double za = a * s->z[ij], ze = a * s->ES[nj], q = za * s->ES[nj];
                const double *yb = Yb + ij * B, *icn = inc + n * B, *ici = inc + i * B;
                double *esb = ESb + nj * B, *zbb = zb + ij * B;
                double qb[VB];
                for (size_t b = 0; b < B; b++) {
                    qb[b] = yb[b] * fp + icn[b] * ft + ici[b] * fe;
                    esb[b] += qb[b] * za;
                    zbb[b] += qb[b] * ze;
                }
                if (factors)
                    for (size_t b = 0; b < B; b++) {
                        v->ab[x * B + b] = qb[b] * s->z[ij] * s->ES[nj];
                        v->fpb[x * B + b] = q * yb[b];
                        v->ftb[x * B + b] = q * icn[b];
                        v->feb[x * B + b] = q * ici[b];
                    }
            }
    /* price indices: lp_new = -log(S) / theta, ES = x S0 / S */
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            size_t nj = n * J + j;
            double S = s->S[nj];
            for (size_t b = 0; b < B; b++) {
                double lpn = sd_lp[nj * B + b];
                if (S > 0) {
                    double eb = ESb[nj * B + b];
                    Sb[nj * B + b] = -lpn / (theta[j] * S) - eb * s->ES[nj] / S;
                    ub_x[nj * B + b] += eb * s->S0[n] / S;
                } else {
                    Sb[nj * B + b] = 0;
                    ub_lp[nj * B + b] += lpn;
                }
            }
        }
    /* S[n,j] = sum_i a[i,n,j] z[i,j] */
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j), ij = i * J + j, nj = n * J + j;
                double a = s->a[x];
                const double *sb = Sb + nj * B;
                if (a != 0)
                    for (size_t b = 0; b < B; b++)
                        zb[ij * B + b] += sb[b] * a;
                if (factors && a != 0)
                    for (size_t b = 0; b < B; b++)
                        v->ab[x * B + b] += sb[b] * s->z[ij];
            }
    /* z = exp(-theta (lc - psi lL)), lc = beta lw + (1 - beta) sum_k gam[i,k,j] lp[i,k] */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            size_t ij = i * J + j;
            double e[VB], c = -theta[j] * s->z[ij];
            for (size_t b = 0; b < B; b++) {
                e[b] = c * zb[ij * B + b];
                ub_lw[i * B + b] += beta[ij] * e[b];
            }
            if (ub_lL)
                for (size_t b = 0; b < B; b++)
                    ub_lL[ij * B + b] -= psi[j] * e[b];
            if (!(beta[ij] < 1))
                continue;
            for (size_t k = 0; k < J; k++) {
                double g = (1 - beta[ij]) * gam[tw_idx3io(J, i, k, j)];
                if (g == 0)
                    continue;
                double *ul = ub_lp + (i * J + k) * B;
                for (size_t b = 0; b < B; b++)
                    ul[b] += g * e[b];
            }
        }
}

/* The reverse pass for VB seeds, or for one (the same code with the block's
 * stride a constant the compiler folds). */
static void vjp(const tw_solver *s, const double *u, const double *seed, const double *const *wts,
                const double *income0, tw_vjp_ws *v, int factors)
{
    vjp_block(s, u, seed, wts, income0, v, factors, VB);
}

static void vjp1(const tw_solver *s, const double *u, const double *seed, const double *const *wts,
                 const double *income0, tw_vjp_ws *v, int factors)
{
    vjp_block(s, u, seed, wts, income0, v, factors, 1);
}

tw_gradient_ws *tw__gradient_ws_create(const tw_solver *s, size_t nvars, size_t nobj)
{
    tw_gradient_ws *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    size_t nu = s->nu, N = s->N, NJ = s->N * s->J, NNJ = N * NJ;
    g->nu = nu;
    g->nobj = nobj ? nobj : 1;
    g->jac = tw_calloc(nu * nu, sizeof(double));
    g->ipiv = tw_calloc(nu, sizeof(int));
    g->mu = tw_calloc(nu * g->nobj, sizeof(double));
    g->w0 = tw_calloc(g->nobj, sizeof(double));
    g->u = tw_calloc(nu, sizeof(double));
    g->seed = tw_calloc(nu * VB, sizeof(double));
    g->income0 = tw_calloc(N, sizeof(double));
    g->v = tw_calloc(nvars ? nvars : 1, sizeof(double));
    tw_vjp_ws *v = &g->vjp;
    double **arrs[] = {&v->ub, &v->inc, &v->ld,  &v->Yb,  &v->ESb, &v->Sb,
                       &v->zb, &v->ab,  &v->fpb, &v->ftb, &v->feb, &v->subb};
    size_t lens[] = {nu, N, N, NJ, NJ, NJ, NJ, NNJ, NNJ, NNJ, NNJ, NJ};
    size_t m = GMRES_M;
    g->kv = tw_calloc((m + 1) * nu * VB, sizeof(double));
    g->hh = tw_calloc((m + 1) * m * VB, sizeof(double));
    g->cs = tw_calloc(m * VB, sizeof(double));
    g->sn = tw_calloc(m * VB, sizeof(double));
    g->gg = tw_calloc((m + 1) * VB, sizeof(double));
    g->zbuf = tw_calloc(nu * VB, sizeof(double));
    int ok = g->jac && g->ipiv && g->mu && g->w0 && g->u && g->seed && g->income0 && g->v &&
             g->kv && g->hh && g->cs && g->sn && g->gg && g->zbuf;
    for (size_t k = 0; k < sizeof lens / sizeof *lens; k++)
        ok &= (*arrs[k] = tw_calloc(lens[k] * VB, sizeof(double))) != NULL;
    if (!ok) {
        tw__gradient_ws_free(g);
        return NULL;
    }
    tw_model_derive(s->m, TW_DERIVED_INCOME, g->income0, s->N);
    return g;
}

void tw__gradient_ws_free(tw_gradient_ws *g)
{
    if (!g)
        return;
    tw_vjp_ws *v = &g->vjp;
    double *arrs[] = {g->jac, g->mu, g->w0, g->u,    g->seed, g->income0, g->v,   g->kv, g->hh,
                      g->cs,  g->sn, g->gg, g->zbuf, v->ub,   v->inc,     v->ld,  v->Yb, v->ESb,
                      v->Sb,  v->zb, v->ab, v->fpb,  v->ftb,  v->feb,     v->subb};
    for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++)
        free(arrs[k]);
    free(g->ipiv);
    free(g);
}

double tw__objective_at(tw_solver *s, const double *u, const double *weight, const double *income0)
{
    tw__evaluate(s, u);
    return objective(s, u, weight, income0);
}

static void objectives(const tw_solver *s, const double *u, const double *weights, size_t nobj,
                       const double *income0, double *out)
{
    for (size_t q = 0; q < nobj; q++)
        out[q] = objective(s, u, weights + q * s->N, income0);
}

/* d L_b / d v for one cell of an instrument of `kind`, from the factor
 * adjoints of slot b (tw__policy_cell's factors differentiated by hand). */
static double cell_derivative(const tw_solver *s, const tw_policy *p, int kind, size_t cell,
                              const tw_vjp_ws *v, size_t b, size_t B)
{
    size_t N = s->N, J = s->J;
    if (kind == TW_INSTRUMENT_SUBSIDIES) {
        /* a ~ (1+s)^theta, f_prod ~ (1+s), sub = s/(1+s), on every shipment of (i, j) */
        size_t i = cell / J, j = cell % J;
        double s1 = 1 + p->subsidy[cell], d = v->subb[cell * B + b] / (s1 * s1);
        for (size_t n = 0; n < N; n++) {
            size_t x = tw_idx3(N, J, i, n, j);
            d += (v->ab[x * B + b] * s->theta[j] * s->a[x] + v->fpb[x * B + b] * s->f_prod[x]) / s1;
        }
        return d;
    }
    size_t x = cell, j = x % J;
    double t1 = 1 + p->tariff[x], e1 = 1 + p->export_tax[x];
    double ab = v->ab[x * B + b], fpb = v->fpb[x * B + b], ftb = v->ftb[x * B + b],
           feb = v->feb[x * B + b];
    double da = -s->theta[j] * s->a[x] * ab, dp = -s->f_prod[x] * fpb;
    if (kind ==
        TW_INSTRUMENT_IMPORT_TARIFFS) /* a ~ (1+t)^-theta, f_prod, f_etax ~ 1/(1+t), f_tar = t/(1+t) */
        return (da + dp - s->f_etax[x] * feb) / t1 + ftb / (t1 * t1);
    /* export tax: a ~ (1+e)^-theta, f_prod ~ 1/(1+e), f_etax = e/((1+t)(1+e)) */
    return (da + dp) / e1 + feb / (t1 * e1 * e1);
}

/* F_u, transposed, into g->jac: row r of F_u is the reverse pass seeded with
 * the unit vector of residual row r, VB rows a pass. */
void tw__jacobian_transposed(const tw_solver *s, const double *u, tw_gradient_ws *g)
{
    size_t nu = s->nu;
    double *seed = g->seed;
    memset(seed, 0, nu * VB * sizeof *seed);
    for (size_t r0 = 0; r0 < nu; r0 += VB) {
        size_t nb = nu - r0 < VB ? nu - r0 : VB;
        for (size_t b = 0; b < nb; b++)
            seed[(r0 + b) * VB + b] = 1;
        vjp(s, u, seed, NULL, NULL, &g->vjp, 0);
        for (size_t b = 0; b < nb; b++) {
            seed[(r0 + b) * VB + b] = 0;
            double *col = g->jac + (r0 + b) * nu;
            for (size_t k = 0; k < nu; k++)
                col[k] = g->vjp.ub[k * VB + b];
        }
    }
}

/* ---- the adjoint solve ---------------------------------------------------- */

/* dgetrs with the factors in g->jac (the transposed Jacobian of an earlier
 * point, or of this one) on nrhs columns of length nu. */
static int lu_solve(tw_gradient_ws *g, double *b, size_t nrhs)
{
    lapack_int n = (lapack_int)g->nu;
    /* the _work variant: LAPACKE's NaN check of the whole matrix costs as much
     * as the solve */
    return LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', n, (lapack_int)nrhs, g->jac, n, g->ipiv, b,
                               n);
}

/*
 * F_u' x_b = rhs_b for up to VB right-hand sides (the columns of rhs, nu
 * apart) by GMRES, right-preconditioned with the LU factors of an earlier
 * point's F_u': where the Jacobian moved little since, a few products with
 * F_u' (one reverse pass each, all sides at once) replace forming F_u' again
 * (nu / VB passes) and factoring it (2/3 nu^3 flops). The sides are solved in
 * lockstep, each with its own Krylov basis. x overwrites rhs on success.
 * Returns 0 when every side reached a residual of GMRES_TOL |rhs_b|, -1 when
 * one did not within GMRES_M products (the caller then refactors).
 */
static int adjoint_gmres(const tw_solver *s, const double *u, tw_gradient_ws *g, double *rhs,
                         size_t nb)
{
    size_t nu = g->nu, m = GMRES_M, B = nb == 1 ? 1 : VB;
    double beta[VB], *seed = g->seed, *z = g->zbuf;
    int done[VB];
    size_t its[VB];
    for (size_t b = 0; b < VB; b++) {
        double *V = g->kv + b * (m + 1) * nu, *gg = g->gg + b * (m + 1);
        done[b] = b >= nb;
        its[b] = 0;
        beta[b] = 0;
        if (done[b])
            continue;
        for (size_t k = 0; k < nu; k++)
            beta[b] += rhs[b * nu + k] * rhs[b * nu + k];
        beta[b] = sqrt(beta[b]);
        memset(gg, 0, (m + 1) * sizeof *gg);
        gg[0] = beta[b];
        done[b] = beta[b] == 0;
        for (size_t k = 0; k < nu; k++)
            V[k] = done[b] ? 0 : rhs[b * nu + k] / beta[b];
    }
    for (size_t j = 0; j < m; j++) {
        int active = 0;
        for (size_t b = 0; b < nb; b++) {
            const double *Vj = g->kv + (b * (m + 1) + j) * nu;
            active |= !done[b];
            for (size_t k = 0; k < nu; k++)
                z[b * nu + k] = done[b] ? 0 : Vj[k];
        }
        if (!active)
            break;
        if (lu_solve(g, z, nb) != 0)
            return -1;
        for (size_t k = 0; k < nu; k++)
            for (size_t b = 0; b < B; b++)
                seed[k * B + b] = z[b * nu + k];
        if (B == 1)
            vjp1(s, u, seed, NULL, NULL, &g->vjp, 0);
        else
            vjp(s, u, seed, NULL, NULL, &g->vjp, 0);
        for (size_t b = 0; b < VB; b++) {
            if (done[b])
                continue;
            double *V = g->kv + b * (m + 1) * nu, *w = V + (j + 1) * nu;
            double *H = g->hh + b * (m + 1) * m, *cs = g->cs + b * m, *sn = g->sn + b * m;
            double *gg = g->gg + b * (m + 1);
            for (size_t k = 0; k < nu; k++)
                w[k] = g->vjp.ub[k * B + b];
            for (size_t i = 0; i <= j; i++) { /* modified Gram-Schmidt */
                double h = 0;
                for (size_t k = 0; k < nu; k++)
                    h += w[k] * V[i * nu + k];
                H[i * m + j] = h;
                for (size_t k = 0; k < nu; k++)
                    w[k] -= h * V[i * nu + k];
            }
            double hn = 0;
            for (size_t k = 0; k < nu; k++)
                hn += w[k] * w[k];
            hn = sqrt(hn);
            H[(j + 1) * m + j] = hn;
            for (size_t k = 0; k < nu && hn > 0; k++)
                w[k] /= hn;
            for (size_t i = 0; i < j; i++) { /* earlier rotations */
                double a = H[i * m + j], c = H[(i + 1) * m + j];
                H[i * m + j] = cs[i] * a + sn[i] * c;
                H[(i + 1) * m + j] = -sn[i] * a + cs[i] * c;
            }
            double a = H[j * m + j], r = hypot(a, hn);
            cs[j] = r > 0 ? a / r : 1;
            sn[j] = r > 0 ? hn / r : 0;
            H[j * m + j] = r;
            H[(j + 1) * m + j] = 0;
            gg[j + 1] = -sn[j] * gg[j];
            gg[j] *= cs[j];
            its[b] = j + 1;
            done[b] = fabs(gg[j + 1]) <= GMRES_TOL * beta[b] || hn == 0;
        }
    }
    for (size_t b = 0; b < nb; b++)
        if (!done[b])
            return -1;
    /* x_b = P^-1 (V_b y_b), H y = g upper triangular */
    for (size_t b = 0; b < nb; b++) {
        double *V = g->kv + b * (m + 1) * nu, *H = g->hh + b * (m + 1) * m;
        double *y = g->gg + b * (m + 1);
        size_t k = its[b];
        for (size_t i = k; i-- > 0;) {
            for (size_t l = i + 1; l < k; l++)
                y[i] -= H[i * m + l] * y[l];
            y[i] /= H[i * m + i];
        }
        for (size_t r = 0; r < nu; r++) {
            double acc = 0;
            for (size_t i = 0; i < k; i++)
                acc += y[i] * V[i * nu + r];
            z[b * nu + r] = acc;
        }
    }
    if (lu_solve(g, z, nb) != 0)
        return -1;
    memcpy(rhs, z, nb * nu * sizeof *rhs);
    return 0;
}

tw_status tw__gradient(tw_solver *s, tw_policy *p, const tw_instruments *ins, const double *weights,
                       size_t nobj, tw_gradient_ws *g, const double *u_star, double *values,
                       double *grads)
{
    size_t nu = s->nu, N = s->N, K = ins->nvars;
    memcpy(g->u, u_star, nu * sizeof(double));
    double *u = g->u, *seed = g->seed;
    if (tw__evaluate(s, u) != 0)
        return TW_ERR_NUMERICAL;
    objectives(s, u, weights, nobj, g->income0, g->w0);
    memcpy(values, g->w0, nobj * sizeof(double));
    /* W_u for every objective: reverse passes seeded with the objectives alone */
    memset(seed, 0, nu * VB * sizeof(double));
    const double *wts[VB];
    size_t B = nobj == 1 ? 1 : VB; /* seeds a pass */
    for (size_t q0 = 0; q0 < nobj; q0 += B) {
        for (size_t b = 0; b < B; b++)
            wts[b] = q0 + b < nobj ? weights + (q0 + b) * N : NULL;
        if (B == 1)
            vjp1(s, u, seed, wts, g->income0, &g->vjp, 0);
        else
            vjp(s, u, seed, wts, g->income0, &g->vjp, 0);
        for (size_t b = 0; b < B && q0 + b < nobj; b++)
            for (size_t k = 0; k < nu; k++)
                g->mu[(q0 + b) * nu + k] = g->vjp.ub[k * B + b];
    }
    /* adjoint: F_u' mu_q = W_q,u' for every objective q; first by GMRES with
     * the factors of an earlier point, then (for the sides that failed) by
     * forming and factoring F_u' here */
    size_t qf = 0;
    if (g->have_lu)
        for (; qf < nobj; qf += VB)
            if (adjoint_gmres(s, u, g, g->mu + qf * nu, nobj - qf < VB ? nobj - qf : VB) != 0)
                break;
    if (g->have_lu && qf >= nobj)
        g->krylov++;
    if (!g->have_lu || qf < nobj) {
        tw__jacobian_transposed(s, u, g);
        lapack_int n = (lapack_int)nu;
        g->have_lu = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, g->jac, n, g->ipiv) == 0;
        g->factorisations++;
        if (!g->have_lu)
            return TW_ERR_NUMERICAL;
        if (lu_solve(g, g->mu + qf * nu, nobj - qf) != 0)
            return TW_ERR_INTERNAL;
    }
    /* instruments: dW_q/dv = W_q,v - mu_q' F_v, one reverse pass seeded with
     * -mu_q and the objective q, then the chain rule through each cell's factors */
    memset(seed, 0, nu * VB * sizeof(double));
    for (size_t q0 = 0; q0 < nobj; q0 += B) {
        for (size_t b = 0; b < B; b++) {
            int on = q0 + b < nobj;
            wts[b] = on ? weights + (q0 + b) * N : NULL;
            for (size_t r = 0; r < nu; r++)
                seed[r * B + b] = on ? -g->mu[(q0 + b) * nu + r] : 0;
        }
        if (B == 1)
            vjp1(s, u, seed, wts, g->income0, &g->vjp, 1);
        else
            vjp(s, u, seed, wts, g->income0, &g->vjp, 1);
        for (size_t b = 0; b < B && q0 + b < nobj; b++)
            for (size_t k = 0; k < K; k++) {
                const tw_var *var = &ins->vars[k];
                double d = 0;
                for (size_t c = 0; c < var->count; c++)
                    d += cell_derivative(s, p, var->kind, ins->cells[var->first + c], &g->vjp, b,
                                         B);
                grads[(q0 + b) * K + k] = d;
            }
    }
    memset(seed, 0, nu * VB * sizeof(double));
    return TW_OK;
}
