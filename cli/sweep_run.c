/*
 * sweep_run.c - running a sweep's solves: threads in a process, MPI ranks
 * across processes, progress on stderr.
 *
 * Work: the pending (point, draw) pairs, in order, are dealt to the MPI ranks
 * in turn (rank r takes pairs r, r + size, ...); inside a rank, threads take
 * them one by one.
 * Each thread has its own solver (solvers are not thread-safe). First every
 * point's central solve (draw 0, the data's elasticities) that the rank needs,
 * then the draws, each warm-started from its point's central solution: the
 * start of every solve is fixed by the plan, never by which solve happened to
 * finish first, so results do not depend on threads, ranks or resumption.
 * A solve that fails is retried once with the plan's safer options from
 * "no change"; if that fails too it is recorded as failed.
 *
 * Records go to the main thread of the process, which appends them to the
 * store (rank 0) or sends them to rank 0 (MPI_THREAD_FUNNELED: only the main
 * thread calls MPI).
 */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef TW_HAVE_MPI
#include <mpi.h>
#endif

enum { TAG_RECORD = 1, TAG_DONE = 2 };

/* ---- MPI ------------------------------------------------------------------ */

/* Started by mpirun/srun? Then MPI; a plain run stays a plain process. */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "PMI_SIZE"};
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
        if (getenv(vars[k]))
            return 1;
    return 0;
}

static int default_threads(int ranks_here)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long t = (cores > 0 ? cores : 1) / (ranks_here > 0 ? ranks_here : 1);
    return t < 1 ? 1 : (int)t;
}

void sweep_env_init(sweep_env *env, int *argc, char ***argv)
{
    memset(env, 0, sizeof *env);
    env->size = 1;
    int ranks_here = 1;
#ifdef TW_HAVE_MPI
    if (launched_by_mpi()) {
        int provided = 0;
        MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &env->rank);
        MPI_Comm_size(MPI_COMM_WORLD, &env->size);
        env->mpi = 1;
        MPI_Comm local;
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
        MPI_Comm_size(local, &ranks_here);
        MPI_Comm_free(&local);
    }
#else
    (void)argc;
    (void)argv;
    (void)launched_by_mpi;
#endif
    env->threads = default_threads(ranks_here);
}

void sweep_env_finish(sweep_env *env)
{
#ifdef TW_HAVE_MPI
    if (env->mpi)
        MPI_Finalize();
#endif
    env->mpi = 0;
}

int sweep_share_items(const sweep_env *env, sweep_item **items, size_t *n)
{
#ifdef TW_HAVE_MPI
    if (!env->mpi)
        return 0;
    unsigned long long count = *n;
    MPI_Bcast(&count, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (env->rank != 0) {
        *n = (size_t)count;
        *items = malloc((count ? count : 1) * sizeof **items);
        if (!*items)
            MPI_Abort(MPI_COMM_WORLD, CLI_FAILURE);
    }
    /* in slices: MPI counts are ints */
    for (size_t at = 0; at < *n; at += 1u << 24) {
        size_t len = *n - at < (1u << 24) ? *n - at : (1u << 24);
        MPI_Bcast(*items + at, (int)(2 * len), MPI_UINT32_T, 0, MPI_COMM_WORLD);
    }
#else
    (void)env;
    (void)items;
    (void)n;
#endif
    return 0;
}

int sweep_agree(const sweep_env *env, int rc)
{
#ifdef TW_HAVE_MPI
    if (env->mpi) {
        int all = rc;
        MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return all;
    }
#else
    (void)env;
#endif
    return rc;
}

/* ---- elasticities of a draw ----------------------------------------------- */

int sweep_elasticities(const sweep_plan *p, size_t k, double *theta, double *psi, tw_error *err)
{
    if (p->file_theta && k > 0) {
        memcpy(theta, p->file_theta + (k - 1) * p->J, p->J * sizeof *theta);
        memcpy(psi, p->file_psi + (k - 1) * p->J, p->J * sizeof *psi);
        return 0;
    }
    return tw_draw_elasticities_bounded(&p->theta, &p->psi, p->J, p->max_psi_theta, p->seed, k,
                                        theta, psi, NULL, err) == TW_OK
               ? 0 : -1;
}

/* ---- the threads ----------------------------------------------------------- */

typedef struct shared {
    const sweep_plan *plan;
    /* phase 1: central solves; phase 2: draws */
    uint32_t *central_points;
    unsigned char *central_record; /* per entry of central_points: store it */
    size_t n_central;
    sweep_item *draws; /* this share's draws (draw >= 1) */
    size_t n_draws;
    tw_result **central;           /* per point, NULL when not needed here */
    unsigned char *central_ok;     /* per point */
    size_t next_central, next_draw;
    pthread_barrier_t barrier;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    unsigned char *queue; /* cap records */
    size_t cap, head, count, record_bytes;
    int workers_left;
    int error; /* an exit code, after `message` */
    char message[700];
} shared;

typedef struct worker {
    shared *sh;
    pthread_t thread;
    tw_solver *solver, *retry;
    tw_result *res;
    double *theta, *psi;
    unsigned char *rec;
} worker;

static void set_error(shared *sh, int rc, const char *fmt, const char *detail)
{
    pthread_mutex_lock(&sh->mu);
    if (!sh->error) {
        sh->error = rc;
        snprintf(sh->message, sizeof sh->message, fmt, detail);
    }
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
    pthread_cond_signal(&sh->not_empty);
    pthread_mutex_unlock(&sh->mu);
}

/* The record's values: the outputs (NaN when the solve failed) and the elasticities. */
static void fill_record(const sweep_plan *p, const tw_result *res, const worker *w, int failed,
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

/* One attempt on one solver; TW_OK, TW_ERR_NO_CONVERGENCE or an error. */
static tw_status attempt(worker *w, tw_solver *s, const tw_result *start, uint32_t point,
                         tw_result *res, tw_error *err)
{
    tw_status st = tw_solver_set_elasticities(s, w->theta, w->psi, err);
    if (st != TW_OK)
        return st;
    tw_solver_set_start(s, start);
    return tw_solve(s, w->sh->plan->points[point].policy, res, err);
}

/* Candidates of one draw before the run stops: the spread puts almost all of
 * its mass where the base economy is unstable, a mistake in the inputs. */
enum { MAX_CANDIDATES = 1000 };

/* The elasticities of draw k into w->theta and w->psi. With scale economies,
 * the base economy's stability under them too (*growth, docs/sweeps.md); a
 * random draw under which it is unstable is replaced, when the plan says so,
 * by candidate b = 1, 2, ... whose numbers come from draw k + b 2^40 (so the
 * choice stays a function of (seed, k)). 0, or -1 with err. */
static int choose_draw(worker *w, uint32_t k, uint32_t *redraws, double *growth, tw_error *err)
{
    const sweep_plan *p = w->sh->plan;
    *redraws = 0;
    *growth = NAN;
    for (uint64_t b = 0;; b++) {
        if (sweep_elasticities(p, (size_t)(k + (b << 40)), w->theta, w->psi, err) != 0)
            return -1;
        if (!p->check_stability)
            return 0;
        if (tw_solver_set_elasticities(w->solver, w->theta, w->psi, err) != TW_OK ||
            tw_solver_base_stability(w->solver, growth, err) != TW_OK)
            return -1;
        if (*growth < 1 || k == 0 || p->file_theta || !p->stable_only)
            return 0;
        if (b + 1 == MAX_CANDIDATES) {
            snprintf(err->message, sizeof err->message,
                     "draw %u: %d candidates in a row make the base economy unstable (growth "
                     ">= 1; docs/sweeps.md): narrow the spread of the elasticities",
                     (unsigned)k, MAX_CANDIDATES);
            return -1;
        }
        (*redraws)++;
    }
}

/* Solve (point, draw) into res and fill w->rec. 0, or -1 after set_error(). */
static int solve_item(worker *w, uint32_t point, uint32_t draw, const tw_result *start,
                      tw_result *res)
{
    shared *sh = w->sh;
    const sweep_plan *p = sh->plan;
    tw_error err = {0};
    uint32_t redraws;
    double growth;
    if (choose_draw(w, draw, &redraws, &growth, &err) != 0) {
        set_error(sh, CLI_BAD_INPUT, "%s", err.message);
        return -1;
    }
    tw_status st = attempt(w, w->solver, start, point, res, &err);
    long iters = tw_result_stats(res).iterations;
    uint32_t status = SWEEP_CONVERGED;
    if (st == TW_ERR_NO_CONVERGENCE) {
        if (!w->retry && !(w->retry = tw_solver_create(p->base, &p->retry, &err))) {
            set_error(sh, CLI_FAILURE, "%s", err.message[0] ? err.message : "out of memory");
            return -1;
        }
        st = attempt(w, w->retry, NULL, point, res, &err);
        iters += tw_result_stats(res).iterations;
        status = st == TW_OK ? SWEEP_RETRIED : SWEEP_FAILED;
    }
    if (st != TW_OK && st != TW_ERR_NO_CONVERGENCE) {
        set_error(sh, cli_exit_code(st), "%s", err.message);
        return -1;
    }
    sweep_record r = {SWEEP_RECORD_MAGIC, point,   draw, status, iters,
                      tw_result_stats(res).residual, redraws, 0,    growth};
    memcpy(w->rec, &r, sizeof r);
    fill_record(p, res, w, status == SWEEP_FAILED, sweep_record_values(w->rec));
    sweep_record_seal(w->rec, sh->record_bytes);
    return 0;
}

/* The next index of a phase, or (size_t)-1. */
static size_t take(shared *sh, size_t *next, size_t n)
{
    pthread_mutex_lock(&sh->mu);
    size_t k = !sh->error && *next < n ? (*next)++ : (size_t)-1;
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
        sh->central_ok[pt] = r.status != SWEEP_FAILED; /* read only after the barrier */
        if (sh->central_record[k])
            enqueue(sh, w->rec);
    }
}

static void run_draws(worker *w)
{
    shared *sh = w->sh;
    for (size_t k; (k = take(sh, &sh->next_draw, sh->n_draws)) != (size_t)-1;) {
        sweep_item it = sh->draws[k];
        const tw_result *start = sh->central_ok[it.point] ? sh->central[it.point] : NULL;
        if (solve_item(w, it.point, it.draw, start, w->res) != 0)
            return;
        enqueue(sh, w->rec);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    tw_error err = {0};
    const sweep_plan *p = sh->plan;
    w->solver = tw_solver_create(p->base, &p->opt, &err);
    w->res = tw_result_create(p->base);
    w->theta = malloc(p->J * sizeof *w->theta);
    w->psi = malloc(p->J * sizeof *w->psi);
    w->rec = calloc(1, sh->record_bytes);
    if (!w->solver || !w->res || !w->theta || !w->psi || !w->rec)
        set_error(sh, CLI_FAILURE, "%s", err.message[0] ? err.message : "out of memory");
    else
        run_centrals(w);
    pthread_barrier_wait(&sh->barrier); /* every central solution is ready */
    if (w->rec && w->solver && w->res && w->theta && w->psi)
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

/* ---- progress -------------------------------------------------------------- */

typedef struct progress {
    int on;
    size_t total, done, failed;
    double t0, last;
} progress;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress_draw(progress *pr, int final)
{
    double t = wall();
    if (!pr->on || (!final && t - pr->last < 0.2))
        return;
    pr->last = t;
    double frac = pr->total ? (double)pr->done / (double)pr->total : 1;
    double eta = pr->done ? (t - pr->t0) / (double)pr->done * (double)(pr->total - pr->done) : 0;
    char bar[31];
    int fill = (int)(frac * 30);
    for (int k = 0; k < 30; k++)
        bar[k] = k < fill ? '#' : '-';
    bar[30] = '\0';
    fprintf(stderr, "\rsweep [%s] %zu/%zu %3.0f%%  ETA %d:%02d  failed %zu ", bar, pr->done,
            pr->total, 100 * frac, (int)eta / 60, (int)eta % 60, pr->failed);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- the main thread: collect, store or send ------------------------------- */

typedef struct collector {
    const sweep_env *env;
    sweep_store *store;
    size_t record_bytes;
    progress pr;
    int rc;
    char why[600];
} collector;

static void handle_record(collector *c, const unsigned char *rec)
{
    sweep_record r;
    memcpy(&r, rec, sizeof r);
    if (c->store) {
        if (c->rc == CLI_OK && sweep_store_append(c->store, rec, c->why, sizeof c->why) != 0)
            c->rc = CLI_FAILURE;
        c->pr.done++;
        c->pr.failed += r.status == SWEEP_FAILED;
        progress_draw(&c->pr, 0);
    }
#ifdef TW_HAVE_MPI
    else if (c->env->mpi)
        MPI_Send(rec, (int)c->record_bytes, MPI_BYTE, 0, TAG_RECORD, MPI_COMM_WORLD);
#endif
}

/* Rank 0: records and "done" messages from the other ranks. Returns how many
 * ranks said they were done. */
static int receive_remote(collector *c, unsigned char *buf)
{
    int done = 0;
#ifdef TW_HAVE_MPI
    for (;;) {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (!flag)
            break;
        if (status.MPI_TAG == TAG_RECORD) {
            MPI_Recv(buf, (int)c->record_bytes, MPI_BYTE, status.MPI_SOURCE, TAG_RECORD,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (!sweep_record_valid(buf, c->record_bytes)) {
                c->rc = CLI_FAILURE;
                snprintf(c->why, sizeof c->why, "a record from rank %d is corrupt",
                         status.MPI_SOURCE);
                continue;
            }
            handle_record(c, buf);
        } else {
            int rc = 0;
            MPI_Recv(&rc, 1, MPI_INT, status.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            if (rc > c->rc)
                c->rc = rc;
            done++;
        }
    }
#else
    (void)c;
    (void)buf;
#endif
    return done;
}

/* Take records from the workers until they are all finished (and, on rank 0
 * under MPI, until every rank said it was done). */
static void collect(collector *c, shared *sh)
{
    unsigned char *batch = malloc(sh->cap * c->record_bytes), *one = malloc(c->record_bytes);
    int remote_left = c->store ? c->env->size - 1 : 0;
    if (!batch || !one) {
        c->rc = CLI_FAILURE;
        snprintf(c->why, sizeof c->why, "out of memory");
    }
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        if (sh->count == 0 && sh->workers_left > 0) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            long wait_ns = c->env->mpi ? 5000000L : 200000000L;
            until.tv_nsec += wait_ns;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&sh->not_empty, &sh->mu, &until);
        }
        size_t n = batch ? sh->count : 0;
        for (size_t k = 0; k < n; k++)
            memcpy(batch + k * c->record_bytes,
                   sh->queue + ((sh->head + k) % sh->cap) * c->record_bytes, c->record_bytes);
        sh->head = (sh->head + n) % sh->cap;
        sh->count -= n;
        int finished = sh->workers_left == 0 && sh->count == 0;
        pthread_cond_broadcast(&sh->not_full);
        pthread_mutex_unlock(&sh->mu);
        for (size_t k = 0; k < n; k++)
            handle_record(c, batch + k * c->record_bytes);
        if (c->store && one && c->env->mpi)
            remote_left -= receive_remote(c, one);
        if (finished && remote_left <= 0)
            break;
        if (finished) { /* only other ranks' records to wait for: do not spin */
            struct timespec nap = {0, 1000000L};
            nanosleep(&nap, NULL);
        }
        if (!c->store || c->rc == CLI_OK)
            progress_draw(&c->pr, 0);
    }
    free(batch);
    free(one);
}

/* ---- one rank's share ------------------------------------------------------- */

static int setup_shared(shared *sh, const sweep_plan *plan, const sweep_item *mine, size_t n,
                        int threads)
{
    memset(sh, 0, sizeof *sh);
    sh->plan = plan;
    sh->record_bytes = sweep_record_bytes(plan);
    sh->cap = 64;
    sh->queue = malloc(sh->cap * sh->record_bytes);
    sh->central = calloc(plan->n_points, sizeof *sh->central);
    sh->central_ok = calloc(plan->n_points, 1);
    sh->central_points = malloc((plan->n_points + 1) * sizeof *sh->central_points);
    sh->central_record = calloc(plan->n_points + 1, 1);
    unsigned char *need = calloc(plan->n_points, 1), *rec = calloc(plan->n_points, 1);
    if (!sh->queue || !sh->central || !sh->central_ok || !sh->central_points ||
        !sh->central_record || !need || !rec) {
        free(need);
        free(rec);
        return -1;
    }
    sh->draws = malloc((n ? n : 1) * sizeof *sh->draws);
    if (!sh->draws) {
        free(need);
        free(rec);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        need[mine[k].point] = 1;
        if (mine[k].draw == 0)
            rec[mine[k].point] = 1;
        else
            sh->draws[sh->n_draws++] = mine[k];
    }
    for (uint32_t pt = 0; pt < plan->n_points; pt++)
        if (need[pt]) {
            sh->central_record[sh->n_central] = rec[pt];
            sh->central_points[sh->n_central++] = pt;
            if (!(sh->central[pt] = tw_result_create(plan->base)))
                break;
        }
    free(need);
    free(rec);
    sh->workers_left = threads;
    pthread_mutex_init(&sh->mu, NULL);
    pthread_cond_init(&sh->not_empty, NULL);
    pthread_cond_init(&sh->not_full, NULL);
    pthread_barrier_init(&sh->barrier, NULL, (unsigned)threads);
    for (size_t k = 0; k < sh->n_central; k++)
        if (!sh->central[sh->central_points[k]])
            return -1;
    return 0;
}

static void free_shared(shared *sh, const sweep_plan *plan)
{
    for (size_t pt = 0; sh->central && pt < plan->n_points; pt++)
        tw_result_free(sh->central[pt]);
    free(sh->central);
    free(sh->central_ok);
    free(sh->central_points);
    free(sh->central_record);
    free(sh->draws);
    free(sh->queue);
}

/* This rank's items: every size-th from its rank on (random failures, which
 * cost many ordinary solves, fall evenly on the ranks; threads inside a rank
 * take items dynamically). */
static sweep_item *share_of(const sweep_env *env, const sweep_item *items, size_t n_items,
                            size_t *n)
{
    size_t r = (size_t)env->rank, size = (size_t)env->size;
    sweep_item *mine = malloc((n_items / size + 1) * sizeof *mine);
    *n = 0;
    for (size_t k = r; mine && k < n_items; k += size)
        mine[(*n)++] = items[k];
    return mine;
}

int sweep_run(const sweep_env *env, const sweep_plan *plan, const sweep_item *items,
              size_t n_items, sweep_store *store, const cli_ctx *ctx)
{
    size_t n_mine;
    sweep_item *mine = share_of(env, items, n_items, &n_mine);
    int threads = env->threads;
    if ((size_t)threads > n_mine)
        threads = n_mine ? (int)n_mine : 1;
    shared sh;
    memset(&sh, 0, sizeof sh);
    collector c = {env, store, sweep_record_bytes(plan), {0}, CLI_OK, ""};
    c.pr.on = env->progress && store;
    c.pr.total = n_items;
    c.pr.t0 = c.pr.last = wall();
    if (!mine || setup_shared(&sh, plan, mine, n_mine, threads) != 0) {
        free_shared(&sh, plan);
        free(mine);
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    free(mine);
    cli_note(ctx, 2, "rank %d of %d: %zu solves on %d threads", env->rank, env->size, n_mine,
             threads);
    worker *w = calloc((size_t)threads, sizeof *w);
    int started = 0;
    for (; w && started < threads; started++) {
        w[started].sh = &sh;
        if (pthread_create(&w[started].thread, NULL, worker_main, &w[started]) != 0)
            break;
    }
    if (started < threads) { /* cannot happen in practice; stop cleanly anyway */
        cli_error("cannot start %d threads: %s", threads, strerror(errno));
        exit(CLI_FAILURE);
    }
    collect(&c, &sh);
    for (int k = 0; k < started; k++)
        pthread_join(w[k].thread, NULL);
    free(w);
    if (store)
        progress_draw(&c.pr, 1);
    int rc = sh.error ? sh.error : c.rc;
    if (sh.error)
        cli_error("%s", sh.message);
    else if (c.rc != CLI_OK && c.why[0])
        cli_error("%s", c.why);
#ifdef TW_HAVE_MPI
    if (env->mpi && env->rank != 0)
        MPI_Send(&rc, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD);
#endif
    pthread_barrier_destroy(&sh.barrier);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.not_empty);
    pthread_cond_destroy(&sh.not_full);
    free_shared(&sh, plan);
    return rc;
}
