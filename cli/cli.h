/*
 * cli.h - shared pieces of the tradewar program: exit codes, messages,
 * argument parsing and data location. The program holds no economics: it
 * parses arguments, calls libtradewar and formats what comes back.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include "tradewar.h"

#include <stdio.h>

/* Exit codes (documented in --help and docs/cli.md). */
enum {
    CLI_OK = 0,             /* success */
    CLI_NO_CONVERGENCE = 1, /* the solver did not converge (partial results printed) */
    CLI_USAGE = 2,          /* bad command line */
    CLI_BAD_INPUT = 3,      /* bad data or scenario */
    CLI_FAILURE = 4,        /* I/O or internal error */
    CLI_INCOMPLETE = 5      /* stopped by SIGINT, SIGTERM or --time-limit: what was computed
                             is written, marked incomplete (strategic commands) */
};

/* Verbosity: -q gives 0, default 1, -v gives 2. */
typedef struct cli_ctx {
    int verbosity;
} cli_ctx;

/* "tradewar: message" on stderr, always. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "tradewar: message" on stderr when verbosity >= level. */
void cli_note(const cli_ctx *ctx, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A usage error: message, a pointer to --help, and CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Print a library error and return its exit code. */
int cli_fail(const tw_error *err, tw_status st);
int cli_exit_code(tw_status st);

/* ---- argument parsing ---------------------------------------------------- */

/*
 * Walks argv of one command. Long options take "--name value" or
 * "--name=value"; '_' and '-' are the same in names (so scenario option keys
 * work as flags); "--" ends options; "-" alone is an operand.
 */
typedef struct cli_args {
    int argc;
    char **argv;
    int next;
    int options_done;
    const char *command;
    const char *arg; /* the current argument */
    const char *value;
} cli_args;

typedef enum { ARG_END, ARG_OPTION, ARG_OPERAND, ARG_ERROR } cli_arg_kind;

void cli_args_init(cli_args *a, int argc, char **argv, int first, const char *command);
cli_arg_kind cli_args_next(cli_args *a);
/* 1 when the current option is `name` (e.g. "--tol", or a short alias like "-q");
 * `takes_value`: its value is read into a->value (0 on a missing value: check a->value). */
int cli_is(cli_args *a, const char *name, const char *alias, int takes_value);
/* Usage error for an option whose value was missing or is bad. */
int cli_bad_value(const cli_args *a, const char *expected);

/* Common options: -q, -v, --data, -h. Returns 1 when the current option is one. */
int cli_common_option(cli_args *a, cli_ctx *ctx, const char **data_dir);

int cli_parse_double(const char *s, double *out);
int cli_parse_int(const char *s, int *out);

/* A stage of sc: K (1-based) or its name; without `want` the last stage
 * (`last`) or the first. CLI_OK, or a usage error of `command`. */
int cli_pick_stage(const char *command, const tw_scenario *sc, const char *want, int last,
                   size_t *out);

/* The current option is one of names[0..n) taking a value: 1 (the value put
 * in *slots[k]) or -1 (the value is missing); 0 when it is none of them. */
int cli_stored_option(cli_args *a, const char *const *names, const char **const *slots, size_t n);

/* Solver flags, the same for solve, report, timeline, sweep and the strategic
 * commands, as given (NULL: not given); they win over the scenario's options. */
typedef struct cli_solver_flags {
    const char *method, *deficits, *tol, *max_iter, *depth, *damping, *fallback;
    const char *elasticities, *theta_scale, *psi_scale; /* applied by cli_elasticities_apply */
} cli_solver_flags;
/* The current option is a solver flag: 1 (its value stored in f) or -1 (its
 * value is missing); 0 when it is not one. */
int cli_solver_flag(cli_args *a, cli_solver_flags *f);
/* Put the flags over *o and *d: CLI_OK, or a usage error of `command` that
 * names the flag, its value and what it takes. */
int cli_solver_flags_apply(const char *command, const cli_solver_flags *f, tw_solver_options *o,
                           tw_deficit_mode *d);

/* The elasticities a run used (recorded in every output): the file or set
 * given (NULL: the data's own) and the scales (1 when not given). */
typedef struct cli_elasticities {
    const char *spec;
    double theta_scale, psi_scale;
} cli_elasticities;
/* Apply --elasticities, --theta-scale and --psi-scale (else the scenario's
 * options of the same names; sc may be NULL) to the raw model: the file or
 * set first, then the scales. CLI_OK, a usage error of `command` for a bad
 * flag value, or the exit code of the library's error (printed). */
int cli_elasticities_apply(const char *command, const cli_solver_flags *f, const tw_scenario *sc,
                           tw_model *raw, cli_elasticities *used);
/* "elasticities=data,theta_scale=1,psi_scale=1" for CSV provenance lines. */
void cli_elasticities_text(const cli_elasticities *e, char *buf, size_t size);

/* ---- data ---------------------------------------------------------------- */

/* The bundled economy: $TRADEWAR_DATA, else <exe dir>/../data/us-china-2017,
 * else TW_SOURCE_DIR/data/us-china-2017. Writes into buf; returns buf. */
const char *cli_default_data(char *buf, size_t size);

/* Load a data set with progress messages; on error prints it and returns its exit code. */
int cli_load_data(const cli_ctx *ctx, const char *dir, tw_model **out);

/* ---- commands ------------------------------------------------------------ */

int cmd_solve(int argc, char **argv, int first, cli_ctx ctx);
int cmd_info(int argc, char **argv, int first, cli_ctx ctx);
void cmd_solve_help(FILE *f);
void cmd_info_help(FILE *f);
/* the strategic layer (cli/cmd_optimal.c, cmd_war.c, cmd_talks.c, cmd_enforce.c) */
int cmd_optimal(int argc, char **argv, int first, cli_ctx ctx);
int cmd_war(int argc, char **argv, int first, cli_ctx ctx);
int cmd_talks(int argc, char **argv, int first, cli_ctx ctx);
int cmd_enforce(int argc, char **argv, int first, cli_ctx ctx);
void cmd_optimal_help(FILE *f);
void cmd_war_help(FILE *f);
void cmd_talks_help(FILE *f);
void cmd_enforce_help(FILE *f);
int cmd_waves(int argc, char **argv, int first, cli_ctx ctx);
void cmd_waves_help(FILE *f);
int cmd_report(int argc, char **argv, int first, cli_ctx ctx);
void cmd_report_help(FILE *f);
int cmd_timeline(int argc, char **argv, int first, cli_ctx ctx);
void cmd_timeline_help(FILE *f);

int cmd_sweep(int argc, char **argv, int first, cli_ctx ctx);
void cmd_sweep_help(FILE *f);

/* gravity estimation (cli/cmd_gravity.c, cli/cmd_gravity_elasticities.c) */
int cmd_gravity(int argc, char **argv, int first, cli_ctx ctx);
void cmd_gravity_help(FILE *f);
int cmd_gravity_elasticities(int argc, char **argv, int first, cli_ctx ctx);
int cmd_gravity_ge(int argc, char **argv, int first, cli_ctx ctx);
void cmd_gravity_ge_help(FILE *f);
int cmd_gravity_scenario(int argc, char **argv, int first, cli_ctx ctx);

/* importing the world (cli/cmd_import.c; its gravity source: cli/cmd_import_gravity.c) */
int cmd_import(int argc, char **argv, int first, cli_ctx ctx);
void cmd_import_help(FILE *f);
int cmd_import_gravity(int argc, char **argv, int first, cli_ctx ctx);
int cmd_tariffs(int argc, char **argv, int first, cli_ctx ctx);
void cmd_tariffs_help(FILE *f);

#endif
