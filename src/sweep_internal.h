/*
 * sweep_internal.h - the sweep handle shared by src/sweep_run.c (plan and
 * runner), src/sweep_store.c (the record file) and src/sweep_summary.c.
 */
#ifndef TW_SWEEP_INTERNAL_H
#define TW_SWEEP_INTERNAL_H

#include "internal.h"

#include <stdint.h>

/* One finished solve, as stored: this header, n_values doubles, a checksum
 * (FNV-1a 64 of all before it). The layout of records.twr since 0.1. */
typedef struct sweep_record {
    uint32_t magic, point, draw, status;
    int64_t iterations;
    double residual;
    uint32_t redraws;  /* candidates of this draw set aside for an unstable base */
    uint32_t reserved; /* 0 */
    double growth;     /* the base's stability estimate under the draw (NaN: not checked) */
} sweep_record;
#define SWEEP_RECORD_MAGIC 0x32525754u /* "TWR2" */
#define SWEEP_FNV_INIT 0xcbf29ce484222325ULL

struct sweep_run; /* the run under way (src/sweep_run.c) */

struct tw_sweep {
    const tw_model *base;
    size_t N, J;
    const tw_policy **points; /* n_points, borrowed */
    size_t n_points, draws;
    unsigned long long seed;
    tw_draw_spec theta, psi; /* arrays below */
    double *theta_a, *theta_b, *psi_a, *psi_b;
    double *file_theta, *file_psi; /* draws x J, or NULL */
    double max_psi_theta;
    unsigned long long redrawn; /* sector pairs the bound redrew, over every draw */
    size_t draws_redrawn;
    int check_stability, stable_only;
    tw_solver_options opt, retry;
    int sector_keys[TW_CS_COUNT];
    size_t n_sector_keys;
    size_t n_values; /* TW_C_COUNT N, n_sector_keys N J, theta J, psi J */
    int threads;
    int (*progress)(void *user, const tw_sweep_progress *p);
    void *progress_user;
    double progress_interval;

    /* every (point, draw <= draws) solve, in memory */
    size_t per_point, record_bytes;
    unsigned char *done;
    uint32_t *status;
    int64_t *iterations;
    double *residual;
    uint32_t *redraws;
    double *growth;
    double *values; /* n_points * per_point * n_values */
    size_t n_done;

    /* the store (tw_sweep_open_store): fd < 0 when none */
    int fd;
    char *path;
    double last_sync;

    struct sweep_run *run; /* while tw_sweep_run_shared runs (tw_sweep_grant) */
};

static inline size_t sweep_off_sector(const tw_sweep *s) { return (size_t)TW_C_COUNT * s->N; }
static inline size_t sweep_off_theta(const tw_sweep *s)
{
    return sweep_off_sector(s) + s->n_sector_keys * s->N * s->J;
}
static inline size_t sweep_off_psi(const tw_sweep *s) { return sweep_off_theta(s) + s->J; }
static inline double *sweep_record_values(unsigned char *rec)
{
    return (double *)(void *)(rec + sizeof(sweep_record));
}

uint64_t tw__fnv1a(uint64_t h, const void *data, size_t len);
void tw__sweep_record_seal(unsigned char *rec, size_t bytes);
int tw__sweep_record_valid(const unsigned char *rec, size_t bytes);
/* A valid record into memory (the first of a key wins; keys beyond this
 * sweep's draws are ignored). 1 when it was new. */
int tw__sweep_remember(tw_sweep *s, const unsigned char *rec);
/* Append a record to the store (when open) and remember it. */
tw_status tw__sweep_store_append(tw_sweep *s, const unsigned char *rec, tw_error *err);
tw_status tw__sweep_store_sync(tw_sweep *s, tw_error *err);
void tw__sweep_store_close(tw_sweep *s);

#endif
