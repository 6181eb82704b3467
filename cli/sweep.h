/*
 * sweep.h - `tradewar sweep` (docs/sweeps.md): the program's side of the
 * library's sweep (tw_sweep, src/sweep_*.c):
 *   cmd_sweep.c     the command line, the plan (points, draws, options), the report
 *   sweep_store.c   the output directory and its run.json (the run's identity)
 *   sweep_run.c     MPI ranks (a tw_sweep_driver), the progress bar
 *   sweep_report.c  summary.csv / summary.json / draws.csv, the chart, the table
 */
#ifndef TW_CLI_SWEEP_H
#define TW_CLI_SWEEP_H

#include "output.h"

#include <stdint.h>

/* One point of the sweep: a scenario (a file, or a file with grid values put in). */
typedef struct sweep_point {
    char *label;  /* "rate=0.25", or the scenario file's name */
    char *path;   /* the scenario file */
    double *grid; /* the point's value of each grid parameter (n_grids), or NULL */
    tw_scenario *sc;
    tw_policy *policy;   /* on the base economy */
    size_t stage;        /* the stage solved (0-based) */
    tw_diagnostics diag; /* of the central answer (has_diag: it converged) */
    int has_diag;
} sweep_point;

typedef struct sweep_grid {
    char *name;
    char *where; /* the scenario's first line with ${NAME}, trimmed (chart axis), or NULL */
    double *values;
    size_t n;
} sweep_grid;

/* What the command asked for; the library's tw_sweep does the work. */
typedef struct sweep_plan {
    const tw_model *base;
    size_t N, J;
    sweep_point *points;
    size_t n_points;
    sweep_grid *grids;
    size_t n_grids;
    size_t draws; /* Monte Carlo draws per point; draw 0 (central) comes on top */
    unsigned long long seed;
    tw_draw_spec theta, psi; /* arrays below */
    double *theta_a, *theta_b, *psi_a, *psi_b;
    double *file_theta, *file_psi; /* draws x J from --draws-file (row k-1 is draw k), or NULL */
    double max_psi_theta;          /* random draws keep psi theta below this (INFINITY: no bound) */
    int stable_only;               /* random draws are redrawn until the base is stable */
    tw_solver_options opt;         /* as given (the library derives its two attempts) */
    tw_deficit_mode deficits;
    tw_sector_output sector_keys[TW_CS_COUNT]; /* chosen per-sector outputs */
    size_t n_sector_keys;
    cli_elasticities elast; /* the central elasticities: the data's, a file or set, scaled */
    tw_sweep *sw;           /* the library's sweep (after the plan is made) */
} sweep_plan;

/* Offsets of the blocks of a solve's values (tw_sweep_value_count). */
static inline size_t sweep_off_sector(const sweep_plan *p) { return (size_t)TW_C_COUNT * p->N; }
static inline size_t sweep_off_theta(const sweep_plan *p)
{
    return sweep_off_sector(p) + p->n_sector_keys * p->N * p->J;
}
static inline size_t sweep_off_psi(const sweep_plan *p) { return sweep_off_theta(p) + p->J; }

uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t len);
#define SWEEP_FNV_INIT 0xcbf29ce484222325ULL

/* ---- the output directory ------------------------------------------------------ */

/* Make DIR (and its parents); the identity (a JSON object) must equal the
 * one in DIR/run.json when that exists (else it is written); then the
 * library's record file in DIR (tw_sweep_open_store, keyed by the identity's
 * text). CLI_OK, or an exit code after printing why (CLI_USAGE: DIR belongs
 * to another run). */
int sweep_open_output(tw_sweep *sw, const char *dir, json_t *identity);

/* ---- the runner --------------------------------------------------------- */

/* Process-wide run: MPI (when built with it and started by mpirun) and threads. */
typedef struct sweep_env {
    int rank, size; /* MPI rank and size; 0 and 1 without MPI */
    int mpi;        /* 1 when MPI was initialised */
    int threads;    /* worker threads in this process */
    int progress;   /* draw a progress bar on stderr */
} sweep_env;

void sweep_env_init(sweep_env *env, int *argc, char ***argv);
void sweep_env_finish(sweep_env *env);
/* Rank 0 sends its n items (2 uint32 each) to every rank (others receive
 * into *items, malloc'd). 0 on success. */
int sweep_share_items(const sweep_env *env, uint32_t **items, size_t *n);
/* Every rank agrees on an exit code (the largest). */
int sweep_agree(const sweep_env *env, int rc);

/* The progress bar (rank 0, on a terminal) into the library's options. */
void sweep_progress_options(const sweep_env *env, tw_sweep_options *o);
/* Solve `items` (rank 0's pending list, on every rank): tw_sweep_run, or
 * under MPI tw_sweep_run_shared with rank 0 storing. CLI_OK, or an exit code
 * after printing the error. */
int sweep_run(const sweep_env *env, sweep_plan *plan, const uint32_t *items, size_t n_items,
              const cli_ctx *ctx);

/* ---- the report --------------------------------------------------------- */

typedef struct sweep_report {
    const sweep_plan *plan;
    const char *dir; /* the output directory */
    json_t *identity;
    const char *data_dir;
    double *quantiles; /* fractions, ascending */
    size_t n_quantiles;
    int chart; /* write chart.png */
} sweep_report;

/* summary.csv, summary.json, draws.csv (and chart.png) into the output
 * directory, each written to a temporary name and renamed. 0, or -1 with `why`. */
int sweep_write_report(const sweep_report *r, char *why, size_t why_size);
/* --html FILE: summary.json's content and the chart as one page (cli/html.c).
 * 0, or -1 with `why`. */
int sweep_write_html(const sweep_report *r, const char *path, char *why, size_t why_size);
/* summary.csv, summary.json or a table to stdout. 0 on success. */
int sweep_print(const sweep_report *r, out_format format);

#endif
