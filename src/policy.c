/* policy.c - counterfactual instruments for one model. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tw_policy *tw_policy_create(const tw_model *m, tw_error *err)
{
    if (!m) {
        tw_fail(err, TW_ERR_INVALID, "tw_policy_create: no model");
        return NULL;
    }
    tw_policy *p = calloc(1, sizeof *p);
    if (!p) {
        tw_fail(err, TW_ERR_NOMEM, "tw_policy_create: out of memory");
        return NULL;
    }
    p->N = m->N;
    p->J = m->J;
    p->model = m;
    size_t nnj = m->N * m->N * m->J, nj = m->N * m->J;
    p->tariff = tw_calloc(nnj, sizeof(double));
    p->export_tax = tw_calloc(nnj, sizeof(double));
    p->trade_cost_change = tw_calloc(nnj, sizeof(double));
    p->subsidy = tw_calloc(nj, sizeof(double));
    p->deficit = tw_calloc(m->N, sizeof(double));
    if (!p->tariff || !p->export_tax || !p->trade_cost_change || !p->subsidy || !p->deficit) {
        tw_policy_free(p);
        tw_fail(err, TW_ERR_NOMEM, "tw_policy_create: out of memory");
        return NULL;
    }
    tw_policy_reset(p);
    return p;
}

void tw_policy_free(tw_policy *p)
{
    if (!p)
        return;
    free(p->tariff);
    free(p->export_tax);
    free(p->trade_cost_change);
    free(p->subsidy);
    free(p->deficit);
    free(p);
}

void tw__policy_copy(tw_policy *dst, const tw_policy *src)
{
    size_t nnj = src->N * src->N * src->J, nj = src->N * src->J;
    memcpy(dst->tariff, src->tariff, nnj * sizeof(double));
    memcpy(dst->export_tax, src->export_tax, nnj * sizeof(double));
    memcpy(dst->trade_cost_change, src->trade_cost_change, nnj * sizeof(double));
    memcpy(dst->subsidy, src->subsidy, nj * sizeof(double));
    memcpy(dst->deficit, src->deficit, src->N * sizeof(double));
}

tw_policy *tw_policy_clone(const tw_policy *p, tw_error *err)
{
    if (!p) {
        tw_fail(err, TW_ERR_INVALID, "tw_policy_clone: no policy");
        return NULL;
    }
    tw_policy *c = tw_policy_create(p->model, err);
    if (c)
        tw__policy_copy(c, p);
    return c;
}

void tw_policy_reset(tw_policy *p)
{
    if (!p)
        return;
    const tw_model *m = p->model;
    size_t nnj = p->N * p->N * p->J, nj = p->N * p->J;
    memcpy(p->tariff, m->arr[TW_TARIFFS], nnj * sizeof(double));
    memcpy(p->export_tax, m->arr[TW_EXPORT_TAXES], nnj * sizeof(double));
    memcpy(p->subsidy, m->arr[TW_SUBSIDIES], nj * sizeof(double));
    for (size_t x = 0; x < nnj; x++)
        p->trade_cost_change[x] = 1.0;
    tw_model_derive(m, TW_DERIVED_DEFICIT, p->deficit, p->N);
}

size_t tw_policy_countries(const tw_policy *p) { return p ? p->N : 0; }
size_t tw_policy_sectors(const tw_policy *p) { return p ? p->J : 0; }

static int in3(const tw_policy *p, size_t i, size_t n, size_t j)
{
    return p && i < p->N && n < p->N && j < p->J;
}

tw_status tw_policy_set_tariff(tw_policy *p, size_t exporter, size_t importer, size_t sector,
                               double rate)
{
    if (!in3(p, exporter, importer, sector) || !isfinite(rate) || rate <= -1)
        return TW_ERR_INVALID;
    if (exporter == importer && rate != 0)
        return TW_ERR_INVALID;
    p->tariff[tw_idx3(p->N, p->J, exporter, importer, sector)] = rate;
    return TW_OK;
}

double tw_policy_tariff(const tw_policy *p, size_t exporter, size_t importer, size_t sector)
{
    return in3(p, exporter, importer, sector)
               ? p->tariff[tw_idx3(p->N, p->J, exporter, importer, sector)]
               : NAN;
}

tw_status tw_policy_set_export_tax(tw_policy *p, size_t exporter, size_t importer, size_t sector,
                                   double rate)
{
    if (!in3(p, exporter, importer, sector) || !isfinite(rate) || rate <= -1)
        return TW_ERR_INVALID;
    if (exporter == importer && rate != 0)
        return TW_ERR_INVALID;
    p->export_tax[tw_idx3(p->N, p->J, exporter, importer, sector)] = rate;
    return TW_OK;
}

double tw_policy_export_tax(const tw_policy *p, size_t exporter, size_t importer, size_t sector)
{
    return in3(p, exporter, importer, sector)
               ? p->export_tax[tw_idx3(p->N, p->J, exporter, importer, sector)]
               : NAN;
}

tw_status tw_policy_set_subsidy(tw_policy *p, size_t country, size_t sector, double rate)
{
    if (!p || country >= p->N || sector >= p->J || !isfinite(rate) || rate <= -1)
        return TW_ERR_INVALID;
    p->subsidy[tw_idx2(p->J, country, sector)] = rate;
    return TW_OK;
}

double tw_policy_subsidy(const tw_policy *p, size_t country, size_t sector)
{
    if (!p || country >= p->N || sector >= p->J)
        return NAN;
    return p->subsidy[tw_idx2(p->J, country, sector)];
}

tw_status tw_policy_set_trade_cost_change(tw_policy *p, size_t exporter, size_t importer,
                                          size_t sector, double factor)
{
    if (!in3(p, exporter, importer, sector) || isnan(factor) || factor <= 0)
        return TW_ERR_INVALID;
    if (exporter == importer && factor != 1)
        return TW_ERR_INVALID;
    p->trade_cost_change[tw_idx3(p->N, p->J, exporter, importer, sector)] = factor;
    return TW_OK;
}

double tw_policy_trade_cost_change(const tw_policy *p, size_t exporter, size_t importer,
                                   size_t sector)
{
    return in3(p, exporter, importer, sector)
               ? p->trade_cost_change[tw_idx3(p->N, p->J, exporter, importer, sector)]
               : NAN;
}

tw_status tw_policy_set_deficit(tw_policy *p, size_t country, double deficit)
{
    if (!p || country >= p->N || !isfinite(deficit))
        return TW_ERR_INVALID;
    p->deficit[country] = deficit;
    return TW_OK;
}

double tw_policy_deficit(const tw_policy *p, size_t country)
{
    return (p && country < p->N) ? p->deficit[country] : NAN;
}

const double *tw_policy_get(const tw_policy *p, tw_array which)
{
    if (!p)
        return NULL;
    switch (which) {
    case TW_TARIFFS:
        return p->tariff;
    case TW_EXPORT_TAXES:
        return p->export_tax;
    case TW_SUBSIDIES:
        return p->subsidy;
    case TW_TRADE_COSTS:
        return p->trade_cost_change;
    default:
        return NULL;
    }
}

int tw_policy_is_base(const tw_policy *p)
{
    if (!p)
        return 0;
    const tw_model *m = p->model;
    size_t nnj = p->N * p->N * p->J, nj = p->N * p->J;
    for (size_t x = 0; x < nnj; x++)
        if (p->tariff[x] != m->arr[TW_TARIFFS][x] ||
            p->export_tax[x] != m->arr[TW_EXPORT_TAXES][x] || p->trade_cost_change[x] != 1.0)
            return 0;
    for (size_t x = 0; x < nj; x++)
        if (p->subsidy[x] != m->arr[TW_SUBSIDIES][x])
            return 0;
    double *d = tw_calloc(p->N, sizeof(double));
    if (!d)
        return 0;
    tw_model_derive(m, TW_DERIVED_DEFICIT, d, p->N);
    int same = 1;
    for (size_t n = 0; n < p->N; n++)
        if (fabs(d[n] - p->deficit[n]) > 1e-12 * (1 + fabs(d[n])))
            same = 0;
    free(d);
    return same;
}
