/* gravity_formula.c - the formula of `tradewar gravity` (close to fixest's
 * "y ~ x1 + x2 | fe1 + fe2^fe3") and building a PPML problem from a table. */
#include "gravity.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (s[a] && isspace((unsigned char)s[a]))
        a++;
    memmove(s, s + a, n - a + 1);
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

/* Split s (modified) on sep into at most max trimmed pieces. */
static size_t split(char *s, char sep, char **out, size_t max)
{
    size_t n = 0;
    char *p = s;
    for (;;) {
        char *q = strchr(p, sep);
        if (q)
            *q = '\0';
        if (n < max) {
            trim(p);
            out[n] = p;
        }
        n++;
        if (!q)
            break;
        p = q + 1;
    }
    return n;
}

static int parse_term(const char *text, gf_term *t, char *why, size_t size)
{
    snprintf(t->name, sizeof t->name, "%s", text);
    t->fn = TERM_PLAIN;
    const char *inner = text;
    char buf[128];
    if (strncmp(text, "log(", 4) == 0 || strncmp(text, "log1p(", 6) == 0) {
        t->fn = text[3] == '(' ? TERM_LOG : TERM_LOG1P;
        const char *open = strchr(text, '(');
        size_t len = strlen(open + 1);
        if (len == 0 || open[len] != ')') {
            snprintf(why, size, "formula: '%s' lacks its closing ')'", text);
            return -1;
        }
        snprintf(buf, sizeof buf, "%.*s", (int)(len - 1), open + 1);
        trim(buf);
        inner = buf;
    }
    if (!valid_name(inner) || strlen(inner) >= sizeof t->var) {
        snprintf(why, size,
                 "formula: '%s' is not a column name (letters, digits, '_', '.'; "
                 "log(NAME) and log1p(NAME) are the functions)",
                 text);
        return -1;
    }
    memcpy(t->var, inner, strlen(inner) + 1); /* length checked above */
    return 0;
}

int gf_parse_terms(const char *text, gf_fe *out, size_t max, size_t *n, char *why, size_t size)
{
    char buf[2048];
    if (strlen(text) >= sizeof buf) {
        snprintf(why, size, "formula: too long");
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *piece[GF_MAX_FE + 1];
    size_t np = split(buf, '+', piece, GF_MAX_FE + 1);
    if (np > max) {
        snprintf(why, size, "at most %zu fixed-effect or cluster terms (got %zu)", max, np);
        return -1;
    }
    for (size_t k = 0; k < np; k++) {
        gf_fe *fe = &out[k];
        snprintf(fe->name, sizeof fe->name, "%s", piece[k]);
        char *part[GF_MAX_PARTS + 1];
        size_t nparts = split(piece[k], '^', part, GF_MAX_PARTS + 1);
        if (nparts > GF_MAX_PARTS) {
            snprintf(why, size, "'%s': at most %d columns in an interaction", fe->name,
                     GF_MAX_PARTS);
            return -1;
        }
        fe->nparts = nparts;
        for (size_t q = 0; q < nparts; q++) {
            if (!valid_name(part[q]) || strlen(part[q]) >= sizeof fe->part[q]) {
                snprintf(why, size, "'%s' is not a column name", part[q]);
                return -1;
            }
            snprintf(fe->part[q], sizeof fe->part[q], "%s", part[q]);
        }
        /* names without spaces: "exporter^year" */
        fe->name[0] = '\0';
        for (size_t q = 0; q < nparts; q++) {
            size_t used = strlen(fe->name);
            snprintf(fe->name + used, sizeof fe->name - used, "%s%s", q ? "^" : "", fe->part[q]);
        }
    }
    *n = np;
    return 0;
}

int gf_parse(const char *text, gf_formula *f, char *why, size_t size)
{
    memset(f, 0, sizeof *f);
    char buf[4096];
    if (strlen(text) >= sizeof buf) {
        snprintf(why, size, "formula: too long");
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *tilde = strchr(buf, '~');
    if (!tilde || strchr(tilde + 1, '~')) {
        snprintf(why, size, "formula '%s': needs one '~' (y ~ x1 + x2 | fe1 + fe2)", text);
        return -1;
    }
    *tilde = '\0';
    char *lhs = buf, *rhs = tilde + 1;
    trim(lhs);
    if (!valid_name(lhs) || strlen(lhs) >= sizeof f->y) {
        snprintf(why, size, "formula: outcome '%s' is not a column name", lhs);
        return -1;
    }
    memcpy(f->y, lhs, strlen(lhs) + 1); /* length checked above */
    char *bar = strchr(rhs, '|');
    if (bar) {
        *bar = '\0';
        if (strchr(bar + 1, '|')) {
            snprintf(why, size, "formula: at most one '|' (regressors | fixed effects)");
            return -1;
        }
        if (gf_parse_terms(bar + 1, f->fe, GF_MAX_FE, &f->nfe, why, size) != 0)
            return -1;
    }
    char *piece[GF_MAX_TERMS + 1];
    size_t np = split(rhs, '+', piece, GF_MAX_TERMS + 1);
    if (np > GF_MAX_TERMS) {
        snprintf(why, size, "formula: at most %d regressors", GF_MAX_TERMS);
        return -1;
    }
    for (size_t k = 0; k < np; k++) {
        if (strcmp(piece[k], "1") == 0 || (np == 1 && piece[k][0] == '\0'))
            continue;
        if (parse_term(piece[k], &f->x[f->nx], why, size) != 0)
            return -1;
        f->nx++;
    }
    return 0;
}

/* ---- building the problem ------------------------------------------------ */

typedef struct {
    uint64_t key;
    uint32_t code;
} kv;

int gf_factor(const tw_table *t, const char *const *parts, size_t np, uint32_t *codes,
              size_t *levels, char *why, size_t size)
{
    size_t n = tw_table_rows(t);
    tw_error err;
    uint32_t *tmp = calloc(n ? n : 1, sizeof *tmp);
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap <<= 1;
    kv *h = calloc(cap, sizeof *h);
    if (!tmp || !h) {
        free(tmp);
        free(h);
        snprintf(why, size, "out of memory");
        return -1;
    }
    size_t L = 0;
    for (size_t q = 0; q < np; q++) {
        long k = tw_table_find(t, parts[q]);
        if (k < 0) {
            snprintf(why, size, "no column '%s'", parts[q]);
            free(tmp);
            free(h);
            return -1;
        }
        size_t lq;
        if (tw_table_factor(t, (size_t)k, tmp, &lq, NULL, &err) != TW_OK) {
            snprintf(why, size, "%s", err.message);
            free(tmp);
            free(h);
            return -1;
        }
        if (q == 0) {
            memcpy(codes, tmp, n * sizeof *codes);
            L = lq;
            continue;
        }
        /* combine (codes, tmp) pairs and recode densely */
        memset(h, 0, cap * sizeof *h);
        size_t nl = 0;
        for (size_t r = 0; r < n; r++) {
            if (codes[r] == UINT32_MAX || tmp[r] == UINT32_MAX) {
                codes[r] = UINT32_MAX;
                continue;
            }
            uint64_t key = ((uint64_t)codes[r] << 32 | tmp[r]) + 1;
            size_t s = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
            while (h[s].key && h[s].key != key)
                s = (s + 1) & (cap - 1);
            if (!h[s].key) {
                h[s].key = key;
                h[s].code = (uint32_t)nl++;
            }
            codes[r] = h[s].code;
        }
        L = nl;
    }
    free(tmp);
    free(h);
    *levels = L;
    return 0;
}

static int numeric_col(const tw_table *t, const char *file, const char *name, const double **out,
                       char *why, size_t size)
{
    long k = tw_table_find(t, name);
    if (k < 0) {
        snprintf(why, size, "%s: no column '%s'", file, name);
        return -1;
    }
    *out = tw_table_numeric(t, (size_t)k);
    if (!*out) {
        char buf[64];
        size_t r = 0;
        for (; r < tw_table_rows(t); r++) {
            const char *s = tw_table_text(t, r, (size_t)k, buf, sizeof buf);
            double v;
            char *end;
            v = strtod(s, &end);
            (void)v;
            if (*s && *end)
                break;
        }
        snprintf(why, size, "%s: row %zu: column '%s' is not numeric ('%s')", file, r + 1, name,
                 tw_table_text(t, r < tw_table_rows(t) ? r : 0, (size_t)k, buf, sizeof buf));
        return -1;
    }
    return 0;
}

void gf_data_free(gf_data *d)
{
    free(d->y);
    free(d->x);
    for (size_t k = 0; k < GF_MAX_FE; k++)
        free(d->fe[k]);
    free(d->cl[0]);
    free(d->cl[1]);
    memset(d, 0, sizeof *d);
}

static int build_fe(const tw_table *t, const char *file, const gf_fe *fe, uint32_t **codes,
                    size_t *levels, char *why, size_t size)
{
    size_t n = tw_table_rows(t);
    *codes = calloc(n ? n : 1, sizeof **codes);
    if (!*codes) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    const char *parts[GF_MAX_PARTS];
    for (size_t q = 0; q < fe->nparts; q++)
        parts[q] = fe->part[q];
    char inner[400];
    if (gf_factor(t, parts, fe->nparts, *codes, levels, inner, sizeof inner) != 0) {
        snprintf(why, size, "%s: %s", file, inner);
        return -1;
    }
    return 0;
}

int gf_build(const tw_table *t, const char *file, const gf_formula *f, const gf_fe *clusters,
             size_t ncl, const unsigned char *keep, gf_data *d, char *why, size_t size)
{
    memset(d, 0, sizeof *d);
    size_t n = tw_table_rows(t);
    d->n = n;
    d->y = calloc(n, sizeof *d->y);
    d->x = calloc(n * (f->nx ? f->nx : 1), sizeof *d->x);
    if (!d->y || !d->x) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    const double *col;
    if (numeric_col(t, file, f->y, &col, why, size) != 0)
        return -1;
    for (size_t r = 0; r < n; r++) {
        d->y[r] = (keep && !keep[r]) ? NAN : col[r];
        if (d->y[r] < 0) {
            snprintf(why, size, "%s: row %zu: outcome '%s' is negative (%.17g)", file, r + 1, f->y,
                     d->y[r]);
            return -1;
        }
    }
    for (size_t c = 0; c < f->nx; c++) {
        const gf_term *term = &f->x[c];
        if (numeric_col(t, file, term->var, &col, why, size) != 0)
            return -1;
        for (size_t r = 0; r < n; r++) {
            double v = col[r];
            if (term->fn == TERM_LOG && !isnan(v) && v <= 0) {
                snprintf(why, size, "%s: row %zu: log(%s) of %.17g", file, r + 1, term->var, v);
                return -1;
            }
            if (term->fn == TERM_LOG1P && !isnan(v) && v <= -1) {
                snprintf(why, size, "%s: row %zu: log1p(%s) of %.17g", file, r + 1, term->var, v);
                return -1;
            }
            d->x[c * n + r] = term->fn == TERM_LOG ? log(v) : term->fn == TERM_LOG1P ? log1p(v) : v;
        }
    }
    for (size_t k = 0; k < f->nfe; k++) {
        if (build_fe(t, file, &f->fe[k], &d->fe[k], &d->fe_levels[k], why, size) != 0)
            return -1;
        d->fe_ptr[k] = d->fe[k];
    }
    for (size_t k = 0; k < ncl; k++) {
        if (build_fe(t, file, &clusters[k], &d->cl[k], &d->cl_levels[k], why, size) != 0)
            return -1;
        d->cl_ptr[k] = d->cl[k];
    }
    d->p.n = n;
    d->p.y = d->y;
    d->p.k = f->nx;
    d->p.x = d->x;
    d->p.n_fe = f->nfe;
    d->p.fe = d->fe_ptr;
    d->p.fe_levels = d->fe_levels;
    d->p.n_cluster = ncl;
    d->p.cluster = d->cl_ptr;
    d->p.cluster_levels = d->cl_levels;
    return 0;
}

int gf_file_checksum(const char *path, char hex[17])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint64_t h = 1469598103934665603ull;
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t k = 0; k < got; k++)
            h = (h ^ buf[k]) * 1099511628211ull;
    int bad = ferror(f);
    fclose(f);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
    return bad ? -1 : 0;
}

/* One condition: COL=V1|V2|..., COL!=V, COL=@OTHER or COL!=@OTHER (another column). */
static int subset_one(const tw_table *t, const char *file, const char *expr, unsigned char *keep,
                      char *why, size_t size)
{
    const char *eq = strchr(expr, '=');
    if (!eq || eq == expr) {
        snprintf(why, size, "--subset '%s': expected COLUMN=VALUE", expr);
        return -1;
    }
    int negate = eq > expr && eq[-1] == '!';
    char name[96];
    snprintf(name, sizeof name, "%.*s", (int)(eq - expr - negate), expr);
    trim(name);
    long k = tw_table_find(t, name);
    if (k < 0) {
        snprintf(why, size, "%s: no column '%s' (--subset)", file, name);
        return -1;
    }
    const char *val = eq + 1;
    long other = -1;
    if (val[0] == '@') {
        other = tw_table_find(t, val + 1);
        if (other < 0) {
            snprintf(why, size, "%s: no column '%s' (--subset)", file, val + 1);
            return -1;
        }
    }
    const double *num = tw_table_numeric(t, (size_t)k);
    double vals[64];
    char texts[64][96];
    size_t nv = 0;
    if (other < 0) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", val);
        char *save = NULL;
        for (char *tok = strtok_r(buf, "|", &save); tok && nv < 64;
             tok = strtok_r(NULL, "|", &save)) {
            trim(tok);
            snprintf(texts[nv], sizeof texts[nv], "%s", tok);
            if (num) {
                char *end;
                vals[nv] = strtod(tok, &end);
                if (end == tok || *end) {
                    snprintf(why, size, "--subset: column '%s' is numeric, '%s' is not a number",
                             name, tok);
                    return -1;
                }
            }
            nv++;
        }
    }
    char b1[64], b2[64];
    for (size_t r = 0; r < tw_table_rows(t); r++) {
        int hit = 0;
        if (other >= 0)
            hit = strcmp(tw_table_text(t, r, (size_t)k, b1, sizeof b1),
                         tw_table_text(t, r, (size_t)other, b2, sizeof b2)) == 0;
        for (size_t q = 0; q < nv && !hit; q++)
            hit = num ? num[r] == vals[q]
                      : strcmp(tw_table_text(t, r, (size_t)k, b1, sizeof b1), texts[q]) == 0;
        keep[r] = keep[r] && (negate ? !hit : hit);
    }
    return 0;
}

int gf_subset(const tw_table *t, const char *file, const char *expr, unsigned char *keep, char *why,
              size_t size)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", expr);
    char *save = NULL;
    int any = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        trim(tok);
        if (subset_one(t, file, tok, keep, why, size) != 0)
            return -1;
        any = 1;
    }
    if (!any) {
        snprintf(why, size, "--subset '%s': expected COLUMN=VALUE", expr);
        return -1;
    }
    return 0;
}
