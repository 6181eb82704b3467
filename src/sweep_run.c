/*
 * sweep_run.c - a sweep's plan (tw_sweep_create) and its solves: threads in
 * a process, and through a driver (tw_sweep_driver: the program's MPI) other
 * processes.
 *
 * Work: every process first solves the central solve (draw 0) of every point
 * with pending draws, for their warm starts (the storing process alone keeps
 * them). The draws are then handed out as they are asked for: the storing
 * process's threads take them one by one from the list, and a helper's
 * calling thread asks for a block (tw_sweep_grant: guided, a share of what is
 * left, smaller towards the end) whenever its threads run low, so processes
 * that draw the slow, failing solves simply ask less often and all finish
 * together. Each thread has its own solver (solvers are not thread-safe).
 * Every draw is warm-started from its point's central solution: the start of
 * every solve is fixed by the plan, never by which solve happened to finish
 * first, so results do not depend on threads, processes or resumption. A
 * solve that fails is retried once with the plan's safer options from "no
 * change"; if that fails too it is recorded as failed.
 *
 * Records go to the calling thread, which stores them (and reports progress)
 * or, in a helper, hands them to the driver: only that thread calls the
 * driver's hooks (MPI_THREAD_FUNNELED is enough).
 */
#include "sweep_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the plan ------------------------------------------------------------- */

void tw_sweep_options_default(tw_sweep_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->theta.dist = TW_DIST_FIXED;
    o->psi.dist = TW_DIST_FIXED;
    o->max_psi_theta = 1;
    o->progress_interval = 0.2;
    tw_solver_options_default(&o->solver);
}

const char *tw_sweep_status_name(tw_sweep_status s)
{
    return s == TW_SWEEP_CONVERGED ? "converged"
           : s == TW_SWEEP_RETRIED ? "retried"
           : s == TW_SWEEP_FAILED  ? "failed"
                                   : "unknown";
}

void tw_sweep_free(tw_sweep *s)
{
    if (!s)
        return;
    tw__sweep_store_close(s);
    free(s->points);
    free(s->theta_a);
    free(s->theta_b);
    free(s->psi_a);
    free(s->psi_b);
    free(s->file_theta);
    free(s->file_psi);
    free(s->done);
    free(s->status);
    free(s->iterations);
    free(s->residual);
    free(s->redraws);
    free(s->growth);
    free(s->values);
    free(s);
}

/* A distribution's arrays, copied (a NULL `a`: the central values). */
static int copy_spec(const tw_draw_spec *in, const double *central, size_t J, tw_draw_spec *out,
                     double **a, double **b)
{
    *a = malloc(J * sizeof **a);
    *b = calloc(J, sizeof **b);
    if (!*a || !*b)
        return -1;
    memcpy(*a, in->a ? in->a : central, J * sizeof **a);
    if (in->b && in->dist != TW_DIST_FIXED)
        memcpy(*b, in->b, J * sizeof **b);
    *out = (tw_draw_spec){in->dist, *a, *b};
    return 0;
}

static int has_scale(const tw_model *m)
{
    for (size_t j = 0; j < m->J; j++)
        if (m->arr[TW_PSI][j] > 0)
            return 1;
    return 0;
}

/* Attempt 1: the options as given, warm-started, without the library's
 * fallback (a hopeless draw fails fast). Attempt 2, the safer one: from "no
 * change", damped (at most 0.5), twice the iterations, with the fallback to
 * the other method as the options say. */
static void attempt_options(tw_sweep *s, const tw_solver_options *given)
{
    s->opt = *given;
    s->opt.progress = NULL;
    s->opt.progress_user = NULL;
    s->retry = s->opt;
    s->retry.damping = s->opt.damping < 0.5 ? s->opt.damping : 0.5;
    s->retry.max_iter = s->opt.max_iter > 500000 ? 1000000 : 2 * s->opt.max_iter;
    s->opt.fallback = 0;
}

static tw_status alloc_tables(tw_sweep *s, tw_error *err)
{
    size_t n = s->n_points * s->per_point;
    s->done = calloc(n ? n : 1, 1);
    s->status = calloc(n ? n : 1, sizeof *s->status);
    s->iterations = calloc(n ? n : 1, sizeof *s->iterations);
    s->residual = calloc(n ? n : 1, sizeof *s->residual);
    s->redraws = calloc(n ? n : 1, sizeof *s->redraws);
    s->growth = calloc(n ? n : 1, sizeof *s->growth);
    size_t nv = n * s->n_values;
    s->values = nv < SIZE_MAX / sizeof(double) ? calloc(nv > 0 ? nv : 1, sizeof *s->values) : NULL;
    if (s->done && s->status && s->iterations && s->residual && s->redraws && s->growth &&
        s->values)
        return TW_OK;
    return tw_fail(err, TW_ERR_NOMEM, "out of memory for %zu solves", n);
}

/* Every draw now: a bad distribution is named before any solve, and the
 * counts say how many sector pairs the bound redrew. */
static tw_status check_draws(tw_sweep *s, tw_error *err)
{
    double *t = malloc(s->J * sizeof *t), *u = malloc(s->J * sizeof *u);
    tw_status st = t && u ? TW_OK : tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t k = 1; st == TW_OK && k <= s->draws && !s->file_theta; k++) {
        unsigned long long r = 0;
        st = tw_draw_elasticities_bounded(&s->theta, &s->psi, s->J, s->max_psi_theta, s->seed, k, t,
                                          u, &r, err);
        s->redrawn += r;
        s->draws_redrawn += r > 0;
    }
    if (st == TW_OK && s->draws == 0) /* the distributions are checked even so */
        st = tw_draw_elasticities_bounded(&s->theta, &s->psi, s->J, s->max_psi_theta, s->seed, 0, t,
                                          u, NULL, err);
    free(t);
    free(u);
    return st;
}

tw_sweep *tw_sweep_create(const tw_model *base, const tw_policy *const *points, size_t n_points,
                          const tw_sweep_options *o, tw_error *err)
{
    tw_sweep_options def;
    if (!o) {
        tw_sweep_options_default(&def);
        o = &def;
    }
    if (!base || !points || n_points == 0 || n_points > UINT32_MAX || o->draws >= UINT32_MAX ||
        o->n_sector_outputs > TW_CS_COUNT || (o->n_sector_outputs && !o->sector_outputs) ||
        !(o->draws_theta == NULL) != !(o->draws_psi == NULL) || o->threads < 0) {
        tw_fail(err, TW_ERR_INVALID, "tw_sweep_create: missing or bad argument");
        return NULL;
    }
    for (size_t k = 0; k < n_points; k++)
        if (!points[k] || points[k]->N != base->N || points[k]->J != base->J) {
            tw_fail(err, TW_ERR_INVALID,
                    "tw_sweep_create: point %zu is not a policy for the "
                    "base economy",
                    k);
            return NULL;
        }
    tw_sweep *s = calloc(1, sizeof *s);
    if (!s) {
        tw_fail(err, TW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->fd = -1;
    s->base = base;
    s->N = base->N;
    s->J = base->J;
    s->n_points = n_points;
    s->draws = o->draws;
    s->per_point = o->draws + 1;
    s->seed = o->seed;
    s->max_psi_theta = o->max_psi_theta;
    s->check_stability = has_scale(base);
    s->stable_only = !o->keep_unstable;
    s->threads = o->threads;
    s->progress = o->progress;
    s->progress_user = o->progress_user;
    s->progress_interval = o->progress_interval >= 0 ? o->progress_interval : 0.2;
    attempt_options(s, &o->solver);
    for (size_t k = 0; k < o->n_sector_outputs; k++) {
        if ((int)o->sector_outputs[k] < 0 || o->sector_outputs[k] >= TW_CS_COUNT) {
            tw_fail(err, TW_ERR_INVALID, "tw_sweep_create: unknown sector output %d",
                    (int)o->sector_outputs[k]);
            tw_sweep_free(s);
            return NULL;
        }
        s->sector_keys[s->n_sector_keys++] = (int)o->sector_outputs[k];
    }
    s->n_values = sweep_off_psi(s) + s->J;
    s->record_bytes = sizeof(sweep_record) + s->n_values * sizeof(double) + sizeof(uint64_t);
    tw_status st = TW_OK;
    s->points = malloc(n_points * sizeof *s->points);
    if (!s->points ||
        copy_spec(&o->theta, base->arr[TW_THETA], s->J, &s->theta, &s->theta_a, &s->theta_b) != 0 ||
        copy_spec(&o->psi, base->arr[TW_PSI], s->J, &s->psi, &s->psi_a, &s->psi_b) != 0)
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == TW_OK && k < n_points; k++)
        s->points[k] = points[k];
    if (st == TW_OK && o->draws_theta) {
        size_t n = s->draws * s->J;
        s->file_theta = malloc((n ? n : 1) * sizeof(double));
        s->file_psi = malloc((n ? n : 1) * sizeof(double));
        if (!s->file_theta || !s->file_psi)
            st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        for (size_t x = 0; st == TW_OK && x < n; x++) {
            s->file_theta[x] = o->draws_theta[x];
            s->file_psi[x] = o->draws_psi[x];
            if (!(s->file_theta[x] > 0 && isfinite(s->file_theta[x])) ||
                !(s->file_psi[x] >= 0 && isfinite(s->file_psi[x])))
                st = tw_fail(err, TW_ERR_INVALID,
                             "draw %zu, sector [%zu]: theta %g must be "
                             "positive and psi %g non-negative",
                             x / s->J + 1, x % s->J, s->file_theta[x], s->file_psi[x]);
        }
    }
    if (st == TW_OK && s->psi.dist != TW_DIST_FIXED && !s->check_stability)
        st = tw_fail(err, TW_ERR_INVALID,
                     "the data have no scale economies (psi = 0 in every "
                     "sector): psi cannot be drawn");
    if (st == TW_OK)
        st = check_draws(s, err);
    if (st == TW_OK)
        st = alloc_tables(s, err);
    if (st != TW_OK) {
        tw_sweep_free(s);
        return NULL;
    }
    return s;
}

tw_status tw_sweep_elasticities(const tw_sweep *s, size_t k, double *theta, double *psi,
                                tw_error *err)
{
    if (!s || !theta || !psi)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_elasticities: missing argument");
    if (s->file_theta && k > 0 && k <= s->draws) {
        memcpy(theta, s->file_theta + (k - 1) * s->J, s->J * sizeof *theta);
        memcpy(psi, s->file_psi + (k - 1) * s->J, s->J * sizeof *psi);
        return TW_OK;
    }
    if (s->file_theta && k > 0)
        return tw_fail(err, TW_ERR_INVALID, "draw %zu: the sweep has %zu draws", k, s->draws);
    return tw_draw_elasticities_bounded(&s->theta, &s->psi, s->J, s->max_psi_theta, s->seed, k,
                                        theta, psi, NULL, err);
}

size_t tw_sweep_record_bytes(const tw_sweep *s) { return s ? s->record_bytes : 0; }

tw_status tw_sweep_pending(const tw_sweep *s, uint32_t **items, size_t *n, tw_error *err)
{
    if (!s || !items || !n)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_pending: missing argument");
    size_t total = s->n_points * s->per_point;
    *n = 0;
    *items = malloc(2 * (total ? total : 1) * sizeof **items);
    if (!*items)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    for (size_t pt = 0; pt < s->n_points; pt++)
        for (size_t k = 0; k < s->per_point; k++)
            if (!s->done[pt * s->per_point + k]) {
                (*items)[2 * *n] = (uint32_t)pt;
                (*items)[2 * *n + 1] = (uint32_t)k;
                (*n)++;
            }
    return TW_OK;
}

/* ---- the threads ------------------------------------------------------------ */

typedef struct shared {
    tw_sweep *sw;
    /* phase 1: central solves; phase 2: draws */
    uint32_t *central_points;
    unsigned char *central_record; /* per entry of central_points: store it */
    size_t n_central;
    uint32_t *draws; /* every pending draw (draw >= 1), in order, 2 per item */
    size_t n_draws;
    /* The storing process: threads take draws[next_draw++]. A helper: threads
     * take draws[lo..hi), then the block waiting in [next_lo, next_hi);
     * `hungry` asks the calling thread for another block; `exhausted`: none
     * are left. */
    int remote;
    size_t lo, hi, next_lo, next_hi, low_water;
    int hungry, exhausted;
    pthread_cond_t more;
    tw_result **central;       /* per point, NULL when not needed here */
    unsigned char *central_ok; /* per point */
    size_t next_central, next_draw;
    /* the barrier between the phases (a counter: a thread that cannot be
     * started lowers `barrier_n`) */
    size_t at_barrier, barrier_n;
    pthread_cond_t barrier;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    unsigned char *queue; /* cap records */
    size_t cap, head, count, record_bytes;
    size_t signal_at; /* wake the calling thread when this many records wait */
    int workers_left;
    int stopped;     /* the progress callback asked to stop */
    tw_status error; /* the first error, in `message` */
    char message[TW_ERROR_MESSAGE_MAX];
} shared;

typedef struct worker {
    shared *sh;
    pthread_t thread;
    tw_solver *solver, *retry;
    tw_result *res;
    double *theta, *psi;
    unsigned char *rec;
} worker;

static void set_error(shared *sh, tw_status code, const char *message)
{
    pthread_mutex_lock(&sh->mu);
    if (!sh->error) {
        sh->error = code;
        snprintf(sh->message, sizeof sh->message, "%s", message);
    }
    pthread_cond_broadcast(&sh->more); /* threads waiting for draws stop */
    pthread_mutex_unlock(&sh->mu);
}

static void enqueue(shared *sh, const unsigned char *rec)
{
    pthread_mutex_lock(&sh->mu);
    while (sh->count == sh->cap)
        pthread_cond_wait(&sh->not_full, &sh->mu);
    memcpy(sh->queue + ((sh->head + sh->count) % sh->cap) * sh->record_bytes, rec,
           sh->record_bytes);
    sh->count++;
    if (sh->count >= sh->signal_at)
        pthread_cond_signal(&sh->not_empty);
    pthread_mutex_unlock(&sh->mu);
}

/* The record's values: the outputs (NaN when the solve failed) and the elasticities. */
static void fill_record(const tw_sweep *p, const tw_result *res, const worker *w, int failed,
                        double *v)
{
    size_t N = p->N, J = p->J;
    for (int c = 0; c < TW_C_COUNT; c++) {
        const double *x = tw_result_country(res, (tw_country_output)c);
        for (size_t i = 0; i < N; i++)
            v[(size_t)c * N + i] = failed || !x ? NAN : x[i];
    }
    double *s = v + sweep_off_sector(p);
    for (size_t k = 0; k < p->n_sector_keys; k++) {
        const double *x = tw_result_sector(res, (tw_sector_output)p->sector_keys[k]);
        for (size_t ij = 0; ij < N * J; ij++)
            s[k * N * J + ij] = failed || !x ? NAN : x[ij];
    }
    memcpy(v + sweep_off_theta(p), w->theta, J * sizeof(double));
    memcpy(v + sweep_off_psi(p), w->psi, J * sizeof(double));
}

/* One attempt on one solver (its elasticities already the draw's); TW_OK
 * (*converged says whether it converged) or an error. */
static tw_status attempt(worker *w, tw_solver *s, const tw_result *start, uint32_t point,
                         tw_result *res, int *converged, tw_error *err)
{
    tw_solver_set_start(s, start);
    tw_status st = tw_solve(s, w->sh->sw->points[point], res, err);
    *converged = st == TW_OK && tw_result_stats(res).outcome == TW_OUTCOME_CONVERGED;
    return st;
}

/* Candidates of one draw before the run stops: the spread puts almost all of
 * its mass where the base economy is unstable, a mistake in the inputs. */
enum { MAX_CANDIDATES = 1000 };

/* The elasticities of draw k into w->theta and w->psi, and into the first
 * attempt's solver. With scale economies, the base economy's stability under
 * them too (*growth, docs/sweeps.md); a random draw under which it is
 * unstable is replaced, when the plan says so, by candidate b = 1, 2, ...
 * whose numbers come from draw k + b 2^40 (so the choice stays a function of
 * (seed, k)). */
static tw_status choose_draw(worker *w, uint32_t k, uint32_t *redraws, double *growth,
                             tw_error *err)
{
    const tw_sweep *p = w->sh->sw;
    *redraws = 0;
    *growth = NAN;
    for (uint64_t b = 0;; b++) {
        tw_status st = p->file_theta && k > 0
                           ? tw_sweep_elasticities(p, k, w->theta, w->psi, err)
                           : tw_draw_elasticities_bounded(&p->theta, &p->psi, p->J,
                                                          p->max_psi_theta, p->seed,
                                                          (unsigned long long)(k + (b << 40)),
                                                          w->theta, w->psi, NULL, err);
        if (st == TW_OK)
            st = tw_solver_set_elasticities(w->solver, w->theta, w->psi, err);
        if (st != TW_OK || !p->check_stability)
            return st;
        if ((st = tw_solver_base_stability(w->solver, growth, err)) != TW_OK)
            return st;
        if (*growth < 1 || k == 0 || p->file_theta || !p->stable_only)
            return TW_OK;
        if (b + 1 == MAX_CANDIDATES)
            return tw_fail(err, TW_ERR_DATA,
                           "draw %u: %d candidates in a row make the base economy unstable "
                           "(growth >= 1; docs/sweeps.md): narrow the spread of the elasticities",
                           (unsigned)k, MAX_CANDIDATES);
        (*redraws)++;
    }
}

/* Solve (point, draw) into res and fill w->rec. 0, or -1 after set_error(). */
static int solve_item(worker *w, uint32_t point, uint32_t draw, const tw_result *start,
                      tw_result *res)
{
    shared *sh = w->sh;
    const tw_sweep *p = sh->sw;
    tw_error err = {0};
    uint32_t redraws;
    double growth;
    tw_status st = choose_draw(w, draw, &redraws, &growth, &err);
    if (st != TW_OK) {
        set_error(sh, st, err.message);
        return -1;
    }
    int converged = 0;
    st = attempt(w, w->solver, start, point, res, &converged, &err);
    long iters = tw_result_stats(res).iterations;
    uint32_t status = TW_SWEEP_CONVERGED;
    if (st == TW_OK && !converged) {
        if (!w->retry && !(w->retry = tw_solver_create(p->base, &p->retry, &err))) {
            set_error(sh, err.code ? err.code : TW_ERR_NOMEM,
                      err.message[0] ? err.message : "out of memory");
            return -1;
        }
        st = tw_solver_set_elasticities(w->retry, w->theta, w->psi, &err);
        if (st == TW_OK)
            st = attempt(w, w->retry, NULL, point, res, &converged, &err);
        iters += tw_result_stats(res).iterations;
        status = converged ? TW_SWEEP_RETRIED : TW_SWEEP_FAILED;
    }
    if (st != TW_OK) {
        set_error(sh, st, err.message);
        return -1;
    }
    sweep_record r = {SWEEP_RECORD_MAGIC,
                      point,
                      draw,
                      status,
                      iters,
                      tw_result_stats(res).residual,
                      redraws,
                      0,
                      growth};
    memcpy(w->rec, &r, sizeof r);
    fill_record(p, res, w, status == TW_SWEEP_FAILED, sweep_record_values(w->rec));
    tw__sweep_record_seal(w->rec, sh->record_bytes);
    return 0;
}

/* The next index of a phase, or (size_t)-1. */
static size_t take(shared *sh, size_t *next, size_t n)
{
    pthread_mutex_lock(&sh->mu);
    size_t k = !sh->error && !sh->stopped && *next < n ? (*next)++ : (size_t)-1;
    pthread_mutex_unlock(&sh->mu);
    return k;
}

static void run_centrals(worker *w)
{
    shared *sh = w->sh;
    for (size_t k; (k = take(sh, &sh->next_central, sh->n_central)) != (size_t)-1;) {
        uint32_t pt = sh->central_points[k];
        if (solve_item(w, pt, 0, NULL, sh->central[pt]) != 0)
            return;
        sweep_record r;
        memcpy(&r, w->rec, sizeof r);
        sh->central_ok[pt] = r.status != TW_SWEEP_FAILED; /* read only after the barrier */
        if (sh->central_record[k])
            enqueue(sh, w->rec);
    }
}

/* A helper: the next draw of the blocks granted, waiting for one when none
 * is here; (size_t)-1 when there are no more. */
static size_t take_remote(shared *sh)
{
    size_t k = (size_t)-1;
    pthread_mutex_lock(&sh->mu);
    while (!sh->error) {
        if (sh->lo < sh->hi) {
            k = sh->lo++;
            break;
        }
        if (sh->next_lo < sh->next_hi) {
            sh->lo = sh->next_lo;
            sh->hi = sh->next_hi;
            sh->next_lo = sh->next_hi = 0;
            continue;
        }
        if (sh->exhausted)
            break;
        sh->hungry = 1;
        pthread_cond_signal(&sh->not_empty); /* wake the calling thread */
        pthread_cond_wait(&sh->more, &sh->mu);
    }
    /* ask ahead: the next block should be here before this one runs out */
    if (k != (size_t)-1 && !sh->exhausted && sh->next_lo == sh->next_hi &&
        sh->hi - sh->lo < sh->low_water && !sh->hungry) {
        sh->hungry = 1;
        pthread_cond_signal(&sh->not_empty);
    }
    pthread_mutex_unlock(&sh->mu);
    return k;
}

static void run_draws(worker *w)
{
    shared *sh = w->sh;
    for (size_t k; (k = sh->remote ? take_remote(sh) : take(sh, &sh->next_draw, sh->n_draws)) !=
                   (size_t)-1;) {
        uint32_t pt = sh->draws[2 * k], draw = sh->draws[2 * k + 1];
        const tw_result *start = sh->central_ok[pt] ? sh->central[pt] : NULL;
        if (solve_item(w, pt, draw, start, w->res) != 0)
            return;
        enqueue(sh, w->rec);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    tw_error err = {0};
    const tw_sweep *p = sh->sw;
    w->solver = tw_solver_create(p->base, &p->opt, &err);
    w->res = tw_result_create(p->base, NULL);
    w->theta = malloc(p->J * sizeof *w->theta);
    w->psi = malloc(p->J * sizeof *w->psi);
    w->rec = calloc(1, sh->record_bytes);
    int ok = w->solver && w->res && w->theta && w->psi && w->rec;
    if (!ok)
        set_error(sh, err.code ? err.code : TW_ERR_NOMEM,
                  err.message[0] ? err.message : "out of memory");
    else
        run_centrals(w);
    pthread_mutex_lock(&sh->mu); /* every central solution is ready */
    sh->at_barrier++;
    pthread_cond_broadcast(&sh->barrier);
    while (sh->at_barrier < sh->barrier_n)
        pthread_cond_wait(&sh->barrier, &sh->mu);
    pthread_mutex_unlock(&sh->mu);
    if (ok)
        run_draws(w);
    tw_solver_free(w->solver);
    tw_solver_free(w->retry);
    tw_result_free(w->res);
    free(w->theta);
    free(w->psi);
    free(w->rec);
    pthread_mutex_lock(&sh->mu);
    sh->workers_left--;
    pthread_cond_signal(&sh->not_empty);
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

/* ---- the calling thread: collect, store or send ------------------------------- */

typedef struct collector {
    tw_sweep *sw;
    const tw_sweep_driver *d;
    int store; /* records are kept here (not a helper) */
    size_t batch_cap;
    tw_sweep_progress pr;
    double t0, last;
    tw_status rc; /* the first error here, in `why` */
    char why[TW_ERROR_MESSAGE_MAX];
} collector;

/* The run under way (tw_sweep_grant, tw_sweep_add_records). */
struct sweep_run {
    shared *sh;
    collector *c;
};

static void note_error(collector *c, const tw_error *e)
{
    if (c->rc == TW_OK) {
        c->rc = e->code ? e->code : TW_ERR_INTERNAL;
        snprintf(c->why, sizeof c->why, "%s", e->message);
    }
}

/* The progress callback, at most every 0.2 s (always when final); a stop asks
 * the threads to take no more solves. */
static void report_progress(collector *c, shared *sh, int final)
{
    double t = tw_now();
    if (!c->store || !c->sw->progress || (!final && t - c->last < c->sw->progress_interval))
        return;
    c->last = t;
    c->pr.final = final;
    c->pr.seconds = t - c->t0;
    c->pr.seconds_left = c->pr.done ? c->pr.seconds / (double)c->pr.done *
                                          (double)(c->pr.total - c->pr.done)
                                    : NAN;
    if (c->sw->progress(c->sw->progress_user, &c->pr) != 0 && !final) {
        pthread_mutex_lock(&sh->mu);
        sh->stopped = 1;
        pthread_cond_broadcast(&sh->more);
        pthread_mutex_unlock(&sh->mu);
    }
}

/* The storing process: keep one record. */
static void store_record(collector *c, shared *sh, const unsigned char *rec)
{
    sweep_record r;
    memcpy(&r, rec, sizeof r);
    tw_error e = {0};
    if (c->rc == TW_OK && tw__sweep_store_append(c->sw, rec, &e) != TW_OK)
        note_error(c, &e);
    c->pr.done++;
    c->pr.retried += r.status == TW_SWEEP_RETRIED;
    c->pr.failed += r.status == TW_SWEEP_FAILED;
    report_progress(c, sh, 0);
}

/* n records, one after the other: kept here, or handed to the driver in one
 * call (a message per record kept the sender's MPI busy-polling). */
static void handle_records(collector *c, shared *sh, const unsigned char *recs, size_t n)
{
    if (c->store) {
        for (size_t k = 0; k < n; k++)
            store_record(c, sh, recs + k * sh->record_bytes);
    } else if (n > 0) {
        tw_error e = {0};
        if (c->d->send(c->d->user, recs, n, &e) != 0)
            note_error(c, &e);
    }
}

void tw_sweep_grant(tw_sweep *s, int processes, size_t *first, size_t *count)
{
    *first = *count = 0;
    if (!s || !s->run)
        return;
    shared *sh = s->run->sh;
    pthread_mutex_lock(&sh->mu);
    size_t left = sh->error || sh->stopped ? 0 : sh->n_draws - sh->next_draw;
    size_t n = left / (4 * (size_t)(processes > 0 ? processes : 1));
    n = n < 1 ? 1 : n > 512 ? 512 : n;
    n = n < left ? n : left;
    *first = sh->next_draw;
    *count = n;
    sh->next_draw += n;
    pthread_mutex_unlock(&sh->mu);
}

tw_status tw_sweep_add_records(tw_sweep *s, const void *records, size_t n, tw_error *err)
{
    if (!s || (!records && n))
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_add_records: missing argument");
    const unsigned char *b = records;
    for (size_t k = 0; k < n; k++)
        if (!tw__sweep_record_valid(b + k * s->record_bytes, s->record_bytes))
            return tw_fail(err, TW_ERR_IO, "a record from another process is corrupt");
    for (size_t k = 0; k < n; k++) {
        const unsigned char *rec = b + k * s->record_bytes;
        if (s->run) { /* counted; a store error ends the run */
            store_record(s->run->c, s->run->sh, rec);
            continue;
        }
        tw_status st = tw__sweep_store_append(s, rec, err);
        if (st != TW_OK)
            return st;
    }
    return TW_OK;
}

static void sleep_ns(long ns)
{
    struct timespec nap = {0, ns};
    nanosleep(&nap, NULL);
}

/* A helper: ask for a block when the threads are hungry (or an answer is
 * due), and put the answer where they take draws from. *asking: a question
 * is out. */
static void ask_for_draws(collector *c, shared *sh, int *asking)
{
    pthread_mutex_lock(&sh->mu);
    int want = sh->hungry && !sh->exhausted && !sh->error;
    pthread_mutex_unlock(&sh->mu);
    if (!want && !*asking)
        return;
    size_t first = 0, count = 0;
    tw_error e = {0};
    int got = c->d->fetch(c->d->user, &first, &count, &e);
    if (got < 0) {
        note_error(c, &e);
        set_error(sh, c->rc, c->why);
        *asking = 0;
        return;
    }
    *asking = got == 0;
    if (!got)
        return;
    pthread_mutex_lock(&sh->mu);
    if (count == 0 || first + count > sh->n_draws)
        sh->exhausted = 1;
    else if (sh->lo == sh->hi) {
        sh->lo = first;
        sh->hi = first + count;
    } else {
        sh->next_lo = first;
        sh->next_hi = first + count;
    }
    sh->hungry = 0;
    pthread_cond_broadcast(&sh->more);
    pthread_mutex_unlock(&sh->mu);
}

/* Take records from the workers until they are all finished (and, with
 * helpers, until every helper said it was done). */
static void collect(collector *c, shared *sh)
{
    unsigned char *batch = malloc(sh->cap * sh->record_bytes);
    const tw_sweep_driver *d = c->d;
    int helpers_left = d && d->poll ? d->helpers : 0;
    int sender = !c->store;
    int asking = 0;
    c->batch_cap = sh->cap;
    if (!batch) {
        c->rc = TW_ERR_NOMEM;
        snprintf(c->why, sizeof c->why, "out of memory");
        set_error(sh, c->rc, c->why);
    }
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        if (sh->count < sh->signal_at && sh->workers_left > 0 && !(sh->hungry && !asking)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            /* with helpers, look for their messages every 5 ms; a helper
             * wakes when its queue is half full, when its threads want
             * draws, or after 50 ms, and looks for the answer to its
             * question every 0.5 ms */
            long wait_ns = asking ? 500000L : sender ? 50000000L : d ? 5000000L : 200000000L;
            until.tv_nsec += wait_ns;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&sh->not_empty, &sh->mu, &until);
        }
        size_t n = batch ? sh->count : 0;
        for (size_t k = 0; k < n; k++)
            memcpy(batch + k * sh->record_bytes,
                   sh->queue + ((sh->head + k) % sh->cap) * sh->record_bytes, sh->record_bytes);
        sh->head = (sh->head + n) % sh->cap;
        sh->count -= n;
        int finished = sh->workers_left == 0 && sh->count == 0;
        pthread_cond_broadcast(&sh->not_full);
        pthread_mutex_unlock(&sh->mu);
        handle_records(c, sh, batch, n);
        if (helpers_left > 0) {
            tw_error e = {0};
            helpers_left -= d->poll(d->user, c->sw, &e);
            if (e.code != TW_OK) { /* stop handing out draws; still wait for every helper */
                note_error(c, &e);
                set_error(sh, e.code, e.message);
            }
        }
        if (sender)
            ask_for_draws(c, sh, &asking);
        if (finished && helpers_left <= 0)
            break;
        if (finished) /* only other processes' records to wait for: do not spin */
            sleep_ns(1000000L);
        if (c->rc == TW_OK)
            report_progress(c, sh, 0);
    }
    while (asking) { /* stopped early (an error): every question gets its answer */
        size_t first, count;
        tw_error e = {0};
        int got = d->fetch(d->user, &first, &count, &e);
        asking = got == 0;
        if (asking)
            sleep_ns(200000L);
    }
    free(batch);
}

/* ---- one process's share ------------------------------------------------------ */

/* Every pending draw goes into sh->draws; every point with pending solves
 * gets its central solve here (kept only by the storing process, when
 * pending). */
static int setup_shared(shared *sh, tw_sweep *sw, const uint32_t *items, size_t n, int threads,
                        int remote)
{
    memset(sh, 0, sizeof *sh);
    sh->sw = sw;
    sh->record_bytes = sw->record_bytes;
    sh->cap = 64;
    sh->remote = remote;
    sh->hungry = remote; /* ask for the first block at once */
    sh->low_water = 2 * (size_t)threads;
    /* a helper sends its records in batches */
    sh->signal_at = remote ? sh->cap / 2 : 1;
    sh->queue = malloc(sh->cap * sh->record_bytes);
    sh->central = calloc(sw->n_points, sizeof *sh->central);
    sh->central_ok = calloc(sw->n_points, 1);
    sh->central_points = malloc((sw->n_points + 1) * sizeof *sh->central_points);
    sh->central_record = calloc(sw->n_points + 1, 1);
    sh->draws = malloc(2 * (n ? n : 1) * sizeof *sh->draws);
    unsigned char *need = calloc(sw->n_points, 1), *rec = calloc(sw->n_points, 1);
    int ok = sh->queue && sh->central && sh->central_ok && sh->central_points &&
             sh->central_record && sh->draws && need && rec;
    for (size_t k = 0; ok && k < n; k++) {
        uint32_t pt = items[2 * k], draw = items[2 * k + 1];
        if (pt >= sw->n_points || draw > sw->draws) {
            ok = 0;
            break;
        }
        need[pt] = 1;
        if (draw == 0)
            rec[pt] = !remote;
        else {
            sh->draws[2 * sh->n_draws] = pt;
            sh->draws[2 * sh->n_draws + 1] = draw;
            sh->n_draws++;
        }
    }
    for (uint32_t pt = 0; ok && pt < sw->n_points; pt++)
        if (need[pt]) {
            sh->central_record[sh->n_central] = rec[pt];
            sh->central_points[sh->n_central++] = pt;
            ok = (sh->central[pt] = tw_result_create(sw->base, NULL)) != NULL;
        }
    free(need);
    free(rec);
    sh->workers_left = threads;
    sh->barrier_n = (size_t)threads;
    pthread_mutex_init(&sh->mu, NULL);
    pthread_cond_init(&sh->not_empty, NULL);
    pthread_cond_init(&sh->not_full, NULL);
    pthread_cond_init(&sh->more, NULL);
    pthread_cond_init(&sh->barrier, NULL);
    return ok ? 0 : -1;
}

static void free_shared(shared *sh, const tw_sweep *sw)
{
    for (size_t pt = 0; sh->central && pt < sw->n_points; pt++)
        tw_result_free(sh->central[pt]);
    free(sh->central);
    free(sh->central_ok);
    free(sh->central_points);
    free(sh->central_record);
    free(sh->draws);
    free(sh->queue);
    pthread_mutex_destroy(&sh->mu);
    pthread_cond_destroy(&sh->not_empty);
    pthread_cond_destroy(&sh->not_full);
    pthread_cond_destroy(&sh->more);
    pthread_cond_destroy(&sh->barrier);
}

static int default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)(cores < 1024 ? cores : 1024) : 1;
}

static tw_status run_items(tw_sweep *sw, const tw_sweep_driver *d, const uint32_t *items,
                           size_t n_items, tw_outcome *outcome, tw_error *err)
{
    int remote = d && d->send;
    int threads = sw->threads > 0 ? sw->threads : default_threads();
    if ((size_t)threads > n_items)
        threads = n_items ? (int)n_items : 1;
    shared sh;
    collector c;
    memset(&c, 0, sizeof c);
    c.sw = sw;
    c.d = d;
    c.store = !remote;
    c.pr.total = n_items;
    c.t0 = c.last = tw_now();
    if (setup_shared(&sh, sw, items, n_items, threads, remote) != 0) {
        free_shared(&sh, sw);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory (or an item out of range)");
    }
    struct sweep_run run = {&sh, &c};
    sw->run = &run;
    worker *w = calloc((size_t)threads, sizeof *w);
    int started = 0;
    for (; w && started < threads; started++) {
        w[started].sh = &sh;
        if (pthread_create(&w[started].thread, NULL, worker_main, &w[started]) != 0)
            break;
    }
    if (started < threads) { /* let the threads that run pass the barrier, and stop */
        set_error(&sh, TW_ERR_INTERNAL, "cannot start the sweep's threads");
        pthread_mutex_lock(&sh.mu);
        sh.workers_left -= threads - started;
        sh.barrier_n = (size_t)started;
        pthread_cond_broadcast(&sh.barrier);
        pthread_mutex_unlock(&sh.mu);
    }
    collect(&c, &sh);
    for (int k = 0; k < started; k++)
        pthread_join(w[k].thread, NULL);
    free(w);
    sw->run = NULL;
    tw_error e = {0};
    if (c.store && tw__sweep_store_sync(sw, &e) != TW_OK)
        note_error(&c, &e);
    report_progress(&c, &sh, 1);
    tw_status st = sh.error ? sh.error : c.rc;
    if (sh.error)
        tw_fail(err, st, "%s", sh.message);
    else if (c.rc != TW_OK)
        tw_fail(err, st, "%s", c.why);
    else if (sh.stopped) /* the call ran: TW_OK, the detail in err */
        tw_fail(err, TW_OK,
                "the sweep was stopped by its progress callback (%zu of %zu solves "
                "done; run it again to finish)",
                c.pr.done, c.pr.total);
    if (outcome)
        *outcome = st != TW_OK  ? TW_OUTCOME_NONE
                   : sh.stopped ? TW_OUTCOME_STOPPED
                                : TW_OUTCOME_CONVERGED;
    free_shared(&sh, sw);
    return st;
}

tw_status tw_sweep_run(tw_sweep *s, tw_outcome *outcome, tw_error *err)
{
    return tw_sweep_run_shared(s, NULL, NULL, 0, outcome, err);
}

tw_status tw_sweep_run_shared(tw_sweep *s, const tw_sweep_driver *d, const uint32_t *items,
                              size_t n, tw_outcome *outcome, tw_error *err)
{
    if (outcome)
        *outcome = TW_OUTCOME_NONE;
    if (!s)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_run: missing argument");
    if (s->run)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_run: a run is already under way");
    if (d && !(d->poll || (d->send && d->fetch)))
        return tw_fail(err, TW_ERR_INVALID,
                       "tw_sweep_run_shared: a driver needs poll, or send "
                       "and fetch");
    if (d && (!items && n))
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_run_shared: missing items");
    if (d && items)
        return run_items(s, d, items, n, outcome, err);
    uint32_t *own = NULL;
    size_t n_own = 0;
    tw_status st = tw_sweep_pending(s, &own, &n_own, err);
    if (st == TW_OK)
        st = run_items(s, d, own, n_own, outcome, err);
    free(own);
    return st;
}
