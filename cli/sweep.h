/*
 * sweep.h - the internals of `tradewar sweep` (docs/sweeps.md):
 *   cmd_sweep.c     the command line, the plan (points, draws, options), the report
 *   sweep_store.c   the run's identity and the append-only, checksummed record file
 *   sweep_run.c     threads across solves, MPI ranks, progress
 *   sweep_report.c  means and quantiles, summary.csv / summary.json / draws.csv, the chart
 */
#ifndef TW_CLI_SWEEP_H
#define TW_CLI_SWEEP_H

#include "output.h"

#include <stdint.h>

/* One point of the sweep: a scenario (a file, or a file with grid values put in). */
typedef struct sweep_point {
    char *label;       /* "rate=0.25", or the scenario file's name */
    char *path;        /* the scenario file */
    double *grid;      /* the point's value of each grid parameter (n_grids), or NULL */
    tw_scenario *sc;
    tw_policy *policy; /* on the base economy */
    size_t stage;      /* the stage solved (0-based) */
    tw_diagnostics diag; /* of the central answer (has_diag: it converged) */
    int has_diag;
} sweep_point;

typedef struct sweep_grid {
    char *name;
    char *where; /* the scenario's first line with ${NAME}, trimmed (chart axis), or NULL */
    double *values;
    size_t n;
} sweep_grid;

/* Everything that decides what is solved and kept; shared read-only by the workers. */
typedef struct sweep_plan {
    const tw_model *base;
    size_t N, J;
    sweep_point *points;
    size_t n_points;
    sweep_grid *grids;
    size_t n_grids;
    size_t draws;            /* Monte Carlo draws per point; draw 0 (central) comes on top */
    unsigned long long seed;
    tw_draw_spec theta, psi; /* arrays below */
    double *theta_a, *theta_b, *psi_a, *psi_b;
    double *file_theta, *file_psi; /* draws x J from --draws-file (row k-1 is draw k), or NULL */
    double max_psi_theta;          /* random draws keep psi theta below this (INFINITY: no bound) */
    unsigned long long redrawn;    /* sector pairs the bound redrew, over every draw */
    size_t draws_redrawn;          /* draws with at least one */
    int check_stability;           /* scale economies: each draw's base stability is estimated */
    int stable_only;               /* random draws are redrawn until the base is stable */
    tw_solver_options opt;   /* the first attempt (with the library's fallback) */
    tw_solver_options retry; /* the safer second attempt */
    tw_deficit_mode deficits;
    int sector_keys[TW_CS_COUNT]; /* chosen per-sector outputs */
    size_t n_sector_keys;
    size_t n_values; /* per record: TW_C_COUNT*N, then n_sector_keys*N*J, then theta J, psi J */
    cli_elasticities elast; /* the central elasticities: the data's, a file or set, scaled */
} sweep_plan;

/* Offsets of the blocks of a record's values. */
static inline size_t sweep_off_sector(const sweep_plan *p) { return (size_t)TW_C_COUNT * p->N; }
static inline size_t sweep_off_theta(const sweep_plan *p)
{
    return sweep_off_sector(p) + p->n_sector_keys * p->N * p->J;
}
static inline size_t sweep_off_psi(const sweep_plan *p) { return sweep_off_theta(p) + p->J; }

/* How a solve ended. */
enum { SWEEP_CONVERGED = 0, SWEEP_RETRIED = 1, SWEEP_FAILED = 2 };

/* One finished solve, as stored: a fixed header, n_values doubles, a checksum. */
typedef struct sweep_record {
    uint32_t magic, point, draw, status;
    int64_t iterations;
    double residual;
    uint32_t redraws;  /* candidates of this draw set aside for an unstable base */
    uint32_t reserved; /* 0 */
    double growth;     /* the base's stability estimate under the draw (NaN: not checked) */
} sweep_record;
#define SWEEP_RECORD_MAGIC 0x32525754u /* "TWR2" */
static inline size_t sweep_record_bytes(const sweep_plan *p)
{
    return sizeof(sweep_record) + p->n_values * sizeof(double) + sizeof(uint64_t);
}
/* values of a serialised record */
static inline double *sweep_record_values(unsigned char *rec)
{
    return (double *)(void *)(rec + sizeof(sweep_record));
}

uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t len);
#define SWEEP_FNV_INIT 0xcbf29ce484222325ULL
/* Write the checksum at the end of a serialised record / check it. */
void sweep_record_seal(unsigned char *rec, size_t bytes);
int sweep_record_valid(const unsigned char *rec, size_t bytes);

/* ---- the store ---------------------------------------------------------- */

/* What has been solved: every (point, draw <= draws) record, in memory. */
typedef struct sweep_store {
    char dir[4096];
    int fd;
    size_t record_bytes, n_points, per_point; /* per_point = draws + 1 */
    unsigned char *done;   /* n_points * per_point flags */
    uint32_t *status;      /* likewise */
    int64_t *iterations;
    double *residual;
    uint32_t *redraws;
    double *growth;
    double *values;        /* n_points * per_point * n_values */
    size_t n_done;
    double last_sync;
} sweep_store;

/* Open or create DIR: the identity (a JSON object) must equal the one in
 * DIR/run.json when that exists; then read DIR/records.twr, dropping a torn
 * last record. 0, or -1 with `why`; -2 when DIR belongs to another run. */
int sweep_store_open(sweep_store *st, const char *dir, json_t *identity, const sweep_plan *p,
                     char *why, size_t why_size);
/* Append one serialised record (write(2) at once: it survives the process
 * being killed) and note it in memory; fdatasync at most once a second.
 * 0, or -1 with `why`. */
int sweep_store_append(sweep_store *st, const unsigned char *rec, char *why, size_t why_size);
int sweep_store_sync(sweep_store *st);
void sweep_store_close(sweep_store *st);

/* ---- the runner --------------------------------------------------------- */

typedef struct sweep_item {
    uint32_t point, draw;
} sweep_item;

/* Process-wide run: MPI (when built with it and started by mpirun) and threads. */
typedef struct sweep_env {
    int rank, size;   /* MPI rank and size; 0 and 1 without MPI */
    int mpi;          /* 1 when MPI was initialised */
    int threads;      /* worker threads in this process */
    int progress;     /* draw a progress bar on stderr */
} sweep_env;

void sweep_env_init(sweep_env *env, int *argc, char ***argv);
void sweep_env_finish(sweep_env *env);
/* Rank 0 sends `n` items to every rank (others receive into *items, malloc'd). 0 on success. */
int sweep_share_items(const sweep_env *env, sweep_item **items, size_t *n);
/* Every rank agrees on an exit code (the largest). */
int sweep_agree(const sweep_env *env, int rc);

/* Solve this rank's share of `items` on env->threads threads; rank 0 stores
 * every record (its own and the other ranks') in `store` (NULL elsewhere).
 * CLI_OK, or an exit code after printing the error. */
int sweep_run(const sweep_env *env, const sweep_plan *plan, const sweep_item *items,
              size_t n_items, sweep_store *store, const cli_ctx *ctx);

/* Draw k's elasticities (k = 0: the central ones). 0, or -1 with err filled. */
int sweep_elasticities(const sweep_plan *p, size_t k, double *theta, double *psi, tw_error *err);

/* ---- the report --------------------------------------------------------- */

typedef struct sweep_report {
    const sweep_plan *plan;
    const sweep_store *store;
    json_t *identity;
    const char *data_dir;
    double *quantiles; /* fractions, ascending */
    size_t n_quantiles;
    int chart;         /* write chart.png */
} sweep_report;

/* summary.csv, summary.json, draws.csv (and chart.png) into the store's
 * directory, each written to a temporary name and renamed. 0, or -1 with `why`. */
int sweep_write_report(const sweep_report *r, char *why, size_t why_size);
/* --html FILE: summary.json's content and the chart as one page (cli/html.c).
 * 0, or -1 with `why`. */
int sweep_write_html(const sweep_report *r, const char *path, char *why, size_t why_size);
/* summary.csv, summary.json or a table to stdout. 0 on success. */
int sweep_print(const sweep_report *r, out_format format);
/* Counts over every point: draws asked for, converged (first try), retried, failed. */
void sweep_counts(const sweep_report *r, size_t *total, size_t *retried, size_t *failed);

#endif
