/* io_table.c - named-column tables from long CSV files and Stata .dta files
 * (the latter through ReadStat), for gravity estimation. */
#include "internal.h"
#include "io_csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tw_column {
    char *name;
    double *num; /* rows; NaN where missing (all NaN for a text column) */
    char **text; /* rows strings, or NULL for a numeric column */
} tw_column;

struct tw_table {
    size_t rows, cols;
    tw_column *col;
};

void tw_table_free(tw_table *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->cols; k++) {
        free(t->col[k].name);
        free(t->col[k].num);
        if (t->col[k].text) {
            for (size_t r = 0; r < t->rows; r++)
                free(t->col[k].text[r]);
            free(t->col[k].text);
        }
    }
    free(t->col);
    free(t);
}

size_t tw_table_rows(const tw_table *t) { return t ? t->rows : 0; }
size_t tw_table_cols(const tw_table *t) { return t ? t->cols : 0; }

const char *tw_table_col_name(const tw_table *t, size_t k)
{
    return (t && k < t->cols) ? t->col[k].name : NULL;
}

long tw_table_find(const tw_table *t, const char *name)
{
    for (size_t k = 0; t && name && k < t->cols; k++)
        if (strcmp(t->col[k].name, name) == 0)
            return (long)k;
    return -1;
}

int tw_table_is_numeric(const tw_table *t, size_t k)
{
    return t && k < t->cols && t->col[k].text == NULL;
}

const double *tw_table_numeric(const tw_table *t, size_t k)
{
    return tw_table_is_numeric(t, k) ? t->col[k].num : NULL;
}

const char *tw_table_text(const tw_table *t, size_t row, size_t k, char *buf, size_t size)
{
    if (!t || k >= t->cols || row >= t->rows || size == 0)
        return "";
    if (t->col[k].text)
        return t->col[k].text[row] ? t->col[k].text[row] : "";
    double v = t->col[k].num[row];
    if (isnan(v))
        return "";
    snprintf(buf, size, "%.17g", v);
    return buf;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static tw_table *table_alloc(size_t rows, size_t cols)
{
    tw_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->rows = rows;
    t->col = tw_calloc(cols, sizeof *t->col);
    if (!t->col) {
        free(t);
        return NULL;
    }
    t->cols = cols;
    for (size_t k = 0; k < cols; k++) {
        t->col[k].num = tw_calloc(rows, sizeof(double));
        if (!t->col[k].num) {
            tw_table_free(t);
            return NULL;
        }
        for (size_t r = 0; r < rows; r++)
            t->col[k].num[r] = NAN;
    }
    return t;
}

static tw_status check_names(const tw_table *t, const char *path, tw_error *err)
{
    for (size_t a = 0; a < t->cols; a++) {
        if (!t->col[a].name)
            return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
        if (t->col[a].name[0] == '\0')
            return tw_fail(err, TW_ERR_DATA, "%s: column %zu has no name", path, a + 1);
        for (size_t b = 0; b < a; b++)
            if (strcmp(t->col[a].name, t->col[b].name) == 0)
                return tw_fail(err, TW_ERR_DATA, "%s: column '%s' appears twice", path,
                               t->col[a].name);
    }
    return TW_OK;
}

/* ---- CSV ----------------------------------------------------------------- */

static tw_status csv_column(tw_table *t, const tw_csv *c, size_t k, tw_error *err)
{
    tw_column *col = &t->col[k];
    int numeric = 1;
    for (size_t r = 0; r < t->rows && numeric; r++) {
        const char *f = c->rows[r + 1].fields[k];
        double v;
        if (f[0] != '\0' && tw_parse_number(f, 0, &v) != 0)
            numeric = 0;
        else if (f[0] != '\0')
            col->num[r] = v;
    }
    if (numeric)
        return TW_OK;
    col->text = tw_calloc(t->rows, sizeof(char *));
    if (!col->text)
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", c->name);
    for (size_t r = 0; r < t->rows; r++) {
        col->num[r] = NAN;
        col->text[r] = dup_str(c->rows[r + 1].fields[k]);
        if (!col->text[r])
            return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", c->name);
    }
    return TW_OK;
}

/* Read and parse a CSV file whose first lines may be comments starting with
 * '#' (the provenance line tradewar writes atop its CSV output). */
static tw_status csv_read_commented(const char *path, tw_csv *c, tw_error *err)
{
    char *text = NULL;
    size_t len = 0, skip = 0, lines = 0;
    tw_status st = tw_read_file(path, &text, &len, err);
    if (st != TW_OK)
        return st;
    while (skip < len && text[skip] == '#') {
        while (skip < len && text[skip] != '\n')
            skip++;
        if (skip < len)
            skip++;
        lines++;
    }
    st = tw_csv_parse(path, text + skip, len - skip, c, err);
    for (size_t r = 0; st == TW_OK && r < c->nrows; r++)
        c->rows[r].line += lines;
    free(text);
    return st;
}

static tw_status read_csv(const char *path, tw_table **out, tw_error *err)
{
    tw_csv c = {0};
    tw_status st = csv_read_commented(path, &c, err);
    if (st != TW_OK)
        return st;
    if (c.nrows < 2) {
        tw_csv_free(&c);
        return tw_fail(err, TW_ERR_DATA, "%s: no data rows under the header", path);
    }
    size_t cols = c.rows[0].nfields;
    for (size_t r = 1; r < c.nrows; r++)
        if (c.rows[r].nfields != cols) {
            tw_status e = tw_fail(err, TW_ERR_PARSE, "%s:%zu: %zu fields, the header has %zu", path,
                                  c.rows[r].line, c.rows[r].nfields, cols);
            tw_csv_free(&c);
            return e;
        }
    tw_table *t = table_alloc(c.nrows - 1, cols);
    if (!t) {
        tw_csv_free(&c);
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
    }
    for (size_t k = 0; k < cols && st == TW_OK; k++) {
        t->col[k].name = dup_str(c.rows[0].fields[k]);
        if (!t->col[k].name)
            st = tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
        else
            st = csv_column(t, &c, k, err);
    }
    if (st == TW_OK)
        st = check_names(t, path, err);
    tw_csv_free(&c);
    if (st != TW_OK) {
        tw_table_free(t);
        return st;
    }
    *out = t;
    return TW_OK;
}

/* ---- Stata .dta via ReadStat ---------------------------------------------- */

typedef struct dta_ctx {
    tw_table *t;
    const char *path;
    int failed;
} dta_ctx;

static int dta_metadata(readstat_metadata_t *md, void *user)
{
    dta_ctx *c = user;
    int rows = readstat_get_row_count(md), cols = readstat_get_var_count(md);
    if (rows <= 0 || cols <= 0) {
        c->failed = 2;
        return READSTAT_HANDLER_ABORT;
    }
    c->t = table_alloc((size_t)rows, (size_t)cols);
    if (!c->t) {
        c->failed = 1;
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

static int dta_variable(int index, readstat_variable_t *v, const char *labels, void *user)
{
    (void)labels;
    dta_ctx *c = user;
    if (!c->t || index < 0 || (size_t)index >= c->t->cols)
        return READSTAT_HANDLER_ABORT;
    tw_column *col = &c->t->col[index];
    const char *name = readstat_variable_get_name(v);
    col->name = dup_str(name ? name : "");
    if (!col->name) {
        c->failed = 1;
        return READSTAT_HANDLER_ABORT;
    }
    if (readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING) {
        col->text = tw_calloc(c->t->rows, sizeof(char *));
        if (!col->text) {
            c->failed = 1;
            return READSTAT_HANDLER_ABORT;
        }
    }
    return READSTAT_HANDLER_OK;
}

static double dta_number(readstat_value_t val)
{
    switch (readstat_value_type(val)) {
    case READSTAT_TYPE_INT8:
        return readstat_int8_value(val);
    case READSTAT_TYPE_INT16:
        return readstat_int16_value(val);
    case READSTAT_TYPE_INT32:
        return readstat_int32_value(val);
    case READSTAT_TYPE_FLOAT:
        return (double)readstat_float_value(val);
    case READSTAT_TYPE_DOUBLE:
        return readstat_double_value(val);
    default:
        return NAN;
    }
}

static int dta_value(int obs, readstat_variable_t *v, readstat_value_t val, void *user)
{
    dta_ctx *c = user;
    int k = readstat_variable_get_index(v);
    if (!c->t || obs < 0 || (size_t)obs >= c->t->rows || k < 0 || (size_t)k >= c->t->cols)
        return READSTAT_HANDLER_ABORT;
    tw_column *col = &c->t->col[k];
    if (col->text) {
        const char *s = readstat_value_type(val) == READSTAT_TYPE_STRING
                            ? readstat_string_value(val)
                            : NULL;
        col->text[obs] = dup_str(s ? s : "");
        if (!col->text[obs]) {
            c->failed = 1;
            return READSTAT_HANDLER_ABORT;
        }
    } else if (!readstat_value_is_missing(val, v)) {
        col->num[obs] = dta_number(val);
    }
    return READSTAT_HANDLER_OK;
}

static tw_status read_dta(const char *path, tw_table **out, tw_error *err)
{
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        char why[128];
        tw_os_error(errno, why, sizeof why);
        return tw_fail(err, TW_ERR_IO, "%s: %s", path, why);
    }
    fclose(probe);
    readstat_parser_t *p = readstat_parser_init();
    if (!p)
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
    dta_ctx c = {NULL, path, 0};
    readstat_set_metadata_handler(p, dta_metadata);
    readstat_set_variable_handler(p, dta_variable);
    readstat_set_value_handler(p, dta_value);
    readstat_error_t e = readstat_parse_dta(p, path, &c);
    readstat_parser_free(p);
    tw_status st = TW_OK;
    if (c.failed == 1)
        st = tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
    else if (c.failed == 2 || (e == READSTAT_OK && !c.t))
        st = tw_fail(err, TW_ERR_DATA, "%s: no rows or no variables", path);
    else if (e != READSTAT_OK)
        st = tw_fail(err, TW_ERR_PARSE, "%s: not a readable Stata file: %s", path,
                     readstat_error_message(e));
    if (st == TW_OK)
        st = check_names(c.t, path, err);
    if (st != TW_OK) {
        tw_table_free(c.t);
        return st;
    }
    for (size_t k = 0; k < c.t->cols; k++) /* string cells never visited stay "" */
        for (size_t r = 0; c.t->col[k].text && r < c.t->rows; r++)
            if (!c.t->col[k].text[r] && !(c.t->col[k].text[r] = dup_str(""))) {
                tw_table_free(c.t);
                return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
            }
    *out = c.t;
    return TW_OK;
}

static int ends_with_dta(const char *path)
{
    size_t n = strlen(path);
    if (n < 4)
        return 0;
    const char *e = path + n - 4;
    return e[0] == '.' && tolower((unsigned char)e[1]) == 'd' &&
           tolower((unsigned char)e[2]) == 't' && tolower((unsigned char)e[3]) == 'a';
}

tw_status tw_table_read(const char *path, tw_table **out, tw_error *err)
{
    if (!path || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_table_read: NULL argument");
    *out = NULL;
    return ends_with_dta(path) ? read_dta(path, out, err) : read_csv(path, out, err);
}

/* ---- factors ------------------------------------------------------------- */

typedef struct {
    const char *key; /* text, or NULL for a number */
    double num;
    uint32_t code;
} fslot;

static uint64_t hash_key(const char *s, double v)
{
    uint64_t h = 1469598103934665603ull;
    if (s) {
        for (; *s; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ull;
    } else {
        uint64_t b;
        if (v == 0)
            v = 0; /* -0 and 0 are one level */
        memcpy(&b, &v, sizeof b);
        h ^= b;
        h *= 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return h;
}

tw_status tw_table_factor(const tw_table *t, size_t k, uint32_t *codes, size_t *levels,
                          char ***names, tw_error *err)
{
    if (!t || k >= t->cols || !codes || !levels)
        return tw_fail(err, TW_ERR_INVALID, "tw_table_factor: bad argument");
    const tw_column *col = &t->col[k];
    size_t cap = 16;
    while (cap < 2 * t->rows + 2)
        cap <<= 1;
    fslot *slot = tw_calloc(cap, sizeof *slot);
    uint32_t *first = tw_calloc(t->rows, sizeof *first); /* row of each level's first use */
    if (!slot || !first) {
        free(slot);
        free(first);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    for (size_t s = 0; s < cap; s++)
        slot[s].code = UINT32_MAX;
    size_t nlev = 0;
    for (size_t r = 0; r < t->rows; r++) {
        const char *key = col->text ? col->text[r] : NULL;
        double v = col->num[r];
        if ((key && key[0] == '\0') || (!key && isnan(v))) {
            codes[r] = UINT32_MAX;
            continue;
        }
        size_t s = (size_t)hash_key(key, v) & (cap - 1);
        for (;; s = (s + 1) & (cap - 1)) {
            if (slot[s].code == UINT32_MAX) {
                slot[s].key = key;
                slot[s].num = v;
                slot[s].code = (uint32_t)nlev;
                first[nlev++] = (uint32_t)r;
                break;
            }
            if (key ? strcmp(slot[s].key, key) == 0 : slot[s].num == v)
                break;
        }
        codes[r] = slot[s].code;
    }
    free(slot);
    *levels = nlev;
    tw_status st = TW_OK;
    if (names) {
        *names = tw_calloc(nlev, sizeof(char *));
        char buf[64];
        for (size_t l = 0; *names && l < nlev; l++) {
            (*names)[l] = dup_str(tw_table_text(t, first[l], k, buf, sizeof buf));
            if (!(*names)[l])
                st = TW_ERR_NOMEM;
        }
        if (!*names)
            st = TW_ERR_NOMEM;
        if (st != TW_OK && *names) {
            for (size_t l = 0; l < nlev; l++)
                free((*names)[l]);
            free(*names);
            *names = NULL;
        }
        if (st != TW_OK)
            tw_fail(err, st, "out of memory");
    }
    free(first);
    return st;
}
