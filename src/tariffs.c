/* tariffs.c - tariff lines (by product code) to sector tariffs through a
 * concordance, trade-weighted or simple averages, with a coverage report
 * (docs/import.md). `tradewar waves` uses tw_tariff_aggregate for its NAICS3
 * series; `tradewar tariffs aggregate` uses tw_tariffs_aggregate_files. */
#include "io_csv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tw_status tw_tariff_aggregate(size_t n_entries, const size_t *sector, const double *share,
                              const double *rate, const double *weight, size_t n_sectors,
                              double *out_rate, double *coverage, tw_error *err)
{
    if (!sector || !share || !rate || !out_rate || (n_entries && n_sectors == 0))
        return tw_fail(err, TW_ERR_INVALID, "tw_tariff_aggregate: bad arguments");
    for (size_t k = 0; k < n_entries; k++)
        if (sector[k] >= n_sectors)
            return tw_fail(err, TW_ERR_INVALID,
                           "tw_tariff_aggregate: entry %zu: sector %zu "
                           "out of range (%zu sectors)",
                           k, sector[k], n_sectors);
    for (size_t s = 0; s < n_sectors; s++) {
        double num = 0, den = 0, all = 0;
        for (size_t k = 0; k < n_entries; k++) {
            if (sector[k] != s)
                continue;
            double ws = (weight ? weight[k] : 1.0) * share[k];
            all += ws;
            if (isnan(rate[k]))
                continue;
            num += ws * rate[k];
            den += ws;
        }
        out_rate[s] = den > 0 ? num / den : NAN;
        if (coverage)
            coverage[s] = all > 0 ? den / all : NAN;
    }
    return TW_OK;
}

/* ---- a small string hash (code lookups over large line files) ------------------- */

typedef struct strmap {
    char **key;
    size_t *val;
    size_t cap, n;
} strmap;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void sm_free(strmap *m)
{
    for (size_t k = 0; k < m->cap; k++)
        free(m->key[k]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static long sm_get(const strmap *m, const char *k)
{
    if (!m->cap)
        return -1;
    for (size_t x = fnv(k) & (m->cap - 1);; x = (x + 1) & (m->cap - 1)) {
        if (!m->key[x])
            return -1;
        if (strcmp(m->key[x], k) == 0)
            return (long)m->val[x];
    }
}

static int sm_put(strmap *m, const char *k, size_t v);

static int sm_grow(strmap *m)
{
    strmap bigger = {0};
    bigger.cap = m->cap ? 2 * m->cap : 256;
    bigger.key = calloc(bigger.cap, sizeof *bigger.key);
    bigger.val = calloc(bigger.cap, sizeof *bigger.val);
    if (!bigger.key || !bigger.val) {
        free(bigger.key);
        free(bigger.val);
        return -1;
    }
    for (size_t x = 0; x < m->cap; x++)
        if (m->key[x]) {
            for (size_t y = fnv(m->key[x]) & (bigger.cap - 1);; y = (y + 1) & (bigger.cap - 1))
                if (!bigger.key[y]) {
                    bigger.key[y] = m->key[x];
                    bigger.val[y] = m->val[x];
                    break;
                }
            bigger.n++;
        }
    free(m->key);
    free(m->val);
    *m = bigger;
    return 0;
}

/* Insert (k must not be present); 0 or -1 when out of memory. */
static int sm_put(strmap *m, const char *k, size_t v)
{
    if ((m->n + 1) * 2 > m->cap && sm_grow(m) != 0)
        return -1;
    size_t x = fnv(k) & (m->cap - 1);
    while (m->key[x])
        x = (x + 1) & (m->cap - 1);
    size_t len = strlen(k);
    if (!(m->key[x] = malloc(len + 1)))
        return -1;
    memcpy(m->key[x], k, len + 1);
    m->val[x] = v;
    m->n++;
    return 0;
}

/* ---- concordance ------------------------------------------------------------------ */

struct tw_concordance {
    size_t n, ns;
    char **code;
    size_t *sector;
    double *share;
    char **sectors;
};

void tw_concordance_free(tw_concordance *c)
{
    if (!c)
        return;
    for (size_t k = 0; k < c->n; k++)
        free(c->code[k]);
    for (size_t s = 0; s < c->ns; s++)
        free(c->sectors[s]);
    free(c->code);
    free(c->sector);
    free(c->share);
    free(c->sectors);
    free(c);
}

size_t tw_concordance_entries(const tw_concordance *c) { return c ? c->n : 0; }
size_t tw_concordance_sector_count(const tw_concordance *c) { return c ? c->ns : 0; }
const char *tw_concordance_sector(const tw_concordance *c, size_t s)
{
    return (c && s < c->ns) ? c->sectors[s] : NULL;
}
const char *tw_concordance_code(const tw_concordance *c, size_t k)
{
    return (c && k < c->n) ? c->code[k] : NULL;
}
size_t tw_concordance_entry_sector(const tw_concordance *c, size_t k)
{
    return (c && k < c->n) ? c->sector[k] : 0;
}
double tw_concordance_share(const tw_concordance *c, size_t k)
{
    return (c && k < c->n) ? c->share[k] : NAN;
}

static char *dup(const char *s)
{
    size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (d)
        memcpy(d, s, len + 1);
    return d;
}

static long sector_slot(tw_concordance *c, const char *code, const char *const *allowed,
                        size_t n_allowed)
{
    if (allowed) {
        for (size_t s = 0; s < n_allowed; s++)
            if (strcmp(allowed[s], code) == 0)
                return (long)s;
        return -2;
    }
    for (size_t s = 0; s < c->ns; s++)
        if (strcmp(c->sectors[s], code) == 0)
            return (long)s;
    if (!(c->sectors[c->ns] = dup(code)))
        return -1;
    return (long)c->ns++;
}

tw_status tw_concordance_read(const char *path, const char *code_col, const char *const *sectors,
                              size_t n_sectors, tw_concordance **out, tw_error *err)
{
    if (!path || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_concordance_read: no file or output");
    *out = NULL;
    const char *cols[3] = {code_col ? code_col : "code", "sector", "share"};
    long idx[3];
    tw_csv csv = {0};
    tw_status st = tw_csv_read(path, &csv, err);
    if (st == TW_OK)
        st = tw_csv_columns(&csv, cols, 3, 2, idx, err);
    size_t rows = csv.nrows ? csv.nrows - 1 : 0;
    tw_concordance *c = calloc(1, sizeof *c);
    if (st == TW_OK && c) {
        c->code = tw_calloc(rows + 1, sizeof *c->code);
        c->sector = tw_calloc(rows + 1, sizeof *c->sector);
        c->share = tw_calloc(rows + 1, sizeof *c->share);
        c->sectors = tw_calloc((sectors ? n_sectors : rows) + 1, sizeof *c->sectors);
    }
    if (st == TW_OK && (!c || !c->code || !c->sector || !c->share || !c->sectors))
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK && rows == 0)
        st = tw_fail(err, TW_ERR_DATA, "%s: the concordance has no rows", path);
    if (st == TW_OK && sectors)
        for (size_t s = 0; s < n_sectors && st == TW_OK; s++)
            if (!(c->sectors[c->ns++] = dup(sectors[s])))
                st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t r = 1; st == TW_OK && r < csv.nrows; r++) {
        char **f = csv.rows[r].fields;
        size_t line = csv.rows[r].line;
        double share = 1;
        long s = sector_slot(c, f[idx[1]], sectors, n_sectors);
        if (!*f[idx[0]])
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: empty %s", path, line, cols[0]);
        else if (s == -2)
            st = tw_fail(err, TW_ERR_UNKNOWN_NAME, "%s:%zu: unknown sector '%.64s'", path, line,
                         f[idx[1]]);
        else if (s < 0)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        else if (idx[2] >= 0 &&
                 (st = tw_csv_number(&csv, r, idx[2], "share", 0, &share, err)) == TW_OK &&
                 !(share > 0 && share <= 1))
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: share %s is not in (0, 1]", path, line,
                         f[idx[2]]);
        if (st != TW_OK)
            break;
        if (!(c->code[c->n] = dup(f[idx[0]]))) {
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
            break;
        }
        c->sector[c->n] = (size_t)s;
        c->share[c->n++] = share;
    }
    tw_csv_free(&csv);
    if (st != TW_OK) {
        tw_concordance_free(c);
        return st;
    }
    *out = c;
    return TW_OK;
}

/* ---- lines and weights files -------------------------------------------------------- */

typedef struct report_row {
    size_t imp, exp, sector, lines;
    double rate, coverage, covered, total;
} report_row;

typedef struct unmapped {
    char *code;
    size_t lines;
    double trade;
} unmapped;

struct tw_tariff_report {
    char **names; /* importer and exporter codes */
    size_t n_names;
    tw_concordance *conc;
    report_row *rows;
    size_t n_rows, cap_rows;
    unmapped *un;
    size_t n_un;
};

void tw_tariff_report_free(tw_tariff_report *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->n_names; k++)
        free(r->names[k]);
    for (size_t k = 0; k < r->n_un; k++)
        free(r->un[k].code);
    free(r->names);
    free(r->un);
    free(r->rows);
    tw_concordance_free(r->conc);
    free(r);
}

size_t tw_tariff_report_rows(const tw_tariff_report *r) { return r ? r->n_rows : 0; }

void tw_tariff_report_row(const tw_tariff_report *r, size_t k, const char **importer,
                          const char **exporter, const char **sector, double *rate,
                          double *coverage, size_t *lines, double *covered, double *total)
{
    const report_row *x = &r->rows[k];
    *importer = r->names[x->imp];
    *exporter = r->names[x->exp];
    *sector = r->conc->sectors[x->sector];
    *rate = x->rate;
    *coverage = x->coverage;
    *lines = x->lines;
    *covered = x->covered;
    *total = x->total;
}

size_t tw_tariff_report_unmapped(const tw_tariff_report *r) { return r ? r->n_un : 0; }

void tw_tariff_report_unmapped_code(const tw_tariff_report *r, size_t k, const char **code,
                                    size_t *lines, double *trade)
{
    *code = r->un[k].code;
    *lines = r->un[k].lines;
    *trade = r->un[k].trade;
}

/* A keyed value file: importer, exporter, code -> value (rates or trade). */
typedef struct keyed {
    strmap cell; /* "imp\x1f" "exp\x1f" "code" -> row */
    double *value;
    size_t *line;
    size_t n;
} keyed;

static void keyed_free(keyed *k)
{
    sm_free(&k->cell);
    free(k->value);
    free(k->line);
}

static tw_status keyed_read(const char *path, const char *value_col, tw_csv *csv, keyed *k,
                            tw_error *err)
{
    const char *cols[4] = {"importer", "exporter", "code", value_col};
    long idx[4];
    tw_status st = tw_csv_read(path, csv, err);
    if (st == TW_OK)
        st = tw_csv_columns(csv, cols, 4, 4, idx, err);
    size_t rows = csv->nrows ? csv->nrows - 1 : 0;
    k->value = tw_calloc(rows + 1, sizeof *k->value);
    k->line = tw_calloc(rows + 1, sizeof *k->line);
    if (st == TW_OK && (!k->value || !k->line))
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t r = 1; st == TW_OK && r < csv->nrows; r++) {
        char **f = csv->rows[r].fields;
        char key[512];
        double v;
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", f[idx[0]], f[idx[1]], f[idx[2]]);
        long prev = sm_get(&k->cell, key);
        if ((st = tw_csv_number(csv, r, idx[3], value_col, 0, &v, err)) != TW_OK)
            break;
        if (prev >= 0)
            st = tw_fail(err, TW_ERR_DATA,
                         "%s:%zu: importer %s, exporter %s, code %s given "
                         "twice (first on line %zu)",
                         path, csv->rows[r].line, f[idx[0]], f[idx[1]], f[idx[2]], k->line[prev]);
        else if (v < 0 && strcmp(value_col, "value") == 0)
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: negative trade %.17g", path, csv->rows[r].line,
                         v);
        else if (sm_put(&k->cell, key, k->n) != 0)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        if (st != TW_OK)
            break;
        k->value[k->n] = v;
        k->line[k->n++] = csv->rows[r].line;
    }
    return st;
}

static long name_index(tw_tariff_report *r, const char *s)
{
    for (size_t k = 0; k < r->n_names; k++)
        if (strcmp(r->names[k], s) == 0)
            return (long)k;
    char **p = realloc(r->names, (r->n_names + 1) * sizeof *p);
    if (!p)
        return -1;
    r->names = p;
    if (!(r->names[r->n_names] = dup(s)))
        return -1;
    return (long)r->n_names++;
}

/* One importer-exporter pair: every sector with a line becomes a row. */
static tw_status aggregate_pair(tw_tariff_report *r, const char *imp, const char *exp,
                                const keyed *lines, const keyed *weights, double *rate,
                                double *weight, double *out, double *cov, tw_error *err)
{
    const tw_concordance *c = r->conc;
    char key[512];
    for (size_t k = 0; k < c->n; k++) {
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", imp, exp, c->code[k]);
        long x = sm_get(&lines->cell, key);
        rate[k] = x >= 0 ? lines->value[x] : NAN;
        if (weights) {
            long w = sm_get(&weights->cell, key);
            weight[k] = w >= 0 ? weights->value[w] : 0;
        }
    }
    tw_status st = tw_tariff_aggregate(c->n, c->sector, c->share, rate, weights ? weight : NULL,
                                       c->ns, out, cov, err);
    long ii = name_index(r, imp), ee = name_index(r, exp);
    if (st == TW_OK && (ii < 0 || ee < 0))
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t s = 0; st == TW_OK && s < c->ns; s++) {
        report_row row = {
            .imp = (size_t)ii, .exp = (size_t)ee, .sector = s, .rate = out[s], .coverage = cov[s]};
        for (size_t k = 0; k < c->n; k++)
            if (c->sector[k] == s) {
                double ws = (weights ? weight[k] : 1.0) * c->share[k];
                row.total += ws;
                if (!isnan(rate[k])) {
                    row.lines++;
                    row.covered += ws;
                }
            }
        if (!row.lines)
            continue;
        if (r->n_rows == r->cap_rows) {
            size_t cap = r->cap_rows ? 2 * r->cap_rows : 64;
            report_row *p = realloc(r->rows, cap * sizeof *p);
            if (!p)
                return tw_fail(err, TW_ERR_NOMEM, "out of memory");
            r->rows = p;
            r->cap_rows = cap;
        }
        r->rows[r->n_rows++] = row;
    }
    return st;
}

static tw_status collect_unmapped(tw_tariff_report *r, const tw_csv *lcsv, const keyed *weights,
                                  tw_error *err)
{
    strmap known = {0}, seen = {0};
    tw_status st = TW_OK;
    long ci = -1, ii = -1, ei = -1;
    for (size_t c = 0; c < lcsv->rows[0].nfields; c++) {
        const char *h = lcsv->rows[0].fields[c];
        if (strcmp(h, "code") == 0)
            ci = (long)c;
        else if (strcmp(h, "importer") == 0)
            ii = (long)c;
        else if (strcmp(h, "exporter") == 0)
            ei = (long)c;
    }
    for (size_t k = 0; k < r->conc->n && st == TW_OK; k++)
        if (sm_get(&known, r->conc->code[k]) < 0 && sm_put(&known, r->conc->code[k], k) != 0)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t row = 1; st == TW_OK && row < lcsv->nrows; row++) {
        char **f = lcsv->rows[row].fields;
        if (sm_get(&known, f[ci]) >= 0)
            continue;
        long u = sm_get(&seen, f[ci]);
        if (u < 0) {
            unmapped *p = realloc(r->un, (r->n_un + 1) * sizeof *p);
            if (!p || sm_put(&seen, f[ci], r->n_un) != 0) {
                if (p)
                    r->un = p;
                st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
                break;
            }
            r->un = p;
            r->un[r->n_un] = (unmapped){dup(f[ci]), 0, 0};
            u = (long)r->n_un++;
        }
        r->un[u].lines++;
        if (weights) {
            char key[512];
            snprintf(key, sizeof key, "%s\x1f%s\x1f%s", f[ii], f[ei], f[ci]);
            long w = sm_get(&weights->cell, key);
            r->un[u].trade += w >= 0 ? weights->value[w] : 0;
        }
    }
    sm_free(&known);
    sm_free(&seen);
    return st;
}

tw_status tw_tariffs_aggregate_files(const char *lines, const char *concordance,
                                     const char *weights, tw_tariff_report **out, tw_error *err)
{
    if (!lines || !concordance || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_tariffs_aggregate_files: no file or output");
    *out = NULL;
    tw_tariff_report *r = calloc(1, sizeof *r);
    tw_csv lcsv = {0}, wcsv = {0};
    keyed L = {0}, W = {0};
    double *buf = NULL;
    tw_status st = r ? tw_concordance_read(concordance, NULL, NULL, 0, &r->conc, err)
                     : tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK)
        st = keyed_read(lines, "rate", &lcsv, &L, err);
    if (st == TW_OK && weights)
        st = keyed_read(weights, "value", &wcsv, &W, err);
    /* the pairs, in order of first appearance in the lines */
    strmap pairs = {0};
    size_t n_pairs = 0;
    long idx[4];
    static const char *const cols[4] = {"importer", "exporter", "code", "rate"};
    if (st == TW_OK)
        st = tw_csv_columns(&lcsv, cols, 4, 4, idx, err);
    size_t nc = st == TW_OK ? r->conc->n : 0, ns = st == TW_OK ? r->conc->ns : 0;
    if (st == TW_OK) {
        buf = tw_calloc(2 * nc + 2 * ns + 1, sizeof *buf);
        if (!buf)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    for (size_t row = 1; st == TW_OK && row < lcsv.nrows; row++) {
        char **f = lcsv.rows[row].fields;
        char key[512];
        snprintf(key, sizeof key, "%s\x1f%s", f[idx[0]], f[idx[1]]);
        if (sm_get(&pairs, key) >= 0)
            continue;
        if (sm_put(&pairs, key, n_pairs++) != 0)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        else
            st = aggregate_pair(r, f[idx[0]], f[idx[1]], &L, weights ? &W : NULL, buf, buf + nc,
                                buf + 2 * nc, buf + 2 * nc + ns, err);
    }
    if (st == TW_OK)
        st = collect_unmapped(r, &lcsv, weights ? &W : NULL, err);
    sm_free(&pairs);
    keyed_free(&L);
    keyed_free(&W);
    tw_csv_free(&lcsv);
    tw_csv_free(&wcsv);
    free(buf);
    if (st != TW_OK) {
        tw_tariff_report_free(r);
        return st;
    }
    *out = r;
    return TW_OK;
}

/* ---- tariff series by product code ---------------------------------------------------- */

struct tw_tariff_lines {
    tw_csv csv;
    long col[4]; /* period, code, rate, trade (-1: absent) */
};

tw_status tw_tariff_lines_read(const char *path, const tw_lines_columns *cols,
                               tw_tariff_lines **out, tw_error *err)
{
    if (!path || !cols || !cols->code || !cols->rate || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_tariff_lines_read: bad arguments");
    *out = NULL;
    tw_tariff_lines *l = calloc(1, sizeof *l);
    if (!l)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    const char *names[4];
    int slot[4];
    size_t n = 0;
    const char *all[4] = {cols->period, cols->code, cols->rate, cols->trade};
    for (int k = 0; k < 4; k++) {
        l->col[k] = -1;
        if (all[k]) {
            slot[n] = k;
            names[n++] = all[k];
        }
    }
    long idx[4];
    tw_status st = tw_csv_read(path, &l->csv, err);
    if (st == TW_OK)
        st = tw_csv_columns(&l->csv, names, n, n, idx, err);
    if (st != TW_OK) {
        tw_tariff_lines_free(l);
        return st;
    }
    for (size_t k = 0; k < n; k++)
        l->col[slot[k]] = idx[k];
    *out = l;
    return TW_OK;
}

void tw_tariff_lines_free(tw_tariff_lines *l)
{
    if (!l)
        return;
    tw_csv_free(&l->csv);
    free(l);
}

size_t tw_tariff_lines_count(const tw_tariff_lines *l)
{
    return (l && l->csv.nrows) ? l->csv.nrows - 1 : 0;
}

const char *tw_tariff_lines_code(const tw_tariff_lines *l, size_t k, size_t *line)
{
    if (!l || k + 1 >= l->csv.nrows)
        return NULL;
    if (line)
        *line = l->csv.rows[k + 1].line;
    return l->csv.rows[k + 1].fields[l->col[1]];
}

tw_status tw_tariff_lines_row_rate(const tw_tariff_lines *l, size_t k, double *rate, tw_error *err)
{
    if (!l || k + 1 >= l->csv.nrows)
        return tw_fail(err, TW_ERR_INVALID, "tw_tariff_lines_row_rate: row %zu out of range", k);
    return tw_csv_number(&l->csv, k + 1, l->col[2], l->csv.rows[0].fields[l->col[2]], 0, rate, err);
}

static int row_matches(const tw_tariff_lines *l, size_t r, const char *period, const char *code)
{
    char **f = l->csv.rows[r].fields;
    if (period && (l->col[0] < 0 || strncmp(f[l->col[0]], period, strlen(period)) != 0))
        return 0;
    return strcmp(f[l->col[1]], code) == 0;
}

tw_status tw_tariff_lines_rate(const tw_tariff_lines *l, const char *period, const char *code,
                               double *rate, tw_error *err)
{
    for (size_t r = 1; r < l->csv.nrows; r++)
        if (row_matches(l, r, period, code))
            return tw_csv_number(&l->csv, r, l->col[2], l->csv.rows[0].fields[l->col[2]], 0, rate,
                                 err);
    return tw_fail(err, TW_ERR_DATA, "%s: no row for period %s and code %s", l->csv.name,
                   period ? period : "(any)", code);
}

tw_status tw_tariff_lines_trade(const tw_tariff_lines *l, const char *period, const char *code,
                                double *sum, size_t *rows, tw_error *err)
{
    if (l->col[3] < 0)
        return tw_fail(err, TW_ERR_INVALID, "%s: no trade column", l->csv.name);
    double total = 0, v;
    size_t n = 0;
    for (size_t r = 1; r < l->csv.nrows; r++) {
        if (!row_matches(l, r, period, code))
            continue;
        tw_status st = tw_csv_number(&l->csv, r, l->col[3], l->csv.rows[0].fields[l->col[3]], 0, &v,
                                     err);
        if (st != TW_OK)
            return st;
        if (v < 0)
            return tw_fail(err, TW_ERR_DATA, "%s:%zu: negative trade %s", l->csv.name,
                           l->csv.rows[r].line, l->csv.rows[r].fields[l->col[3]]);
        total += v;
        n++;
    }
    *sum = total;
    *rows = n;
    return TW_OK;
}
