/*
 * sweep_store.c - a sweep's output directory: run.json (the run's identity)
 * and records.twr, an append-only file of finished solves.
 *
 * records.twr: a 16-byte header ("TWSWEEP1" and the FNV-1a 64 hash of the
 * identity), then records, each a fixed header (magic, point, draw, status,
 * iterations, residual, redraws, growth), the values and the FNV-1a 64 checksum of all that,
 * in the machine's byte order. A record is written with one write(2) as soon
 * as its solve ends, so it survives the process being killed; the file is
 * fdatasync'ed at most once a second and at the end, so a machine crash loses
 * at most the last second. On opening, a torn or corrupt tail (a record whose
 * checksum fails) is cut off, and its solves are done again.
 */
#include "sweep.h"
#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_MAGIC "TWSWEEP1"
#define STORE_HEADER 16

uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t k = 0; k < len; k++) {
        h ^= b[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void sweep_record_seal(unsigned char *rec, size_t bytes)
{
    uint64_t h = sweep_fnv1a(SWEEP_FNV_INIT, rec, bytes - sizeof h);
    memcpy(rec + bytes - sizeof h, &h, sizeof h);
}

int sweep_record_valid(const unsigned char *rec, size_t bytes)
{
    uint64_t h, want = sweep_fnv1a(SWEEP_FNV_INIT, rec, bytes - sizeof h);
    sweep_record r;
    memcpy(&h, rec + bytes - sizeof h, sizeof h);
    memcpy(&r, rec, sizeof r);
    return h == want && r.magic == SWEEP_RECORD_MAGIC && r.status <= SWEEP_FAILED;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(char *why, size_t size, const char *what, const char *path)
{
    snprintf(why, size, "%s %s: %s", what, path, strerror(errno));
    return -1;
}

/* The first key whose value differs, for the message. */
static void describe_difference(json_t *there, json_t *here, char *buf, size_t size)
{
    const char *key;
    json_t *v;
    json_object_foreach(here, key, v)
    {
        json_t *w = json_object_get(there, key);
        if (w && json_equal(v, w))
            continue;
        char *a = w ? json_dumps(w, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY)
                    : NULL;
        char *b = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY);
        snprintf(buf, size, "%s: %.120s there, %.120s here", key, a ? a : "(missing)",
                 b ? b : "?");
        free(a);
        free(b);
        return;
    }
    snprintf(buf, size, "a key present there is missing here");
}

/* run.json: written when new (atomically), compared when present. */
/* A store's file that exists must be a regular file: a FIFO or a device in
 * its place would block or never end (issue 14). */
static int irregular(const char *path, char *why, size_t size)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(why, size, "%s is not a regular file", path);
        return 1;
    }
    return 0;
}

static int check_identity(const char *dir, json_t *identity, char *why, size_t size)
{
    char path[4200], tmp[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    if (irregular(path, why, size))
        return -1;
    json_error_t jerr;
    json_t *old = json_load_file(path, 0, &jerr);
    if (old) {
        json_t *id = json_object_get(old, "identity");
        int same = id && json_equal(id, identity);
        if (!same) {
            char diff[400];
            describe_difference(id ? id : old, identity, diff, sizeof diff);
            snprintf(why, size,
                     "%s holds another sweep (%s): rerun the command that made it, or "
                     "use another --output", dir, diff);
        }
        json_decref(old);
        return same ? 0 : -2;
    }
    if (access(path, F_OK) == 0) {
        snprintf(why, size, "%s: %d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return -2;
    }
    json_t *doc = json_pack("{s:s, s:O}", "tradewar", TW_VERSION_STRING, "identity", identity);
    snprintf(tmp, sizeof tmp, "%s/.run.json.tmp", dir);
    int st = doc && json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) == 0
                 ? 0 : -1;
    json_decref(doc);
    if (st != 0 || rename(tmp, path) != 0)
        return fail(why, size, "cannot write", path);
    return 0;
}

static int alloc_tables(sweep_store *st, const sweep_plan *p)
{
    size_t n = p->n_points * (p->draws + 1);
    st->n_points = p->n_points;
    st->per_point = p->draws + 1;
    st->record_bytes = sweep_record_bytes(p);
    st->done = calloc(n, 1);
    st->status = calloc(n, sizeof *st->status);
    st->iterations = calloc(n, sizeof *st->iterations);
    st->residual = calloc(n, sizeof *st->residual);
    st->redraws = calloc(n, sizeof *st->redraws);
    st->growth = calloc(n, sizeof *st->growth);
    st->values = calloc(n * p->n_values, sizeof *st->values);
    return st->done && st->status && st->iterations && st->residual && st->redraws &&
                   st->growth && st->values
               ? 0 : -1;
}

/* Note a valid record in memory (the first of a key wins; draws beyond this
 * run's count are kept in the file but not used). */
static void remember(sweep_store *st, const unsigned char *rec)
{
    sweep_record r;
    memcpy(&r, rec, sizeof r);
    if (r.point >= st->n_points || r.draw >= st->per_point)
        return;
    size_t at = (size_t)r.point * st->per_point + r.draw;
    if (st->done[at])
        return;
    size_t nv = (st->record_bytes - sizeof r - sizeof(uint64_t)) / sizeof(double);
    st->done[at] = 1;
    st->status[at] = r.status;
    st->iterations[at] = r.iterations;
    st->residual[at] = r.residual;
    st->redraws[at] = r.redraws;
    st->growth[at] = r.growth;
    memcpy(st->values + at * nv, rec + sizeof r, nv * sizeof(double));
    st->n_done++;
}

/* Read every record; cut the file after the last valid one. */
static int read_records(sweep_store *st, const char *path, uint64_t id_hash, char *why,
                        size_t size)
{
    unsigned char head[STORE_HEADER];
    ssize_t got = pread(st->fd, head, sizeof head, 0);
    if (got == 0) {
        memcpy(head, STORE_MAGIC, 8);
        memcpy(head + 8, &id_hash, 8);
        if (write(st->fd, head, sizeof head) != (ssize_t)sizeof head)
            return fail(why, size, "cannot write", path);
        return 0;
    }
    uint64_t h;
    memcpy(&h, head + 8, 8);
    if (got != (ssize_t)sizeof head || memcmp(head, STORE_MAGIC, 8) != 0 || h != id_hash) {
        snprintf(why, size, "%s was not written by this sweep (header does not match run.json)",
                 path);
        return -2;
    }
    unsigned char *rec = malloc(st->record_bytes);
    if (!rec)
        return fail(why, size, "out of memory reading", path);
    off_t at = STORE_HEADER;
    while (pread(st->fd, rec, st->record_bytes, at) == (ssize_t)st->record_bytes &&
           sweep_record_valid(rec, st->record_bytes)) {
        remember(st, rec);
        at += (off_t)st->record_bytes;
    }
    free(rec);
    struct stat sb;
    if (fstat(st->fd, &sb) == 0 && sb.st_size > at) {
        /* a record torn by a crash: cut it off, its solve is done again */
        if (ftruncate(st->fd, at) != 0)
            return fail(why, size, "cannot truncate", path);
    }
    return 0;
}

int sweep_store_open(sweep_store *st, const char *dir, json_t *identity, const sweep_plan *p,
                     char *why, size_t why_size)
{
    memset(st, 0, sizeof *st);
    st->fd = -1;
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    struct stat sb;
    if (batch_make_parents(dir, why, why_size) != 0)
        return -1;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fail(why, why_size, "cannot create directory", dir);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(why, why_size, "%s is not a directory", dir);
        return -1;
    }
    int rc = check_identity(dir, identity, why, why_size);
    if (rc != 0)
        return rc;
    if (alloc_tables(st, p) != 0) {
        snprintf(why, why_size, "out of memory for %zu records", p->n_points * (p->draws + 1));
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/records.twr", dir);
    if (irregular(path, why, why_size))
        return -1;
    st->fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0666);
    if (st->fd < 0)
        return fail(why, why_size, "cannot open", path);
    char *text = json_dumps(identity, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    uint64_t id_hash = text ? sweep_fnv1a(SWEEP_FNV_INIT, text, strlen(text)) : 0;
    free(text);
    st->last_sync = wall();
    return read_records(st, path, id_hash, why, why_size);
}

int sweep_store_append(sweep_store *st, const unsigned char *rec, char *why, size_t why_size)
{
    size_t off = 0;
    while (off < st->record_bytes) {
        ssize_t w = write(st->fd, rec + off, st->record_bytes - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return fail(why, why_size, "cannot append to the records in", st->dir);
        off += (size_t)w;
    }
    remember(st, rec);
    double t = wall();
    if (t - st->last_sync >= 1.0) {
        st->last_sync = t;
        if (fdatasync(st->fd) != 0)
            return fail(why, why_size, "cannot sync the records in", st->dir);
    }
    return 0;
}

int sweep_store_sync(sweep_store *st) { return st->fd >= 0 ? fdatasync(st->fd) : 0; }

void sweep_store_close(sweep_store *st)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    free(st->done);
    free(st->status);
    free(st->iterations);
    free(st->residual);
    free(st->redraws);
    free(st->growth);
    free(st->values);
    st->done = NULL;
    st->status = NULL;
    st->iterations = NULL;
    st->residual = NULL;
    st->redraws = NULL;
    st->growth = NULL;
    st->values = NULL;
}
