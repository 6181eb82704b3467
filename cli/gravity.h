/* gravity.h - shared pieces of `tradewar gravity` and `tradewar import gravity`:
 * the formula, building a PPML problem from a table, file checksums. */
#ifndef TW_CLI_GRAVITY_H
#define TW_CLI_GRAVITY_H

#include "cli.h"

#define GF_MAX_TERMS 60
#define GF_MAX_FE 8
#define GF_MAX_PARTS 4

typedef enum { TERM_PLAIN, TERM_LOG, TERM_LOG1P } term_fn;

typedef struct gf_term {
    char name[128]; /* as written, e.g. "log1p(tariff)" */
    char var[96];   /* the column */
    term_fn fn;
} gf_term;

typedef struct gf_fe {
    char name[200]; /* "exporter^year" */
    size_t nparts;
    char part[GF_MAX_PARTS][96]; /* its columns */
} gf_fe;

typedef struct gf_formula {
    char y[96];
    size_t nx;
    gf_term x[GF_MAX_TERMS];
    size_t nfe;
    gf_fe fe[GF_MAX_FE];
} gf_formula;

/* Parse "y ~ x1 + log(x2) | fe1 + fe2^fe3". 0, or -1 with why. */
int gf_parse(const char *text, gf_formula *f, char *why, size_t size);
/* Parse a cluster list "a" or "a + b" (or "a^b" terms) into fe terms. */
int gf_parse_terms(const char *text, gf_fe *out, size_t max, size_t *n, char *why, size_t size);

/* Everything a PPML problem built from a table owns. */
typedef struct gf_data {
    size_t n;
    double *y, *x; /* n, nx * n column-major */
    uint32_t *fe[GF_MAX_FE];
    size_t fe_levels[GF_MAX_FE];
    uint32_t *cl[2];
    size_t cl_levels[2];
    const uint32_t *fe_ptr[GF_MAX_FE], *cl_ptr[2];
    tw_ppml_problem p;
} gf_data;

/* Build the problem of formula f (and clusters) from t; rows where keep is
 * not NULL and keep[r] == 0 count as missing. 0, or -1 with why (a column
 * missing or not numeric, a log of a non-positive number: names file, row). */
int gf_build(const tw_table *t, const char *file, const gf_formula *f, const gf_fe *clusters,
             size_t ncl, const unsigned char *keep, gf_data *d, char *why, size_t size);
void gf_data_free(gf_data *d);

/* Codes of the interaction of columns parts[0..np) (missing where any is). */
int gf_factor(const tw_table *t, const char *const *parts, size_t np, uint32_t *codes,
              size_t *levels, char *why, size_t size);

/* FNV-1a 64 of a file's bytes as 16 hex digits; -1 when unreadable. */
int gf_file_checksum(const char *path, char hex[17]);

/* Row filters, comma-separated, all of which must hold: COL=V1|V2|... (one
 * of the values), COL!=V, COL=@OTHER / COL!=@OTHER (equal to another
 * column or not). keep[r] is cleared where one fails. */
int gf_subset(const tw_table *t, const char *file, const char *expr, unsigned char *keep, char *why,
              size_t size);

#endif
