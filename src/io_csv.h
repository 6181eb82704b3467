/*
 * io_csv.h - reading CSV files and numeric text matrices (internal).
 *
 * A CSV file is read whole into rows of fields, each row with the 1-based
 * line on which it starts, so every later message can name file:line. The
 * reader accepts a UTF-8 byte-order mark, CRLF line ends, quoted fields and
 * spaces around unquoted fields (trimmed); blank lines are skipped.
 * Long-form tables ("key columns + value column") are read into flat arrays
 * by tw_long_read, which checks codes, duplicates, missing cells and ranges.
 */
#ifndef TW_IO_CSV_H
#define TW_IO_CSV_H

#include "internal.h"

typedef struct tw_csv_row {
    size_t line; /* 1-based line on which the row starts */
    size_t nfields;
    char **fields; /* NUL-terminated, trimmed */
} tw_csv_row;

typedef struct tw_csv {
    char *name;   /* path or label used in messages */
    size_t nrows; /* rows[0] is the header when the file has one */
    tw_csv_row *rows;
    size_t cap;
} tw_csv;

/* strerror without a shared static buffer. */
void tw_os_error(int e, char *buf, size_t size);

/* Read a whole data table into memory (NUL-terminated; *data is the caller's
 * to free): tw_read_text with TW_LIMIT_TABLE_BYTES, regular files only. */
tw_status tw_read_file(const char *path, char **data, size_t *len, tw_error *err);
/* 1 when path names something (of any type): a probe that never opens it,
 * so a FIFO cannot block it. */
int tw_file_exists(const char *path);
/* N countries and J sectors within TW_LIMIT_CELLS (N*N*J and N*J*J); the
 * message names `label` (a file). */
tw_status tw_check_dimensions(const char *label, size_t N, size_t J, tw_error *err);

/* Parse CSV text; `name` labels messages. On error *out is left empty. */
tw_status tw_csv_parse(const char *name, const char *text, size_t len, tw_csv *out, tw_error *err);
/* Drop the rows whose first field starts with '#' (comment lines). */
void tw_csv_drop_comments(tw_csv *c);
/* Read and parse a CSV file. */
tw_status tw_csv_read(const char *path, tw_csv *out, tw_error *err);
void tw_csv_free(tw_csv *c); /* leaves *c empty; accepts an empty table */

/* Find the header columns `names` (rows[0]); the first `n_required` must be
 * present, the others are optional (idx -1 when absent). Also checks the file
 * has a header and that every row has as many fields as the header. */
tw_status tw_csv_columns(const tw_csv *c, const char *const *names, size_t n, size_t n_required,
                         long *idx, tw_error *err);

/* Parse a whole field as a finite number (strtod, nothing left over, no NaN
 * or Inf unless allow_inf, which admits +Inf only). Returns 0 on success. */
int tw_parse_number(const char *text, int allow_inf, double *out);

/* Field `col` of row `r` as a number; the message names file:line, the
 * column and the text: "flows.csv:7: column 'value': 'abc' is not a number". */
tw_status tw_csv_number(const tw_csv *c, size_t r, long col, const char *colname, int allow_inf,
                        double *out, tw_error *err);

/* Read a whitespace-separated numeric matrix of exactly rows x cols (blank
 * lines skipped) into out (row-major). Messages name file:line. */
tw_status tw_matrix_read(const char *path, size_t rows, size_t cols, double *out, tw_error *err);

/* A value's allowed range, for messages named `what` ("gross output"). */
typedef struct tw_range {
    const char *what;
    double lo, hi; /* lo < v (lo_open) or lo <= v; v <= hi */
    int lo_open;
} tw_range;

/* tw_matrix_read with every value checked against `range` (NULL: none). The
 * message names file:line, the value's position on the line and its text. */
tw_status tw_matrix_read_range(const char *path, size_t rows, size_t cols, const tw_range *range,
                               double *out, tw_error *err);

/* ---- long-form tables ------------------------------------------------- */

/* The codes one key column may take (e.g. the model's country codes). */
typedef struct tw_keyset {
    const char *what; /* "country", "sector": for messages */
    size_t count;
    const char *const *codes; /* count codes, matched case-sensitively */
} tw_keyset;

typedef struct tw_long_spec {
    size_t nkeys;             /* 1..3 key columns */
    const char *key_cols[3];  /* their header names */
    const tw_keyset *keys[3]; /* their code lists; the cell index is row-major over keys */
    const char *value_col;
    int complete;         /* 1: every cell must have a row */
    double lo, hi;        /* allowed range of values */
    int lo_open, hi_open; /* 1: the bound itself is excluded */
    int allow_inf;        /* 1: "inf" is accepted (trade-cost bans) */
} tw_long_spec;

/* Read the long table `c` into out (len = product of key counts). Cells
 * without a row keep what out held. When `lines` is not NULL it receives the
 * line of each cell's row (0 for no row). */
tw_status tw_long_read(const tw_csv *c, const tw_long_spec *s, double *out, size_t len,
                       size_t *lines, tw_error *err);

/* Join dir and file into buf; TW_ERR_INVALID when it does not fit. */
tw_status tw_path_join(char *buf, size_t size, const char *dir, const char *file, tw_error *err);

#endif
