/*
 * sweep_run.c - running a sweep's solves: threads in a process, MPI ranks
 * across processes, progress on stderr.
 *
 * Work: every rank first solves the central solve (draw 0) of every point
 * with pending draws, for their warm starts (rank 0 alone stores them). The
 * draws are then handed out as they are asked for: rank 0's threads take them
 * one by one from the list, and the main thread of each other rank asks rank
 * 0 for a block (guided: a share of what is left, smaller towards the end)
 * whenever its threads run low, so ranks that draw the slow, failing solves
 * simply ask less often and all finish together.
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

enum { TAG_RECORD = 1, TAG_DONE = 2, TAG_FINISHED = 3, TAG_ASK = 4, TAG_BLOCK = 5 };

/* ---- MPI ------------------------------------------------------------------ */

#ifdef TW_HAVE_MPI
/* Wait for a request without OpenMPI's busy polling, which would take a core
 * from this machine's solver threads: test, then sleep 0.2 ms. */
static void wait_politely(MPI_Request *req)
{
    for (int done = 0;;) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        struct timespec nap = {0, 200000L};
        nanosleep(&nap, NULL);
    }
}
#endif

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
    sweep_item *draws; /* every pending draw (draw >= 1), in order */
    size_t n_draws;
    /* Rank 0 and runs without MPI: threads take draws[next_draw++]. Other
     * ranks: threads take draws[lo..hi), then the block waiting in
     * [next_lo, next_hi); `hungry` asks the main thread for another block;
     * `exhausted`: rank 0 has none left. */
    int remote;
    size_t lo, hi, next_lo, next_hi, low_water;
    int hungry, exhausted;
    pthread_cond_t more;
    tw_result **central;           /* per point, NULL when not needed here */
    unsigned char *central_ok;     /* per point */
    size_t next_central, next_draw;
    pthread_barrier_t barrier;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    unsigned char *queue; /* cap records */
    size_t cap, head, count, record_bytes;
    size_t signal_at; /* wake the main thread when this many records wait */
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

/* One attempt on one solver (its elasticities already the draw's); TW_OK
 * (*converged says whether it converged) or an error. */
static tw_status attempt(worker *w, tw_solver *s, const tw_result *start, uint32_t point,
                         tw_result *res, int *converged, tw_error *err)
{
    tw_solver_set_start(s, start);
    tw_status st = tw_solve(s, w->sh->plan->points[point].policy, res, err);
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
 * (seed, k)). 0, or -1 with err. */
static int choose_draw(worker *w, uint32_t k, uint32_t *redraws, double *growth, tw_error *err)
{
    const sweep_plan *p = w->sh->plan;
    *redraws = 0;
    *growth = NAN;
    for (uint64_t b = 0;; b++) {
        if (sweep_elasticities(p, (size_t)(k + (b << 40)), w->theta, w->psi, err) != 0)
            return -1;
        if (tw_solver_set_elasticities(w->solver, w->theta, w->psi, err) != TW_OK)
            return -1;
        if (!p->check_stability)
            return 0;
        if (tw_solver_base_stability(w->solver, growth, err) != TW_OK)
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
    int converged = 0;
    tw_status st = attempt(w, w->solver, start, point, res, &converged, &err);
    long iters = tw_result_stats(res).iterations;
    uint32_t status = SWEEP_CONVERGED;
    if (st == TW_OK && !converged) {
        if (!w->retry && !(w->retry = tw_solver_create(p->base, &p->retry, &err))) {
            set_error(sh, CLI_FAILURE, "%s", err.message[0] ? err.message : "out of memory");
            return -1;
        }
        st = tw_solver_set_elasticities(w->retry, w->theta, w->psi, &err);
        if (st == TW_OK)
            st = attempt(w, w->retry, NULL, point, res, &converged, &err);
        iters += tw_result_stats(res).iterations;
        status = converged ? SWEEP_RETRIED : SWEEP_FAILED;
    }
    if (st != TW_OK) {
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

/* A rank other than 0: the next draw of the blocks from rank 0, waiting for
 * one when none is here; (size_t)-1 when there are no more. */
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
        pthread_cond_signal(&sh->not_empty); /* wake the main thread */
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
    w->res = tw_result_create(p->base, NULL);
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
    size_t record_bytes, batch_cap; /* a batch: at most batch_cap records */
    progress pr;
    int rc;
    char why[600];
} collector;

/* Rank 0 (or a run without MPI): store one record. */
static void store_record(collector *c, const unsigned char *rec)
{
    sweep_record r;
    memcpy(&r, rec, sizeof r);
    if (c->rc == CLI_OK && sweep_store_append(c->store, rec, c->why, sizeof c->why) != 0)
        c->rc = CLI_FAILURE;
    c->pr.done++;
    c->pr.failed += r.status == SWEEP_FAILED;
    progress_draw(&c->pr, 0);
}

/* n records, one after the other: stored here, or sent to rank 0 in one
 * message (a message per record kept the sender's MPI busy-polling). */
static void handle_records(collector *c, const unsigned char *recs, size_t n)
{
    if (c->store) {
        for (size_t k = 0; k < n; k++)
            store_record(c, recs + k * c->record_bytes);
    }
#ifdef TW_HAVE_MPI
    else if (c->env->mpi && n > 0) {
        MPI_Request req;
        MPI_Isend(recs, (int)(n * c->record_bytes), MPI_BYTE, 0, TAG_RECORD, MPI_COMM_WORLD,
                  &req);
        wait_politely(&req); /* a large batch waits for rank 0 to take it */
    }
#endif
}

/* Rank 0: a block of draws for a rank that asks, guided: a quarter of an even
 * share of what is left (at least 1, at most 512), so blocks shrink as the
 * end nears and no rank is left with a long tail. */
static void grant_block(const collector *c, shared *sh, int to)
{
#ifdef TW_HAVE_MPI
    unsigned long long block[2] = {0, 0};
    pthread_mutex_lock(&sh->mu);
    size_t left = sh->error ? 0 : sh->n_draws - sh->next_draw;
    size_t n = left / (4 * (size_t)c->env->size);
    n = n < 1 ? 1 : n > 512 ? 512 : n;
    n = n < left ? n : left;
    block[0] = sh->next_draw;
    block[1] = n;
    sh->next_draw += n;
    pthread_mutex_unlock(&sh->mu);
    MPI_Send(block, 2, MPI_UNSIGNED_LONG_LONG, to, TAG_BLOCK, MPI_COMM_WORLD);
#else
    (void)c;
    (void)sh;
    (void)to;
#endif
}

/* Rank 0: records, requests for draws and "done" messages from the other
 * ranks. Returns how many ranks said they were done. */
static int receive_remote(collector *c, shared *sh, unsigned char *buf)
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
            int bytes = 0;
            MPI_Get_count(&status, MPI_BYTE, &bytes);
            size_t n = (size_t)bytes / c->record_bytes;
            if (bytes < 0 || n > c->batch_cap || n * c->record_bytes != (size_t)bytes) {
                /* not what a rank sends: take it off the line, stop the run */
                unsigned char *junk = malloc(bytes > 0 ? (size_t)bytes : 1);
                MPI_Recv(junk, bytes > 0 ? bytes : 0, MPI_BYTE, status.MPI_SOURCE, TAG_RECORD,
                         MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                free(junk);
                c->rc = CLI_FAILURE;
                snprintf(c->why, sizeof c->why, "a message of %d bytes from rank %d is no "
                         "batch of records", bytes, status.MPI_SOURCE);
                continue;
            }
            MPI_Recv(buf, bytes, MPI_BYTE, status.MPI_SOURCE, TAG_RECORD, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            for (size_t k = 0; k < n; k++) {
                const unsigned char *rec = buf + k * c->record_bytes;
                if (!sweep_record_valid(rec, c->record_bytes)) {
                    c->rc = CLI_FAILURE;
                    snprintf(c->why, sizeof c->why, "a record from rank %d is corrupt",
                             status.MPI_SOURCE);
                    continue;
                }
                store_record(c, rec);
            }
        } else if (status.MPI_TAG == TAG_ASK) {
            int ask = 0;
            MPI_Recv(&ask, 1, MPI_INT, status.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            grant_block(c, sh, status.MPI_SOURCE);
        } else {
            int rc = 0;
            MPI_Recv(&rc, 1, MPI_INT, status.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            if (rc > c->rc)
                c->rc = rc;
            if (rc != CLI_OK) { /* that rank said why; stop handing out draws */
                char who[64];
                snprintf(who, sizeof who, "rank %d stopped with an error", status.MPI_SOURCE);
                set_error(sh, rc, "%s", who);
            }
            done++;
        }
    }
#else
    (void)c;
    (void)sh;
    (void)buf;
#endif
    return done;
}

/* A rank other than 0: ask rank 0 for a block when the threads are hungry,
 * and put the answer where they take draws from. *asking: a question is out. */
static void ask_for_draws(shared *sh, int *asking, void *reply_req, unsigned long long *reply)
{
#ifdef TW_HAVE_MPI
    MPI_Request *req = reply_req;
    pthread_mutex_lock(&sh->mu);
    int want = sh->hungry && !sh->exhausted && !sh->error;
    pthread_mutex_unlock(&sh->mu);
    if (want && !*asking) {
        int ask = 1;
        MPI_Request sent;
        MPI_Irecv(reply, 2, MPI_UNSIGNED_LONG_LONG, 0, TAG_BLOCK, MPI_COMM_WORLD, req);
        MPI_Isend(&ask, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD, &sent);
        wait_politely(&sent);
        *asking = 1;
    }
    if (!*asking)
        return;
    int got = 0;
    MPI_Test(req, &got, MPI_STATUS_IGNORE);
    if (!got)
        return;
    *asking = 0;
    pthread_mutex_lock(&sh->mu);
    if (reply[1] == 0)
        sh->exhausted = 1;
    else if (sh->lo == sh->hi) {
        sh->lo = (size_t)reply[0];
        sh->hi = (size_t)(reply[0] + reply[1]);
    } else {
        sh->next_lo = (size_t)reply[0];
        sh->next_hi = (size_t)(reply[0] + reply[1]);
    }
    sh->hungry = 0;
    pthread_cond_broadcast(&sh->more);
    pthread_mutex_unlock(&sh->mu);
#else
    (void)sh;
    (void)asking;
    (void)reply_req;
    (void)reply;
#endif
}

/* Take records from the workers until they are all finished (and, on rank 0
 * under MPI, until every rank said it was done). */
static void collect(collector *c, shared *sh)
{
    unsigned char *batch = malloc(sh->cap * c->record_bytes);
    unsigned char *inbox = malloc(sh->cap * c->record_bytes);
    int remote_left = c->store ? c->env->size - 1 : 0;
    int sender = c->env->mpi && !c->store;
    int asking = 0;
    unsigned long long reply[2] = {0, 0};
#ifdef TW_HAVE_MPI
    MPI_Request reply_req = MPI_REQUEST_NULL;
    void *req = &reply_req;
#else
    void *req = NULL;
#endif
    c->batch_cap = sh->cap;
    if (!batch || !inbox) {
        c->rc = CLI_FAILURE;
        snprintf(c->why, sizeof c->why, "out of memory");
    }
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        if (sh->count < sh->signal_at && sh->workers_left > 0 && !(sh->hungry && !asking)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            /* rank 0 under MPI looks for other ranks' messages every 5 ms; a
             * sender wakes when its queue is half full, when its threads
             * want draws, or after 50 ms, and looks for the answer to its
             * question every 0.5 ms */
            long wait_ns = asking ? 500000L : sender ? 50000000L : c->env->mpi ? 5000000L
                                                                                : 200000000L;
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
        handle_records(c, batch, n);
        if (c->store && inbox && c->env->mpi)
            remote_left -= receive_remote(c, sh, inbox);
        if (sender)
            ask_for_draws(sh, &asking, req, reply);
        if (finished && remote_left <= 0)
            break;
        if (finished) { /* only other ranks' records to wait for: do not spin */
            struct timespec nap = {0, 1000000L};
            nanosleep(&nap, NULL);
        }
        if (!c->store || c->rc == CLI_OK)
            progress_draw(&c->pr, 0);
    }
#ifdef TW_HAVE_MPI
    if (asking) /* stopped early (an error): rank 0 answers every question */
        wait_politely(&reply_req);
#endif
    free(batch);
    free(inbox);
}

/* ---- one rank's share ------------------------------------------------------- */

/* Every pending draw goes into sh->draws; every point with pending solves
 * gets its central solve here (stored by rank 0 only, when pending). */
static int setup_shared(shared *sh, const sweep_env *env, const sweep_plan *plan,
                        const sweep_item *items, size_t n, int threads)
{
    memset(sh, 0, sizeof *sh);
    sh->plan = plan;
    sh->record_bytes = sweep_record_bytes(plan);
    sh->cap = 64;
    sh->remote = env->mpi && env->rank != 0;
    sh->hungry = sh->remote; /* ask for the first block at once */
    sh->low_water = 2 * (size_t)threads;
    /* a rank other than 0 sends its records in batches */
    sh->signal_at = sh->remote ? sh->cap / 2 : 1;
    sh->queue = malloc(sh->cap * sh->record_bytes);
    sh->central = calloc(plan->n_points, sizeof *sh->central);
    sh->central_ok = calloc(plan->n_points, 1);
    sh->central_points = malloc((plan->n_points + 1) * sizeof *sh->central_points);
    sh->central_record = calloc(plan->n_points + 1, 1);
    sh->draws = malloc((n ? n : 1) * sizeof *sh->draws);
    unsigned char *need = calloc(plan->n_points, 1), *rec = calloc(plan->n_points, 1);
    int ok = sh->queue && sh->central && sh->central_ok && sh->central_points &&
             sh->central_record && sh->draws && need && rec;
    for (size_t k = 0; ok && k < n; k++) {
        need[items[k].point] = 1;
        if (items[k].draw == 0)
            rec[items[k].point] = env->rank == 0;
        else
            sh->draws[sh->n_draws++] = items[k];
    }
    for (uint32_t pt = 0; ok && pt < plan->n_points; pt++)
        if (need[pt]) {
            sh->central_record[sh->n_central] = rec[pt];
            sh->central_points[sh->n_central++] = pt;
            ok = (sh->central[pt] = tw_result_create(plan->base, NULL)) != NULL;
        }
    free(need);
    free(rec);
    sh->workers_left = threads;
    pthread_mutex_init(&sh->mu, NULL);
    pthread_cond_init(&sh->not_empty, NULL);
    pthread_cond_init(&sh->not_full, NULL);
    pthread_cond_init(&sh->more, NULL);
    pthread_barrier_init(&sh->barrier, NULL, (unsigned)threads);
    return ok ? 0 : -1;
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

int sweep_run(const sweep_env *env, const sweep_plan *plan, const sweep_item *items,
              size_t n_items, sweep_store *store, const cli_ctx *ctx)
{
    int threads = env->threads;
    if ((size_t)threads > n_items)
        threads = n_items ? (int)n_items : 1;
    shared sh;
    memset(&sh, 0, sizeof sh);
    collector c = {env, store, sweep_record_bytes(plan), 0, {0}, CLI_OK, ""};
    c.pr.on = env->progress && store;
    c.pr.total = n_items;
    c.pr.t0 = c.pr.last = wall();
    if (setup_shared(&sh, env, plan, items, n_items, threads) != 0) {
        free_shared(&sh, plan);
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    cli_note(ctx, 2, "rank %d of %d: %d threads", env->rank, env->size, threads);
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
    /* Ranks that finish first wait here, asleep, until rank 0 has every
     * record: blocked in the collective that follows, OpenMPI would spin. */
    if (env->mpi && env->rank != 0) {
        MPI_Request req;
        int finished = 0;
        MPI_Isend(&rc, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD, &req);
        wait_politely(&req);
        MPI_Irecv(&finished, 1, MPI_INT, 0, TAG_FINISHED, MPI_COMM_WORLD, &req);
        wait_politely(&req);
    } else if (env->mpi) {
        int finished = 1;
        for (int r = 1; r < env->size; r++)
            MPI_Send(&finished, 1, MPI_INT, r, TAG_FINISHED, MPI_COMM_WORLD);
    }
#endif
    pthread_barrier_destroy(&sh.barrier);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.not_empty);
    pthread_cond_destroy(&sh.not_full);
    pthread_cond_destroy(&sh.more);
    free_shared(&sh, plan);
    return rc;
}
