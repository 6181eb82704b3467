/*
 * gradient.c - welfare and its gradient with respect to policy instruments,
 * by the adjoint of the equilibrium (implicit-function theorem).
 *
 * At an equilibrium u*(v) of the residual F(u, v) = 0 (the Newton residual of
 * equilibrium.c, square, with the numeraire in place of one labour market),
 * an objective W(u, v) has
 *     dW/dv = W_v - mu' F_v,   where   F_u' mu = W_u'.
 * F_u is formed column by column from central differences of F (2 nu
 * evaluations) and factored once with LAPACK; F_v and W_v take two per instrument,
 * each updating only the cells that instrument touches. The cost per gradient
 * is 2 (nu + K) evaluations and one LU factorisation, instead of K equilibrium
 * solves for finite differences of the whole equilibrium.
 */
#include "game_internal.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VB TW_VJP_BLOCK

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
 * the last tw__evaluate(u), for VB seeds at once (slot b of every adjoint
 * array is [index * VB + b]): with seed r (nu * VB, the weights of the
 * residual rows) and objective weights wts[b] (N each, or NULL), the pass
 * computes the gradient of L_b = sum_n wts[b][n] W_hat[n] + seed_b' F(u, v)
 * over the unknowns (v->ub, nu * VB) and, with `factors`, over the policy
 * factors of every cell (a, f_prod, f_tar, f_etax and sub). Exact: it is
 * tw__evaluate differentiated by hand, step by step backwards, with no
 * exponential or logarithm; tests/test_game.c checks it against differences.
 */
static void vjp(const tw_solver *s, const double *u, const double *seed,
                const double *const *wts, const double *income0, tw_vjp_ws *v, int factors)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J, NJ = N * J, NNJ = N * NJ;
    const double *beta = m->arr[TW_VA_SHARES], *pi = m->arr[TW_MARKUP], *gam = s->gam;
    const double *alpha = s->alpha, *theta = s->theta, *psi = s->psi;
    const double *lp = u + N;
    double *ub = v->ub, *ub_lw = ub, *ub_lp = ub + N * VB, *ub_x = ub + (N + NJ) * VB;
    double *ub_lL = s->has_scale ? ub + (N + 2 * NJ) * VB : NULL;
    const double *sd_lp = seed + N * VB, *sd_x = seed + (N + NJ) * VB;
    const double *sd_lL = s->has_scale ? seed + (N + 2 * NJ) * VB : NULL;
    double *inc = v->inc, *ldb = v->ld, *Yb = v->Yb, *ESb = v->ESb, *Sb = v->Sb, *zb = v->zb;
    zero(ub, s->nu * VB);
    zero(inc, N * VB);
    zero(ldb, N * VB);
    zero(Yb, NJ * VB);
    zero(ESb, NJ * VB);
    zero(zb, NJ * VB);
    if (factors) { /* cells without trade keep zeros */
        zero(v->ab, NNJ * VB);
        zero(v->fpb, NNJ * VB);
        zero(v->ftb, NNJ * VB);
        zero(v->feb, NNJ * VB);
    }
    /* the residual's own terms: - lp, - x, - lL */
    for (size_t k = 0; k < NJ * VB; k++) {
        ub_lp[k] = -sd_lp[k];
        ub_x[k] = -sd_x[k];
        if (ub_lL)
            ub_lL[k] = -sd_lL[k];
    }
    /* objectives: W_hat[n] = income[n] / income0[n] exp(-sum_j alpha lp[n,j]) */
    for (size_t b = 0; b < VB; b++) {
        if (!wts || !wts[b])
            continue;
        for (size_t n = 0; n < N; n++) {
            if (wts[b][n] == 0)
                continue;
            double lpi = 0;
            for (size_t j = 0; j < J; j++)
                lpi += alpha[n * J + j] * lp[n * J + j];
            double e = wts[b][n] * exp(-lpi) / income0[n], W = e * s->income[n];
            inc[n * VB + b] += e;
            for (size_t j = 0; j < J; j++)
                ub_lp[(n * J + j) * VB + b] -= alpha[n * J + j] * W;
        }
    }
    /* numeraire: log(sum_i w_i wL0_i / wL_world) */
    double bill = 0;
    for (size_t i = 0; i < N; i++)
        bill += s->w[i] * s->wL0[i];
    for (size_t i = 0; i < N; i++)
        for (size_t b = 0; b < VB; b++)
            ub_lw[i * VB + b] += seed[b] * s->w[i] * s->wL0[i] / bill;
    /* incomes, spending, labour markets, country by country */
    for (size_t n = 0; n < N; n++) {
        double *ic = inc + n * VB, *lb = ldb + n * VB, ld = s->LD[n], wl = s->w[n] * s->wL0[n];
        /* E_new[n,j] = alpha income + sum_k gam[n,j,k] inter[k]; residual E_new / S0 - x */
        for (size_t j = 0; j < J; j++)
            for (size_t b = 0; b < VB; b++)
                ic[b] += alpha[n * J + j] * sd_x[(n * J + j) * VB + b] / s->S0[n];
        for (size_t k = 0; k < J; k++) {
            double c = (1 - beta[n * J + k]) * (1 - pi[k]) / s->S0[n];
            if (c == 0)
                continue;
            double acc[VB] = {0};
            for (size_t j = 0; j < J; j++) {
                double g = gam[tw_idx3io(J, n, j, k)];
                const double *sx = sd_x + (n * J + j) * VB;
                for (size_t b = 0; b < VB; b++)
                    acc[b] += g * sx[b];
            }
            for (size_t b = 0; b < VB; b++)
                Yb[(n * J + k) * VB + b] += c * acc[b];
        }
        /* employment by sector: lL_new = log(beta (1-pi) Y / ld / ell0) */
        if (sd_lL && ld > 0)
            for (size_t j = 0; j < J; j++) {
                size_t nj = n * J + j;
                double share = beta[nj] * (1 - pi[j]) * s->Y[nj] / ld;
                if (!(s->ell0[nj] > 0 && share > 0))
                    continue;
                for (size_t b = 0; b < VB; b++) {
                    Yb[nj * VB + b] += sd_lL[nj * VB + b] / s->Y[nj];
                    lb[b] -= sd_lL[nj * VB + b] / ld;
                }
            }
        /* ex[n] = log(ld / (w wL0)), a residual row for n >= 1 */
        if (n > 0 && ld > 0)
            for (size_t b = 0; b < VB; b++) {
                lb[b] += seed[n * VB + b] / ld;
                ub_lw[n * VB + b] -= seed[n * VB + b];
            }
        /* income = w wL0 + profits + tariff and export-tax revenue - subsidies + D */
        for (size_t b = 0; b < VB; b++)
            ub_lw[n * VB + b] += ic[b] * wl;
        for (size_t j = 0; j < J; j++) {
            size_t nj = n * J + j;
            double cl = beta[nj] * (1 - pi[j]), ci = pi[j] - s->sub[nj];
            for (size_t b = 0; b < VB; b++)
                Yb[nj * VB + b] += cl * lb[b] + ci * ic[b];
            if (factors)
                for (size_t b = 0; b < VB; b++)
                    v->subb[nj * VB + b] = -ic[b] * s->Y[nj];
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
                const double *yb = Yb + ij * VB, *icn = inc + n * VB, *ici = inc + i * VB;
                double *esb = ESb + nj * VB, *zbb = zb + ij * VB;
                double qb[VB];
                for (size_t b = 0; b < VB; b++) {
                    qb[b] = yb[b] * fp + icn[b] * ft + ici[b] * fe;
                    esb[b] += qb[b] * za;
                    zbb[b] += qb[b] * ze;
                }
                if (factors)
                    for (size_t b = 0; b < VB; b++) {
                        v->ab[x * VB + b] = qb[b] * s->z[ij] * s->ES[nj];
                        v->fpb[x * VB + b] = q * yb[b];
                        v->ftb[x * VB + b] = q * icn[b];
                        v->feb[x * VB + b] = q * ici[b];
                    }
            }
    /* price indices: lp_new = -log(S) / theta, ES = x S0 / S */
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            size_t nj = n * J + j;
            double S = s->S[nj];
            for (size_t b = 0; b < VB; b++) {
                double lpn = sd_lp[nj * VB + b];
                if (S > 0) {
                    double eb = ESb[nj * VB + b];
                    Sb[nj * VB + b] = -lpn / (theta[j] * S) - eb * s->ES[nj] / S;
                    ub_x[nj * VB + b] += eb * s->S0[n] / S;
                } else {
                    Sb[nj * VB + b] = 0;
                    ub_lp[nj * VB + b] += lpn;
                }
            }
        }
    /* S[n,j] = sum_i a[i,n,j] z[i,j] */
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j), ij = i * J + j, nj = n * J + j;
                double a = s->a[x];
                const double *sb = Sb + nj * VB;
                if (a != 0)
                    for (size_t b = 0; b < VB; b++)
                        zb[ij * VB + b] += sb[b] * a;
                if (factors && a != 0)
                    for (size_t b = 0; b < VB; b++)
                        v->ab[x * VB + b] += sb[b] * s->z[ij];
            }
    /* z = exp(-theta (lc - psi lL)), lc = beta lw + (1 - beta) sum_k gam[i,k,j] lp[i,k] */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            size_t ij = i * J + j;
            double e[VB], c = -theta[j] * s->z[ij];
            for (size_t b = 0; b < VB; b++) {
                e[b] = c * zb[ij * VB + b];
                ub_lw[i * VB + b] += beta[ij] * e[b];
            }
            if (ub_lL)
                for (size_t b = 0; b < VB; b++)
                    ub_lL[ij * VB + b] -= psi[j] * e[b];
            if (!(beta[ij] < 1))
                continue;
            for (size_t k = 0; k < J; k++) {
                double g = (1 - beta[ij]) * gam[tw_idx3io(J, i, k, j)];
                if (g == 0)
                    continue;
                double *ul = ub_lp + (i * J + k) * VB;
                for (size_t b = 0; b < VB; b++)
                    ul[b] += g * e[b];
            }
        }
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
    double **arrs[] = {&v->ub, &v->inc, &v->ld, &v->Yb, &v->ESb, &v->Sb,
                       &v->zb, &v->ab, &v->fpb, &v->ftb, &v->feb, &v->subb};
    size_t lens[] = {nu, N, N, NJ, NJ, NJ, NJ, NNJ, NNJ, NNJ, NNJ, NJ};
    int ok = g->jac && g->ipiv && g->mu && g->w0 && g->u && g->seed && g->income0 && g->v;
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
    double *arrs[] = {g->jac, g->mu, g->w0, g->u, g->seed, g->income0, g->v, v->ub, v->inc,
                      v->ld, v->Yb, v->ESb, v->Sb, v->zb, v->ab, v->fpb, v->ftb, v->feb, v->subb};
    for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++)
        free(arrs[k]);
    free(g->ipiv);
    free(g);
}

double tw__objective_at(tw_solver *s, const double *u, const double *weight,
                        const double *income0)
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
                              const tw_vjp_ws *v, size_t b)
{
    size_t N = s->N, J = s->J;
    if (kind == TW_INSTRUMENT_SUBSIDIES) {
        /* a ~ (1+s)^theta, f_prod ~ (1+s), sub = s/(1+s), on every shipment of (i, j) */
        size_t i = cell / J, j = cell % J;
        double s1 = 1 + p->subsidy[cell], d = v->subb[cell * VB + b] / (s1 * s1);
        for (size_t n = 0; n < N; n++) {
            size_t x = tw_idx3(N, J, i, n, j);
            d += (v->ab[x * VB + b] * s->theta[j] * s->a[x] + v->fpb[x * VB + b] * s->f_prod[x]) /
                 s1;
        }
        return d;
    }
    size_t x = cell, j = x % J;
    double t1 = 1 + p->tariff[x], e1 = 1 + p->export_tax[x];
    double ab = v->ab[x * VB + b], fpb = v->fpb[x * VB + b], ftb = v->ftb[x * VB + b],
           feb = v->feb[x * VB + b];
    double da = -s->theta[j] * s->a[x] * ab, dp = -s->f_prod[x] * fpb;
    if (kind == TW_INSTRUMENT_IMPORT_TARIFFS) /* a ~ (1+t)^-theta, f_prod, f_etax ~ 1/(1+t), f_tar = t/(1+t) */
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
    for (size_t q0 = 0; q0 < nobj; q0 += VB) {
        for (size_t b = 0; b < VB; b++)
            wts[b] = q0 + b < nobj ? weights + (q0 + b) * N : NULL;
        vjp(s, u, seed, wts, g->income0, &g->vjp, 0);
        for (size_t b = 0; b < VB && q0 + b < nobj; b++)
            for (size_t k = 0; k < nu; k++)
                g->mu[(q0 + b) * nu + k] = g->vjp.ub[k * VB + b];
    }
    /* adjoint: F_u' mu_q = W_q,u' for every objective q */
    tw__jacobian_transposed(s, u, g);
    lapack_int n = (lapack_int)nu, info;
    info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, g->jac, n, g->ipiv);
    if (info != 0)
        return TW_ERR_NUMERICAL;
    info = LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'N', n, (lapack_int)nobj, g->jac, n, g->ipiv, g->mu, n);
    if (info != 0)
        return TW_ERR_INTERNAL;
    /* instruments: dW_q/dv = W_q,v - mu_q' F_v, one reverse pass seeded with
     * -mu_q and the objective q, then the chain rule through each cell's factors */
    for (size_t q0 = 0; q0 < nobj; q0 += VB) {
        for (size_t b = 0; b < VB; b++) {
            int on = q0 + b < nobj;
            wts[b] = on ? weights + (q0 + b) * N : NULL;
            for (size_t r = 0; r < nu; r++)
                seed[r * VB + b] = on ? -g->mu[(q0 + b) * nu + r] : 0;
        }
        vjp(s, u, seed, wts, g->income0, &g->vjp, 1);
        for (size_t b = 0; b < VB && q0 + b < nobj; b++)
            for (size_t k = 0; k < K; k++) {
                const tw_var *var = &ins->vars[k];
                double d = 0;
                for (size_t c = 0; c < var->count; c++)
                    d += cell_derivative(s, p, var->kind, ins->cells[var->first + c], &g->vjp, b);
                grads[(q0 + b) * K + k] = d;
            }
    }
    memset(seed, 0, nu * VB * sizeof(double));
    return TW_OK;
}
