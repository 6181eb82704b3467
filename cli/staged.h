/*
 * staged.h - what `tradewar report` and `tradewar timeline` share: the
 * command line (data, scenario, output, solver flags), the base economy, the
 * cumulative policy after a stage (their output directories: cli/outdir.h).
 */
#ifndef TW_CLI_STAGED_H
#define TW_CLI_STAGED_H

#include "cli.h"
#include "outdir.h"

#include <jansson.h>

typedef struct staged_args {
    const char *command;
    const char *data_dir, *scenario, *output, *from, *focus;
    const char *html;        /* --html FILE: one self-contained page (cli/html.c) */
    int json;                /* --format json */
    int charts;              /* 0: --charts none */
    cli_solver_flags solver; /* override the scenario's options */
} staged_args;

/* Parse the command line; `help` prints the command's help. CLI_OK or an exit code;
 * -1 after --help (exit 0). */
int staged_parse(int argc, char **argv, int first, cli_ctx *ctx, staged_args *a,
                 void (*help)(FILE *f));

typedef struct staged {
    tw_scenario *sc;
    tw_model *raw, *base;
    tw_baseline_report report;
    tw_solver_options opt;
    tw_deficit_mode deficits;
    char data_checksum[17], base_checksum[17];
    char data_buf[4096];
    const char *data_dir;
    size_t focus[2];        /* the pair of economies the report follows (default USA, CHN) */
    cli_elasticities elast; /* what the run used */
} staged;

/* Scenario, options, data and baseline. Prints errors; returns an exit code. */
int staged_prepare(const cli_ctx *ctx, staged_args *a, staged *s);
void staged_free(staged *s);

/* The cumulative policy after stage k (0-based) for model m (the base or a
 * copy of it with other elasticities); NULL after printing the error
 * (*rc gets the exit code). */
tw_policy *staged_policy(const staged *s, size_t k, const tw_model *m, int *rc);

/* --from K|NAME (1-based) into *out; default 0. */
int staged_pick(const staged *s, const char *want, const char *command, size_t *out);

/* The JSON header shared by the commands' files. */
json_t *staged_header_json(const staged *s, const staged_args *a);
json_t *staged_stats_json(tw_solver_stats st);
/* "# tradewar VERSION command data=... checksum=... scenario=... options=..." */
void staged_provenance(FILE *f, const staged *s, const staged_args *a);

/* --html FILE: the page for `j` (the command's JSON; taken), with the charts
 * drawn again into memory by draw(user, why, size) when a->charts; prints the
 * error and returns CLI_FAILURE when anything fails (nothing is written then). */
int staged_write_html(const staged *s, const staged_args *a, json_t *j,
                      int (*draw)(const void *user, char *why, size_t size), const void *user);

/* 100 (now / base - 1), NaN when base is 0. */
double staged_pct(double now, double base);
/* Flow from i to n summed over sectors. */
double staged_pair(const double *flows, size_t N, size_t J, size_t i, size_t n);

#endif
