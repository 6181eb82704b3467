/* io_cp1993.c - Caliendo & Parro (2015) 1993 text files (data/cp1993/README.md).
 * Builds the model as the authors' Equilibrium/script.m does: domestic sales
 * from gross output, spending with tariffs, final shares as the residual of
 * spending minus intermediate demand (negatives set to 0, renormalised). */
#include "io_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_N 31
#define CP_J 40
#define CP_JT 20               /* tradable sectors come first */
#define CP_THETA_SERVICES 8.22 /* the authors' elasticity for services */
#define CP_XBILAT_UNIT 1000.0  /* xbilat1993 is in thousands of USD, GO.txt in USD */
#define CP_IO_ROUNDING 0.001   /* IO.txt shares may be this negative (rounding), set to 0 */

static const char *const cp_countries[CP_N][2] = {
    {"ARG", "Argentina"},
    {"AUS", "Australia"},
    {"AUT", "Austria"},
    {"BRA", "Brazil"},
    {"CAN", "Canada"},
    {"CHL", "Chile"},
    {"CHN", "China"},
    {"DNK", "Denmark"},
    {"FIN", "Finland"},
    {"FRA", "France"},
    {"DEU", "Germany"},
    {"GRC", "Greece"},
    {"HUN", "Hungary"},
    {"IND", "India"},
    {"IDN", "Indonesia"},
    {"IRL", "Ireland"},
    {"ITA", "Italy"},
    {"JPN", "Japan"},
    {"KOR", "Korea"},
    {"MEX", "Mexico"},
    {"NLD", "Netherlands"},
    {"NZL", "New Zealand"},
    {"NOR", "Norway"},
    {"PRT", "Portugal"},
    {"ZAF", "South Africa"},
    {"ESP", "Spain"},
    {"SWE", "Sweden"},
    {"TUR", "Turkey"},
    {"GBR", "United Kingdom"},
    {"USA", "United States"},
    {"ROW", "Rest of the world"},
};

/* The paper's sector list (its Table 1 and data appendix); the data files
 * carry no names. */
static const char *const cp_sectors[CP_J] = {
    "Agriculture",
    "Mining",
    "Food",
    "Textile",
    "Wood",
    "Paper",
    "Petroleum",
    "Chemicals",
    "Plastic",
    "Minerals",
    "Basic metals",
    "Metal products",
    "Machinery n.e.c.",
    "Office",
    "Electrical",
    "Communication",
    "Medical",
    "Auto",
    "Other transport",
    "Other",
    "Electricity",
    "Construction",
    "Retail",
    "Hotels",
    "Land transport",
    "Water transport",
    "Air transport",
    "Auxiliary transport",
    "Post",
    "Finance",
    "Real estate",
    "Renting machinery",
    "Computer",
    "R&D",
    "Other business",
    "Public",
    "Education",
    "Health",
    "Other services",
    "Private households",
};

/* The raw matrices, as in the files. */
typedef struct cp_raw {
    double xbilat[CP_JT * CP_N * CP_N];  /* [(j n) i] thousands of USD, before tariffs */
    double tariffs[CP_JT * CP_N * CP_N]; /* same layout, percent */
    double go[CP_J * CP_N];              /* [j][i] gross output */
    double b[CP_J * CP_N];               /* [j][i] value-added share */
    double io[CP_N * CP_J * CP_J];       /* [i][k][j] */
    double t[CP_JT];
} cp_raw;

/* The directory holding xbilat1993.txt: dir itself or dir/balanced. */
static tw_status cp_find_dir(const char *dir, char *buf, size_t size, tw_error *err)
{
    const char *const subs[2] = {"", "/balanced"};
    for (int k = 0; k < 2; k++) {
        char probe[4096];
        snprintf(buf, size, "%s%s", dir, subs[k]);
        if (tw_path_join(probe, sizeof probe, buf, "xbilat1993.txt", err) != TW_OK)
            return TW_ERR_INVALID;
        if (tw_file_exists(probe)) /* not opened: a FIFO would block */
            return TW_OK;
    }
    return tw_fail(err, TW_ERR_IO, "%s: no xbilat1993.txt in it or in %s/balanced", dir, dir);
}

static tw_status cp_matrix(const char *dir, const char *file, size_t rows, size_t cols,
                           const tw_range *range, double *out, tw_error *err)
{
    char path[4096];
    tw_status st = tw_path_join(path, sizeof path, dir, file, err);
    return st ? st : tw_matrix_read_range(path, rows, cols, range, out, err);
}

/* The range of every field (docs/data-format.md): flows in thousands of USD
 * (TW_MAX_FLOW once in USD), gross output in USD, tariffs in percent. Input
 * shares may be negative by rounding only (the data's one negative is
 * -0.0008459), and are then set to 0. */
static const tw_range cp_flow = {"flow (thousands of USD)", 0, TW_MAX_FLOW / CP_XBILAT_UNIT, 0};
static const tw_range cp_tariff = {"tariff (percent)", -100, TW_MAX_RATE * 100, 1};
static const tw_range cp_go = {"gross output", 0, TW_MAX_FLOW, 0};
static const tw_range cp_va = {"value-added share", 0, 1, 0};
static const tw_range cp_io = {"input share", -CP_IO_ROUNDING, 1, 0};
static const tw_range cp_theta = {"theta", 0, TW_MAX_ELASTICITY, 1};

static tw_status cp_read_raw(const char *dir, cp_raw *r, tw_error *err)
{
    tw_status st;
    if ((st = cp_matrix(dir, "xbilat1993.txt", CP_JT * CP_N, CP_N, &cp_flow, r->xbilat, err)) ||
        (st = cp_matrix(dir, "tariffs1993.txt", CP_JT * CP_N, CP_N, &cp_tariff, r->tariffs, err)) ||
        (st = cp_matrix(dir, "GO.txt", CP_J, CP_N, &cp_go, r->go, err)) ||
        (st = cp_matrix(dir, "B.txt", CP_J, CP_N, &cp_va, r->b, err)) ||
        (st = cp_matrix(dir, "IO.txt", CP_N * CP_J, CP_J, &cp_io, r->io, err)) ||
        (st = cp_matrix(dir, "T.txt", CP_JT, 1, &cp_theta, r->t, err)))
        return st;
    return TW_OK;
}

static tw_status cp_labels(tw_model *m, tw_error *err)
{
    tw_status st = TW_OK;
    for (size_t i = 0; i < CP_N && st == TW_OK; i++)
        st = tw_model_set_country(m, i, cp_countries[i][0], cp_countries[i][1], err);
    for (size_t j = 0; j < CP_J && st == TW_OK; j++) {
        char code[8];
        snprintf(code, sizeof code, "s%02zu", j + 1);
        st = tw_model_set_sector(m, j, code, cp_sectors[j], err);
    }
    return st;
}

/* Flows (in US dollars) and tariffs; domestic sales are gross output (raised
 * to exports where exports exceed it) minus exports, as the authors' script. */
static void cp_flows(tw_model *m, const cp_raw *r)
{
    const size_t N = CP_N, J = CP_J;
    double *X = m->arr[TW_FLOWS], *t = m->arr[TW_TARIFFS];
    for (size_t j = 0; j < CP_JT; j++)
        for (size_t n = 0; n < N; n++)
            for (size_t i = 0; i < N; i++) {
                size_t row = (j * N + n) * N + i;
                X[tw_idx3(N, J, i, n, j)] = r->xbilat[row] * CP_XBILAT_UNIT;
                t[tw_idx3(N, J, i, n, j)] = i == n ? 0 : r->tariffs[row] / 100;
            }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            double exports = 0;
            for (size_t n = 0; n < N; n++)
                exports += X[tw_idx3(N, J, i, n, j)];
            double go = fmax(r->go[tw_idx2(N, j, i)], exports);
            X[tw_idx3(N, J, i, i, j)] += go - exports;
        }
}

static void cp_shares(tw_model *m, const cp_raw *r)
{
    const size_t N = CP_N, J = CP_J;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++)
            m->arr[TW_VA_SHARES][tw_idx2(J, i, j)] = r->b[tw_idx2(N, j, i)];
    memcpy(m->arr[TW_IO_SHARES], r->io, sizeof r->io); /* rows input k, columns user j */
    for (size_t j = 0; j < J; j++)
        m->arr[TW_THETA][j] = j < CP_JT ? r->t[j] : CP_THETA_SERVICES;
}

/* Final shares: final demand = spending - intermediate demand, over income =
 * value added + tariff revenue + deficit; negatives 0, then renormalised. */
static tw_status cp_final_shares(tw_model *m, const char *where, tw_error *err)
{
    const size_t N = CP_N, J = CP_J;
    double Y[CP_N * CP_J], E[CP_N * CP_J], va[CP_N], rev[CP_N], dft[CP_N];
    tw_model_derive(m, TW_DERIVED_GROSS_OUTPUT, Y, N * J);
    tw_model_derive(m, TW_DERIVED_SPENDING, E, N * J);
    tw_model_derive(m, TW_DERIVED_VALUE_ADDED, va, N);
    tw_model_derive(m, TW_DERIVED_TARIFF_REVENUE, rev, N);
    tw_model_derive(m, TW_DERIVED_DEFICIT, dft, N);
    const double *B = m->arr[TW_VA_SHARES], *G = m->arr[TW_IO_SHARES];
    double *alpha = m->arr[TW_FINAL_SHARES];
    for (size_t n = 0; n < N; n++) {
        double income = va[n] + rev[n] + dft[n], sum = 0;
        for (size_t j = 0; j < J; j++) {
            double inter = 0;
            for (size_t k = 0; k < J; k++)
                inter += G[tw_idx3io(J, n, j, k)] * (1 - B[tw_idx2(J, n, k)]) * Y[tw_idx2(J, n, k)];
            double a = (E[tw_idx2(J, n, j)] - inter) / income;
            alpha[tw_idx2(J, n, j)] = a > 0 ? a : 0;
            sum += alpha[tw_idx2(J, n, j)];
        }
        if (!(sum > 0) || !isfinite(sum))
            return tw_fail(err, TW_ERR_DATA,
                           "%s: country %s (column %zu): no positive final "
                           "demand (spending from xbilat1993.txt and tariffs1993.txt minus "
                           "intermediate demand from GO.txt, B.txt and IO.txt)",
                           where, m->country_code[n], n + 1);
        for (size_t j = 0; j < J; j++)
            alpha[tw_idx2(J, n, j)] /= sum;
    }
    return TW_OK;
}

/* Two departures from the raw IO.txt, both below the data's rounding, made
 * after the final shares are computed (so those match the authors'): the one
 * negative share (CAN, input s20 in s11, -0.0008459) is set to 0, and a
 * using sector whose input shares then do not sum to one within
 * TW_SHARE_TOLERANCE (that one, and MEX s40 at 0.9999984) is rescaled to 1. */
static void cp_fix_io(tw_model *m)
{
    const size_t N = CP_N, J = CP_J;
    double *G = m->arr[TW_IO_SHARES];
    for (size_t x = 0; x < N * J * J; x++)
        G[x] = G[x] < 0 ? 0 : G[x];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            double sum = 0;
            for (size_t k = 0; k < J; k++)
                sum += G[tw_idx3io(J, i, k, j)];
            if (sum > 0 && fabs(sum - 1) > TW_SHARE_TOLERANCE)
                for (size_t k = 0; k < J; k++)
                    G[tw_idx3io(J, i, k, j)] /= sum;
        }
}

tw_status tw_load_cp1993(const char *dir, tw_model **out, tw_error *err)
{
    if (!dir || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_load_cp1993: no directory or output");
    *out = NULL;
    char where[4096];
    tw_status st = cp_find_dir(dir, where, sizeof where, err);
    if (st != TW_OK)
        return st;
    cp_raw *r = malloc(sizeof *r);
    tw_model *m = tw_model_create(CP_N, CP_J, NULL);
    if (!r || !m)
        st = tw_fail(err, TW_ERR_NOMEM, "cp1993: out of memory");
    if (st == TW_OK)
        st = cp_read_raw(where, r, err);
    if (st == TW_OK)
        st = cp_labels(m, err);
    if (st == TW_OK) {
        cp_flows(m, r);
        cp_shares(m, r);
        st = cp_final_shares(m, where, err);
        cp_fix_io(m);
    }
    if (st == TW_OK) {
        tw_error sub;
        if ((st = tw_model_validate(m, &sub)) != TW_OK)
            tw_fail(err, st, "%s: %s", where, sub.message);
    }
    free(r);
    if (st == TW_OK) {
        /* flows in US dollars (xbilat1993.txt's thousands times 1000; docs/data-format.md) */
        tw_model_set_currency_unit(m, "US dollars");
        st = tw__add_goods_services(m, CP_JT, err); /* the tradable sectors come first */
    }
    if (st != TW_OK)
        tw_model_free(m);
    else
        *out = m;
    return st;
}

tw_status tw_read_cp1993_tariffs(const char *path, const tw_model *m, double *tariffs, size_t len,
                                 tw_error *err)
{
    if (!path || !m || !tariffs || len != tw_model_array_length(m, TW_TARIFFS))
        return tw_fail(err, TW_ERR_INVALID, "tw_read_cp1993_tariffs: bad arguments");
    size_t N = m->N, J = m->J;
    if (J < CP_JT)
        return tw_fail(err, TW_ERR_INVALID, "%s: the model has %zu sectors, the file %d tradable",
                       path, J, CP_JT);
    double *raw = tw_calloc(CP_JT * N * N, sizeof *raw);
    if (!raw)
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
    tw_status st = tw_matrix_read_range(path, CP_JT * N, N, &cp_tariff, raw, err);
    memset(tariffs, 0, len * sizeof *tariffs);
    for (size_t row = 0; row < CP_JT * N && st == TW_OK; row++)
        for (size_t i = 0; i < N; i++) {
            size_t j = row / N, n = row % N;
            if (i != n)
                tariffs[tw_idx3(N, J, i, n, j)] = raw[row * N + i] / 100;
        }
    free(raw);
    return st;
}
