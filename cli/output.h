/* output.h - formatting a solved scenario: JSON, CSV, terminal table, output directories. */
#ifndef TW_CLI_OUTPUT_H
#define TW_CLI_OUTPUT_H

#include "cli.h"

#include <jansson.h>

/* Everything a report of one solve needs; all borrowed. */
typedef struct run_info {
    const char *data_dir;
    char data_checksum[17]; /* of the raw data as loaded */
    const char *scenario_path;
    const tw_scenario *sc;
    size_t stage;
    tw_solver_options opt;
    tw_deficit_mode deficits;
    const tw_model *base; /* the economy the counterfactual starts from */
    tw_baseline_report report;
    const tw_result *res;
    cli_elasticities elast; /* what the run used */
    tw_diagnostics diag;    /* diagnostics and warnings of res (and of the scenario) */
} run_info;

typedef enum { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON } out_format;
/* "table", "csv" or "json" into *out: 1, or 0 for anything else. */
int out_parse_format(const char *s, out_format *out);

/* A finite number, or JSON null (JSON has no NaN or infinity). */
json_t *out_json_number(double x);
/* CSV fields: text quoted when needed; a number as ',' then %.17g (empty when NaN). */
void out_csv_text(FILE *f, const char *s);
void out_csv_number(FILE *f, double x);
/* Dump with 17 significant digits and a final newline; 0 on success. */
int out_json_dump(FILE *f, const json_t *j);

/* Add "elasticities", "theta_scale" and "psi_scale" (the scenario option keys) to obj. */
void out_elasticities_json(json_t *obj, const cli_elasticities *e);

/* {"max_psi_theta", "base_growth", "largest_output_change": {country, sector, pct}}
 * and [{"code", "message"}] of d, for the model m it was made on. */
json_t *out_diagnostics_json(const tw_model *m, const tw_diagnostics *d);
json_t *out_warnings_json(const tw_diagnostics *d);
/* "tradewar: warning [code]: message" on stderr, one line each. */
void out_warnings_stderr(const tw_diagnostics *d);
/* The lines under a table: diagnostics, then "Warning [code]: message". */
void out_diagnostics_lines(FILE *f, const tw_model *m, const tw_diagnostics *d);
/* The `count` largest sector output moves of res (by |%|), one line each. */
void out_largest_moves(FILE *f, const tw_model *m, const tw_result *res, size_t count);

const char *out_method_name(tw_method m);
const char *out_deficits_name(tw_deficit_mode d);

/* The JSON contract of `tradewar solve` (docs/cli.md). NULL when out of memory. */
json_t *out_solve_json(const run_info *r);

/* CSV tables, each after a provenance comment line "# tradewar VERSION data=...". */
void out_countries_csv(FILE *f, const run_info *r);
void out_sectors_csv(FILE *f, const run_info *r);
void out_bilateral_csv(FILE *f, const run_info *r);
void out_flows_csv(FILE *f, const run_info *r);

/* The terminal table of the main per-country figures and the solver line. */
void out_table(FILE *f, const run_info *r);

/* Print `format` to stdout; 0 on success. */
int out_print(out_format format, const run_info *r);

/* Write countries.csv, sectors.csv, bilateral.csv, flows.csv and result.json
 * into `dir` (created when missing): each to a temporary file first, renamed
 * only when all were written. 0 on success, else -1 with `why` filled. */
int out_write_dir(const run_info *r, const char *dir, char *why, size_t why_size);

#endif
