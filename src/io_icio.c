/* io_icio.c - import an OECD Inter-Country Input-Output (ICIO) table
 * (docs/import.md): read the CSV in one pass, merge CN1/CN2 into CHN and
 * MX1/MX2 into MEX, map economies to regions and industries to sectors, and
 * build the model's flows and shares. The file is read whole and parsed in
 * place (no per-field allocation): a full-size table (about 3,500 x 3,900
 * numbers) is one buffer plus a few small aggregates. */
#include "io_icio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The industry lists of the two editions, in the tables' order (the OECD's
 * ReadMe files; docs/import.md). They have the same 45 industries in the
 * same order: the 2021 edition codes them by ISIC division ranges with a
 * `D` prefix, the 2023 edition by ISIC section letters. */
const char *const tw_icio_industries_2021[TW_ICIO_INDUSTRIES] = {
    "D01T02", "D03",    "D05T06", "D07T08", "D09",    "D10T12", "D13T15", "D16",    "D17T18",
    "D19",    "D20",    "D21",    "D22",    "D23",    "D24",    "D25",    "D26",    "D27",
    "D28",    "D29",    "D30",    "D31T33", "D35",    "D36T39", "D41T43", "D45T47", "D49",
    "D50",    "D51",    "D52",    "D53",    "D55T56", "D58T60", "D61",    "D62T63", "D64T66",
    "D68",    "D69T75", "D77T82", "D84",    "D85",    "D86T88", "D90T93", "D94T96", "D97T98"};
const char *const tw_icio_industries_2023[TW_ICIO_INDUSTRIES] = {
    "A01_02", "A03", "B05_06", "B07_08", "B09", "C10T12", "C13T15", "C16",    "C17_18",
    "C19",    "C20", "C21",    "C22",    "C23", "C24",    "C25",    "C26",    "C27",
    "C28",    "C29", "C30",    "C31T33", "D",   "E",      "F",      "G",      "H49",
    "H50",    "H51", "H52",    "H53",    "I",   "J58T60", "J61",    "J62_63", "K",
    "L",      "M",   "N",      "O",      "P",   "Q",      "R",      "S",      "T"};

/* The 2025 edition's 50 industries: the 45 with agriculture, mining, basic
 * metals and other transport split. */
const char *const tw_icio_industries_2025[TW_ICIO_INDUSTRIES_2025] = {
    "A01", "A02",    "A03", "B05", "B06",  "B07",      "B08",    "B09",       "C10T12",    "C13T15",
    "C16", "C17_18", "C19", "C20", "C21",  "C22",      "C23",    "C241_2431", "C242_2432", "C25",
    "C26", "C27",    "C28", "C29", "C301", "C302T309", "C31T33", "D",         "E",         "F",
    "G",   "H49",    "H50", "H51", "H52",  "H53",      "I",      "J58T60",    "J61",       "J62_63",
    "K",   "L",      "M",   "N",   "O",    "P",        "Q",      "R",         "S",         "T"};

/* A split 2025 industry and the one of the 45 it belongs to. */
static const char *const split_2025[][2] = {
    {"A01", "A01_02"}, {"A02", "A01_02"},   {"B05", "B05_06"},    {"B06", "B05_06"},
    {"B07", "B07_08"}, {"B08", "B07_08"},   {"C241_2431", "C24"}, {"C242_2432", "C24"},
    {"C301", "C30"},   {"C302T309", "C30"},
};

long tw_icio_industry_index(const char *code)
{
    for (size_t k = 0; k < sizeof split_2025 / sizeof *split_2025; k++)
        if (strcmp(code, split_2025[k][0]) == 0)
            code = split_2025[k][1];
    for (int k = 0; k < TW_ICIO_INDUSTRIES; k++)
        if (strcmp(code, tw_icio_industries_2023[k]) == 0 ||
            strcmp(code, tw_icio_industries_2021[k]) == 0)
            return k;
    return -1;
}

void tw_icio_options_default(tw_icio_options *o) { memset(o, 0, sizeof *o); }

/* Final-demand column codes (2021/2023 editions; NPS, P33 and DIRP are the
 * older editions' names, accepted as well). */
static const char *const fd_codes[] = {"HFCE",  "NPISH", "NPS",   "GGFC", "GFCF",
                                       "INVNT", "INV",   "DPABR", "P33",  "DIRP"};

static int is_fd(const char *code)
{
    for (size_t k = 0; k < sizeof fd_codes / sizeof *fd_codes; k++)
        if (strcmp(code, fd_codes[k]) == 0)
            return 1;
    return 0;
}
static int is_inventories(const char *code)
{
    return strcmp(code, "INVNT") == 0 || strcmp(code, "INV") == 0;
}

/* CN1, CN2, ... -> CHN; MX1, MX2, ... -> MEX (processing and non-processing
 * parts of the economy). Returns the canonical code; *merged says whether it changed. */
static const char *canonical_economy(const char *code, int *merged)
{
    *merged = 0;
    if (strlen(code) == 3 && isdigit((unsigned char)code[2])) {
        if (code[0] == 'C' && code[1] == 'N') {
            *merged = 1;
            return "CHN";
        }
        if (code[0] == 'M' && code[1] == 'X') {
            *merged = 1;
            return "MEX";
        }
    }
    return code;
}

/* ---- a list of distinct strings ------------------------------------------ */

typedef struct strlist {
    char **s;
    size_t n, cap;
} strlist;

static long sl_find(const strlist *l, const char *s)
{
    for (size_t k = 0; k < l->n; k++)
        if (strcmp(l->s[k], s) == 0)
            return (long)k;
    return -1;
}

/* Index of s, appended when new; -1 when out of memory. */
static long sl_add(strlist *l, const char *s)
{
    long k = sl_find(l, s);
    if (k >= 0)
        return k;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **p = realloc(l->s, cap * sizeof *p);
        if (!p)
            return -1;
        l->s = p;
        l->cap = cap;
    }
    size_t len = strlen(s);
    if (!(l->s[l->n] = malloc(len + 1)))
        return -1;
    memcpy(l->s[l->n], s, len + 1);
    return (long)l->n++;
}

static void sl_free(strlist *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->s[k]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

/* ---- maps (economy,region / industry,sector) ---------------------------- */

typedef struct icio_map {
    char path[4096];
    char sha256[65];
    strlist keys, targets; /* keys[k] -> targets[target[k]] */
    size_t *target;
    size_t *line;
    int *used;
} icio_map;

static void map_free(icio_map *m)
{
    sl_free(&m->keys);
    sl_free(&m->targets);
    free(m->target);
    free(m->line);
    free(m->used);
    m->target = m->line = NULL;
    m->used = NULL;
}

static int valid_code(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 31)
        return 0;
    for (size_t k = 0; k < len; k++)
        if (!isalnum((unsigned char)s[k]) && s[k] != '_' && s[k] != '-')
            return 0;
    return 1;
}

static void sha256_hex(const char *data, size_t len, char hex[65]);

/* Read `keycol,valcol` pairs; every key once, targets valid codes. */
static tw_status map_read(const char *path, const char *keycol, const char *valcol, icio_map *m,
                          tw_error *err)
{
    memset(m, 0, sizeof *m);
    snprintf(m->path, sizeof m->path, "%s", path);
    tw_csv csv = {0};
    const char *cols[2] = {keycol, valcol};
    long idx[2];
    char *text = NULL;
    size_t len = 0;
    tw_status st = tw_read_file(path, &text, &len, err);
    if (st == TW_OK) {
        sha256_hex(text, len, m->sha256);
        st = tw_csv_parse(path, text, len, &csv, err);
    }
    free(text);
    if (st == TW_OK)
        st = tw_csv_columns(&csv, cols, 2, 2, idx, err);
    size_t n = csv.nrows ? csv.nrows - 1 : 0;
    if (st == TW_OK && n == 0)
        st = tw_fail(err, TW_ERR_DATA, "%s: the map has no rows", path);
    if (st == TW_OK) {
        m->target = tw_calloc(n, sizeof *m->target);
        m->line = tw_calloc(n, sizeof *m->line);
        m->used = tw_calloc(n, sizeof *m->used);
        if (!m->target || !m->line || !m->used)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 1; st == TW_OK && r < csv.nrows; r++) {
        const char *key = csv.rows[r].fields[idx[0]], *val = csv.rows[r].fields[idx[1]];
        size_t line = csv.rows[r].line;
        long prev = sl_find(&m->keys, key);
        if (!*key)
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: empty %s", path, line, keycol);
        else if (prev >= 0)
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: %s '%s' mapped twice (first on line %zu)", path,
                         line, keycol, key, m->line[prev]);
        else if (!valid_code(val))
            st = tw_fail(err, TW_ERR_DATA,
                         "%s:%zu: %s '%.64s' is not a valid code (1-31 "
                         "letters, digits, '_' or '-')",
                         path, line, valcol, val);
        long k = st == TW_OK ? sl_add(&m->keys, key) : -1;
        long t = k >= 0 ? sl_add(&m->targets, val) : -1;
        if (st == TW_OK && (k < 0 || t < 0))
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        if (st == TW_OK) {
            m->target[k] = (size_t)t;
            m->line[k] = line;
        }
    }
    tw_csv_free(&csv);
    if (st != TW_OK)
        map_free(m);
    return st;
}

/* ---- the table ------------------------------------------------------------- */

enum { COL_INDUSTRY, COL_FD, COL_SKIP };

typedef struct icio {
    const char *path;
    const tw_icio_options *o;
    tw_icio_info *info;
    strlist econ, ind; /* economies (canonical) and industries, in table order */
    strlist raw;       /* economy codes as written (CN1, ...) */
    /* columns */
    size_t ncols; /* fields per line, label column included */
    int *col_kind;
    long *col_econ, *col_ind; /* canonical economy, industry (COL_INDUSTRY) */
    char **col_label;         /* pointers into the header text */
    /* row-label bookkeeping: (raw economy x industry) seen as column / as row */
    unsigned char *seen_col, *seen_row;
    /* mapping */
    icio_map rmap, smap;
    size_t R, S;
    long *econ_region, *ind_sector;
    strlist regions, sectors;
    /* aggregates */
    double *X;               /* R*R*S [i][n][j] */
    double *Zio;             /* R*S*S [n][k][j]: input k bought by sector j of n */
    double *Zcol, *TLS, *VA; /* R*S */
    double *FD;              /* R*S [n][k]: final demand of n for sector k */
} icio;

static void icio_free(icio *t)
{
    sl_free(&t->econ);
    sl_free(&t->ind);
    sl_free(&t->raw);
    free(t->col_kind);
    free(t->col_econ);
    free(t->col_ind);
    free(t->col_label);
    free(t->seen_col);
    free(t->seen_row);
    map_free(&t->rmap);
    map_free(&t->smap);
    free(t->econ_region);
    free(t->ind_sector);
    sl_free(&t->regions);
    sl_free(&t->sectors);
    free(t->X);
    free(t->Zio);
    free(t->Zcol);
    free(t->TLS);
    free(t->VA);
    free(t->FD);
}

/* Split one line (NUL-terminated, in place) at commas; strips one level of
 * double quotes and surrounding spaces. Returns the field count, at most max
 * (more fields are counted but not stored). */
static size_t split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ')
            p++;
        char *start = p, *end;
        if (*p == '"') {
            start = ++p;
            while (*p && *p != '"')
                p++;
            end = p;
            if (*p == '"')
                p++;
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                p++;
            end = p;
            while (end > start && (end[-1] == ' ' || end[-1] == '\r'))
                end--;
        }
        int last = *p == '\0';
        *end = '\0';
        if (n < max)
            fields[n] = start;
        n++;
        if (last)
            return n;
        p++;
    }
}

/* Next line of the buffer (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **cursor, char *end, size_t *lineno)
{
    while (*cursor < end) {
        char *s = *cursor, *nl = memchr(s, '\n', (size_t)(end - s));
        char *e = nl ? nl : end;
        *cursor = nl ? nl + 1 : end;
        (*lineno)++;
        if (e > s && e[-1] == '\r')
            e--;
        *e = '\0';
        if (*s) /* blank lines are skipped */
            return s;
    }
    return NULL;
}

/* Split "AUS_C10T12" at the first underscore. */
static int split_label(char *label, char **econ, char **rest)
{
    char *u = strchr(label, '_');
    if (!u || u == label || !u[1])
        return 0;
    *u = '\0';
    *econ = label;
    *rest = u + 1;
    return 1;
}

static int is_out_label(const char *s)
{
    return strcmp(s, "OUT") == 0 || strcmp(s, "OUTPUT") == 0 || strcmp(s, "TOTAL") == 0;
}

/* Fields of a line without splitting it (commas outside double quotes, plus one). */
static size_t count_fields(const char *line)
{
    size_t n = 1;
    int quoted = 0;
    for (; *line; line++)
        if (*line == '"')
            quoted = !quoted;
        else if (*line == ',' && !quoted)
            n++;
    return n;
}

static tw_status parse_header(icio *t, char *line, tw_error *err)
{
    size_t n = count_fields(line);
    t->ncols = n;
    t->col_kind = tw_calloc(n, sizeof *t->col_kind);
    t->col_econ = tw_calloc(n, sizeof *t->col_econ);
    t->col_ind = tw_calloc(n, sizeof *t->col_ind);
    t->col_label = tw_calloc(n, sizeof *t->col_label);
    char **f = tw_calloc(n, sizeof *f);
    if (!t->col_kind || !t->col_econ || !t->col_ind || !t->col_label || !f) {
        free(f);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    tw_status st = TW_OK;
    if (split(line, f, n) != n)
        st = tw_fail(err, TW_ERR_PARSE, "%s:1: unbalanced double quotes in the header", t->path);
    size_t industry_cols = 0;
    for (size_t c = 1; c < n && st == TW_OK; c++) {
        char label[128], *econ, *rest;
        snprintf(label, sizeof label, "%s", f[c]);
        t->col_label[c] = f[c];
        t->col_kind[c] = COL_SKIP;
        if (is_out_label(f[c]))
            continue;
        if (!split_label(label, &econ, &rest)) {
            st = tw_fail(err, TW_ERR_PARSE,
                         "%s:1: column %zu: label '%.64s' is not "
                         "COUNTRY_INDUSTRY, COUNTRY_<final demand> or OUT",
                         t->path, c + 1, f[c]);
            break;
        }
        int merged;
        const char *canon = canonical_economy(econ, &merged);
        long e = sl_add(&t->econ, canon);
        if (e < 0 || sl_add(&t->raw, econ) < 0) {
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
            break;
        }
        t->col_econ[c] = e;
        if (is_fd(rest)) {
            t->col_kind[c] = COL_FD;
            t->col_ind[c] = is_inventories(rest);
        } else {
            long k = sl_add(&t->ind, rest);
            if (k < 0)
                st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
            t->col_kind[c] = COL_INDUSTRY;
            t->col_ind[c] = k;
            industry_cols++;
        }
    }
    free(f);
    if (st == TW_OK && industry_cols == 0)
        st = tw_fail(err, TW_ERR_PARSE, "%s:1: no COUNTRY_INDUSTRY columns in the header", t->path);
    return st;
}

/* The (raw economy, industry) cell of a label, for the duplicate and
 * completeness checks. */
static long raw_cell(const icio *t, const char *econ, const char *ind)
{
    long e = sl_find(&t->raw, econ), k = sl_find(&t->ind, ind);
    return (e < 0 || k < 0) ? -1 : e * (long)t->ind.n + k;
}

static tw_status check_header_cells(icio *t, tw_error *err)
{
    t->seen_col = tw_calloc(t->raw.n * t->ind.n, 1);
    t->seen_row = tw_calloc(t->raw.n * t->ind.n, 1);
    if (!t->seen_col || !t->seen_row)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t c = 1; c < t->ncols; c++) {
        if (t->col_kind[c] != COL_INDUSTRY)
            continue;
        char label[128], *econ = label, *rest = label;
        snprintf(label, sizeof label, "%s", t->col_label[c]);
        split_label(label, &econ, &rest);
        long x = raw_cell(t, econ, rest);
        if (t->seen_col[x])
            return tw_fail(err, TW_ERR_PARSE, "%s:1: column %zu: '%s' appears twice", t->path,
                           c + 1, t->col_label[c]);
        t->seen_col[x] = 1;
    }
    /* Economies either have all industries or none (final demand only). */
    for (size_t e = 0; e < t->raw.n; e++) {
        size_t have = 0;
        for (size_t k = 0; k < t->ind.n; k++)
            have += t->seen_col[e * t->ind.n + k];
        if (have != 0 && have != t->ind.n)
            for (size_t k = 0; k < t->ind.n; k++)
                if (!t->seen_col[e * t->ind.n + k])
                    return tw_fail(err, TW_ERR_PARSE,
                                   "%s:1: no column %s_%s (economy %s has "
                                   "other industries)",
                                   t->path, t->raw.s[e], t->ind.s[k], t->raw.s[e]);
    }
    return TW_OK;
}

/* ---- regions and sectors ------------------------------------------------------- */

/* Map each of `from` to an index of `to`: through the map when given (every
 * key used, every entry naming something), else identity. */
static tw_status apply_map(icio *t, icio_map *map, const char *path, const strlist *from,
                           const char *what, long **index, strlist *to, tw_error *err)
{
    *index = tw_calloc(from->n ? from->n : 1, sizeof **index);
    if (!*index)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (!path) {
        for (size_t k = 0; k < from->n; k++)
            if (((*index)[k] = sl_add(to, from->s[k])) < 0)
                return tw_fail(err, TW_ERR_NOMEM, "out of memory");
        return TW_OK;
    }
    for (size_t k = 0; k < from->n; k++) {
        long e = sl_find(&map->keys, from->s[k]);
        if (e < 0)
            return tw_fail(err, TW_ERR_DATA, "%s: %s '%s' of %s is not in the map", path, what,
                           from->s[k], t->path);
        map->used[e] = 1;
    }
    for (size_t e = 0; e < map->keys.n; e++)
        if (!map->used[e])
            return tw_fail(err, TW_ERR_DATA, "%s:%zu: %s '%s' names nothing in %s", path,
                           map->line[e], what, map->keys.s[e], t->path);
    /* targets in the order of the map file */
    for (size_t e = 0; e < map->keys.n; e++)
        if (sl_add(to, map->targets.s[map->target[e]]) < 0)
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < from->n; k++)
        (*index)[k] = sl_find(to, map->targets.s[map->target[sl_find(&map->keys, from->s[k])]]);
    return TW_OK;
}

static tw_status setup_maps(icio *t, tw_error *err)
{
    tw_status st = TW_OK;
    for (size_t e = 0; e < t->econ.n && st == TW_OK; e++)
        if (!t->o->regions_map && !valid_code(t->econ.s[e]))
            st = tw_fail(err, TW_ERR_DATA, "%s:1: economy '%.64s' is not a valid code", t->path,
                         t->econ.s[e]);
    for (size_t k = 0; k < t->ind.n && st == TW_OK; k++)
        if (!t->o->sectors_map && !valid_code(t->ind.s[k]))
            st = tw_fail(err, TW_ERR_DATA, "%s:1: industry '%.64s' is not a valid code", t->path,
                         t->ind.s[k]);
    if (st == TW_OK && t->o->regions_map)
        st = map_read(t->o->regions_map, "economy", "region", &t->rmap, err);
    if (st == TW_OK && t->o->sectors_map)
        st = map_read(t->o->sectors_map, "industry", "sector", &t->smap, err);
    if (st == TW_OK)
        st = apply_map(t, &t->rmap, t->o->regions_map, &t->econ, "economy", &t->econ_region,
                       &t->regions, err);
    if (st == TW_OK)
        st = apply_map(t, &t->smap, t->o->sectors_map, &t->ind, "industry", &t->ind_sector,
                       &t->sectors, err);
    if (st != TW_OK)
        return st;
    t->R = t->regions.n;
    t->S = t->sectors.n;
    size_t R = t->R, S = t->S;
    t->X = tw_calloc(R * R * S, sizeof(double));
    t->Zio = tw_calloc(R * S * S, sizeof(double));
    t->Zcol = tw_calloc(R * S, sizeof(double));
    t->TLS = tw_calloc(R * S, sizeof(double));
    t->VA = tw_calloc(R * S, sizeof(double));
    t->FD = tw_calloc(R * S, sizeof(double));
    if (!t->X || !t->Zio || !t->Zcol || !t->TLS || !t->VA || !t->FD)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory for %zu regions x %zu sectors", R, S);
    return TW_OK;
}

/* ---- the rows -------------------------------------------------------------------- */

/* A cell's number: empty is 0 (as the OECD's own readers treat a blank). */
static tw_status cell(const icio *t, size_t line, const char *row, size_t c, const char *text,
                      double *v, tw_error *err)
{
    if (!*text) {
        *v = 0;
        return TW_OK;
    }
    if (tw_parse_number(text, 0, v) != 0)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: cell %s x %s: '%.32s' is not a number", t->path,
                       line, row, t->col_label[c], text);
    return TW_OK;
}

enum { ROW_IND, ROW_TLS, ROW_VA, ROW_SKIP };

static tw_status row_kind(icio *t, char *label, size_t line, int *kind, long *region, long *sector,
                          tw_error *err)
{
    if (strcmp(label, "TLS") == 0 || strcmp(label, "TAXSUB") == 0) {
        *kind = ROW_TLS;
        return TW_OK;
    }
    if (strcmp(label, "VA") == 0 || strcmp(label, "VALU") == 0) {
        *kind = ROW_VA;
        return TW_OK;
    }
    if (is_out_label(label)) {
        *kind = ROW_SKIP;
        return TW_OK;
    }
    char copy[128], *econ, *rest;
    snprintf(copy, sizeof copy, "%s", label);
    long x = split_label(copy, &econ, &rest) ? raw_cell(t, econ, rest) : -1;
    if (x < 0 || !t->seen_col[x])
        return tw_fail(err, TW_ERR_PARSE,
                       "%s:%zu: row label '%.64s' is not one of the "
                       "header's COUNTRY_INDUSTRY columns, TLS, VA or OUT",
                       t->path, line, label);
    if (t->seen_row[x])
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: row '%s' appears twice", t->path, line, label);
    t->seen_row[x] = 1;
    int merged;
    long e = sl_find(&t->econ, canonical_economy(econ, &merged));
    *kind = ROW_IND;
    *region = t->econ_region[e];
    *sector = t->ind_sector[sl_find(&t->ind, rest)];
    return TW_OK;
}

static tw_status parse_row(icio *t, char **f, size_t line, tw_error *err)
{
    int kind = ROW_SKIP;
    long ri = 0, sk = 0;
    tw_status st = row_kind(t, f[0], line, &kind, &ri, &sk, err);
    if (st != TW_OK || kind == ROW_SKIP)
        return st;
    size_t R = t->R, S = t->S;
    for (size_t c = 1; c < t->ncols; c++) {
        if (t->col_kind[c] == COL_SKIP)
            continue;
        double v;
        if ((st = cell(t, line, f[0], c, f[c], &v, err)) != TW_OK)
            return st;
        size_t rn = (size_t)t->econ_region[t->col_econ[c]];
        if (t->col_kind[c] == COL_FD) {
            if (kind != ROW_IND || (t->col_ind[c] && t->o->drop_inventories))
                continue; /* taxes on final products: outside the model (docs/import.md) */
            t->X[tw_idx3(R, S, (size_t)ri, rn, (size_t)sk)] += v;
            t->FD[tw_idx2(S, rn, (size_t)sk)] += v;
            continue;
        }
        size_t sj = (size_t)t->ind_sector[t->col_ind[c]];
        if (kind == ROW_TLS) {
            t->TLS[tw_idx2(S, rn, sj)] += v;
        } else if (kind == ROW_VA) {
            t->VA[tw_idx2(S, rn, sj)] += v;
        } else {
            if (v < 0)
                return tw_fail(err, TW_ERR_DATA,
                               "%s:%zu: cell %s x %s: negative intermediate "
                               "use %.17g",
                               t->path, line, f[0], t->col_label[c], v);
            t->X[tw_idx3(R, S, (size_t)ri, rn, (size_t)sk)] += v;
            t->Zio[tw_idx3io(S, rn, (size_t)sk, sj)] += v;
            t->Zcol[tw_idx2(S, rn, sj)] += v;
        }
    }
    return TW_OK;
}

static tw_status parse_body(icio *t, char *cursor, char *end, size_t lineno, tw_error *err)
{
    char **f = tw_calloc(t->ncols + 1, sizeof *f);
    if (!f)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    int have_va = 0;
    tw_status st = TW_OK;
    for (char *line; st == TW_OK && (line = next_line(&cursor, end, &lineno));) {
        size_t n = split(line, f, t->ncols);
        if (n != t->ncols) {
            st = tw_fail(err, TW_ERR_PARSE, "%s:%zu: %zu fields, the header has %zu", t->path,
                         lineno, n, t->ncols);
            break;
        }
        have_va |= strcmp(f[0], "VA") == 0 || strcmp(f[0], "VALU") == 0;
        st = parse_row(t, f, lineno, err);
    }
    free(f);
    for (size_t x = 0; st == TW_OK && x < t->raw.n * t->ind.n; x++)
        if (t->seen_col[x] && !t->seen_row[x])
            st = tw_fail(err, TW_ERR_PARSE, "%s: no row %s_%s (the header has the column)", t->path,
                         t->raw.s[x / t->ind.n], t->ind.s[x % t->ind.n]);
    if (st == TW_OK && !have_va)
        st = tw_fail(err, TW_ERR_PARSE, "%s: no VA row (value added)", t->path);
    return st;
}

/* ---- the model -------------------------------------------------------------------- */

static tw_status check_cells(const icio *t, tw_error *err)
{
    size_t R = t->R, S = t->S;
    const char *hint = t->o->drop_inventories ? "" : " (inventories kept: try --inventories drop)";
    for (size_t i = 0; i < R; i++)
        for (size_t n = 0; n < R; n++)
            for (size_t j = 0; j < S; j++) {
                double v = t->X[tw_idx3(R, S, i, n, j)];
                if (v < 0)
                    return tw_fail(err, TW_ERR_DATA,
                                   "%s: flow %s -> %s, sector %s is negative: "
                                   "%.17g%s",
                                   t->path, t->regions.s[i], t->regions.s[n], t->sectors.s[j], v,
                                   hint);
            }
    for (size_t n = 0; n < R; n++)
        for (size_t j = 0; j < S; j++) {
            double fd = t->FD[tw_idx2(S, n, j)],
                   va = t->VA[tw_idx2(S, n, j)] + t->TLS[tw_idx2(S, n, j)];
            if (fd < 0)
                return tw_fail(err, TW_ERR_DATA,
                               "%s: final demand of %s for sector %s is "
                               "negative: %.17g%s",
                               t->path, t->regions.s[n], t->sectors.s[j], fd, hint);
            if (va < 0)
                return tw_fail(err, TW_ERR_DATA,
                               "%s: value added plus TLS of %s, sector %s is "
                               "negative: %.17g",
                               t->path, t->regions.s[n], t->sectors.s[j], va);
        }
    return TW_OK;
}

static tw_status fill_shares(const icio *t, tw_model *m, size_t *zero_output, tw_error *err)
{
    size_t R = t->R, S = t->S;
    memcpy(m->arr[TW_FLOWS], t->X, R * R * S * sizeof(double));
    *zero_output = 0;
    for (size_t n = 0; n < R; n++) {
        double fd_total = 0;
        for (size_t j = 0; j < S; j++)
            fd_total += t->FD[tw_idx2(S, n, j)];
        if (!(fd_total > 0))
            return tw_fail(err, TW_ERR_DATA, "%s: region %s has no final demand (total %.17g)",
                           t->path, t->regions.s[n], fd_total);
        for (size_t j = 0; j < S; j++) {
            size_t x = tw_idx2(S, n, j);
            m->arr[TW_FINAL_SHARES][x] = t->FD[x] / fd_total;
            double va = t->VA[x] + t->TLS[x], total = t->Zcol[x] + va;
            if (!(total > 0) || t->Zcol[x] == 0) {
                /* no output or no inputs: value-added share 1, no input shares */
                m->arr[TW_VA_SHARES][x] = 1;
                *zero_output += !(total > 0);
                continue;
            }
            m->arr[TW_VA_SHARES][x] = va / total;
            for (size_t k = 0; k < S; k++)
                m->arr[TW_IO_SHARES][tw_idx3io(S, n, k, j)] = t->Zio[tw_idx3io(S, n, k, j)] /
                                                              t->Zcol[x];
        }
    }
    return TW_OK;
}

static tw_status build_model(const icio *t, tw_model **out, size_t *zero_output, tw_error *err)
{
    tw_error e = {0};
    tw_model *m = tw_model_create(t->R, t->S, &e);
    if (!m)
        return tw_fail(err, e.code, "%s", e.message);
    tw_status st = TW_OK;
    tw_error sub;
    for (size_t i = 0; i < t->R && st == TW_OK; i++)
        if ((st = tw_model_set_country(m, i, t->regions.s[i], NULL, &sub)) != TW_OK)
            st = tw_fail(err, st, "%s: region: %s", t->path, sub.message);
    for (size_t j = 0; j < t->S && st == TW_OK; j++) {
        if ((st = tw_model_set_sector(m, j, t->sectors.s[j], NULL, &sub)) != TW_OK) {
            st = tw_fail(err, st, "%s: sector: %s", t->path, sub.message);
            break;
        }
        size_t len = 1;
        for (size_t k = 0; k < t->ind.n; k++)
            if ((size_t)t->ind_sector[k] == j)
                len += strlen(t->ind.s[k]) + 1;
        char *list = calloc(len, 1);
        if (!list) {
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < t->ind.n; k++)
            if ((size_t)t->ind_sector[k] == j) {
                if (*list)
                    strcat(list, " ");
                strcat(list, t->ind.s[k]);
            }
        /* industries a set can be keyed by: letters, digits, '_', '-' only */
        if (tw_model_set_sector_industries(m, j, list, NULL) != TW_OK)
            tw_model_set_sector_industries(m, j, NULL, NULL);
        free(list);
    }
    if (st == TW_OK)
        st = fill_shares(t, m, zero_output, err);
    if (st == TW_OK && tw_model_set_currency_unit(m, "millions of US dollars") != TW_OK)
        st = tw_fail(err, TW_ERR_INTERNAL, "cannot set the currency unit");
    if (st == TW_OK)
        st = tw_ds_validate(m, t->path, err);
    if (st != TW_OK) {
        tw_model_free(m);
        return st;
    }
    *out = m;
    return TW_OK;
}

/* ---- provenance --------------------------------------------------------------------- */

static void sha256_hex(const char *data, size_t len, char hex[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    for (int k = 0; k < SHA256_DIGEST_SIZE; k++)
        snprintf(hex + 2 * k, 3, "%02x", digest[k]);
}

static const char *edition_of(const strlist *ind)
{
    const char *const *lists[3] = {tw_icio_industries_2021, tw_icio_industries_2023,
                                   tw_icio_industries_2025};
    static const char *const names[3] = {"2021", "2023", "2025"};
    static const size_t sizes[3] = {TW_ICIO_INDUSTRIES, TW_ICIO_INDUSTRIES,
                                    TW_ICIO_INDUSTRIES_2025};
    for (int e = 0; e < 3; e++) {
        int same = ind->n == sizes[e];
        for (size_t k = 0; same && k < ind->n; k++)
            same = strcmp(ind->s[k], lists[e][k]) == 0;
        if (same)
            return names[e];
    }
    return "unknown";
}

/* Four digits 1990-2099 in the file's base name (ICIO2023_2018.csv: the last such). */
static int year_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int year = 0;
    for (const char *p = base; *p; p++) {
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
            !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]))
            continue;
        if (p > base && isdigit((unsigned char)p[-1]))
            continue;
        if (isdigit((unsigned char)p[4]))
            continue;
        int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        if (y >= 1990 && y <= 2099)
            year = y;
    }
    return year;
}

static void fill_info(const icio *t, const char *hex, size_t len, size_t zero_output,
                      tw_icio_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->edition, sizeof info->edition, "%s", edition_of(&t->ind));
    info->year = t->o->year ? t->o->year : year_of(t->path);
    snprintf(info->sha256, sizeof info->sha256, "%s", hex);
    info->bytes = len;
    info->economies = t->econ.n;
    info->industries = t->ind.n;
    for (size_t e = 0; e < t->raw.n; e++)
        if (sl_find(&t->econ, t->raw.s[e]) < 0)
            info->merged_splits++;
    info->zero_output = zero_output;
    snprintf(info->regions_sha256, sizeof info->regions_sha256, "%s", t->rmap.sha256);
    snprintf(info->sectors_sha256, sizeof info->sectors_sha256, "%s", t->smap.sha256);
}

tw_status tw_icio_import(const char *path, const tw_icio_options *o, tw_model **out,
                         tw_icio_info *info, tw_error *err)
{
    if (!path || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_icio_import: no file or output");
    *out = NULL;
    tw_icio_options dflt;
    tw_icio_options_default(&dflt);
    icio t = {.path = path, .o = o ? o : &dflt};
    char *data = NULL;
    size_t len = 0;
    tw_status st = tw_read_file(path, &data, &len, err);
    if (st != TW_OK)
        return st;
    char hex[65];
    sha256_hex(data, len, hex); /* before the buffer is split in place */
    char *cursor = data, *end = data + len;
    size_t lineno = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        cursor += 3;
    char *header = next_line(&cursor, end, &lineno);
    if (!header)
        st = tw_fail(err, TW_ERR_PARSE, "%s: empty file", path);
    if (st == TW_OK)
        st = parse_header(&t, header, err);
    if (st == TW_OK)
        st = check_header_cells(&t, err);
    if (st == TW_OK)
        st = setup_maps(&t, err);
    if (st == TW_OK)
        st = parse_body(&t, cursor, end, lineno, err);
    if (st == TW_OK)
        st = check_cells(&t, err);
    size_t zero_output = 0;
    if (st == TW_OK)
        st = build_model(&t, out, &zero_output, err);
    if (st == TW_OK && info)
        fill_info(&t, hex, len, zero_output, info);
    free(data);
    icio_free(&t);
    return st;
}

/* ---- tariffs for an imported model ------------------------------------------------- */

tw_status tw_model_read_tariffs(tw_model *m, const char *path, tw_error *err)
{
    if (!m || !path)
        return tw_fail(err, TW_ERR_INVALID, "tw_model_read_tariffs: no model or file");
    size_t len = tw_model_array_length(m, TW_TARIFFS);
    double *t = tw_calloc(len, sizeof *t);
    size_t *lines = tw_calloc(len, sizeof *lines);
    const char **cc = tw_calloc(m->N, sizeof *cc), **sc = tw_calloc(m->J, sizeof *sc);
    tw_csv csv = {0};
    tw_status st = (t && lines && cc && sc) ? tw_csv_read(path, &csv, err)
                                            : tw_fail(err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK) {
        for (size_t i = 0; i < m->N; i++)
            cc[i] = m->country_code[i];
        for (size_t j = 0; j < m->J; j++)
            sc[j] = m->sector_code[j];
        tw_keyset countries = {"country", m->N, cc}, sectors = {"sector", m->J, sc};
        tw_long_spec s = {.nkeys = 3,
                          .key_cols = {"exporter", "importer", "sector"},
                          .keys = {&countries, &countries, &sectors},
                          .value_col = "rate",
                          .lo = -1,
                          .lo_open = 1,
                          .hi = INFINITY,
                          .hi_open = 1};
        st = tw_long_read(&csv, &s, t, len, lines, err);
    }
    for (size_t n = 0; st == TW_OK && n < m->N; n++)
        for (size_t j = 0; j < m->J; j++) {
            size_t x = tw_idx3(m->N, m->J, n, n, j);
            if (t[x] != 0) {
                st = tw_fail(err, TW_ERR_DATA,
                             "%s:%zu: tariff %.17g of %s on itself (sector "
                             "%s) must be 0",
                             path, lines[x], t[x], m->country_code[n], m->sector_code[j]);
                break;
            }
        }
    if (st == TW_OK)
        memcpy(m->arr[TW_TARIFFS], t, len * sizeof *t);
    tw_csv_free(&csv);
    free(t);
    free(lines);
    free(cc);
    free(sc);
    return st;
}
