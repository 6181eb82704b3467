/*
 * sweep_run.c - running a sweep: the library's tw_sweep_run in one process,
 * or tw_sweep_run_shared across MPI ranks with this file's transport (rank 0
 * stores every record and hands out blocks of draws on request; the other
 * ranks solve them and send their records back), and the progress bar.
 *
 * Only the main thread of each rank calls MPI (MPI_THREAD_FUNNELED): the
 * library calls the driver's hooks on the thread that called it.
 */
#include "sweep.h"

#include <errno.h>
#include <math.h>
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
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
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

int sweep_share_items(const sweep_env *env, uint32_t **items, size_t *n)
{
#ifdef TW_HAVE_MPI
    if (!env->mpi)
        return 0;
    unsigned long long count = *n;
    MPI_Bcast(&count, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (env->rank != 0) {
        *n = (size_t)count;
        *items = malloc(2 * (count ? count : 1) * sizeof **items);
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

/* ---- the MPI transport (tw_sweep_driver) -------------------------------------- */

typedef struct transport {
    const sweep_env *env;
    size_t record_bytes, batch_cap; /* a batch: at most batch_cap records */
    unsigned char *inbox;
    int asking; /* a helper's question is out */
    unsigned long long reply[2];
#ifdef TW_HAVE_MPI
    MPI_Request reply_req;
#endif
} transport;

enum { BATCH_CAP = 64 }; /* the library's queue: a helper sends at most this many at once */

#ifdef TW_HAVE_MPI
/* Rank 0: records, requests for draws and "done" messages from the other
 * ranks. Returns how many ranks said they were done. */
static int mpi_poll(void *user, tw_sweep *sw, tw_error *err)
{
    transport *t = user;
    int done = 0;
    for (;;) {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (!flag)
            break;
        if (status.MPI_TAG == TAG_RECORD) {
            int bytes = 0;
            MPI_Get_count(&status, MPI_BYTE, &bytes);
            size_t n = (size_t)bytes / t->record_bytes;
            if (bytes < 0 || n > t->batch_cap || n * t->record_bytes != (size_t)bytes) {
                /* not what a rank sends: take it off the line, stop the run */
                unsigned char *junk = malloc(bytes > 0 ? (size_t)bytes : 1);
                MPI_Recv(junk, bytes > 0 ? bytes : 0, MPI_BYTE, status.MPI_SOURCE, TAG_RECORD,
                         MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                free(junk);
                err->code = TW_ERR_IO;
                snprintf(err->message, sizeof err->message,
                         "a message of %d bytes from rank %d is no batch of records", bytes,
                         status.MPI_SOURCE);
                continue;
            }
            MPI_Recv(t->inbox, bytes, MPI_BYTE, status.MPI_SOURCE, TAG_RECORD, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            tw_error e = {0};
            if (tw_sweep_add_records(sw, t->inbox, n, &e) != TW_OK) {
                err->code = e.code;
                snprintf(err->message, sizeof err->message, "rank %d: %.400s", status.MPI_SOURCE,
                         e.message);
            }
        } else if (status.MPI_TAG == TAG_ASK) {
            int ask = 0;
            MPI_Recv(&ask, 1, MPI_INT, status.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            size_t first, count;
            tw_sweep_grant(sw, t->env->size, &first, &count);
            unsigned long long block[2] = {first, count};
            MPI_Send(block, 2, MPI_UNSIGNED_LONG_LONG, status.MPI_SOURCE, TAG_BLOCK,
                     MPI_COMM_WORLD);
        } else {
            int rc = 0;
            MPI_Recv(&rc, 1, MPI_INT, status.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            if (rc != CLI_OK) { /* that rank said why; stop handing out draws */
                err->code = rc == CLI_BAD_INPUT ? TW_ERR_DATA : TW_ERR_INTERNAL;
                snprintf(err->message, sizeof err->message, "rank %d stopped with an error",
                         status.MPI_SOURCE);
            }
            done++;
        }
    }
    return done;
}

/* A helper: a batch of records to rank 0 in one message (a message per
 * record kept the sender's MPI busy-polling). */
static int mpi_send(void *user, const void *records, size_t n, tw_error *err)
{
    transport *t = user;
    (void)err;
    MPI_Request req;
    MPI_Isend(records, (int)(n * t->record_bytes), MPI_BYTE, 0, TAG_RECORD, MPI_COMM_WORLD, &req);
    wait_politely(&req); /* a large batch waits for rank 0 to take it */
    return 0;
}

/* A helper: ask rank 0 for a block of draws, and look for the answer. */
static int mpi_fetch(void *user, size_t *first, size_t *count, tw_error *err)
{
    transport *t = user;
    (void)err;
    if (!t->asking) {
        int ask = 1;
        MPI_Request sent;
        MPI_Irecv(t->reply, 2, MPI_UNSIGNED_LONG_LONG, 0, TAG_BLOCK, MPI_COMM_WORLD, &t->reply_req);
        MPI_Isend(&ask, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD, &sent);
        wait_politely(&sent);
        t->asking = 1;
    }
    int got = 0;
    MPI_Test(&t->reply_req, &got, MPI_STATUS_IGNORE);
    if (!got)
        return 0;
    t->asking = 0;
    *first = (size_t)t->reply[0];
    *count = (size_t)t->reply[1];
    return 1;
}
#endif

/* ---- progress ------------------------------------------------------------------ */

static int progress_bar(void *user, const tw_sweep_progress *p)
{
    (void)user;
    double frac = p->total ? (double)p->done / (double)p->total : 1;
    double eta = isfinite(p->seconds_left) ? p->seconds_left : 0;
    char bar[31];
    int fill = (int)(frac * 30);
    for (int k = 0; k < 30; k++)
        bar[k] = k < fill ? '#' : '-';
    bar[30] = '\0';
    fprintf(stderr, "\rsweep [%s] %zu/%zu %3.0f%%  ETA %d:%02d  failed %zu ", bar, p->done,
            p->total, 100 * frac, (int)eta / 60, (int)eta % 60, p->failed);
    if (p->final)
        fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

/* ---- one rank's share ------------------------------------------------------------ */

int sweep_run(const sweep_env *env, sweep_plan *plan, const uint32_t *items, size_t n_items,
              const cli_ctx *ctx)
{
    tw_sweep *sw = plan->sw;
    int threads = env->threads;
    if ((size_t)threads > n_items)
        threads = n_items ? (int)n_items : 1;
    cli_note(ctx, 2, "rank %d of %d: %d threads", env->rank, env->size, threads);
    transport t;
    memset(&t, 0, sizeof t);
    t.env = env;
    t.record_bytes = tw_sweep_record_bytes(sw);
    t.batch_cap = BATCH_CAP;
    tw_sweep_driver d;
    memset(&d, 0, sizeof d);
    d.user = &t;
    tw_error err = {0};
    tw_status st;
#ifdef TW_HAVE_MPI
    t.reply_req = MPI_REQUEST_NULL;
    if (env->mpi && env->rank == 0) {
        d.poll = mpi_poll;
        d.helpers = env->size - 1;
        if (!(t.inbox = malloc(t.batch_cap * t.record_bytes))) {
            cli_error("out of memory");
            return CLI_FAILURE;
        }
    } else if (env->mpi) {
        d.send = mpi_send;
        d.fetch = mpi_fetch;
    }
#endif
    st = env->mpi ? tw_sweep_run_shared(sw, &d, items, n_items, NULL, &err)
                  : tw_sweep_run(sw, NULL, &err);
    free(t.inbox);
    int rc = st == TW_OK ? CLI_OK : cli_fail(&err, st);
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
    return rc;
}

/* The progress bar for tw_sweep_options (rank 0, on a terminal). */
void sweep_progress_options(const sweep_env *env, tw_sweep_options *o)
{
    if (env->progress && env->rank == 0) {
        o->progress = progress_bar;
        o->progress_user = NULL;
    }
}
