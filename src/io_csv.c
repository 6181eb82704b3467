/* io_csv.c - CSV files (libcsv), numeric text matrices and long-form tables. */
#include "io_csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files -------------------------------------------------------------- */

void tw_os_error(int e, char *buf, size_t size)
{
    /* strerror_r (XSI) rather than strerror: no shared static buffer. */
    if (strerror_r(e, buf, size) != 0)
        snprintf(buf, size, "error %d", e);
}

/* What a non-regular file is, for messages. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

static tw_status too_large(const char *path, size_t max, const char *what, tw_error *err)
{
    return tw_fail(err, TW_ERR_DATA, "%s: larger than the %zu-byte (%zu MiB) limit for %s", path,
                   max, max >> 20, what);
}

/* Read fd to its end, refusing more than max bytes; `hint` sizes the buffer. */
static tw_status read_fd(int fd, const char *path, size_t max, const char *what, size_t hint,
                         char **data, size_t *len, tw_error *err)
{
    size_t cap = (hint < max ? hint : max) + 1, used = 0;
    if (cap < 4096)
        cap = 4096;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory reading the file", path);
        if (used + 1 == cap) {
            if (used > max)
                break;
            size_t want = cap - 1 > max / 2 ? max + 2 : 2 * cap;
            char *bigger = realloc(buf, want);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap = want;
            continue;
        }
        ssize_t got = read(fd, buf + used, cap - 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            char why[128];
            tw_os_error(errno, why, sizeof why);
            free(buf);
            return tw_fail(err, TW_ERR_IO, "%s: read error: %s", path, why);
        }
        if (got == 0)
            break;
        used += (size_t)got;
    }
    if (used > max) {
        free(buf);
        return too_large(path, max, what, err);
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return TW_OK;
}

tw_status tw_read_text(const char *path, size_t max_bytes, const char *what, char **text,
                       size_t *len, tw_error *err)
{
    if (!path || !text || !len || !what)
        return tw_fail(err, TW_ERR_INVALID, "tw_read_text: bad arguments");
    *text = NULL;
    *len = 0;
    int is_stdin = strcmp(path, "-") == 0;
    /* O_NONBLOCK: opening a FIFO without a writer must not wait; the file
     * type is checked before anything is read. */
    int fd = is_stdin ? 0 : open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        char why[128];
        tw_os_error(errno, why, sizeof why);
        return tw_fail(err, TW_ERR_IO, "%s: cannot open: %s", path, why);
    }
    struct stat sb;
    tw_status st = TW_OK;
    if (fstat(fd, &sb) != 0) {
        char why[128];
        tw_os_error(errno, why, sizeof why);
        st = tw_fail(err, TW_ERR_IO, "%s: cannot read: %s", path, why);
    } else if (!is_stdin && !S_ISREG(sb.st_mode))
        st = tw_fail(err, TW_ERR_IO, "%s: %s, not a regular file (%s must be a file)", path,
                     file_kind(sb.st_mode), what);
    else if (S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > (uintmax_t)max_bytes)
        st = too_large(is_stdin ? "<stdin>" : path, max_bytes, what, err);
    else
        st = read_fd(fd, is_stdin ? "<stdin>" : path, max_bytes, what,
                     S_ISREG(sb.st_mode) ? (size_t)sb.st_size : 65536, text, len, err);
    if (!is_stdin)
        close(fd);
    return st;
}

tw_status tw_read_file(const char *path, char **data, size_t *len, tw_error *err)
{
    *data = NULL;
    *len = 0;
    if (strcmp(path, "-") == 0) /* a file named "-" in the current directory, not stdin */
        path = "./-";
    return tw_read_text(path, TW_LIMIT_TABLE_BYTES, "a data table", data, len, err);
}

tw_status tw_check_dimensions(const char *label, size_t N, size_t J, tw_error *err)
{
    /* N*N*J and N*J*J without overflow: each factor is checked first */
    size_t lim = TW_LIMIT_CELLS;
    int ok = N >= 1 && J >= 1 && N <= lim && J <= lim && N * J <= lim && N * J <= lim / N &&
             N * J <= lim / J;
    if (!ok)
        return tw_fail(err, TW_ERR_DATA,
                       "%s: %zu countries and %zu sectors: more than the %zu "
                       "cells allowed in a model's largest arrays (N*N*J, N*J*J; TW_LIMIT_CELLS)",
                       label, N, J, lim);
    return TW_OK;
}

int tw_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

tw_status tw_path_join(char *buf, size_t size, const char *dir, const char *file, tw_error *err)
{
    int k = snprintf(buf, size, "%s/%s", dir, file);
    if (k < 0 || (size_t)k >= size)
        return tw_fail(err, TW_ERR_INVALID, "path too long: %s/%s", dir, file);
    return TW_OK;
}

/* ---- CSV ---------------------------------------------------------------- */

typedef struct parse_ctx {
    tw_csv *out;
    tw_csv_row cur;
    size_t cur_cap;
    size_t row_line; /* line on which the current record began */
    size_t row_pos;  /* and its byte offset, for messages */
    int nomem;
} parse_ctx;

static void free_row(tw_csv_row *r)
{
    for (size_t k = 0; k < r->nfields; k++)
        free(r->fields[k]);
    free(r->fields);
    r->fields = NULL;
    r->nfields = 0;
}

static void on_field(void *s, size_t len, void *data)
{
    parse_ctx *ctx = data;
    if (ctx->nomem)
        return;
    if (ctx->cur.nfields == ctx->cur_cap) {
        size_t cap = ctx->cur_cap ? ctx->cur_cap * 2 : 8;
        char **f = realloc(ctx->cur.fields, cap * sizeof *f);
        if (!f) {
            ctx->nomem = 1;
            return;
        }
        ctx->cur.fields = f;
        ctx->cur_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        ctx->nomem = 1;
        return;
    }
    if (len)
        memcpy(copy, s, len);
    copy[len] = '\0';
    ctx->cur.fields[ctx->cur.nfields++] = copy;
}

static void on_row(int c, void *data)
{
    (void)c;
    parse_ctx *ctx = data;
    tw_csv *out = ctx->out;
    int blank = ctx->cur.nfields == 1 && ctx->cur.fields[0][0] == '\0';
    if (ctx->nomem || blank || ctx->cur.nfields == 0) {
        free_row(&ctx->cur);
        ctx->cur_cap = 0;
        return;
    }
    if (out->nrows == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        tw_csv_row *rows = realloc(out->rows, cap * sizeof *rows);
        if (!rows) {
            ctx->nomem = 1;
            free_row(&ctx->cur);
            ctx->cur_cap = 0;
            return;
        }
        out->rows = rows;
        out->cap = cap;
    }
    ctx->cur.line = ctx->row_line;
    out->rows[out->nrows++] = ctx->cur;
    ctx->cur.fields = NULL;
    ctx->cur.nfields = 0;
    ctx->cur_cap = 0;
}

void tw_csv_free(tw_csv *c)
{
    if (!c)
        return;
    for (size_t r = 0; r < c->nrows; r++)
        free_row(&c->rows[r]);
    free(c->rows);
    free(c->name);
    memset(c, 0, sizeof *c);
}

/* A short printable excerpt of a line for messages. */
static void excerpt(const char *s, size_t len, char *buf, size_t size)
{
    size_t k = 0;
    while (k < len && k + 1 < size && s[k] != '\n' && s[k] != '\r') {
        unsigned char ch = (unsigned char)s[k];
        buf[k] = (ch < 32 || ch == 127) ? '?' : s[k];
        k++;
    }
    buf[k] = '\0';
}

/* Feed the text to libcsv one line at a time so rows know their line. */
static tw_status parse_lines(struct csv_parser *p, parse_ctx *ctx, const char *name,
                             const char *text, size_t len, tw_error *err)
{
    size_t pos = 0, line = 1;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
        if (p->pstate == 0) { /* libcsv's ROW_NOT_BEGUN: the next record starts here */
            ctx->row_line = line;
            ctx->row_pos = pos;
        }
        if (csv_parse(p, text + pos, chunk, on_field, on_row, ctx) != chunk) {
            if (csv_error(p) == CSV_ENOMEM || ctx->nomem)
                return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", name);
            char ex[48];
            excerpt(text + pos, chunk, ex, sizeof ex);
            return tw_fail(err, TW_ERR_PARSE,
                           "%s:%zu: malformed CSV (stray or unmatched quote): '%s'", name, line,
                           ex);
        }
        if (ctx->nomem)
            return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", name);
        pos += chunk;
        line++;
    }
    if (csv_fini(p, on_field, on_row, ctx) != 0) {
        char ex[48];
        excerpt(text + ctx->row_pos, len - ctx->row_pos, ex, sizeof ex);
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: malformed CSV: quoted field never closed: '%s'",
                       name, ctx->row_line, ex);
    }
    if (ctx->nomem)
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", name);
    return TW_OK;
}

tw_status tw_csv_parse(const char *name, const char *text, size_t len, tw_csv *out, tw_error *err)
{
    memset(out, 0, sizeof *out);
    out->name = malloc(strlen(name) + 1);
    if (!out->name)
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", name);
    strcpy(out->name, name);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 byte-order mark */
        text += 3;
        len -= 3;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        tw_csv_free(out);
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", name);
    }
    parse_ctx ctx = {.out = out, .row_line = 1};
    tw_status st = parse_lines(&p, &ctx, name, text, len, err);
    csv_free(&p);
    free_row(&ctx.cur);
    if (st != TW_OK)
        tw_csv_free(out);
    return st;
}

void tw_csv_drop_comments(tw_csv *c)
{
    size_t kept = 0;
    for (size_t r = 0; r < c->nrows; r++) {
        if (c->rows[r].nfields > 0 && c->rows[r].fields[0][0] == '#')
            free_row(&c->rows[r]);
        else
            c->rows[kept++] = c->rows[r];
    }
    c->nrows = kept;
}

tw_status tw_csv_read(const char *path, tw_csv *out, tw_error *err)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof *out);
    tw_status st = tw_read_file(path, &text, &len, err);
    if (st != TW_OK)
        return st;
    st = tw_csv_parse(path, text, len, out, err);
    free(text);
    return st;
}

tw_status tw_csv_columns(const tw_csv *c, const char *const *names, size_t n, size_t n_required,
                         long *idx, tw_error *err)
{
    if (c->nrows == 0)
        return tw_fail(err, TW_ERR_PARSE, "%s: empty file (a header line is required)", c->name);
    const tw_csv_row *h = &c->rows[0];
    for (size_t a = 0; a < h->nfields; a++)
        for (size_t b = a + 1; b < h->nfields; b++)
            if (strcmp(h->fields[a], h->fields[b]) == 0)
                return tw_fail(err, TW_ERR_PARSE, "%s:%zu: column '%s' appears twice", c->name,
                               h->line, h->fields[a]);
    for (size_t k = 0; k < n; k++) {
        idx[k] = -1;
        for (size_t a = 0; a < h->nfields; a++)
            if (strcmp(h->fields[a], names[k]) == 0)
                idx[k] = (long)a;
        if (idx[k] < 0 && k < n_required)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: missing column '%s' in the header", c->name,
                           h->line, names[k]);
    }
    for (size_t r = 1; r < c->nrows; r++)
        if (c->rows[r].nfields != h->nfields)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: %zu fields, the header has %zu", c->name,
                           c->rows[r].line, c->rows[r].nfields, h->nfields);
    return TW_OK;
}

int tw_parse_number(const char *text, int allow_inf, double *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0')
        return -1;
    if (!isfinite(v) && !(allow_inf && v == INFINITY))
        return -2;
    *out = v;
    return 0;
}

tw_status tw_csv_number(const tw_csv *c, size_t r, long col, const char *colname, int allow_inf,
                        double *out, tw_error *err)
{
    const tw_csv_row *row = &c->rows[r];
    const char *text = row->fields[col];
    int bad = tw_parse_number(text, allow_inf, out);
    if (bad == -1)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: column '%s': '%.64s' is not a number", c->name,
                       row->line, colname, text);
    if (bad == -2)
        return tw_fail(err, TW_ERR_DATA, "%s:%zu: column '%s': '%.64s' is not a finite number",
                       c->name, row->line, colname, text);
    return TW_OK;
}

/* ---- whitespace-separated matrices ------------------------------------- */

static int is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

static int range_ok(const tw_range *r, double v)
{
    return !r || ((r->lo_open ? v > r->lo : v >= r->lo) && v <= r->hi);
}

/* Parse one text line of the matrix into out[0..cols). */
static tw_status matrix_line(const char *path, size_t line, const char *s, size_t len, size_t cols,
                             const tw_range *range, double *out, tw_error *err)
{
    size_t pos = 0, count = 0;
    for (;;) {
        while (pos < len && is_blank(s[pos]))
            pos++;
        if (pos >= len)
            break;
        size_t start = pos;
        while (pos < len && !is_blank(s[pos]))
            pos++;
        char tok[64];
        size_t tl = pos - start;
        if (tl >= sizeof tok)
            tl = sizeof tok - 1; /* too long to be a number: the parse below fails */
        memcpy(tok, s + start, tl);
        tok[tl] = '\0';
        double v;
        int bad = tw_parse_number(tok, 0, &v);
        if (bad)
            return tw_fail(err, bad == -1 ? TW_ERR_PARSE : TW_ERR_DATA,
                           "%s:%zu: value %zu: '%s' is not a %snumber", path, line, count + 1, tok,
                           bad == -1 ? "" : "finite ");
        if (count < cols && !range_ok(range, v))
            return tw_fail(err, TW_ERR_DATA,
                           "%s:%zu: value %zu: %s %s out of range (must be %s "
                           "%g and <= %g)",
                           path, line, count + 1, range->what, tok,
                           range->lo_open ? ">" : ">=", range->lo, range->hi);
        if (count < cols)
            out[count] = v;
        count++;
    }
    if (count != cols)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: %zu values, expected %zu", path, line, count,
                       cols);
    return TW_OK;
}

static tw_status matrix_parse(const char *path, const char *text, size_t len, size_t rows,
                              size_t cols, const tw_range *range, double *out, tw_error *err)
{
    size_t pos = 0, line = 0, r = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *s = text + pos;
        pos += n + (nl ? 1 : 0);
        line++;
        size_t k = 0;
        while (k < n && is_blank(s[k]))
            k++;
        if (k == n)
            continue;
        if (r == rows)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: more than %zu rows", path, line, rows);
        tw_status st = matrix_line(path, line, s, n, cols, range, out + r * cols, err);
        if (st != TW_OK)
            return st;
        r++;
    }
    if (r != rows)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: %zu rows, expected %zu", path, line, r, rows);
    return TW_OK;
}

tw_status tw_matrix_read_range(const char *path, size_t rows, size_t cols, const tw_range *range,
                               double *out, tw_error *err)
{
    char *text;
    size_t len;
    tw_status st = tw_read_file(path, &text, &len, err);
    if (st != TW_OK)
        return st;
    st = matrix_parse(path, text, len, rows, cols, range, out, err);
    free(text);
    return st;
}

tw_status tw_matrix_read(const char *path, size_t rows, size_t cols, double *out, tw_error *err)
{
    return tw_matrix_read_range(path, rows, cols, NULL, out, err);
}

/* ---- long-form tables -------------------------------------------------- */

static long find_code(const tw_keyset *ks, const char *code)
{
    for (size_t k = 0; k < ks->count; k++)
        if (strcmp(ks->codes[k], code) == 0)
            return (long)k;
    return -1;
}

static void range_text(const tw_long_spec *s, char *buf, size_t size)
{
    if (isinf(s->hi))
        snprintf(buf, size, "%s %g", s->lo_open ? ">" : ">=", s->lo);
    else
        snprintf(buf, size, "%s %g and %s %g", s->lo_open ? ">" : ">=", s->lo,
                 s->hi_open ? "<" : "<=", s->hi);
}

static int in_range(const tw_long_spec *s, double v)
{
    if (isnan(v))
        return 0;
    int lo_ok = s->lo_open ? v > s->lo : v >= s->lo;
    int hi_ok = s->hi_open ? v < s->hi : v <= s->hi;
    return lo_ok && (hi_ok || (s->allow_inf && v == INFINITY));
}

/* "exporter USA, importer CHN, sector s01" for the cell with index `cell`. */
static void describe_cell(const tw_long_spec *s, size_t cell, char *buf, size_t size)
{
    size_t sub[3], rest = cell;
    for (size_t k = s->nkeys; k-- > 0;) {
        sub[k] = rest % s->keys[k]->count;
        rest /= s->keys[k]->count;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < s->nkeys && used < size; k++) {
        int w = snprintf(buf + used, size - used, "%s%s %s", k ? ", " : "", s->key_cols[k],
                         s->keys[k]->codes[sub[k]]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static tw_status long_row(const tw_csv *c, const tw_long_spec *s, const long *col, size_t r,
                          double *out, size_t *lines, tw_error *err)
{
    const tw_csv_row *row = &c->rows[r];
    size_t cell = 0;
    for (size_t k = 0; k < s->nkeys; k++) {
        const char *code = row->fields[col[k]];
        long x = find_code(s->keys[k], code);
        if (x < 0)
            return tw_fail(err, TW_ERR_UNKNOWN_NAME, "%s:%zu: column '%s': unknown %s code '%.64s'",
                           c->name, row->line, s->key_cols[k], s->keys[k]->what, code);
        cell = cell * s->keys[k]->count + (size_t)x;
    }
    if (lines[cell]) {
        char where[160];
        describe_cell(s, cell, where, sizeof where);
        return tw_fail(err, TW_ERR_DATA, "%s:%zu: duplicate row for %s (first on line %zu)",
                       c->name, row->line, where, lines[cell]);
    }
    double v;
    tw_status st = tw_csv_number(c, r, col[s->nkeys], s->value_col, s->allow_inf, &v, err);
    if (st != TW_OK)
        return st;
    if (!in_range(s, v)) {
        char want[64];
        range_text(s, want, sizeof want);
        return tw_fail(err, TW_ERR_DATA,
                       "%s:%zu: column '%s': %svalue %.64s out of range (must be %s)", c->name,
                       row->line, s->value_col, (v < 0 && s->lo >= 0) ? "negative " : "",
                       row->fields[col[s->nkeys]], want);
    }
    out[cell] = v;
    lines[cell] = row->line;
    return TW_OK;
}

static tw_status long_missing(const tw_csv *c, const tw_long_spec *s, const size_t *lines,
                              size_t len, tw_error *err)
{
    for (size_t cell = 0; cell < len; cell++)
        if (!lines[cell]) {
            char where[160];
            describe_cell(s, cell, where, sizeof where);
            size_t last = c->nrows ? c->rows[c->nrows - 1].line : 0;
            return tw_fail(err, TW_ERR_DATA,
                           "%s:%zu: missing row for %s (every cell must be given; file ends at "
                           "line %zu)",
                           c->name, last, where, last);
        }
    return TW_OK;
}

tw_status tw_long_read(const tw_csv *c, const tw_long_spec *s, double *out, size_t len,
                       size_t *lines, tw_error *err)
{
    size_t want = 1;
    for (size_t k = 0; k < s->nkeys; k++)
        want *= s->keys[k]->count;
    if (s->nkeys < 1 || s->nkeys > 3 || want != len)
        return tw_fail(err, TW_ERR_INTERNAL, "%s: bad table description", c->name);
    const char *names[4];
    long col[4];
    for (size_t k = 0; k < s->nkeys; k++)
        names[k] = s->key_cols[k];
    names[s->nkeys] = s->value_col;
    tw_status st = tw_csv_columns(c, names, s->nkeys + 1, s->nkeys + 1, col, err);
    if (st != TW_OK)
        return st;
    size_t *own = NULL;
    if (!lines && !(lines = own = tw_calloc(len, sizeof *lines)))
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", c->name);
    memset(lines, 0, len * sizeof *lines);
    for (size_t r = 1; r < c->nrows && st == TW_OK; r++)
        st = long_row(c, s, col, r, out, lines, err);
    if (st == TW_OK && s->complete)
        st = long_missing(c, s, lines, len, err);
    free(own);
    return st;
}
