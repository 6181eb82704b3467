/* io_ossa.c - Ossa (2014) "Trade Wars and Trade Talks with Data" data
 * (data/ossa2007/README.md) as his multi-industry Krugman model with a fixed
 * mass of firms: no input-output links (value-added share 1), theta_s =
 * sigma_s - 1, no scale economies, markup (profit share of sales) 1/sigma_s,
 * final shares = each region's spending shares (tariffs included). Flows are
 * recorded before tariffs, as in the author's code (spending = (1 + t) X). */
#include "io_csv.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short codes for the paper's regions; other names are turned into codes. */
static void region_code(const char *name, char *code, size_t size)
{
    static const char *const known[][2] = {{"Brazil", "BRA"}, {"China", "CHN"}, {"EU", "EU"},
                                           {"India", "IND"},  {"Japan", "JPN"}, {"ROW", "ROW"},
                                           {"US", "USA"}};
    for (size_t k = 0; k < sizeof known / sizeof *known; k++)
        if (strcmp(name, known[k][0]) == 0) {
            snprintf(code, size, "%s", known[k][1]);
            return;
        }
    size_t o = 0;
    for (const char *c = name; *c && o + 1 < size; c++)
        if (isalnum((unsigned char)*c) || *c == '_' || *c == '-')
            code[o++] = *c;
    code[o] = '\0';
}

/* A one- or two-column list (optionally with a "No." header): the last
 * column of each of the first `want` rows. Extra rows are ignored: the
 * author's sectors.csv lists a 34th aggregate ("xxx, All other sectors")
 * that has no data. */
static tw_status read_list(const char *dir, const char *file, size_t want, int col_from_end,
                           char (*out)[TW_NAME_MAX], tw_error *err)
{
    char path[4096];
    tw_status st = tw_path_join(path, sizeof path, dir, file, err);
    tw_csv c;
    memset(&c, 0, sizeof c);
    if (st == TW_OK)
        st = tw_csv_read(path, &c, err);
    if (st != TW_OK)
        return st;
    size_t first = (c.nrows > 0 && c.rows[0].nfields > 0 &&
                    strcmp(c.rows[0].fields[0], "No.") == 0);
    if (c.nrows - first < want) {
        st = tw_fail(err, TW_ERR_DATA, "%s: %zu entries, expected %zu", path, c.nrows - first,
                     want);
    } else {
        for (size_t r = first; r < first + want; r++) {
            const tw_csv_row *row = &c.rows[r];
            if ((size_t)col_from_end >= row->nfields) {
                st = tw_fail(err, TW_ERR_PARSE, "%s:%zu: too few fields", path, row->line);
                break;
            }
            snprintf(out[r - first], TW_NAME_MAX, "%s",
                     row->fields[row->nfields - 1 - (size_t)col_from_end]);
        }
    }
    tw_csv_free(&c);
    return st;
}

/* Ranges (docs/data-format.md): trade values, tariffs as fractions, sigma. */
static const tw_range ossa_flow = {"trade value", 0, TW_MAX_FLOW, 0};
static const tw_range ossa_tariff = {"tariff", 0, TW_MAX_RATE, 0};
static const tw_range ossa_sigma = {"sigma", 0, TW_MAX_ELASTICITY + 1, 0};

/* A headerless numeric CSV of exactly rows x cols, every value in `range`. */
static tw_status read_numbers(const char *dir, const char *file, size_t rows, size_t cols,
                              const tw_range *range, double *out, tw_error *err)
{
    char path[4096];
    tw_status st = tw_path_join(path, sizeof path, dir, file, err);
    tw_csv c;
    memset(&c, 0, sizeof c);
    if (st == TW_OK)
        st = tw_csv_read(path, &c, err);
    if (st != TW_OK)
        return st;
    if (c.nrows != rows)
        st = tw_fail(err, TW_ERR_DATA, "%s: %zu rows, expected %zu", path, c.nrows, rows);
    for (size_t r = 0; r < c.nrows && st == TW_OK; r++) {
        if (c.rows[r].nfields != cols) {
            st = tw_fail(err, TW_ERR_PARSE, "%s:%zu: %zu fields, expected %zu", path,
                         c.rows[r].line, c.rows[r].nfields, cols);
            break;
        }
        for (size_t k = 0; k < cols && st == TW_OK; k++) {
            double v;
            if (tw_parse_number(c.rows[r].fields[k], 0, &v) != 0)
                st = tw_fail(err, TW_ERR_DATA, "%s:%zu: field %zu: '%.64s' is not a number", path,
                             c.rows[r].line, k + 1, c.rows[r].fields[k]);
            else if (!(v >= range->lo && v <= range->hi))
                st = tw_fail(err, TW_ERR_DATA,
                             "%s:%zu: field %zu: %s %.64s out of range (must "
                             "be >= %g and <= %g)",
                             path, c.rows[r].line, k + 1, range->what, c.rows[r].fields[k],
                             range->lo, range->hi);
            else
                out[r * cols + k] = v;
        }
    }
    tw_csv_free(&c);
    return st;
}

tw_status tw_load_ossa(const char *dir, int sigma_column, tw_model **out, tw_error *err)
{
    if (!dir || !out || sigma_column < 1 || sigma_column > 5)
        return tw_fail(err, TW_ERR_INVALID, "tw_load_ossa: bad arguments (sigma column 1-5)");
    *out = NULL;
    char probe[4096];
    tw_csv c;
    memset(&c, 0, sizeof c);
    /* dimensions from the lists */
    tw_status st = tw_path_join(probe, sizeof probe, dir, "regions.csv", err);
    if (st == TW_OK)
        st = tw_csv_read(probe, &c, err);
    if (st != TW_OK)
        return st;
    size_t N = c.nrows - (c.nrows > 0 && strcmp(c.rows[0].fields[0], "No.") == 0);
    tw_csv_free(&c);
    if ((st = tw_path_join(probe, sizeof probe, dir, "sigma_s.csv", err)) != TW_OK ||
        (st = tw_csv_read(probe, &c, err)) != TW_OK)
        return st;
    size_t J = c.nrows;
    tw_csv_free(&c);
    if (N < 2 || J < 1)
        return tw_fail(err, TW_ERR_DATA, "%s: %zu regions and %zu industries", dir, N, J);
    if ((st = tw_check_dimensions(dir, N, J, err)) != TW_OK)
        return st;

    char(*regions)[TW_NAME_MAX] = tw_calloc(N, sizeof *regions);
    char(*labels)[TW_NAME_MAX] = tw_calloc(J, sizeof *labels);
    char(*names)[TW_NAME_MAX] = tw_calloc(J, sizeof *names);
    double *trade = tw_calloc(N * N * J, sizeof(double)),
           *tariff = tw_calloc(N * N * J, sizeof(double));
    double *sigma = tw_calloc(J * 5, sizeof(double));
    tw_model *m = tw_model_create(N, J, NULL);
    if (!regions || !labels || !names || !trade || !tariff || !sigma || !m) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = read_list(dir, "regions.csv", N, 0, regions, err)) != TW_OK ||
        (st = read_list(dir, "labels.csv", J, 0, labels, err)) != TW_OK ||
        (st = read_list(dir, "sectors.csv", J, 0, names, err)) != TW_OK ||
        (st = read_numbers(dir, "trade_ijs.csv", N * J, N, &ossa_flow, trade, err)) != TW_OK ||
        (st = read_numbers(dir, "tariff_ijs.csv", N * J, N, &ossa_tariff, tariff, err)) != TW_OK)
        goto done;
    if ((st = tw_path_join(probe, sizeof probe, dir, "sigma_s.csv", err)) != TW_OK ||
        (st = tw_csv_read(probe, &c, err)) != TW_OK)
        goto done;
    size_t cols = c.rows[0].nfields;
    tw_csv_free(&c);
    if ((size_t)sigma_column > cols) {
        st = tw_fail(err, TW_ERR_DATA, "%s:1: %zu columns, column %d asked for", probe, cols,
                     sigma_column);
        goto done;
    }
    if (cols > 5)
        cols = 5; /* the five columns of the paper; more is a ragged file, below */
    if ((st = read_numbers(dir, "sigma_s.csv", J, cols, &ossa_sigma, sigma, err)) != TW_OK)
        goto done;
    for (size_t i = 0; i < N && st == TW_OK; i++) {
        char code[TW_CODE_MAX];
        tw_error sub;
        region_code(regions[i], code, sizeof code);
        if ((st = tw_model_set_country(m, i, code, regions[i], &sub)) != TW_OK)
            tw_fail(err, st, "%s/regions.csv: region %zu '%.64s': %s", dir, i + 1, regions[i],
                    sub.message);
    }
    for (size_t j = 0; j < J && st == TW_OK; j++) {
        tw_error sub;
        if ((st = tw_model_set_sector(m, j, labels[j], names[j], &sub)) != TW_OK)
            tw_fail(err, st, "%s/labels.csv: industry %zu '%.64s': %s", dir, j + 1, labels[j],
                    sub.message);
    }
    if (st != TW_OK)
        goto done;
    /* files: 33 blocks of N rows (exporters) by N columns (importers) */
    double *X = m->arr[TW_FLOWS], *t = m->arr[TW_TARIFFS];
    for (size_t j = 0; j < J; j++)
        for (size_t i = 0; i < N; i++)
            for (size_t n = 0; n < N; n++) {
                size_t x = tw_idx3(N, J, i, n, j), f = (j * N + i) * N + n;
                X[x] = trade[f];
                t[x] = i == n ? 0.0 : tariff[f];
            }
    for (size_t j = 0; j < J; j++) {
        double sg = sigma[j * cols + (size_t)sigma_column - 1];
        if (!(sg > 1)) {
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: field %d: sigma %g must exceed 1", probe, j + 1,
                         sigma_column, sg);
            goto done;
        }
        m->arr[TW_THETA][j] = sg - 1;
        m->arr[TW_MARKUP][j] = 1 / sg;
    }
    for (size_t i = 0; i < N; i++) {
        double total = 0;
        for (size_t j = 0; j < J; j++) {
            double e = 0;
            for (size_t k = 0; k < N; k++)
                e += X[tw_idx3(N, J, k, i, j)] * (1 + t[tw_idx3(N, J, k, i, j)]);
            m->arr[TW_FINAL_SHARES][tw_idx2(J, i, j)] = e;
            total += e;
            m->arr[TW_VA_SHARES][tw_idx2(J, i, j)] = 1.0;
            m->arr[TW_IO_SHARES][tw_idx3io(J, i, j, j)] = 1.0; /* unused: no inputs */
        }
        for (size_t j = 0; j < J && total > 0; j++)
            m->arr[TW_FINAL_SHARES][tw_idx2(J, i, j)] /= total;
    }
    {
        tw_error sub;
        if ((st = tw_model_validate(m, &sub)) != TW_OK)
            tw_fail(err, st, "%s: %s", dir, sub.message);
    }
done:
    free(regions);
    free(labels);
    free(names);
    free(trade);
    free(tariff);
    free(sigma);
    if (st == TW_OK) {
        /* the README documents no unit for trade_ijs.csv */
        tw_model_set_currency_unit(m, "units of Ossa's trade_ijs.csv");
        st = tw__add_goods_services(m, tw_model_sectors(m), err); /* all goods */
    }
    if (st == TW_OK)
        *out = m;
    else
        tw_model_free(m);
    return st;
}
