/* model.c - the base economy: storage, codes, validation, derived quantities. */
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const array_names[TW_ARRAY_COUNT] = {
    "flows",        "tariffs",   "export_taxes", "trade_costs", "subsidies", "va_shares",
    "final_shares", "io_shares", "theta",        "psi",         "markup",
};

const char *tw_array_name(tw_array which)
{
    if ((int)which < 0 || which >= TW_ARRAY_COUNT)
        return "unknown";
    return array_names[which];
}

static size_t array_length(size_t N, size_t J, tw_array which)
{
    switch (which) {
    case TW_FLOWS:
    case TW_TARIFFS:
    case TW_EXPORT_TAXES:
    case TW_TRADE_COSTS:
        return N * N * J;
    case TW_SUBSIDIES:
    case TW_VA_SHARES:
    case TW_FINAL_SHARES:
        return N * J;
    case TW_IO_SHARES:
        return N * J * J;
    case TW_THETA:
    case TW_PSI:
    case TW_MARKUP:
        return J;
    default:
        return 0;
    }
}

size_t tw_model_array_length(const tw_model *m, tw_array which)
{
    return m ? array_length(m->N, m->J, which) : 0;
}

tw_model *tw_model_create(size_t n_countries, size_t n_sectors, tw_error *err)
{
    size_t N = n_countries, J = n_sectors, lim = TW_LIMIT_CELLS;
    if (N < 1 || J < 1 || N > lim || J > lim || N * J > lim / N || N * J > lim / J) {
        tw_fail(err, TW_ERR_INVALID,
                "tw_model_create: %zu countries, %zu sectors: need at least one of each, and "
                "N*N*J and N*J*J at most TW_LIMIT_CELLS (%zu)",
                N, J, lim);
        return NULL;
    }
    tw_model *m = calloc(1, sizeof *m);
    if (!m) {
        tw_fail(err, TW_ERR_NOMEM, "tw_model_create: out of memory");
        return NULL;
    }
    m->N = n_countries;
    m->J = n_sectors;
    m->country_code = tw_calloc(m->N, sizeof *m->country_code);
    m->country_name = tw_calloc(m->N, sizeof *m->country_name);
    m->sector_code = tw_calloc(m->J, sizeof *m->sector_code);
    m->sector_name = tw_calloc(m->J, sizeof *m->sector_name);
    m->sector_industries = tw_calloc(m->J, sizeof *m->sector_industries);
    int ok = m->country_code && m->country_name && m->sector_code && m->sector_name &&
             m->sector_industries;
    for (int a = 0; a < TW_ARRAY_COUNT && ok; a++) {
        m->arr[a] = tw_calloc(array_length(m->N, m->J, (tw_array)a), sizeof(double));
        ok = m->arr[a] != NULL;
    }
    if (!ok) {
        tw_model_free(m);
        tw_fail(err, TW_ERR_NOMEM, "tw_model_create: out of memory");
        return NULL;
    }
    for (size_t x = 0; x < m->N * m->N * m->J; x++)
        m->arr[TW_TRADE_COSTS][x] = 1.0;
    for (size_t j = 0; j < m->J; j++)
        m->arr[TW_THETA][j] = 1.0;
    return m;
}

static void free_groups(tw_model *m)
{
    for (int g = 0; g < 2; g++) {
        for (size_t k = 0; k < m->ngroups[g]; k++)
            free(m->groups[g][k].members);
        free(m->groups[g]);
        m->groups[g] = NULL;
        m->ngroups[g] = 0;
    }
}

void tw_model_free(tw_model *m)
{
    if (!m)
        return;
    free_groups(m);
    for (int a = 0; a < TW_ARRAY_COUNT; a++)
        free(m->arr[a]);
    free(m->country_code);
    free(m->country_name);
    free(m->sector_code);
    free(m->sector_name);
    for (size_t j = 0; m->sector_industries && j < m->J; j++)
        free(m->sector_industries[j]);
    free(m->sector_industries);
    free(m);
}

static int valid_code(const char *code);

tw_model *tw_model_clone(const tw_model *m, tw_error *err)
{
    if (!m) {
        tw_fail(err, TW_ERR_INVALID, "tw_model_clone: no model");
        return NULL;
    }
    tw_model *c = tw_model_create(m->N, m->J, err);
    if (!c)
        return NULL;
    memcpy(c->country_code, m->country_code, m->N * sizeof *m->country_code);
    memcpy(c->country_name, m->country_name, m->N * sizeof *m->country_name);
    memcpy(c->sector_code, m->sector_code, m->J * sizeof *m->sector_code);
    memcpy(c->sector_name, m->sector_name, m->J * sizeof *m->sector_name);
    for (int a = 0; a < TW_ARRAY_COUNT; a++)
        memcpy(c->arr[a], m->arr[a], array_length(m->N, m->J, (tw_array)a) * sizeof(double));
    memcpy(c->currency_unit, m->currency_unit, sizeof c->currency_unit);
    for (int g = 0; g < 2; g++)
        for (size_t k = 0; k < m->ngroups[g]; k++)
            if (tw_model_add_group(c, g, m->groups[g][k].name, m->groups[g][k].members,
                                   m->groups[g][k].n, err) != TW_OK) {
                tw_model_free(c);
                return NULL;
            }
    for (size_t j = 0; j < m->J; j++)
        if (m->sector_industries[j] &&
            tw_model_set_sector_industries(c, j, m->sector_industries[j], err) != TW_OK) {
            tw_model_free(c);
            return NULL;
        }
    return c;
}

tw_status tw_model_add_group(tw_model *m, int sectors, const char *name, const size_t *members,
                             size_t n, tw_error *err)
{
    if (!m || !name || (!members && n > 0))
        return tw_fail(err, TW_ERR_INVALID, "tw_model_add_group: missing argument");
    int g = sectors ? 1 : 0;
    size_t count = g ? m->J : m->N;
    if (!valid_code(name))
        return tw_fail(err, TW_ERR_INVALID,
                       "group name '%.40s': letters, digits, '_' or '-', "
                       "at most %d characters",
                       name, TW_CODE_MAX - 1);
    if (strcmp(name, "all") == 0 ||
        (g ? tw_model_find_sector(m, name) : tw_model_find_country(m, name)) >= 0 ||
        tw_model_find_group(m, g, name) >= 0)
        return tw_fail(err, TW_ERR_INVALID, "group name '%s' is taken (all, a code or a group)",
                       name);
    unsigned char *mark = tw_calloc(count, 1);
    size_t *v = tw_calloc(n ? n : 1, sizeof(size_t));
    tw_model_group *grown = realloc(m->groups[g], (m->ngroups[g] + 1) * sizeof *grown);
    if (grown)
        m->groups[g] = grown;
    if (!mark || !v || !grown) {
        free(mark);
        free(v);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++) {
        if (members[k] >= count) {
            free(mark);
            free(v);
            return tw_fail(err, TW_ERR_INVALID, "group '%s': member %zu out of range", name,
                           members[k]);
        }
        mark[members[k]] = 1;
    }
    size_t used = 0;
    for (size_t x = 0; x < count; x++)
        if (mark[x])
            v[used++] = x;
    free(mark);
    tw_model_group *grp = &m->groups[g][m->ngroups[g]++];
    snprintf(grp->name, sizeof grp->name, "%s", name);
    grp->members = v;
    grp->n = used;
    return TW_OK;
}

int tw__code_range(const tw_model *m, int sectors, const char *text, size_t *lo, size_t *hi)
{
    const char *dots = strstr(text, "..");
    if (!dots)
        return 0;
    char first[TW_CODE_MAX];
    size_t len = (size_t)(dots - text);
    if (len == 0 || len >= sizeof first)
        return -1;
    memcpy(first, text, len);
    first[len] = '\0';
    long a = sectors ? tw_model_find_sector(m, first) : tw_model_find_country(m, first);
    long b = sectors ? tw_model_find_sector(m, dots + 2) : tw_model_find_country(m, dots + 2);
    if (a < 0 || b < 0 || a > b)
        return -1;
    *lo = (size_t)a;
    *hi = (size_t)b;
    return 1;
}

tw_status tw__add_goods_services(tw_model *m, size_t n_goods, tw_error *err)
{
    size_t J = m->J, *idx = tw_calloc(J, sizeof(size_t));
    if (!idx)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < J; j++)
        idx[j] = j;
    if (n_goods > J)
        n_goods = J;
    tw_status st = tw_model_add_group(m, 1, "goods", idx, n_goods, err);
    if (st == TW_OK && n_goods < J)
        st = tw_model_add_group(m, 1, "services", idx + n_goods, J - n_goods, err);
    free(idx);
    return st;
}

size_t tw_model_group_count(const tw_model *m, int sectors)
{
    return m ? m->ngroups[sectors ? 1 : 0] : 0;
}

const char *tw_model_group_name(const tw_model *m, int sectors, size_t k)
{
    return m && k < m->ngroups[sectors ? 1 : 0] ? m->groups[sectors ? 1 : 0][k].name : NULL;
}

size_t tw_model_group_members(const tw_model *m, int sectors, size_t k, const size_t **members)
{
    int g = sectors ? 1 : 0;
    if (!m || k >= m->ngroups[g]) {
        if (members)
            *members = NULL;
        return 0;
    }
    if (members)
        *members = m->groups[g][k].members;
    return m->groups[g][k].n;
}

long tw_model_find_group(const tw_model *m, int sectors, const char *name)
{
    int g = sectors ? 1 : 0;
    for (size_t k = 0; m && name && k < m->ngroups[g]; k++)
        if (strcmp(m->groups[g][k].name, name) == 0)
            return (long)k;
    return -1;
}

const char *tw_model_currency_unit(const tw_model *m)
{
    return m && m->currency_unit[0] ? m->currency_unit : "currency units";
}

tw_status tw_model_set_currency_unit(tw_model *m, const char *unit)
{
    if (!m || !unit || !*unit || strlen(unit) >= sizeof m->currency_unit)
        return TW_ERR_INVALID;
    strcpy(m->currency_unit, unit);
    return TW_OK;
}

size_t tw_model_countries(const tw_model *m) { return m ? m->N : 0; }
size_t tw_model_sectors(const tw_model *m) { return m ? m->J : 0; }

static int valid_code(const char *code)
{
    size_t len = code ? strlen(code) : 0;
    if (len == 0 || len >= TW_CODE_MAX)
        return 0;
    for (size_t k = 0; k < len; k++) {
        unsigned char ch = (unsigned char)code[k];
        if (!isalnum(ch) && ch != '_' && ch != '-')
            return 0;
    }
    return 1;
}

static tw_status set_label(char (*codes)[TW_CODE_MAX], char (*names)[TW_NAME_MAX], size_t count,
                           size_t idx, const char *code, const char *name, const char *what,
                           tw_error *err)
{
    if (idx >= count)
        return tw_fail(err, TW_ERR_INVALID, "%s index %zu out of range (%zu)", what, idx, count);
    if (!valid_code(code))
        return tw_fail(err, TW_ERR_DATA,
                       "%s code '%s' is not valid (1-%d letters, digits, '_' or '-')", what,
                       code ? code : "(null)", TW_CODE_MAX - 1);
    for (size_t k = 0; k < count; k++)
        if (k != idx && strcmp(codes[k], code) == 0)
            return tw_fail(err, TW_ERR_DATA, "duplicate %s code '%s'", what, code);
    snprintf(codes[idx], TW_CODE_MAX, "%s", code);
    snprintf(names[idx], TW_NAME_MAX, "%s", (name && *name) ? name : code);
    return TW_OK;
}

tw_status tw_model_set_country(tw_model *m, size_t i, const char *code, const char *name,
                               tw_error *err)
{
    if (!m)
        return tw_fail(err, TW_ERR_INVALID, "no model");
    return set_label(m->country_code, m->country_name, m->N, i, code, name, "country", err);
}

tw_status tw_model_set_sector(tw_model *m, size_t j, const char *code, const char *name,
                              tw_error *err)
{
    if (!m)
        return tw_fail(err, TW_ERR_INVALID, "no model");
    return set_label(m->sector_code, m->sector_name, m->J, j, code, name, "sector", err);
}

tw_status tw_model_set_sector_industries(tw_model *m, size_t j, const char *industries,
                                         tw_error *err)
{
    if (!m || j >= m->J)
        return tw_fail(err, TW_ERR_INVALID, "tw_model_set_sector_industries: bad arguments");
    char *copy = NULL;
    if (industries && *industries) {
        size_t len = strlen(industries);
        for (size_t k = 0; k < len; k++) {
            unsigned char ch = (unsigned char)industries[k];
            if (!isalnum(ch) && ch != '_' && ch != '-' && ch != ' ')
                return tw_fail(err, TW_ERR_DATA,
                               "sector %s: industries '%.64s': character '%c' "
                               "is not a letter, digit, '_', '-' or space",
                               m->sector_code[j], industries, ch);
        }
        if (!(copy = malloc(len + 1)))
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
        memcpy(copy, industries, len + 1);
    }
    free(m->sector_industries[j]);
    m->sector_industries[j] = copy;
    return TW_OK;
}

const char *tw_model_sector_industries(const tw_model *m, size_t j)
{
    return (m && j < m->J) ? m->sector_industries[j] : NULL;
}

const char *tw_model_country_code(const tw_model *m, size_t i)
{
    return (m && i < m->N) ? m->country_code[i] : NULL;
}
const char *tw_model_country_name(const tw_model *m, size_t i)
{
    return (m && i < m->N) ? m->country_name[i] : NULL;
}
const char *tw_model_sector_code(const tw_model *m, size_t j)
{
    return (m && j < m->J) ? m->sector_code[j] : NULL;
}
const char *tw_model_sector_name(const tw_model *m, size_t j)
{
    return (m && j < m->J) ? m->sector_name[j] : NULL;
}

/* Minimal: every bundled data set is in millions of US dollars (issue 10
 * reads the unit from the data set's manifest). */
long tw_model_find_country(const tw_model *m, const char *code)
{
    if (!m || !code)
        return -1;
    for (size_t i = 0; i < m->N; i++)
        if (strcmp(m->country_code[i], code) == 0)
            return (long)i;
    return -1;
}

long tw_model_find_sector(const tw_model *m, const char *code)
{
    if (!m || !code)
        return -1;
    for (size_t j = 0; j < m->J; j++)
        if (strcmp(m->sector_code[j], code) == 0)
            return (long)j;
    return -1;
}

tw_status tw_model_set(tw_model *m, tw_array which, const double *values, size_t len, tw_error *err)
{
    if (!m || !values || (int)which < 0 || which >= TW_ARRAY_COUNT)
        return tw_fail(err, TW_ERR_INVALID, "tw_model_set: bad arguments");
    size_t want = array_length(m->N, m->J, which);
    if (len != want)
        return tw_fail(err, TW_ERR_INVALID, "%s: %zu values given, %zu expected",
                       tw_array_name(which), len, want);
    memcpy(m->arr[which], values, len * sizeof(double));
    return TW_OK;
}

const double *tw_model_get(const tw_model *m, tw_array which)
{
    if (!m || (int)which < 0 || which >= TW_ARRAY_COUNT)
        return NULL;
    return m->arr[which];
}

/* ---- validation -------------------------------------------------------- */

static tw_status check_range(const tw_model *m, tw_array a, double lo, int lo_open, double hi,
                             int hi_open, tw_error *err)
{
    const double *v = m->arr[a];
    size_t N = m->N, J = m->J, len = array_length(N, J, a);
    for (size_t x = 0; x < len; x++) {
        double y = v[x];
        int bad = !isfinite(y) || (lo_open ? y <= lo : y < lo) || (hi_open ? y >= hi : y > hi);
        if (a == TW_TRADE_COSTS && y == INFINITY)
            bad = 0;
        if (!bad)
            continue;
        char where[160];
        if (len == N * N * J)
            snprintf(where, sizeof where, "%s -> %s, sector %s", m->country_code[x / (N * J)],
                     m->country_code[(x / J) % N], m->sector_code[x % J]);
        else if (len == N * J * J)
            snprintf(where, sizeof where, "%s, input %s, using sector %s",
                     m->country_code[x / (J * J)], m->sector_code[(x / J) % J],
                     m->sector_code[x % J]);
        else if (len == N * J)
            snprintf(where, sizeof where, "%s, sector %s", m->country_code[x / J],
                     m->sector_code[x % J]);
        else
            snprintf(where, sizeof where, "sector %s", m->sector_code[x]);
        return tw_fail(err, TW_ERR_DATA, "%s: %s: value %.17g is %s", tw_array_name(a), where, y,
                       isfinite(y) ? "out of range" : "not finite");
    }
    return TW_OK;
}

tw_status tw_model_validate(const tw_model *m, tw_error *err)
{
    if (!m)
        return tw_fail(err, TW_ERR_INVALID, "no model");
    size_t N = m->N, J = m->J;
    for (size_t i = 0; i < N; i++)
        if (!m->country_code[i][0])
            return tw_fail(err, TW_ERR_DATA, "country %zu has no code", i + 1);
    for (size_t j = 0; j < J; j++)
        if (!m->sector_code[j][0])
            return tw_fail(err, TW_ERR_DATA, "sector %zu has no code", j + 1);
    tw_status st;
    if ((st = check_range(m, TW_FLOWS, 0, 0, INFINITY, 1, err)) ||
        (st = check_range(m, TW_TARIFFS, -1, 1, INFINITY, 1, err)) ||
        (st = check_range(m, TW_EXPORT_TAXES, -1, 1, INFINITY, 1, err)) ||
        (st = check_range(m, TW_TRADE_COSTS, 0, 1, INFINITY, 0, err)) ||
        (st = check_range(m, TW_SUBSIDIES, -1, 1, INFINITY, 1, err)) ||
        (st = check_range(m, TW_VA_SHARES, 0, 0, 1, 0, err)) ||
        (st = check_range(m, TW_FINAL_SHARES, 0, 0, 1, 0, err)) ||
        (st = check_range(m, TW_IO_SHARES, 0, 0, 1, 0, err)) ||
        (st = check_range(m, TW_THETA, 0, 1, INFINITY, 1, err)) ||
        (st = check_range(m, TW_PSI, 0, 0, INFINITY, 1, err)) ||
        (st = check_range(m, TW_MARKUP, 0, 0, 1, 1, err)))
        return st;
    const double *X = m->arr[TW_FLOWS], *alpha = m->arr[TW_FINAL_SHARES];
    const double *beta = m->arr[TW_VA_SHARES], *gam = m->arr[TW_IO_SHARES];
    for (size_t n = 0; n < N; n++) {
        double sum = 0;
        for (size_t j = 0; j < J; j++)
            sum += alpha[tw_idx2(J, n, j)];
        if (fabs(sum - 1) > TW_SHARE_TOLERANCE)
            return tw_fail(err, TW_ERR_DATA, "final_shares: %s: shares sum to %.10g (tolerance %g)",
                           m->country_code[n], sum, TW_SHARE_TOLERANCE);
    }
    for (size_t i = 0; i < N; i++) {
        double sales = 0, spending = 0;
        for (size_t j = 0; j < J; j++) {
            double out = 0;
            for (size_t n = 0; n < N; n++) {
                out += X[tw_idx3(N, J, i, n, j)];
                spending += X[tw_idx3(N, J, n, i, j)];
            }
            sales += out;
            if (beta[tw_idx2(J, i, j)] >= 1.0 || out == 0)
                continue; /* the input mix of a sector that buys no inputs is irrelevant */
            double sum = 0;
            for (size_t k = 0; k < J; k++)
                sum += gam[tw_idx3io(J, i, k, j)];
            if (fabs(sum - 1) > TW_SHARE_TOLERANCE)
                return tw_fail(err, TW_ERR_DATA,
                               "io_shares: %s, using sector %s: input shares sum to %.10g "
                               "(tolerance %g)",
                               m->country_code[i], m->sector_code[j], sum, TW_SHARE_TOLERANCE);
        }
        if (!(sales > 0))
            return tw_fail(err, TW_ERR_DATA, "flows: %s sells nothing (gross output is zero)",
                           m->country_code[i]);
        if (!(spending > 0))
            return tw_fail(err, TW_ERR_DATA, "flows: %s buys nothing (spending is zero)",
                           m->country_code[i]);
    }
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            double dom = X[tw_idx3(N, J, n, n, j)];
            if (m->arr[TW_TARIFFS][tw_idx3(N, J, n, n, j)] != 0 && dom > 0)
                return tw_fail(err, TW_ERR_DATA,
                               "tariffs: %s on itself, sector %s: %.17g (must be 0)",
                               m->country_code[n], m->sector_code[j],
                               m->arr[TW_TARIFFS][tw_idx3(N, J, n, n, j)]);
        }
    return TW_OK;
}

/* ---- derived quantities ------------------------------------------------ */

size_t tw_model_derived_length(const tw_model *m, tw_derived which)
{
    if (!m)
        return 0;
    return (which == TW_DERIVED_GROSS_OUTPUT || which == TW_DERIVED_SPENDING) ? m->N * m->J : m->N;
}

tw_status tw_model_derive(const tw_model *m, tw_derived which, double *out, size_t len)
{
    if (!m || !out || (int)which < 0 || which >= TW_DERIVED_COUNT ||
        len != tw_model_derived_length(m, which))
        return TW_ERR_INVALID;
    size_t N = m->N, J = m->J;
    const double *X = m->arr[TW_FLOWS], *t = m->arr[TW_TARIFFS], *e = m->arr[TW_EXPORT_TAXES];
    const double *s = m->arr[TW_SUBSIDIES], *beta = m->arr[TW_VA_SHARES];
    const double *pi = m->arr[TW_MARKUP];
    memset(out, 0, len * sizeof *out);
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                double v = X[x];
                double producer = v * (1 + s[tw_idx2(J, i, j)]) / (1 + e[x]);
                switch (which) {
                case TW_DERIVED_GROSS_OUTPUT:
                    out[tw_idx2(J, i, j)] += producer;
                    break;
                case TW_DERIVED_SPENDING:
                    out[tw_idx2(J, n, j)] += v * (1 + t[x]);
                    break;
                case TW_DERIVED_VALUE_ADDED: {
                    double b = beta[tw_idx2(J, i, j)];
                    out[i] += producer * (b * (1 - pi[j]) + pi[j]);
                    break;
                }
                case TW_DERIVED_TARIFF_REVENUE:
                    out[n] += v * t[x];
                    break;
                case TW_DERIVED_INCOME: {
                    double b = beta[tw_idx2(J, i, j)];
                    out[i] += producer * (b * (1 - pi[j]) + pi[j]); /* value added */
                    out[n] += v * t[x];                             /* tariffs */
                    out[i] += v * e[x] / (1 + e[x]);                /* export taxes */
                    out[i] -= producer * s[tw_idx2(J, i, j)] / (1 + s[tw_idx2(J, i, j)]);
                    if (i != n) {
                        out[n] += v; /* deficit: + imports */
                        out[i] -= v; /*          - exports */
                    }
                    break;
                }
                case TW_DERIVED_DEFICIT:
                    if (i != n) {
                        out[n] += v;
                        out[i] -= v;
                    }
                    break;
                case TW_DERIVED_EXPORTS:
                    if (i != n)
                        out[i] += v;
                    break;
                case TW_DERIVED_IMPORTS:
                    if (i != n)
                        out[n] += v;
                    break;
                default:
                    return TW_ERR_INVALID;
                }
            }
    return TW_OK;
}

/* ---- checksum ---------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t k = 0; k < len; k++) {
        h ^= p[k];
        h *= 1099511628211ULL;
    }
    return h;
}

void tw_model_checksum(const tw_model *m, char hex[17])
{
    uint64_t h = 1469598103934665603ULL;
    if (m) {
        uint64_t dims[2] = {m->N, m->J};
        h = fnv1a(h, dims, sizeof dims);
        for (size_t i = 0; i < m->N; i++)
            h = fnv1a(h, m->country_code[i], strlen(m->country_code[i]) + 1);
        for (size_t j = 0; j < m->J; j++)
            h = fnv1a(h, m->sector_code[j], strlen(m->sector_code[j]) + 1);
        for (int a = 0; a < TW_ARRAY_COUNT; a++)
            h = fnv1a(h, m->arr[a], array_length(m->N, m->J, (tw_array)a) * sizeof(double));
    }
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}
