/* elasticities.c - replace a model's trade and scale elasticities from a file
 * `sector,theta[,psi]` (issue 10) or from a bundled set keyed by OECD ICIO
 * industries (issue 9: data/elasticities/<set>/elasticities.csv; docs/import.md
 * says how a set maps to a data set's sectors), and scale them (issue 10). */
#include "io_icio.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef TW_SOURCE_DIR
#define TW_SOURCE_DIR "."
#endif
#ifndef TW_FULL_DATADIR
#define TW_FULL_DATADIR "/usr/local/share/tradewar/data"
#endif

/* The compiled-in sets: the installed copy when there is one, else the source tree's. */
static const char *default_sets(void)
{
    struct stat sb;
    static const char installed[] = TW_FULL_DATADIR "/elasticities";
    if (stat(installed, &sb) == 0 && S_ISDIR(sb.st_mode))
        return installed;
    return TW_SOURCE_DIR "/data/elasticities";
}

static int is_set_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static int by_name(const void *a, const void *b) { return strcmp(a, b); }

/* The sets under dir (subfolders holding elasticities.csv), comma-separated and sorted. */
static void list_sets(const char *dir, char *buf, size_t size)
{
    char names[64][64];
    size_t n = 0;
    DIR *d = opendir(dir);
    buf[0] = '\0';
    for (struct dirent *e; d && (e = readdir(d)) && n < 64;) {
        char path[4200];
        struct stat sb;
        if (e->d_name[0] == '.' || strlen(e->d_name) >= 64)
            continue;
        snprintf(path, sizeof path, "%s/%s/elasticities.csv", dir, e->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            memcpy(names[n++], e->d_name, strlen(e->d_name) + 1); /* < 64, checked above */
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", k ? ", " : "", names[k]);
    }
    if (n == 0)
        snprintf(buf, size, "none found in %s", dir);
}

/* ---- a file with the model's own sector codes (issue 10's reader) ---------------- */

static tw_status read_file_set(tw_model *m, const char *path, tw_error *err)
{
    size_t J = m->J;
    tw_csv c = {0};
    tw_status st = tw_csv_read(path, &c, err);
    if (st != TW_OK)
        return st;
    static const char *const names[] = {"sector", "theta", "psi"};
    long col[3];
    double *theta = malloc(J * sizeof(double)), *psi = malloc(J * sizeof(double));
    size_t *line = calloc(J, sizeof(size_t));
    if (!theta || !psi || !line) {
        st = tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(theta, m->arr[TW_THETA], J * sizeof(double));
    memcpy(psi, m->arr[TW_PSI], J * sizeof(double));
    if ((st = tw_csv_columns(&c, names, 3, 2, col, err)) != TW_OK)
        goto done;
    for (size_t r = 1; r < c.nrows; r++) {
        const tw_csv_row *row = &c.rows[r];
        const char *code = row->fields[col[0]];
        long j = tw_model_find_sector(m, code);
        if (j < 0) {
            st = tw_fail(err, TW_ERR_UNKNOWN_NAME, "%s:%zu: unknown sector '%s'", path, row->line,
                         code);
            goto done;
        }
        if (line[j]) {
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: sector '%s' again (first on line %zu)", path,
                         row->line, code, line[j]);
            goto done;
        }
        line[j] = row->line;
        double v;
        if ((st = tw_csv_number(&c, r, col[1], "theta", 0, &v, err)) != TW_OK)
            goto done;
        if (!(v > 0)) {
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: column 'theta': %s is not positive", path,
                         row->line, row->fields[col[1]]);
            goto done;
        }
        theta[j] = v;
        if (col[2] >= 0) {
            if ((st = tw_csv_number(&c, r, col[2], "psi", 0, &v, err)) != TW_OK)
                goto done;
            if (!(v >= 0)) {
                st = tw_fail(err, TW_ERR_DATA, "%s:%zu: column 'psi': %s is negative", path,
                             row->line, row->fields[col[2]]);
                goto done;
            }
            psi[j] = v;
        }
    }
    for (size_t j = 0; j < J; j++)
        if (!line[j]) {
            st = tw_fail(err, TW_ERR_DATA, "%s: no row for sector '%s' (every sector once)", path,
                         m->sector_code[j]);
            goto done;
        }
    memcpy(m->arr[TW_THETA], theta, J * sizeof(double));
    memcpy(m->arr[TW_PSI], psi, J * sizeof(double));
done:
    free(theta);
    free(psi);
    free(line);
    tw_csv_free(&c);
    return st;
}

/* ---- a named set keyed by ICIO industries --------------------------------------------- */

typedef struct ind_set {
    char path[4200];
    double theta[TW_ICIO_INDUSTRIES], psi[TW_ICIO_INDUSTRIES];
    int has_psi;
} ind_set;

static tw_status read_set(const char *path, ind_set *s, tw_error *err)
{
    static const char *const cols[] = {"industry", "theta", "psi"};
    tw_csv csv = {0};
    long idx[3];
    size_t line[TW_ICIO_INDUSTRIES] = {0};
    snprintf(s->path, sizeof s->path, "%s", path);
    tw_status st = tw_csv_read(path, &csv, err);
    if (st == TW_OK)
        st = tw_csv_columns(&csv, cols, 3, 2, idx, err);
    s->has_psi = idx[2] >= 0;
    for (size_t r = 1; st == TW_OK && r < csv.nrows; r++) {
        const char *code = csv.rows[r].fields[idx[0]];
        long k = tw_icio_industry_index(code);
        double th, ps = 0;
        if (k < 0) {
            st = tw_fail(err, TW_ERR_DATA,
                         "%s:%zu: '%.32s' is not an ICIO industry (2021 or "
                         "2023 edition code)",
                         path, csv.rows[r].line, code);
            break;
        }
        if (line[k]) {
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: industry %s given twice (first on line %zu)",
                         path, csv.rows[r].line, code, line[k]);
            break;
        }
        if ((st = tw_csv_number(&csv, r, idx[1], "theta", 0, &th, err)) != TW_OK ||
            (s->has_psi && (st = tw_csv_number(&csv, r, idx[2], "psi", 0, &ps, err)) != TW_OK))
            break;
        if (!(th > 0) || ps < 0) {
            st = tw_fail(err, TW_ERR_DATA,
                         "%s:%zu: industry %s: theta %.17g must be > 0 and psi "
                         "%.17g >= 0",
                         path, csv.rows[r].line, code, th, ps);
            break;
        }
        line[k] = csv.rows[r].line;
        s->theta[k] = th;
        s->psi[k] = ps;
    }
    for (int k = 0; st == TW_OK && k < TW_ICIO_INDUSTRIES; k++)
        if (!line[k])
            st = tw_fail(err, TW_ERR_DATA, "%s: no row for industry %s", path,
                         tw_icio_industries_2023[k]);
    tw_csv_free(&csv);
    return st;
}

/* The industries of sector j: recorded by an import, or the code itself, or
 * an alias from <sets_dir>/aliases.csv `sector,industries`. Writes a
 * space-separated list into buf; 0 when none is known. */
static int sector_industries(const tw_model *m, size_t j, const tw_csv *aliases, long acol[2],
                             char *buf, size_t size)
{
    if (m->sector_industries[j]) {
        snprintf(buf, size, "%s", m->sector_industries[j]);
        return 1;
    }
    if (tw_icio_industry_index(m->sector_code[j]) >= 0) {
        snprintf(buf, size, "%s", m->sector_code[j]);
        return 1;
    }
    for (size_t r = 1; aliases && r < aliases->nrows; r++)
        if (strcmp(aliases->rows[r].fields[acol[0]], m->sector_code[j]) == 0) {
            snprintf(buf, size, "%s", aliases->rows[r].fields[acol[1]]);
            return 1;
        }
    return 0;
}

/* theta (and psi) of sector j: the simple mean over its industries. */
static tw_status map_sector(const tw_model *m, size_t j, const ind_set *s, const char *list,
                            double *theta, double *psi, tw_error *err)
{
    char copy[2048];
    snprintf(copy, sizeof copy, "%s", list);
    double th = 0, ps = 0;
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        long k = tw_icio_industry_index(tok);
        if (k < 0)
            return tw_fail(err, TW_ERR_DATA,
                           "%s: sector %s aggregates '%s', which is not an "
                           "ICIO industry: give a file sector,theta[,psi] instead",
                           s->path, m->sector_code[j], tok);
        th += s->theta[k];
        ps += s->psi[k];
        n++;
    }
    if (n == 0)
        return tw_fail(err, TW_ERR_DATA, "%s: sector %s has an empty industry list", s->path,
                       m->sector_code[j]);
    *theta = th / (double)n;
    if (s->has_psi)
        *psi = ps / (double)n;
    return TW_OK;
}

static tw_status apply_set(tw_model *m, const char *name, const char *dir, tw_error *err)
{
    char path[4200], apath[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s/elasticities.csv", dir, name);
    if (stat(path, &sb) != 0) {
        char avail[1024];
        list_sets(dir, avail, sizeof avail);
        return tw_fail(err, TW_ERR_UNKNOWN_NAME,
                       "no elasticity set '%s' (available: %s); or "
                       "give a file sector,theta[,psi]",
                       name, avail);
    }
    ind_set *s = calloc(1, sizeof *s);
    if (!s)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_status st = read_set(path, s, err);
    tw_csv aliases = {0};
    long acol[2] = {-1, -1};
    int have_aliases = 0;
    snprintf(apath, sizeof apath, "%s/aliases.csv", dir);
    if (st == TW_OK && stat(apath, &sb) == 0) {
        static const char *const cols[] = {"sector", "industries"};
        st = tw_csv_read(apath, &aliases, err);
        if (st == TW_OK)
            st = tw_csv_columns(&aliases, cols, 2, 2, acol, err);
        have_aliases = st == TW_OK;
    }
    size_t J = m->J;
    double *theta = tw_calloc(J, sizeof *theta), *psi = tw_calloc(J, sizeof *psi);
    if (st == TW_OK && (!theta || !psi))
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK)
        memcpy(psi, m->arr[TW_PSI], J * sizeof *psi);
    for (size_t j = 0; st == TW_OK && j < J; j++) {
        char list[2048];
        if (!sector_industries(m, j, have_aliases ? &aliases : NULL, acol, list, sizeof list))
            st = tw_fail(err, TW_ERR_DATA,
                         "elasticity set '%s': sector '%s' of the data set has "
                         "no ICIO industries (none recorded by an import, not an industry code, "
                         "not in %s): give a file sector,theta[,psi] instead",
                         name, m->sector_code[j], apath);
        else
            st = map_sector(m, j, s, list, &theta[j], &psi[j], err);
    }
    if (st == TW_OK) {
        memcpy(m->arr[TW_THETA], theta, J * sizeof *theta);
        memcpy(m->arr[TW_PSI], psi, J * sizeof *psi);
    }
    tw_csv_free(&aliases);
    free(theta);
    free(psi);
    free(s);
    return st;
}

tw_status tw_model_apply_elasticities(tw_model *m, const char *spec, const char *sets_dir,
                                      tw_error *err)
{
    if (!m || !spec || !*spec)
        return tw_fail(err, TW_ERR_INVALID, "tw_model_apply_elasticities: no model or spec");
    if (is_set_name(spec))
        return apply_set(m, spec, sets_dir ? sets_dir : default_sets(), err);
    return read_file_set(m, spec, err);
}

tw_status tw_model_scale_elasticities(tw_model *m, double theta_scale, double psi_scale,
                                      tw_error *err)
{
    if (!m)
        return tw_fail(err, TW_ERR_INVALID, "scale elasticities: no model");
    if (!(theta_scale > 0) || !isfinite(theta_scale))
        return tw_fail(err, TW_ERR_INVALID, "theta scale %g: must be a positive number",
                       theta_scale);
    if (!(psi_scale >= 0) || !isfinite(psi_scale))
        return tw_fail(err, TW_ERR_INVALID, "psi scale %g: must be a number >= 0", psi_scale);
    for (size_t j = 0; j < m->J; j++) {
        m->arr[TW_THETA][j] *= theta_scale;
        m->arr[TW_PSI][j] *= psi_scale;
    }
    return TW_OK;
}
