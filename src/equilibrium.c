/*
 * equilibrium.c - the counterfactual equilibrium in changes ("exact hat
 * algebra") and its solution with KINSOL.
 *
 * The system (docs/model.md): given the base shares and the policy change,
 * find wage changes w_hat, sector price changes P_hat, spending E' and, with
 * scale economies, sector employment changes L_hat such that
 *   cost:      log c_hat[i,j] = beta lw[i] + (1-beta) sum_k gamma[i,k,j] lp[i,k]
 *   prices:    P_hat[n,j]^-theta = sum_i lambda[i,n,j] (c_hat L_hat^-psi kappa_hat)^-theta
 *   goods:     E'[n,j] = alpha[n,j] I'[n] + sum_k (1-beta)(1-pi) gamma[n,j,k] Y'[n,k]
 *   labour:    w_hat[i] wL[i] = sum_j beta (1-pi) Y'[i,j]
 *   numeraire: sum_i w_hat[i] wL[i] = sum_i wL[i]  (world wage bill)
 * with Y'[i,j] = sum_n lambda'[i,n,j] E'[n,j] (1+s')/((1+t')(1+e')) and
 * I' = labour income + profits + tariff and export-tax revenue - subsidies + D.
 *
 * One evaluation costs O(N^2 J + N J^2): the exponentials depend only on the
 * exporter and sector, so the N^2 J part is multiply-adds. The same evaluation
 * serves two methods: a damped fixed-point map accelerated by Anderson mixing,
 * and the residual function of a Newton-Krylov (GMRES) solve. Both run in
 * KINSOL; all memory is allocated in tw_solver_create.
 */
#include "solver_internal.h"

#include <lapacke.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ----------------------------------------------------- */


void tw_solver_options_default(tw_solver_options *o)
{
    if (!o)
        return;
    o->method = TW_METHOD_ANDERSON;
    o->tol = 1e-10;
    o->max_iter = 2000;
    o->anderson_depth = 8;
    o->damping = 1.0;
    o->fallback = 1;
    o->progress = NULL;
    o->progress_user = NULL;
    o->progress_every = 10;
}

static size_t off_lp(const tw_solver *s) { return s->N; }
static size_t off_x(const tw_solver *s) { return s->N + s->N * s->J; }
static size_t off_lL(const tw_solver *s) { return s->N + 2 * s->N * s->J; }

/* ---- base economy ------------------------------------------------------ */

/* Shares that pass validation may still sum to 1 +- 1e-6; the accounting of
 * the model is exact only when they sum to one exactly (otherwise money is
 * created or lost each round and no equilibrium exists), so use rescaled copies. */
static void normalise_shares(tw_solver *s)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J;
    memcpy(s->alpha, m->arr[TW_FINAL_SHARES], N * J * sizeof(double));
    memcpy(s->gam, m->arr[TW_IO_SHARES], N * J * J * sizeof(double));
    for (size_t n = 0; n < N; n++) {
        double sum = 0;
        for (size_t j = 0; j < J; j++)
            sum += s->alpha[tw_idx2(J, n, j)];
        for (size_t j = 0; j < J && sum > 0; j++)
            s->alpha[tw_idx2(J, n, j)] /= sum;
        for (size_t j = 0; j < J; j++) {
            double col = 0;
            for (size_t k = 0; k < J; k++)
                col += s->gam[tw_idx3io(J, n, k, j)];
            for (size_t k = 0; k < J && col > 0; k++)
                s->gam[tw_idx3io(J, n, k, j)] /= col;
        }
    }
}

static tw_status compute_base(tw_solver *s, tw_error *err)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J;
    normalise_shares(s);
    const double *X = m->arr[TW_FLOWS], *t = m->arr[TW_TARIFFS];
    const double *beta = m->arr[TW_VA_SHARES], *pi = m->arr[TW_MARKUP];
    const double *theta = s->theta;
    tw_model_derive(m, TW_DERIVED_SPENDING, s->E0, N * J);
    tw_model_derive(m, TW_DERIVED_GROSS_OUTPUT, s->Y0, N * J);
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                double e = s->E0[tw_idx2(J, n, j)];
                s->lambda0[x] = e > 0 ? X[x] * (1 + t[x]) / e : 0;
            }
    s->wL_world = 0;
    for (size_t i = 0; i < N; i++) {
        double wl = 0, spend = 0;
        for (size_t j = 0; j < J; j++) {
            wl += beta[tw_idx2(J, i, j)] * (1 - pi[j]) * s->Y0[tw_idx2(J, i, j)];
            spend += s->E0[tw_idx2(J, i, j)];
        }
        if (!(wl > 0))
            return tw_fail(err, TW_ERR_DATA, "%s: labour income is zero (no value added)",
                           m->country_code[i]);
        s->wL0[i] = wl;
        s->S0[i] = spend > 0 ? spend : 1;
        s->wL_world += wl;
        /* Labour demand of i falls with its wage roughly with elasticity
         * 1 + theta x (share of sales abroad): a step of 1/(1 + that) keeps the
         * plain iteration a contraction; Anderson mixing then speeds it up. */
        double elast = 0;
        for (size_t j = 0; j < J; j++) {
            double y = s->Y0[tw_idx2(J, i, j)];
            size_t jj = tw_idx2(J, i, j);
            s->ell0[jj] = beta[jj] * (1 - pi[j]) * y / wl;
            double dom = X[tw_idx3(N, J, i, i, j)];
            double sales = 0;
            for (size_t n = 0; n < N; n++)
                sales += X[tw_idx3(N, J, i, n, j)];
            double abroad = sales > 0 ? 1 - dom / sales : 0;
            elast += s->ell0[jj] * theta[j] * abroad;
        }
        s->mu[i] = 1.0 / (1.0 + elast);
    }
    return TW_OK;
}

/* ---- policy factors ---------------------------------------------------- */

/* The factors of one shipment cell x = (i, n, j) under policy p. */
void tw__policy_cell(tw_solver *s, const tw_policy *p, size_t x)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J, j = x % J, i = x / (N * J), ij = tw_idx2(J, i, j);
    double tp = p->tariff[x], ep = p->export_tax[x], sp = p->subsidy[ij];
    double kappa_hat = p->trade_cost_change[x] * ((1 + tp) / (1 + m->arr[TW_TARIFFS][x])) *
                       ((1 + ep) / (1 + m->arr[TW_EXPORT_TAXES][x])) *
                       ((1 + m->arr[TW_SUBSIDIES][ij]) / (1 + sp));
    s->a[x] = isinf(kappa_hat) ? 0.0 : s->lambda0[x] * pow(kappa_hat, -s->theta[j]);
    s->f_prod[x] = (1 + sp) / ((1 + tp) * (1 + ep));
    s->f_tar[x] = tp / (1 + tp);
    s->f_etax[x] = ep / ((1 + tp) * (1 + ep));
}

static tw_status set_policy(tw_solver *s, const tw_policy *p, tw_error *err)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            double sp = p->subsidy[tw_idx2(J, i, j)];
            if (!(sp > -1))
                return tw_fail(err, TW_ERR_INVALID, "policy: subsidy %s, %s is %g (must be > -1)",
                               m->country_code[i], m->sector_code[j], sp);
            s->sub[tw_idx2(J, i, j)] = sp / (1 + sp);
        }
    for (size_t x = 0; x < N * N * J; x++) {
        if (!(p->tariff[x] > -1) || !(p->export_tax[x] > -1) || !(p->trade_cost_change[x] > 0))
            return tw_fail(err, TW_ERR_INVALID, "policy: invalid instrument at %s -> %s, %s",
                           m->country_code[x / (N * J)], m->country_code[(x / J) % N],
                           m->sector_code[x % J]);
        tw__policy_cell(s, p, x);
    }
    memcpy(s->D, p->deficit, N * sizeof(double));
    return TW_OK;
}

/* ---- the equilibrium relations ----------------------------------------- */

int tw__evaluate(tw_solver *s, const double *u)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J;
    const double *beta = m->arr[TW_VA_SHARES], *gam = s->gam;
    const double *alpha = s->alpha, *theta = s->theta;
    const double *psi = s->psi, *pi = m->arr[TW_MARKUP];
    const double *lw = u, *lp = u + off_lp(s), *xs = u + off_x(s);
    const double *lL = s->has_scale ? u + off_lL(s) : NULL;
    s->nfe++;

    /* unit costs and the exporter-sector factor of every trade share */
    for (size_t i = 0; i < N; i++) {
        s->w[i] = exp(lw[i]);
        for (size_t j = 0; j < J; j++) {
            size_t ij = tw_idx2(J, i, j);
            double acc = 0;
            if (beta[ij] < 1) /* sectors without inputs (Ossa's model) skip the sum */
                for (size_t k = 0; k < J; k++)
                    acc += gam[tw_idx3io(J, i, k, j)] * lp[tw_idx2(J, i, k)];
            s->lc[ij] = beta[ij] * lw[i] + (1 - beta[ij]) * acc;
            double eff = s->lc[ij] - (lL ? psi[j] * lL[ij] : 0.0);
            s->z[ij] = exp(-theta[j] * eff);
        }
    }
    /* price indices: S[n,j] = sum_i a[i,n,j] z[i,j] = P_hat^-theta */
    memset(s->S, 0, N * J * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++) {
            const double *ar = s->a + tw_idx3(N, J, i, n, 0);
            const double *zr = s->z + tw_idx2(J, i, 0);
            double *Sr = s->S + tw_idx2(J, n, 0);
            for (size_t j = 0; j < J; j++)
                Sr[j] += ar[j] * zr[j];
        }
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            double Sv = s->S[nj];
            double spend = xs[nj] * s->S0[n];
            s->lp_new[nj] = Sv > 0 ? -log(Sv) / theta[j] : lp[nj];
            s->ES[nj] = Sv > 0 ? spend / Sv : 0.0;
        }
    /* sales, tariff and export-tax revenue */
    memset(s->Y, 0, N * J * sizeof(double));
    memset(s->R, 0, N * sizeof(double));
    memset(s->XT, 0, N * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++) {
            size_t x0 = tw_idx3(N, J, i, n, 0);
            const double *zr = s->z + tw_idx2(J, i, 0), *esr = s->ES + tw_idx2(J, n, 0);
            double *Yr = s->Y + tw_idx2(J, i, 0);
            double rev = 0, etx = 0;
            for (size_t j = 0; j < J; j++) {
                double q = s->a[x0 + j] * zr[j] * esr[j]; /* lambda' E', tariff inclusive */
                Yr[j] += q * s->f_prod[x0 + j];
                rev += q * s->f_tar[x0 + j];
                etx += q * s->f_etax[x0 + j];
            }
            s->R[n] += rev;
            s->XT[i] += etx;
        }
    /* incomes, spending, labour markets */
    int finite = 1;
    for (size_t n = 0; n < N; n++) {
        double ld = 0, prof = 0, subs = 0;
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            ld += beta[nj] * (1 - pi[j]) * s->Y[nj];
            prof += pi[j] * s->Y[nj];
            subs += s->sub[nj] * s->Y[nj];
        }
        s->LD[n] = ld;
        s->PI[n] = prof;
        s->SUB[n] = subs;
        s->income[n] = s->w[n] * s->wL0[n] + prof + s->R[n] + s->XT[n] - subs + s->D[n];
        s->ex[n] = ld > 0 ? log(ld / (s->w[n] * s->wL0[n])) : -INFINITY;
        finite &= isfinite(s->ex[n]) && isfinite(s->income[n]);
        /* intermediate spending of each using sector; only those that buy inputs */
        size_t nbuy = 0;
        for (size_t k = 0; k < J; k++) {
            size_t nk = tw_idx2(J, n, k);
            double spend = (1 - beta[nk]) * (1 - pi[k]) * s->Y[nk];
            if (spend != 0) {
                s->inter[nbuy] = spend;
                s->buyer[nbuy++] = k;
            }
        }
        for (size_t j = 0; j < J; j++) {
            double acc = 0;
            const double *gj = gam + tw_idx3io(J, n, j, 0);
            for (size_t b = 0; b < nbuy; b++)
                acc += gj[s->buyer[b]] * s->inter[b];
            s->E_new[tw_idx2(J, n, j)] = alpha[tw_idx2(J, n, j)] * s->income[n] + acc;
        }
        if (lL)
            for (size_t j = 0; j < J; j++) {
                size_t nj = tw_idx2(J, n, j);
                double share = ld > 0 ? beta[nj] * (1 - pi[j]) * s->Y[nj] / ld : 0;
                s->lL_new[nj] = (s->ell0[nj] > 0 && share > 0) ? log(share / s->ell0[nj]) : 0.0;
            }
    }
    double bill = 0;
    for (size_t n = 0; n < N; n++)
        bill += s->w[n] * s->wL0[n];
    s->numeraire_gap = log(bill / s->wL_world);
    for (size_t x = 0; x < N * J && finite; x++)
        finite = isfinite(s->lp_new[x]) && isfinite(s->E_new[x]) && isfinite(s->z[x]);
    s->nonfinite = !finite;
    return finite ? 0 : -1;
}

double tw__residual(const tw_solver *s, const double *u)
{
    size_t N = s->N, J = s->J;
    const double *lp = u + off_lp(s), *xs = u + off_x(s);
    double r = fabs(s->numeraire_gap);
    for (size_t n = 0; n < N; n++) {
        r = fmax(r, fabs(s->ex[n]));
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            r = fmax(r, fabs(s->lp_new[nj] - lp[nj]));
            r = fmax(r, fabs(s->E_new[nj] / s->S0[n] - xs[nj]));
            if (s->has_scale)
                r = fmax(r, fabs(s->lL_new[nj] - u[off_lL(s) + nj]));
        }
    }
    return s->nonfinite ? INFINITY : r;
}

/* After tw__evaluate: the diagonal of d lL_new / d lL, cell by cell,
 * psi_j theta_j (own-cost elasticity of i's sector-j sales) (1 - l_ij), where
 * a lower own cost raises sales by the share it does not already hold in each
 * market: sum_n q_inj (1 - lambda'_inj) / Y_ij. */
static void scale_gain(tw_solver *s)
{
    size_t N = s->N, J = s->J;
    const double *beta = s->m->arr[TW_VA_SHARES], *pi = s->m->arr[TW_MARKUP];
    memset(s->gainL, 0, N * J * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++) {
            size_t x0 = tw_idx3(N, J, i, n, 0);
            const double *zr = s->z + tw_idx2(J, i, 0), *esr = s->ES + tw_idx2(J, n, 0);
            const double *Sr = s->S + tw_idx2(J, n, 0);
            double *gr = s->gainL + tw_idx2(J, i, 0);
            for (size_t j = 0; j < J; j++) {
                double own = s->a[x0 + j] * zr[j];
                if (Sr[j] > 0)
                    gr[j] += own * esr[j] * s->f_prod[x0 + j] * (1 - own / Sr[j]);
            }
        }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            size_t ij = tw_idx2(J, i, j);
            double Y = s->Y[ij], ld = s->LD[i];
            double share = ld > 0 ? beta[ij] * (1 - pi[j]) * Y / ld : 0;
            s->gainL[ij] = Y > 0 ? s->psi[j] * s->theta[j] * (s->gainL[ij] / Y) * (1 - share) : 0;
        }
}

/* The fixed-point map g = G(u). `precondition`: the scale block takes a
 * diagonal Newton step (the solver's map); without it, the plain update whose
 * stability is the economy's (tw_solver_base_stability). */
static int fixed_point(tw_solver *s, const double *u, double *g, int precondition)
{
    size_t N = s->N, NJ = s->N * s->J;
    if (tw__evaluate(s, u) != 0)
        return -1;
    double bill = 0;
    for (size_t i = 0; i < N; i++) {
        g[i] = u[i] + s->mu[i] * s->ex[i];
        bill += exp(g[i]) * s->wL0[i];
    }
    double shift = log(bill / s->wL_world); /* project onto the numeraire */
    for (size_t i = 0; i < N; i++)
        g[i] -= shift;
    memcpy(g + off_lp(s), s->lp_new, NJ * sizeof(double));
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < s->J; j++)
            g[off_x(s) + tw_idx2(s->J, n, j)] = s->E_new[tw_idx2(s->J, n, j)] / s->S0[n];
    if (s->has_scale) {
        /* Near psi theta = 1 the plain update of employment shrinks the error
         * by only 1 - gain a step; a diagonal Newton step on each cell
         * (clamped) takes most of that slow mode out. Same fixed point. */
        const double *lL = u + off_lL(s);
        if (precondition)
            scale_gain(s);
        for (size_t x = 0; x < NJ; x++) {
            double gain = precondition ? fmin(s->gainL[x], 0.95) : 0;
            g[off_lL(s) + x] = lL[x] + (s->lL_new[x] - lL[x]) / (1 - (gain > 0 ? gain : 0));
        }
    }
    return 0;
}

/* The caller's progress callback, every progress_every evaluations (after
 * tw__evaluate at u). 1 when it asks to stop: the map then fails for good. */
static int user_stop(tw_solver *s, const double *u)
{
    if (!s->opt.progress || s->stopped)
        return s->stopped;
    long every = s->opt.progress_every > 0 ? s->opt.progress_every : 10;
    if (++s->progress_nfe % every != 0)
        return 0;
    tw_solve_progress p = {s->progress_nfe, s->running, tw__residual(s, u), s->opt.tol,
                           tw_now() - s->solve_t0};
    s->stopped = s->opt.progress(s->opt.progress_user, &p) != 0;
    return s->stopped;
}

/* KINSOL's KIN_FP map. */
static int fp_map(N_Vector uv, N_Vector gv, void *user)
{
    const double *u = N_VGetArrayPointer(uv);
    int rc = fixed_point(user, u, N_VGetArrayPointer(gv), 1);
    return rc == 0 && user_stop(user, u) ? -1 : rc;
}

/* Residual for Newton-Krylov: F(u) = 0 at the equilibrium. One labour market
 * is implied by the others (Walras' law); the numeraire takes its place.
 * Returns 0, or -1 when the relations are not finite at u. */
int tw__residual_vec(tw_solver *s, const double *u, double *f)
{
    size_t N = s->N, J = s->J, NJ = N * J;
    if (tw__evaluate(s, u) != 0)
        return -1;
    f[0] = s->numeraire_gap;
    for (size_t i = 1; i < N; i++)
        f[i] = s->ex[i];
    for (size_t x = 0; x < NJ; x++)
        f[off_lp(s) + x] = s->lp_new[x] - u[off_lp(s) + x];
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            f[off_x(s) + nj] = s->E_new[nj] / s->S0[n] - u[off_x(s) + nj];
        }
    if (s->has_scale)
        for (size_t x = 0; x < NJ; x++)
            f[off_lL(s) + x] = s->lL_new[x] - u[off_lL(s) + x];
    return 0;
}

static int nk_residual(N_Vector uv, N_Vector fv, void *user)
{
    /* a positive return is recoverable: KINSOL's line search backs off; a
     * negative one (the caller's stop) is not */
    const double *u = N_VGetArrayPointer(uv);
    if (tw__residual_vec(user, u, N_VGetArrayPointer(fv)) != 0)
        return 1;
    return user_stop(user, u) ? -1 : 0;
}

static void kin_error_handler(int code, const char *module, const char *function, char *msg,
                              void *user)
{
    tw_solver *s = user;
    (void)code;
    snprintf(s->kin_msg, sizeof s->kin_msg, "%s.%s: %s", module, function, msg);
}

/* ---- creation ---------------------------------------------------------- */

static int alloc_all(tw_solver *s)
{
    size_t N = s->N, J = s->J, NNJ = N * N * J, NJ = N * J;
    if (!(s->theta = tw_calloc(J, sizeof(double))) || !(s->psi = tw_calloc(J, sizeof(double))))
        return 0;
    memcpy(s->theta, s->m->arr[TW_THETA], J * sizeof(double));
    memcpy(s->psi, s->m->arr[TW_PSI], J * sizeof(double));
    if (!(s->gam = tw_calloc(NJ * J, sizeof(double))) ||
        !(s->inter = tw_calloc(J, sizeof(double))) || !(s->buyer = tw_calloc(J, sizeof(size_t))))
        return 0;
    double **nnj[] = {&s->lambda0, &s->a, &s->f_prod, &s->f_tar, &s->f_etax};
    double **nj[] = {&s->alpha, &s->E0,     &s->Y0, &s->ell0, &s->sub,   &s->lc,     &s->z,
                     &s->S,     &s->lp_new, &s->ES, &s->Y,    &s->E_new, &s->lL_new, &s->gainL};
    double **n1[] = {&s->wL0, &s->S0, &s->mu, &s->D,   &s->w,      &s->R,
                     &s->XT,  &s->LD, &s->PI, &s->SUB, &s->income, &s->ex};
    for (size_t k = 0; k < sizeof nnj / sizeof *nnj; k++)
        if (!(*nnj[k] = tw_calloc(NNJ, sizeof(double))))
            return 0;
    for (size_t k = 0; k < sizeof nj / sizeof *nj; k++)
        if (!(*nj[k] = tw_calloc(NJ, sizeof(double))))
            return 0;
    for (size_t k = 0; k < sizeof n1 / sizeof *n1; k++)
        if (!(*n1[k] = tw_calloc(N, sizeof(double))))
            return 0;
    return (s->u0 = tw_calloc(s->nu, sizeof(double))) != NULL;
}

/* N_VDotProd for KINSOL's Anderson mixing, which takes about 2 depth dot
 * products of the unknowns each iteration: eight partial sums, in a fixed
 * order (the same result on every run), let the compiler keep the adds in
 * flight; the serial vector's single running sum waits on each add. */
static double dot8(const double *x, const double *y, size_t n)
{
    size_t k = 0;
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; k + 8 <= n; k += 8)
        for (int l = 0; l < 8; l++)
            acc[l] += x[k + (size_t)l] * y[k + (size_t)l];
    for (; k < n; k++)
        acc[0] += x[k] * y[k];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

static sunrealtype dot_unrolled(N_Vector xv, N_Vector yv)
{
    return dot8(N_VGetArrayPointer(xv), N_VGetArrayPointer(yv), (size_t)N_VGetLength(xv));
}

/* N_VLinearSum, z = a x + b y, the other vector operation Anderson mixing
 * spends its time in: one loop the compiler vectorises. */
static void linear_sum(sunrealtype a, N_Vector xv, sunrealtype b, N_Vector yv, N_Vector zv)
{
    const double *x = N_VGetArrayPointer(xv), *y = N_VGetArrayPointer(yv);
    double *z = N_VGetArrayPointer(zv);
    size_t n = (size_t)N_VGetLength(xv);
    for (size_t k = 0; k < n; k++)
        z[k] = a * x[k] + b * y[k];
}

static int setup_kinsol(tw_solver *s)
{
    if (SUNContext_Create(NULL, &s->ctx) != 0)
        return 0;
    s->u = N_VNew_Serial((sunindextype)s->nu, s->ctx);
    s->scale = N_VNew_Serial((sunindextype)s->nu, s->ctx);
    if (!s->u || !s->scale)
        return 0;
    N_VConst(1.0, s->scale);
    N_VConst(0.0, s->u);
    /* KINSOL's work vectors are clones of u and take its operations */
    s->u->ops->nvdotprod = dot_unrolled;
    s->u->ops->nvlinearsum = linear_sum;

    s->kin_fp = KINCreate(s->ctx);
    if (!s->kin_fp)
        return 0;
    KINSetErrHandlerFn(s->kin_fp, kin_error_handler, s);
    if (s->opt.anderson_depth > 0)
        KINSetMAA(s->kin_fp, s->opt.anderson_depth);
    if (KINInit(s->kin_fp, fp_map, s->u) != KIN_SUCCESS)
        return 0;
    KINSetUserData(s->kin_fp, s);
    if (s->opt.damping > 0 && s->opt.damping < 1)
        KINSetDampingAA(s->kin_fp, s->opt.damping);

    s->kin_nk = KINCreate(s->ctx);
    if (!s->kin_nk)
        return 0;
    KINSetErrHandlerFn(s->kin_nk, kin_error_handler, s);
    if (KINInit(s->kin_nk, nk_residual, s->u) != KIN_SUCCESS)
        return 0;
    KINSetUserData(s->kin_nk, s);
    /* GMRES: 40 Krylov vectors and 2 restarts are plenty where Newton works;
     * more only makes a hopeless solve (no equilibrium) slow */
    s->ls = SUNLinSol_SPGMR(s->u, SUN_PREC_NONE, 40, s->ctx);
    if (!s->ls || KINSetLinearSolver(s->kin_nk, s->ls, NULL) != KIN_SUCCESS)
        return 0;
    SUNLinSol_SPGMRSetMaxRestarts(s->ls, 2);
    KINSetMaxSetupCalls(s->kin_nk, 1);
    KINSetScaledStepTol(s->kin_nk, 1e-15);
    return 1;
}

tw_solver *tw_solver_create(const tw_model *m, const tw_solver_options *opt, tw_error *err)
{
    if (!m) {
        tw_fail(err, TW_ERR_INVALID, "tw_solver_create: no model");
        return NULL;
    }
    if (tw_model_validate(m, err) != TW_OK)
        return NULL;
    tw_solver *s = calloc(1, sizeof *s);
    if (!s) {
        tw_fail(err, TW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->m = m;
    tw_solver_options_default(&s->opt);
    if (opt)
        s->opt = *opt;
    if (!(s->opt.tol > 0) || s->opt.max_iter < 1 || s->opt.anderson_depth < 0 ||
        !(s->opt.damping > 0 && s->opt.damping <= 1)) {
        tw_fail(err, TW_ERR_INVALID,
                "solver options: tol must be > 0, max_iter >= 1, anderson_depth >= 0, "
                "0 < damping <= 1");
        free(s);
        return NULL;
    }
    s->N = m->N;
    s->J = m->J;
    for (size_t j = 0; j < s->J; j++)
        if (m->arr[TW_PSI][j] > 0)
            s->has_scale = 1;
    s->nu = s->N + (size_t)(s->has_scale ? 3 : 2) * s->N * s->J;
    if (!alloc_all(s)) {
        tw_solver_free(s);
        tw_fail(err, TW_ERR_NOMEM, "out of memory for a %zu x %zu economy", m->N, m->J);
        return NULL;
    }
    if (compute_base(s, err) != TW_OK) {
        tw_solver_free(s);
        return NULL;
    }
    if (!setup_kinsol(s)) {
        tw_solver_free(s);
        tw_fail(err, TW_ERR_NOMEM, "cannot set up KINSOL for %zu unknowns", s->nu);
        return NULL;
    }
    return s;
}

void tw_solver_free(tw_solver *s)
{
    if (!s)
        return;
    free(s->buyer);
    double *arrs[] = {s->theta,  s->psi,   s->inter,  s->alpha,  s->gam, s->lambda0, s->a,
                      s->f_prod, s->f_tar, s->f_etax, s->E0,     s->Y0,  s->ell0,    s->sub,
                      s->lc,     s->z,     s->S,      s->lp_new, s->ES,  s->Y,       s->E_new,
                      s->lL_new, s->gainL, s->wL0,    s->S0,     s->mu,  s->D,       s->w,
                      s->R,      s->XT,    s->LD,     s->PI,     s->SUB, s->income,  s->ex,
                      s->u0,     s->kry,   s->hess};
    for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++)
        free(arrs[k]);
    tw_policy_free(s->none);
    if (s->kin_fp)
        KINFree(&s->kin_fp);
    if (s->kin_nk)
        KINFree(&s->kin_nk);
    if (s->ls)
        SUNLinSolFree(s->ls);
    if (s->u)
        N_VDestroy(s->u);
    if (s->scale)
        N_VDestroy(s->scale);
    if (s->ctx)
        SUNContext_Free(&s->ctx);
    free(s);
}

tw_status tw_solver_set_elasticities(tw_solver *s, const double *theta, const double *psi,
                                     tw_error *err)
{
    if (!s)
        return tw_fail(err, TW_ERR_INVALID, "no solver");
    for (size_t j = 0; j < s->J; j++) {
        if (theta && !(theta[j] > 0 && isfinite(theta[j])))
            return tw_fail(err, TW_ERR_INVALID, "theta[%s] = %g must be positive",
                           s->m->sector_code[j], theta[j]);
        if (psi && !(psi[j] >= 0 && isfinite(psi[j])))
            return tw_fail(err, TW_ERR_INVALID, "psi[%s] = %g must be non-negative",
                           s->m->sector_code[j], psi[j]);
        if (psi && psi[j] > 0 && !s->has_scale)
            return tw_fail(err, TW_ERR_INVALID,
                           "psi > 0 needs a solver created for a model with scale economies");
    }
    if (theta)
        memcpy(s->theta, theta, s->J * sizeof(double));
    if (psi)
        memcpy(s->psi, psi, s->J * sizeof(double));
    return compute_base(s, err); /* the wage step depends on theta */
}

/* ---- solving ----------------------------------------------------------- */

/* The "no change" point: every hat 1, spending at its base value. */
static void initial_point(const tw_solver *s, double *u)
{
    memset(u, 0, s->nu * sizeof(double));
    for (size_t n = 0; n < s->N; n++)
        for (size_t j = 0; j < s->J; j++)
            u[off_x(s) + tw_idx2(s->J, n, j)] = s->E0[tw_idx2(s->J, n, j)] / s->S0[n];
}

tw_status tw_solver_set_start(tw_solver *s, const tw_result *start)
{
    if (!s)
        return TW_ERR_INVALID;
    if (!start) {
        s->warm = 0;
        return TW_OK;
    }
    if (start->nu != s->nu || start->N != s->N || start->J != s->J)
        return TW_ERR_INVALID;
    memcpy(s->u0, start->u, s->nu * sizeof(double));
    s->warm = 1;
    return TW_OK;
}

/* One attempt with one method from the point in s->u. Returns the stop reason. */
static tw_outcome run_method(tw_solver *s, tw_method method, long *iters)
{
    void *kmem = method == TW_METHOD_ANDERSON ? s->kin_fp : s->kin_nk;
    double tol = s->opt.tol;
    long nni = 0;
    int flag;
    s->kin_msg[0] = '\0';
    s->running = method;
    /* Newton converges in tens of steps or not at all: cap it so an economy
     * without a (stable) equilibrium fails in seconds, not minutes */
    KINSetNumMaxIters(kmem, method == TW_METHOD_ANDERSON
                                ? s->opt.max_iter
                                : (s->opt.max_iter < 60 ? s->opt.max_iter : 60));
    if (method == TW_METHOD_ANDERSON) {
        /* KINSOL stops the fixed point on the size of the step; the step in
         * wages is mu times the labour-market residual, so ask for less. */
        double mu_min = 1;
        for (size_t i = 0; i < s->N; i++)
            mu_min = fmin(mu_min, s->mu[i]);
        KINSetFuncNormTol(kmem, tol * mu_min * 0.5);
        flag = KINSol(kmem, s->u, KIN_FP, s->scale, s->scale);
        /* Anderson mixing can stagnate: the mixed step is tiny while the
         * equilibrium residual is not. Restarting clears its history. */
        for (int restart = 0; restart < 4 && flag == KIN_SUCCESS && !s->stopped; restart++) {
            double *uu = N_VGetArrayPointer(s->u);
            if (tw__evaluate(s, uu) != 0 || tw__residual(s, uu) <= tol)
                break;
            KINGetNumNonlinSolvIters(kmem, &nni); /* count this pass; the last is counted below */
            *iters += nni;
            flag = KINSol(kmem, s->u, KIN_FP, s->scale, s->scale);
        }
    } else {
        KINSetFuncNormTol(kmem, tol * 0.5);
        flag = KINSol(kmem, s->u, KIN_LINESEARCH, s->scale, s->scale);
    }
    KINGetNumNonlinSolvIters(kmem, &nni);
    *iters += nni;
    double *u = N_VGetArrayPointer(s->u);
    if (s->stopped)
        return TW_OUTCOME_STOPPED;
    if (tw__evaluate(s, u) != 0)
        return TW_OUTCOME_NON_FINITE;
    double r = tw__residual(s, u);
    if (r <= tol)
        return TW_OUTCOME_CONVERGED;
    switch (flag) {
    case KIN_MAXITER_REACHED:
        return TW_OUTCOME_ITERATION_LIMIT;
    case KIN_SUCCESS:
    case KIN_INITIAL_GUESS_OK:
    case KIN_STEP_LT_STPTOL:
    case KIN_LINESEARCH_NONCONV:
    case KIN_MXNEWT_5X_EXCEEDED:
    case KIN_LINSOLV_NO_RECOVERY:
        return TW_OUTCOME_STALLED;
    case KIN_SYSFUNC_FAIL:
    case KIN_FIRST_SYSFUNC_ERR:
    case KIN_REPTD_SYSFUNC_ERR:
        return s->nonfinite ? TW_OUTCOME_NON_FINITE : TW_OUTCOME_SOLVER_FAILED;
    default:
        return TW_OUTCOME_SOLVER_FAILED;
    }
}

tw_status tw_solve(tw_solver *s, const tw_policy *policy, tw_result *res, tw_error *err)
{
    if (!s || !policy || !res)
        return tw_fail(err, TW_ERR_INVALID, "tw_solve: missing argument");
    if (policy->N != s->N || policy->J != s->J || res->N != s->N || res->J != s->J ||
        res->nu != s->nu)
        return tw_fail(err, TW_ERR_INVALID, "tw_solve: policy or result made for another model");
    double t0 = tw_now();
    tw_status st = set_policy(s, policy, err);
    if (st != TW_OK)
        return st;
    s->nfe = 0;
    s->solve_t0 = t0;
    s->progress_nfe = 0;
    s->stopped = 0;
    double *u = N_VGetArrayPointer(s->u);
    if (s->warm)
        memcpy(u, s->u0, s->nu * sizeof(double));
    else
        initial_point(s, u);

    /* Attempts: the chosen method; then the other one from the better of the
     * last iterate and the start; and, after a warm start, both again from
     * "no change" (a warm start near a kink can mislead both). */
    tw_method other = s->opt.method == TW_METHOD_ANDERSON ? TW_METHOD_NEWTON_KRYLOV
                                                          : TW_METHOD_ANDERSON;
    tw_method methods[4] = {s->opt.method, other, s->opt.method, other};
    int attempts = s->opt.fallback ? (s->warm ? 4 : 2) : 1;
    long iters = 0;
    tw_outcome stop = TW_OUTCOME_SOLVER_FAILED;
    tw_method used = methods[0];
    for (int k = 0; k < attempts; k++) {
        if (k == 1 && !(tw__residual(s, u) < 1e-3)) {
            if (s->warm)
                memcpy(u, s->u0, s->nu * sizeof(double));
            else
                initial_point(s, u);
        }
        if (k == 2)
            initial_point(s, u);
        used = methods[k];
        stop = run_method(s, used, &iters);
        if (stop == TW_OUTCOME_CONVERGED || stop == TW_OUTCOME_STOPPED)
            break;
    }
    if (tw__evaluate(s, u) != 0 && stop != TW_OUTCOME_STOPPED)
        stop = TW_OUTCOME_NON_FINITE;
    res->stats.outcome = stop;
    res->stats.method = used;
    res->stats.iterations = iters;
    res->stats.evaluations = s->nfe;
    res->stats.residual = tw__residual(s, u);
    tw__fill_result(s, policy, u, res);
    res->stats.seconds = tw_now() - t0;
    if (stop == TW_OUTCOME_STOPPED) /* the call ran: TW_OK, the detail in err */
        tw_fail(err, TW_OK,
                "the solve was stopped by its progress callback (after %ld iterations, "
                "residual %.3g)",
                iters, res->stats.residual);
    else if (stop != TW_OUTCOME_CONVERGED) {
        /* With psi theta >= 1 scale economies outweigh comparative advantage:
         * there may be no interior equilibrium (Kucheryavyy, Lyn and
         * Rodriguez-Clare 2023). Say so: it is the usual reason. */
        size_t strong = 0;
        for (size_t j = 0; j < s->J; j++)
            strong += s->psi[j] * s->theta[j] >= 1;
        char hint[160] = "";
        if (strong)
            snprintf(
                hint, sizeof hint,
                "; psi*theta >= 1 in %zu sector(s): the model may have no interior equilibrium",
                strong);
        /* the call ran: TW_OK, the outcome in the statistics, the detail in err */
        tw_fail(err, TW_OK,
                "the solver did not converge (%s after %ld iterations, residual %.3g%s%s%s)",
                tw_outcome_name(stop), iters, res->stats.residual, s->kin_msg[0] ? "; " : "",
                s->kin_msg, hint);
    }
    return TW_OK;
}

/* ---- stability of the base equilibrium ------------------------------------ */

/*
 * The base economy solves the equilibrium for any elasticities, but with scale
 * economies it need not be a stable one: when a sector's employment feeds on
 * itself (psi theta near 1, amplified by the sector's use of its own output as
 * an input) a small shock grows instead of dying out, and the counterfactual
 * equilibrium that tw_solve looks for near the base is no longer there to be
 * found by the adjustment process. The test is the Jacobian of the plain
 * fixed-point map at the base: an eigenvalue with real part >= 1 is such a
 * self-reinforcing mode (complex or negative eigenvalues of modulus near 1
 * are overshooting of the iteration, not of the economy). Arnoldi's method on
 * Jacobian-vector products (forward differences) estimates the rightmost
 * eigenvalues with STAB_M + 1 map evaluations and no n x n matrix.
 */
tw_status tw_solver_base_stability(tw_solver *s, double *growth, tw_error *err)
{
    if (!s || !growth)
        return tw_fail(err, TW_ERR_INVALID, "tw_solver_base_stability: missing argument");
    size_t n = s->nu, m = STAB_M;
    if (!s->kry) {
        s->kry = tw_calloc((m + 3) * n, sizeof(double));
        s->hess = tw_calloc((m + 1) * m, sizeof(double));
        s->none = tw_policy_create(s->m, NULL);
        if (!s->kry || !s->hess || !s->none)
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    tw_status st = set_policy(s, s->none, err);
    if (st != TW_OK)
        return st;
    double *V = s->kry, *u0 = s->kry + (m + 1) * n, *g = u0 + n, *H = s->hess;
    initial_point(s, u0);
    memset(H, 0, (m + 1) * m * sizeof(double));
    /* start vector: a fixed pattern that meets every block */
    double norm = 0;
    for (size_t k = 0; k < n; k++) {
        V[k] = 1.0 + 0.5 * sin(1.0 + 2.3 * (double)k);
        norm += V[k] * V[k];
    }
    for (size_t k = 0; k < n; k++)
        V[k] /= sqrt(norm);
    const double h = 1e-7;
    size_t done = m;
    for (size_t j = 0; j < m; j++) {
        double *v = V + j * n, *w = V + (j + 1) * n;
        for (size_t k = 0; k < n; k++)
            w[k] = u0[k] + h * v[k];
        if (fixed_point(s, w, g, 0) != 0)
            return tw_fail(err, TW_ERR_INTERNAL, "the equilibrium map is not finite at the base");
        /* J v = (G(u0 + h v) - G(u0)) / h, and G(u0) = u0 at the base */
        for (size_t k = 0; k < n; k++)
            w[k] = (g[k] - u0[k]) / h;
        for (size_t i = 0; i <= j; i++) { /* modified Gram-Schmidt */
            double d = dot8(w, V + i * n, n);
            H[i * m + j] = d;
            for (size_t k = 0; k < n; k++)
                w[k] -= d * V[i * n + k];
        }
        double wn = sqrt(dot8(w, w, n));
        H[(j + 1) * m + j] = wn;
        if (wn < 1e-12) { /* an invariant subspace: its eigenvalues are exact */
            done = j + 1;
            break;
        }
        for (size_t k = 0; k < n; k++)
            w[k] /= wn;
    }
    /* the Ritz values: eigenvalues of the leading done x done block of H */
    double wr[STAB_M], wi[STAB_M];
    lapack_int info = LAPACKE_dhseqr(LAPACK_ROW_MAJOR, 'E', 'N', (lapack_int)done, 1,
                                     (lapack_int)done, H, (lapack_int)m, wr, wi, NULL,
                                     (lapack_int)done);
    if (info != 0)
        return tw_fail(err, TW_ERR_INTERNAL, "stability estimate: LAPACK dhseqr failed (%d)",
                       (int)info);
    double best = -INFINITY;
    for (size_t k = 0; k < done; k++)
        best = fmax(best, wr[k]);
    *growth = best;
    return TW_OK;
}
