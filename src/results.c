/*
 * results.c - outcomes of a counterfactual equilibrium: welfare and its
 * Caliendo-Parro decomposition, wages, prices, revenue, trade, sector output
 * and employment; an independent check of every equilibrium condition; and
 * turning an equilibrium into a new base economy.
 */
#include "solver_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const country_keys[] = {
#define TW_X_KEY(name, key, desc) key,
    TW_COUNTRY_OUTPUT_LIST(TW_X_KEY)
#undef TW_X_KEY
};
static const char *const country_desc[] = {
#define TW_X_DESC(name, key, desc) desc,
    TW_COUNTRY_OUTPUT_LIST(TW_X_DESC)
#undef TW_X_DESC
};
static const char *const sector_keys[] = {
#define TW_X_KEY(name, key, desc) key,
    TW_SECTOR_OUTPUT_LIST(TW_X_KEY)
#undef TW_X_KEY
};
static const char *const sector_desc[] = {
#define TW_X_DESC(name, key, desc) desc,
    TW_SECTOR_OUTPUT_LIST(TW_X_DESC)
#undef TW_X_DESC
};
static const char *const check_names[TW_CHECK_COUNT] = {"goods",  "labour",  "prices",
                                                        "shares", "balance", "walras"};

const char *tw_country_output_key(tw_country_output w)
{
    return ((int)w >= 0 && w < TW_C_COUNT) ? country_keys[w] : NULL;
}
const char *tw_country_output_description(tw_country_output w)
{
    return ((int)w >= 0 && w < TW_C_COUNT) ? country_desc[w] : NULL;
}
const char *tw_sector_output_key(tw_sector_output w)
{
    return ((int)w >= 0 && w < TW_CS_COUNT) ? sector_keys[w] : NULL;
}
const char *tw_sector_output_description(tw_sector_output w)
{
    return ((int)w >= 0 && w < TW_CS_COUNT) ? sector_desc[w] : NULL;
}
const char *tw_check_name(tw_check c)
{
    return ((int)c >= 0 && c < TW_CHECK_COUNT) ? check_names[c] : NULL;
}

/* ---- storage ----------------------------------------------------------- */

tw_result *tw_result_create(const tw_model *m, tw_error *err)
{
    if (!m) {
        tw_fail(err, TW_ERR_INVALID, "tw_result_create: no model");
        return NULL;
    }
    tw_result *r = calloc(1, sizeof *r);
    if (!r) {
        tw_fail(err, TW_ERR_NOMEM, "tw_result_create: out of memory");
        return NULL;
    }
    r->N = m->N;
    r->J = m->J;
    for (size_t j = 0; j < m->J; j++)
        if (m->arr[TW_PSI][j] > 0)
            r->has_scale = 1;
    size_t N = r->N, NJ = r->N * r->J;
    r->nu = N + (size_t)(r->has_scale ? 3 : 2) * NJ;
    int ok = (r->u = tw_calloc(r->nu, sizeof(double))) &&
             (r->w_hat = tw_calloc(N, sizeof(double))) &&
             (r->p_hat = tw_calloc(NJ, sizeof(double))) &&
             (r->L_hat = tw_calloc(NJ, sizeof(double))) &&
             (r->c_hat = tw_calloc(NJ, sizeof(double))) && (r->E = tw_calloc(NJ, sizeof(double))) &&
             (r->flows = tw_calloc(NJ * N, sizeof(double)));
    for (int k = 0; k < TW_C_COUNT && ok; k++)
        ok = (r->country[k] = tw_calloc(N, sizeof(double))) != NULL;
    for (int k = 0; k < TW_CS_COUNT && ok; k++)
        ok = (r->sector[k] = tw_calloc(NJ, sizeof(double))) != NULL;
    if (!ok) {
        tw_result_free(r);
        tw_fail(err, TW_ERR_NOMEM, "tw_result_create: out of memory");
        return NULL;
    }
    return r;
}

void tw_result_free(tw_result *r)
{
    if (!r)
        return;
    free(r->u);
    free(r->w_hat);
    free(r->p_hat);
    free(r->L_hat);
    free(r->c_hat);
    free(r->E);
    free(r->flows);
    for (int k = 0; k < TW_C_COUNT; k++)
        free(r->country[k]);
    for (int k = 0; k < TW_CS_COUNT; k++)
        free(r->sector[k]);
    free(r);
}

tw_solver_stats tw_result_stats(const tw_result *r)
{
    tw_solver_stats z;
    memset(&z, 0, sizeof z);
    return r ? r->stats : z;
}
const double *tw_result_country(const tw_result *r, tw_country_output w)
{
    return (r && (int)w >= 0 && w < TW_C_COUNT) ? r->country[w] : NULL;
}
const double *tw_result_sector(const tw_result *r, tw_sector_output w)
{
    return (r && (int)w >= 0 && w < TW_CS_COUNT) ? r->sector[w] : NULL;
}
const double *tw_result_flows(const tw_result *r) { return r ? r->flows : NULL; }
const double *tw_result_wage_hat(const tw_result *r) { return r ? r->w_hat : NULL; }
const double *tw_result_price_hat(const tw_result *r) { return r ? r->p_hat : NULL; }
const double *tw_result_employment_hat(const tw_result *r) { return r ? r->L_hat : NULL; }

/* ---- outcomes ---------------------------------------------------------- */

static void trade_totals(size_t N, size_t J, const double *X, double *exports, double *imports,
                         double *sector_exports)
{
    memset(exports, 0, N * sizeof(double));
    memset(imports, 0, N * sizeof(double));
    memset(sector_exports, 0, N * J * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++) {
            if (i == n)
                continue;
            for (size_t j = 0; j < J; j++) {
                double v = X[tw_idx3(N, J, i, n, j)];
                exports[i] += v;
                imports[n] += v;
                sector_exports[tw_idx2(J, i, j)] += v;
            }
        }
}

/* Caliendo & Parro (2015), their eq. (29)-style linear decomposition as in
 * their code: terms of trade weigh base flows (before tariffs) by the change
 * in exporters' input costs; volume of trade weighs base tariff revenue by
 * the change in flows net of the cost change. Both as % of base income. */
static void cp_decomposition(const tw_model *m, const tw_result *r, const double *income0)
{
    size_t N = m->N, J = m->J;
    const double *X = m->arr[TW_FLOWS], *t = m->arr[TW_TARIFFS];
    double *tot = r->country[TW_C_TOT_PCT], *vot = r->country[TW_C_VOT_PCT];
    memset(tot, 0, N * sizeof(double));
    memset(vot, 0, N * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                double dc = r->c_hat[tw_idx2(J, i, j)] - 1;
                tot[i] += X[x] * dc; /* i's exports (and home sales) gain */
                tot[n] -= X[x] * dc; /* n's imports (and home purchases) cost */
                if (X[x] > 0 && t[x] != 0)
                    vot[n] += t[x] * X[x] * (r->flows[x] / X[x] - r->c_hat[tw_idx2(J, i, j)]);
            }
    for (size_t n = 0; n < N; n++) {
        tot[n] *= 100 / income0[n];
        vot[n] *= 100 / income0[n];
        r->country[TW_C_CP_WELFARE_PCT][n] = tot[n] + vot[n];
    }
}

/* Nominal GDP (income + exports - imports, before tariffs) and real GDP at
 * base prices from the expenditure side (GTAP's qgdp): base final spending
 * times the real-income hat, plus each export flow's and minus each import
 * flow's base value times its quantity hat. A flow's border price hat is the
 * importer's sector price index hat times (1 + t0) / (1 + t'): in the
 * Eaton-Kortum model the goods an importer buys from every source have the
 * same price distribution, so the delivered price of each source's goods
 * moves with the importer's price index. Each flow enters one exporter's
 * GDP and one importer's with the same volume, so world real GDP at base
 * prices equals world real final spending (tests/test_results_gdp.c). */
static void real_gdp(const tw_model *m, const tw_policy *p, tw_result *r)
{
    size_t N = m->N, J = m->J;
    const double *X0 = m->arr[TW_FLOWS], *t0 = m->arr[TW_TARIFFS];
    double *g0 = r->country[TW_C_GDP_BASE], *g1 = r->country[TW_C_GDP];
    double *q = r->country[TW_C_REAL_GDP_PCT]; /* volumes first, percent at the end */
    for (size_t n = 0; n < N; n++) {
        g0[n] = r->country[TW_C_INCOME_BASE][n] + r->country[TW_C_TRADE_BALANCE_BASE][n];
        g1[n] = r->country[TW_C_INCOME][n] + r->country[TW_C_TRADE_BALANCE][n];
        q[n] = r->country[TW_C_INCOME_BASE][n] * (1 + r->country[TW_C_WELFARE_PCT][n] / 100);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++) {
            if (i == n)
                continue;
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                if (!(X0[x] > 0) || !(r->flows[x] > 0))
                    continue;
                double t1 = p ? p->tariff[x] : t0[x];
                double price = r->p_hat[tw_idx2(J, n, j)] * (1 + t0[x]) / (1 + t1);
                double vol = r->flows[x] / price;
                q[i] += vol;
                q[n] -= vol;
            }
        }
    for (size_t n = 0; n < N; n++)
        q[n] = g0[n] != 0 ? 100 * (q[n] / g0[n] - 1) : NAN;
}

void tw__fill_result(const tw_solver *s, const tw_policy *p, const double *u, tw_result *r)
{
    const tw_model *m = s->m;
    size_t N = s->N, J = s->J;
    const double *alpha = s->alpha, *beta = m->arr[TW_VA_SHARES];
    const double *pi = m->arr[TW_MARKUP];
    memcpy(r->u, u, s->nu * sizeof(double));
    for (size_t i = 0; i < N; i++)
        r->w_hat[i] = s->w[i];
    for (size_t nj = 0; nj < N * J; nj++) {
        r->p_hat[nj] = exp(u[N + nj]);
        r->c_hat[nj] = exp(s->lc[nj]);
        r->E[nj] = u[N + N * J + nj] * s->S0[nj / J];
    }
    /* flows before tariffs: lambda' E' / (1 + t') */
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                r->flows[x] = s->a[x] * s->z[tw_idx2(J, i, j)] * s->ES[tw_idx2(J, n, j)] *
                              (1 - s->f_tar[x]);
            }
    double *c0 = r->country[TW_C_INCOME_BASE];
    tw_model_derive(m, TW_DERIVED_INCOME, c0, N);
    tw_model_derive(m, TW_DERIVED_TARIFF_REVENUE, r->country[TW_C_TARIFF_REVENUE_BASE], N);
    for (size_t n = 0; n < N; n++) {
        double lpi = 0;
        for (size_t j = 0; j < J; j++)
            lpi += alpha[tw_idx2(J, n, j)] * u[N + tw_idx2(J, n, j)];
        double pidx = exp(lpi), what = (s->income[n] / c0[n]) / pidx;
        r->country[TW_C_INCOME][n] = s->income[n];
        r->country[TW_C_WELFARE_PCT][n] = 100 * (what - 1);
        r->country[TW_C_EV][n] = (what - 1) * c0[n];
        r->country[TW_C_WAGE_PCT][n] = 100 * (s->w[n] - 1);
        r->country[TW_C_REAL_WAGE_PCT][n] = 100 * (s->w[n] / pidx - 1);
        r->country[TW_C_PRICE_INDEX_PCT][n] = 100 * (pidx - 1);
        r->country[TW_C_TARIFF_REVENUE][n] = s->R[n];
        r->country[TW_C_EXPORT_TAX_REVENUE][n] = s->XT[n];
        r->country[TW_C_SUBSIDY_COST][n] = s->SUB[n];
    }
    trade_totals(N, J, m->arr[TW_FLOWS], r->country[TW_C_EXPORTS_BASE],
                 r->country[TW_C_IMPORTS_BASE], r->sector[TW_CS_EXPORTS_BASE]);
    trade_totals(N, J, r->flows, r->country[TW_C_EXPORTS], r->country[TW_C_IMPORTS],
                 r->sector[TW_CS_EXPORTS]);
    for (size_t n = 0; n < N; n++) {
        r->country[TW_C_TRADE_BALANCE_BASE][n] = r->country[TW_C_EXPORTS_BASE][n] -
                                                 r->country[TW_C_IMPORTS_BASE][n];
        r->country[TW_C_TRADE_BALANCE][n] = r->country[TW_C_EXPORTS][n] -
                                            r->country[TW_C_IMPORTS][n];
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            size_t ij = tw_idx2(J, i, j);
            double y0 = s->Y0[ij], y1 = s->Y[ij];
            double share = s->LD[i] > 0 ? beta[ij] * (1 - pi[j]) * y1 / s->LD[i] : 0;
            r->sector[TW_CS_OUTPUT_BASE][ij] = y0;
            r->sector[TW_CS_OUTPUT][ij] = y1;
            r->sector[TW_CS_OUTPUT_PCT][ij] = y0 > 0 ? 100 * (y1 / y0 - 1) : 0;
            r->sector[TW_CS_EMPLOYMENT_SHARE_BASE][ij] = s->ell0[ij];
            r->sector[TW_CS_EMPLOYMENT_SHARE][ij] = share;
            r->sector[TW_CS_PRICE_PCT][ij] = 100 * (r->p_hat[ij] - 1);
            r->sector[TW_CS_COST_PCT][ij] = 100 * (r->c_hat[ij] - 1);
            r->L_hat[ij] = s->ell0[ij] > 0 ? share / s->ell0[ij] : 1;
        }
    cp_decomposition(m, r, c0);
    real_gdp(m, p, r);
}

/* ---- independent check of the equilibrium conditions -------------------- */

static double rel(double a, double b, double scale)
{
    double d = fabs(a - b);
    return d / (scale > 0 ? scale : 1);
}

tw_status tw_result_check(const tw_result *r, const tw_model *m, const tw_policy *p,
                          double out[TW_CHECK_COUNT])
{
    if (!r || !m || !p || !out || r->N != m->N || r->J != m->J || p->N != m->N)
        return TW_ERR_INVALID;
    size_t N = m->N, J = m->J, NNJ = N * N * J;
    const double *X0 = m->arr[TW_FLOWS], *t0 = m->arr[TW_TARIFFS], *e0 = m->arr[TW_EXPORT_TAXES];
    const double *s0 = m->arr[TW_SUBSIDIES], *theta = m->arr[TW_THETA], *psi = m->arr[TW_PSI];
    const double *beta = m->arr[TW_VA_SHARES], *gam = m->arr[TW_IO_SHARES];
    const double *alpha = m->arr[TW_FINAL_SHARES], *pi = m->arr[TW_MARKUP];
    double *E0 = tw_calloc(N * J, sizeof(double)), *Y = tw_calloc(N * J, sizeof(double));
    double *lam = tw_calloc(NNJ, sizeof(double)), *inc = tw_calloc(N, sizeof(double));
    double *wl0 = tw_calloc(N, sizeof(double)), *gsum = tw_calloc(N * J, sizeof(double));
    double *asum = tw_calloc(N, sizeof(double));
    if (!E0 || !Y || !lam || !inc || !wl0 || !gsum || !asum) {
        free(E0), free(Y), free(lam), free(inc), free(wl0), free(gsum), free(asum);
        return TW_ERR_NOMEM;
    }
    /* the solver uses shares rescaled to sum exactly to one; so does the check */
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            asum[n] += alpha[tw_idx2(J, n, j)];
            for (size_t k = 0; k < J; k++)
                gsum[tw_idx2(J, n, j)] += gam[tw_idx3io(J, n, k, j)];
        }
    for (size_t x = 0; x < N * J; x++)
        gsum[x] = gsum[x] > 0 ? gsum[x] : 1;
    for (size_t n = 0; n < N; n++)
        asum[n] = asum[n] > 0 ? asum[n] : 1;
    for (int c = 0; c < TW_CHECK_COUNT; c++)
        out[c] = 0;
    tw_model_derive(m, TW_DERIVED_SPENDING, E0, N * J);
    /* unit costs from wages and prices, written out afresh */
    double world_spend = 0;
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            double sum = 0;
            size_t nj = tw_idx2(J, n, j);
            world_spend += r->E[nj];
            if (E0[nj] <= 0)
                continue;
            for (size_t i = 0; i < N; i++) {
                size_t x = tw_idx3(N, J, i, n, j), ij = tw_idx2(J, i, j);
                double lc = beta[ij] * log(r->w_hat[i]);
                for (size_t k = 0; k < J; k++)
                    lc += (1 - beta[ij]) * gam[tw_idx3io(J, i, k, j)] / gsum[ij] *
                          log(r->p_hat[tw_idx2(J, i, k)]);
                double kap = p->trade_cost_change[x] * (1 + p->tariff[x]) / (1 + t0[x]) *
                             (1 + p->export_tax[x]) / (1 + e0[x]) * (1 + s0[ij]) /
                             (1 + p->subsidy[ij]);
                double eff = exp(lc) * kap * pow(r->L_hat[ij], -psi[j]);
                double lam0 = X0[x] * (1 + t0[x]) / E0[nj];
                lam[x] = isinf(kap) ? 0 : lam0 * pow(eff, -theta[j]);
                sum += lam[x];
            }
            out[TW_CHECK_PRICES] = fmax(out[TW_CHECK_PRICES],
                                        fabs(log(r->p_hat[nj]) + log(sum) / theta[j]));
            double share_sum = 0;
            for (size_t i = 0; i < N; i++) {
                size_t x = tw_idx3(N, J, i, n, j);
                lam[x] /= sum;
                share_sum += r->E[nj] > 0 ? r->flows[x] * (1 + p->tariff[x]) / r->E[nj] : lam[x];
            }
            out[TW_CHECK_SHARES] = fmax(out[TW_CHECK_SHARES], fabs(share_sum - 1));
        }
    /* production, incomes, goods and labour markets */
    double world_y = 0, world_tax = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j), ij = tw_idx2(J, i, j);
                double v = lam[x] * r->E[tw_idx2(J, n, j)] / (1 + p->tariff[x]); /* before tariff */
                double ep = p->export_tax[x], sp = p->subsidy[ij];
                Y[ij] += v * (1 + sp) / (1 + ep);
                inc[n] += v * p->tariff[x];
                inc[i] += v * ep / (1 + ep) - v * sp / (1 + ep);
                world_tax += v * p->tariff[x] + v * ep / (1 + ep) - v * sp / (1 + ep);
            }
    tw_model_derive(m, TW_DERIVED_VALUE_ADDED, wl0, N); /* overwritten below with labour income */
    double deficit_sum = 0, scale_inc = 0;
    for (size_t i = 0; i < N; i++) {
        double lab0 = 0, lab1 = 0, prof = 0, y0 = 0;
        for (size_t j = 0; j < J; j++) {
            size_t ij = tw_idx2(J, i, j);
            double out0 = 0;
            for (size_t n = 0; n < N; n++)
                out0 += X0[tw_idx3(N, J, i, n, j)] * (1 + s0[ij]) /
                        (1 + e0[tw_idx3(N, J, i, n, j)]);
            lab0 += beta[ij] * (1 - pi[j]) * out0;
            lab1 += beta[ij] * (1 - pi[j]) * Y[ij];
            prof += pi[j] * Y[ij];
            y0 += Y[ij];
        }
        world_y += y0;
        out[TW_CHECK_LABOUR] = fmax(out[TW_CHECK_LABOUR], rel(r->w_hat[i] * lab0, lab1, lab0));
        inc[i] += r->w_hat[i] * lab0 + prof + p->deficit[i];
        deficit_sum += p->deficit[i];
        scale_inc += fabs(inc[i]);
    }
    for (size_t n = 0; n < N; n++) {
        double imp = 0, exp_ = 0, spend = 0;
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            double demand = alpha[nj] / asum[n] * inc[n];
            for (size_t k = 0; k < J; k++) {
                size_t nk = tw_idx2(J, n, k);
                demand += (1 - beta[nk]) * (1 - pi[k]) * gam[tw_idx3io(J, n, j, k)] / gsum[nk] *
                          Y[nk];
            }
            spend += r->E[nj];
            out[TW_CHECK_GOODS] = fmax(out[TW_CHECK_GOODS],
                                       rel(r->E[nj], demand, E0[nj] > 0 ? E0[nj] : 1));
            for (size_t i = 0; i < N; i++) {
                if (i == n)
                    continue;
                imp += r->flows[tw_idx3(N, J, i, n, j)];
                exp_ += r->flows[tw_idx3(N, J, n, i, j)];
            }
        }
        out[TW_CHECK_BALANCE] = fmax(out[TW_CHECK_BALANCE], rel(imp - exp_, p->deficit[n], spend));
    }
    /* Walras: world spending = world producer revenue + net taxes, deficits net out */
    out[TW_CHECK_WALRAS] = rel(world_spend, world_y + world_tax, world_spend) +
                           fabs(deficit_sum) / (scale_inc > 0 ? scale_inc : 1);
    free(E0), free(Y), free(lam), free(inc), free(wl0), free(gsum), free(asum);
    return TW_OK;
}

/* ---- an equilibrium as a new base -------------------------------------- */

tw_model *tw_result_to_model(const tw_result *res, const tw_model *m, const tw_policy *p,
                             tw_error *err)
{
    if (!res || !m || !p || res->N != m->N || res->J != m->J || p->N != m->N || p->J != m->J) {
        tw_fail(err, TW_ERR_INVALID,
                "tw_result_to_model: missing argument, or a result or "
                "policy for another model's dimensions");
        return NULL;
    }
    tw_model *c = tw_model_clone(m, err);
    if (!c)
        return NULL;
    size_t N = m->N, J = m->J, NNJ = N * N * J;
    memcpy(c->arr[TW_FLOWS], res->flows, NNJ * sizeof(double));
    memcpy(c->arr[TW_TARIFFS], p->tariff, NNJ * sizeof(double));
    memcpy(c->arr[TW_EXPORT_TAXES], p->export_tax, NNJ * sizeof(double));
    memcpy(c->arr[TW_SUBSIDIES], p->subsidy, N * J * sizeof(double));
    for (size_t x = 0; x < NNJ; x++)
        c->arr[TW_TRADE_COSTS][x] = m->arr[TW_TRADE_COSTS][x] * p->trade_cost_change[x];
    return c;
}
