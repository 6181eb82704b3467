/* io_dataset_write.c - write a model as a tradewar data set. Each file is
 * written to a temporary name and renamed into place, so an error never
 * leaves a half-written file; manifest.yaml is written last. */
#include "io_dataset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct writer {
    const tw_model *m;
    const char *dir;
    const tw_dataset_meta *meta; /* may be NULL */
} writer;

typedef tw_status (*write_body)(const writer *w, FILE *f);

/* Non-default in the bitwise sense: -0.0 differs from 0.0, so a round trip
 * reproduces the checksum exactly. */
static int differs(double v, double dflt) { return v != dflt || signbit(v) != signbit(dflt); }

static int any_differs(const tw_model *m, tw_array a, double dflt)
{
    size_t len = tw_model_array_length(m, a);
    for (size_t x = 0; x < len; x++)
        if (differs(m->arr[a][x], dflt))
            return 1;
    return 0;
}

static tw_status write_file(const writer *w, const char *name, write_body body, tw_error *err)
{
    char path[4096], tmp[4200];
    tw_status st = tw_path_join(path, sizeof path, w->dir, name, err);
    if (st != TW_OK)
        return st;
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    char why[128];
    if (!f) {
        tw_os_error(errno, why, sizeof why);
        return tw_fail(err, TW_ERR_IO, "%s: cannot create: %s", tmp, why);
    }
    st = body(w, f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || st != TW_OK) {
        remove(tmp);
        return st != TW_OK ? tw_fail(err, st, "%s: cannot write", path)
                           : tw_fail(err, TW_ERR_IO, "%s: write failed", path);
    }
    if (rename(tmp, path) != 0) {
        tw_os_error(errno, why, sizeof why);
        remove(tmp);
        return tw_fail(err, TW_ERR_IO, "%s: cannot rename into place: %s", path, why);
    }
    return TW_OK;
}

/* ---- CSV bodies ---------------------------------------------------------- */

static tw_status body_nnj(const writer *w, FILE *f, tw_array a, const char *value, double dflt,
                          int all)
{
    const tw_model *m = w->m;
    size_t N = m->N, J = m->J;
    fprintf(f, "exporter,importer,sector,%s\n", value);
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                double v = m->arr[a][tw_idx3(N, J, i, n, j)];
                if (all || differs(v, dflt))
                    fprintf(f, "%s,%s,%s,%.17g\n", m->country_code[i], m->country_code[n],
                            m->sector_code[j], v);
            }
    return TW_OK;
}

static tw_status body_flows(const writer *w, FILE *f)
{
    return body_nnj(w, f, TW_FLOWS, "value", 0, 1);
}
static tw_status body_tariffs(const writer *w, FILE *f)
{
    return body_nnj(w, f, TW_TARIFFS, "rate", 0, 0);
}
static tw_status body_export_taxes(const writer *w, FILE *f)
{
    return body_nnj(w, f, TW_EXPORT_TAXES, "rate", 0, 0);
}
static tw_status body_trade_costs(const writer *w, FILE *f)
{
    return body_nnj(w, f, TW_TRADE_COSTS, "cost", 1, 0);
}

static tw_status body_nj(const writer *w, FILE *f, tw_array a, const char *value, int all)
{
    const tw_model *m = w->m;
    fprintf(f, "country,sector,%s\n", value);
    for (size_t i = 0; i < m->N; i++)
        for (size_t j = 0; j < m->J; j++) {
            double v = m->arr[a][tw_idx2(m->J, i, j)];
            if (all || differs(v, 0))
                fprintf(f, "%s,%s,%.17g\n", m->country_code[i], m->sector_code[j], v);
        }
    return TW_OK;
}

static tw_status body_subsidies(const writer *w, FILE *f)
{
    return body_nj(w, f, TW_SUBSIDIES, "rate", 0);
}
static tw_status body_va(const writer *w, FILE *f)
{
    return body_nj(w, f, TW_VA_SHARES, "share", 1);
}
static tw_status body_final(const writer *w, FILE *f)
{
    return body_nj(w, f, TW_FINAL_SHARES, "share", 1);
}

static tw_status body_io(const writer *w, FILE *f)
{
    const tw_model *m = w->m;
    size_t J = m->J;
    fprintf(f, "country,input,sector,share\n");
    for (size_t i = 0; i < m->N; i++)
        for (size_t k = 0; k < J; k++)
            for (size_t j = 0; j < J; j++) {
                double v = m->arr[TW_IO_SHARES][tw_idx3io(J, i, k, j)];
                if (differs(v, 0)) /* missing rows read as 0 */
                    fprintf(f, "%s,%s,%s,%.17g\n", m->country_code[i], m->sector_code[k],
                            m->sector_code[j], v);
            }
    return TW_OK;
}

static tw_status body_elasticities(const writer *w, FILE *f)
{
    const tw_model *m = w->m;
    int markup = any_differs(m, TW_MARKUP, 0);
    fprintf(f, "sector,theta,psi%s\n", markup ? ",markup" : "");
    for (size_t j = 0; j < m->J; j++) {
        fprintf(f, "%s,%.17g,%.17g", m->sector_code[j], m->arr[TW_THETA][j], m->arr[TW_PSI][j]);
        if (markup)
            fprintf(f, ",%.17g", m->arr[TW_MARKUP][j]);
        fputc('\n', f);
    }
    return TW_OK;
}

/* ---- manifest -------------------------------------------------------------- */

/* A YAML double-quoted scalar: escape backslash, quote and control characters. */
static void yaml_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 32 || ch == 127)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void yaml_labels(FILE *f, const char *key, char (*codes)[TW_CODE_MAX],
                        char (*names)[TW_NAME_MAX], char **industries, size_t count)
{
    fprintf(f, "%s:\n", key);
    for (size_t k = 0; k < count; k++) {
        fputs("  - {code: ", f);
        yaml_quoted(f, codes[k]);
        fputs(", name: ", f);
        yaml_quoted(f, names[k]);
        if (industries && industries[k]) {
            fputs(", industries: ", f);
            yaml_quoted(f, industries[k]);
        }
        fputs("}\n", f);
    }
}

static const char *meta_or(const char *v, const char *dflt) { return v ? v : dflt; }

static int table_written(const tw_model *m, int t)
{
    switch (t) {
    case TW_DS_EXPORT_TAXES:
        return any_differs(m, TW_EXPORT_TAXES, 0);
    case TW_DS_SUBSIDIES:
        return any_differs(m, TW_SUBSIDIES, 0);
    case TW_DS_TRADE_COSTS:
        return any_differs(m, TW_TRADE_COSTS, 1);
    default:
        return 1;
    }
}

static tw_status body_manifest(const writer *w, FILE *f)
{
    const tw_model *m = w->m;
    fprintf(f, "# tradewar data set (docs/data-format.md)\n");
    fprintf(f, "format: %s\nversion: 1\n", TW_DS_FORMAT);
    const tw_dataset_meta *meta = w->meta;
    if (meta && meta->title) {
        fputs("title: ", f);
        yaml_quoted(f, meta->title);
        fputc('\n', f);
    } else {
        fprintf(f, "title: \"written by tradewar %s\"\n", tw_version());
    }
    fputs("source: ", f);
    yaml_quoted(f, meta_or(meta ? meta->source : NULL, "unspecified"));
    fputs("\ncurrency_unit: ", f);
    /* the caller's unit, else the model's own */
    yaml_quoted(f, meta_or(meta ? meta->currency_unit : NULL,
                           m->currency_unit[0] ? m->currency_unit : "unspecified"));
    fputc('\n', f);
    if (meta && meta->n_provenance) {
        fputs("provenance:\n", f);
        for (size_t k = 0; k < meta->n_provenance; k++) {
            fprintf(f, "  %s: ", meta->provenance[2 * k]);
            yaml_quoted(f, meta->provenance[2 * k + 1]);
            fputc('\n', f);
        }
    }
    fprintf(f, "flows_basis: before_tariffs\n");
    fprintf(f, "dimensions: {countries: %zu, sectors: %zu}\n", m->N, m->J);
    yaml_labels(f, "countries", m->country_code, m->country_name, NULL, m->N);
    yaml_labels(f, "sectors", m->sector_code, m->sector_name, m->sector_industries, m->J);
    if (m->ngroups[0] || m->ngroups[1]) {
        fputs("groups:\n", f);
        for (int g = 0; g < 2; g++) {
            if (m->ngroups[g])
                fprintf(f, "  %s:\n", g ? "sectors" : "countries");
            for (size_t k = 0; k < m->ngroups[g]; k++) {
                const tw_model_group *grp = &m->groups[g][k];
                fprintf(f, "    %s: [", grp->name);
                for (size_t x = 0; x < grp->n; x++) {
                    fputs(x ? ", " : "", f);
                    yaml_quoted(f, g ? m->sector_code[grp->members[x]]
                                     : m->country_code[grp->members[x]]);
                }
                fputs("]\n", f);
            }
        }
    }
    fprintf(f, "files:\n");
    for (int t = 0; t < TW_DS_TABLE_COUNT; t++)
        if (table_written(m, t))
            fprintf(f, "  %s: %s.csv\n", tw_ds_table_keys[t], tw_ds_table_keys[t]);
    return TW_OK;
}

/* ---- entry point --------------------------------------------------------- */

static tw_status make_dir(const char *dir, tw_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        char why[128];
        tw_os_error(errno, why, sizeof why);
        return tw_fail(err, TW_ERR_IO, "%s: cannot create directory: %s", dir, why);
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return tw_fail(err, TW_ERR_IO, "%s: not a directory", dir);
    return TW_OK;
}

static int provenance_key_ok(const char *k)
{
    if (!k || !*k)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '_'))
            return 0;
    return 1;
}

tw_status tw_write_dataset(const tw_model *m, const char *dir, tw_error *err)
{
    return tw_write_dataset_meta(m, dir, NULL, err);
}

tw_status tw_write_dataset_meta(const tw_model *m, const char *dir, const tw_dataset_meta *meta,
                                tw_error *err)
{
    if (!m || !dir)
        return tw_fail(err, TW_ERR_INVALID, "tw_write_dataset: no model or directory");
    for (size_t k = 0; meta && k < meta->n_provenance; k++)
        if (!provenance_key_ok(meta->provenance[2 * k]) || !meta->provenance[2 * k + 1])
            return tw_fail(err, TW_ERR_INVALID,
                           "tw_write_dataset: provenance entry %zu: key "
                           "'%s' is not letters, digits and '_' (or no value)",
                           k + 1, meta->provenance[2 * k] ? meta->provenance[2 * k] : "(null)");
    static const write_body bodies[TW_DS_TABLE_COUNT] = {
        body_flows, body_tariffs, body_export_taxes, body_subsidies,    body_trade_costs,
        body_va,    body_io,      body_final,        body_elasticities,
    };
    tw_status st = make_dir(dir, err);
    for (int t = 0; t < TW_DS_TABLE_COUNT && st == TW_OK; t++) {
        char name[64];
        snprintf(name, sizeof name, "%s.csv", tw_ds_table_keys[t]);
        if (table_written(m, t))
            st = write_file(&(writer){m, dir, meta}, name, bodies[t], err);
    }
    if (st == TW_OK)
        st = write_file(&(writer){m, dir, meta}, "manifest.yaml", body_manifest, err);
    return st;
}
