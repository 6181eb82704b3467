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

/* Refresh the solver's policy factors for the cells of variable k. */
static void refresh_var(tw_solver *s, const tw_policy *p, const tw_instruments *ins, size_t k)
{
    const tw_var *var = &ins->vars[k];
    size_t N = s->N, J = s->J;
    for (size_t c = 0; c < var->count; c++) {
        size_t cell = ins->cells[var->first + c];
        if (var->kind == TW_INSTRUMENT_SUBSIDIES) {
            size_t i = cell / J, j = cell % J;
            for (size_t n = 0; n < N; n++)
                tw__policy_cell(s, p, tw_idx3(N, J, i, n, j));
            s->sub[cell] = p->subsidy[cell] / (1 + p->subsidy[cell]);
        } else {
            tw__policy_cell(s, p, cell);
        }
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

tw_gradient_ws *tw__gradient_ws_create(const tw_solver *s, size_t nvars, size_t nobj)
{
    tw_gradient_ws *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    size_t nu = s->nu;
    g->nu = nu;
    g->jac = tw_calloc(nu * nu, sizeof(double));
    g->ipiv = tw_calloc(nu, sizeof(int));
    g->f0 = tw_calloc(nu, sizeof(double));
    g->f1 = tw_calloc(nu, sizeof(double));
    g->f0m = tw_calloc(nu, sizeof(double));
    g->nobj = nobj ? nobj : 1;
    g->mu = tw_calloc(nu * g->nobj, sizeof(double));
    g->w0 = tw_calloc(g->nobj, sizeof(double));
    g->wk = tw_calloc(g->nobj, sizeof(double));
    g->wm = tw_calloc(g->nobj, sizeof(double));
    g->u = tw_calloc(nu, sizeof(double));
    g->income0 = tw_calloc(s->N, sizeof(double));
    g->v = tw_calloc(nvars ? nvars : 1, sizeof(double));
    if (!g->jac || !g->ipiv || !g->f0 || !g->f1 || !g->f0m || !g->mu || !g->u || !g->income0 ||
        !g->v || !g->w0 || !g->wk || !g->wm) {
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
    free(g->jac);
    free(g->ipiv);
    free(g->f0);
    free(g->f1);
    free(g->f0m);
    free(g->wm);
    free(g->mu);
    free(g->w0);
    free(g->wk);
    free(g->u);
    free(g->income0);
    free(g->v);
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

tw_status tw__gradient(tw_solver *s, tw_policy *p, const tw_instruments *ins, const double *weights,
                       size_t nobj, tw_gradient_ws *g, const double *u_star, double *values,
                       double *grads)
{
    size_t nu = s->nu;
    memcpy(g->u, u_star, nu * sizeof(double));
    double *u = g->u;
    if (tw__residual_vec(s, u, g->f0) != 0)
        return TW_ERR_NUMERICAL;
    objectives(s, u, weights, nobj, g->income0, g->w0);
    memcpy(values, g->w0, nobj * sizeof(double));
    /* Jacobian F_u (column-major for LAPACK) and W_u, by central differences
     * (step ~ cbrt(eps): truncation and round-off errors both ~1e-10) */
    for (size_t k = 0; k < nu; k++) {
        double save = u[k], h = 6e-6 * (1 + fabs(save));
        u[k] = save + h;
        double hp = u[k] - save; /* the steps actually represented */
        int rc = tw__residual_vec(s, u, g->f1);
        objectives(s, u, weights, nobj, g->income0, g->wk);
        u[k] = save - h;
        double hm = save - u[k];
        double *col = g->jac + k * nu;
        rc |= tw__residual_vec(s, u, col); /* F(u - h) straight into the column */
        objectives(s, u, weights, nobj, g->income0, g->wm);
        u[k] = save;
        if (rc != 0)
            return TW_ERR_NUMERICAL;
        for (size_t r = 0; r < nu; r++)
            col[r] = (g->f1[r] - col[r]) / (hp + hm);
        for (size_t q = 0; q < nobj; q++)
            g->mu[q * nu + k] = (g->wk[q] - g->wm[q]) / (hp + hm);
    }
    /* adjoint: F_u' mu_q = W_q,u' for every objective q */
    lapack_int n = (lapack_int)nu, info;
    info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, g->jac, n, g->ipiv);
    if (info != 0)
        return TW_ERR_NUMERICAL;
    info = LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'T', n, (lapack_int)nobj, g->jac, n, g->ipiv, g->mu, n);
    if (info != 0)
        return TW_ERR_INTERNAL;
    /* instruments: W_v - mu' F_v */
    tw__instruments_get(ins, p, g->v);
    size_t K = ins->nvars;
    for (size_t k = 0; k < K; k++) {
        double save = g->v[k], h = 6e-6 * (1 + fabs(save));
        const tw_var *var = &ins->vars[k];
        int rc = 0;
        for (int side = 0; side < 2; side++) {
            double val = side == 0 ? save + h : save - h;
            for (size_t c = 0; c < var->count; c++)
                *policy_slot(p, var->kind, ins->cells[var->first + c]) = val;
            refresh_var(s, p, ins, k);
            rc |= tw__residual_vec(s, u, side == 0 ? g->f1 : g->f0m);
            objectives(s, u, weights, nobj, g->income0, side == 0 ? g->wk : g->wm);
        }
        for (size_t c = 0; c < var->count; c++)
            *policy_slot(p, var->kind, ins->cells[var->first + c]) = save;
        refresh_var(s, p, ins, k);
        if (rc != 0)
            return TW_ERR_NUMERICAL;
        for (size_t q = 0; q < nobj; q++) {
            double dot = 0;
            const double *mu = g->mu + q * nu;
            for (size_t r = 0; r < nu; r++)
                dot += mu[r] * (g->f1[r] - g->f0m[r]);
            grads[q * K + k] = (g->wk[q] - g->wm[q] - dot) / (2 * h);
        }
    }
    tw__evaluate(s, u_star); /* leave the work arrays at the equilibrium */
    return TW_OK;
}
