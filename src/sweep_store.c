/*
 * sweep_store.c - a sweep's record file, DIR/records.twr: an append-only
 * file of finished solves, so that an interrupted run resumes.
 *
 * records.twr: a 16-byte header ("TWSWEEP1" and the FNV-1a 64 hash of the
 * identity text), then records, each a fixed header (magic, point, draw,
 * status, iterations, residual, redraws, growth), the values and the FNV-1a
 * 64 checksum of all that, in the machine's byte order. A record is written
 * with one write(2) as soon as its solve ends, so it survives the process
 * being killed; the file is fdatasync'ed at most once a second and at the end
 * of a run, so a machine crash loses at most the last second. On opening, a
 * torn or corrupt tail (a record whose checksum fails) is cut off, and its
 * solves are done again.
 */
#include "sweep_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_MAGIC "TWSWEEP1"
#define STORE_HEADER 16

uint64_t tw__fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t k = 0; k < len; k++) {
        h ^= b[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void tw__sweep_record_seal(unsigned char *rec, size_t bytes)
{
    uint64_t h = tw__fnv1a(SWEEP_FNV_INIT, rec, bytes - sizeof h);
    memcpy(rec + bytes - sizeof h, &h, sizeof h);
}

int tw__sweep_record_valid(const unsigned char *rec, size_t bytes)
{
    uint64_t h, want = tw__fnv1a(SWEEP_FNV_INIT, rec, bytes - sizeof h);
    sweep_record r;
    memcpy(&h, rec + bytes - sizeof h, sizeof h);
    memcpy(&r, rec, sizeof r);
    return h == want && r.magic == SWEEP_RECORD_MAGIC && r.status <= TW_SWEEP_FAILED;
}

int tw__sweep_remember(tw_sweep *s, const unsigned char *rec)
{
    sweep_record r;
    memcpy(&r, rec, sizeof r);
    if (r.point >= s->n_points || r.draw >= s->per_point)
        return 0;
    size_t at = (size_t)r.point * s->per_point + r.draw;
    if (s->done[at])
        return 0;
    s->done[at] = 1;
    s->status[at] = r.status;
    s->iterations[at] = r.iterations;
    s->residual[at] = r.residual;
    s->redraws[at] = r.redraws;
    s->growth[at] = r.growth;
    memcpy(s->values + at * s->n_values, rec + sizeof r, s->n_values * sizeof(double));
    s->n_done++;
    return 1;
}

static tw_status sys_fail(tw_error *err, const char *what, const char *path)
{
    return tw_fail(err, TW_ERR_IO, "%s %s: %s", what, path, strerror(errno));
}

/* Read every record; cut the file after the last valid one. */
static tw_status read_records(tw_sweep *s, uint64_t id_hash, tw_error *err)
{
    unsigned char head[STORE_HEADER];
    ssize_t got = pread(s->fd, head, sizeof head, 0);
    if (got == 0) {
        memcpy(head, STORE_MAGIC, 8);
        memcpy(head + 8, &id_hash, 8);
        if (write(s->fd, head, sizeof head) != (ssize_t)sizeof head)
            return sys_fail(err, "cannot write", s->path);
        return TW_OK;
    }
    uint64_t h;
    memcpy(&h, head + 8, 8);
    if (got != (ssize_t)sizeof head || memcmp(head, STORE_MAGIC, 8) != 0 || h != id_hash)
        return tw_fail(err, TW_ERR_DATA,
                       "%s was not written by this sweep (its header does not match the "
                       "sweep's identity)",
                       s->path);
    unsigned char *rec = malloc(s->record_bytes);
    if (!rec)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory reading %s", s->path);
    off_t at = STORE_HEADER;
    while (pread(s->fd, rec, s->record_bytes, at) == (ssize_t)s->record_bytes &&
           tw__sweep_record_valid(rec, s->record_bytes)) {
        tw__sweep_remember(s, rec);
        at += (off_t)s->record_bytes;
    }
    free(rec);
    struct stat sb;
    if (fstat(s->fd, &sb) == 0 && sb.st_size > at) {
        /* a record torn by a crash: cut it off, its solve is done again */
        if (ftruncate(s->fd, at) != 0)
            return sys_fail(err, "cannot truncate", s->path);
    }
    return TW_OK;
}

/* The library's own identity of a plan: everything a record depends on. */
static char *default_identity(const tw_sweep *s)
{
    char sum[17];
    tw_model_checksum(s->base, sum);
    uint64_t h = SWEEP_FNV_INIT;
    for (size_t k = 0; k < s->n_points; k++) {
        const tw_policy *p = s->points[k];
        size_t nnj = s->N * s->N * s->J;
        h = tw__fnv1a(h, p->tariff, nnj * sizeof(double));
        h = tw__fnv1a(h, p->export_tax, nnj * sizeof(double));
        h = tw__fnv1a(h, p->trade_cost_change, nnj * sizeof(double));
        h = tw__fnv1a(h, p->subsidy, s->N * s->J * sizeof(double));
        h = tw__fnv1a(h, p->deficit, s->N * sizeof(double));
    }
    uint64_t e = SWEEP_FNV_INIT;
    const tw_draw_spec *sp[2] = {&s->theta, &s->psi};
    for (int v = 0; v < 2; v++) {
        e = tw__fnv1a(e, &sp[v]->dist, sizeof sp[v]->dist);
        e = tw__fnv1a(e, sp[v]->a, s->J * sizeof(double));
        e = tw__fnv1a(e, sp[v]->b, s->J * sizeof(double));
    }
    if (s->file_theta) {
        e = tw__fnv1a(e, s->file_theta, s->draws * s->J * sizeof(double));
        e = tw__fnv1a(e, s->file_psi, s->draws * s->J * sizeof(double));
    }
    const tw_solver_options *o = &s->opt;
    e = tw__fnv1a(e, s->sector_keys, s->n_sector_keys * sizeof(int));
    char *text = malloc(512);
    if (text)
        snprintf(text, 512,
                 "tradewar sweep base=%s points=%zu policies=%016llx seed=%llu "
                 "elasticities=%016llx file=%d max_psi_theta=%.17g stable_only=%d method=%d "
                 "tol=%.17g max_iter=%d depth=%d damping=%.17g fallback=%d values=%zu",
                 sum, s->n_points, (unsigned long long)h, s->seed, (unsigned long long)e,
                 s->file_theta != NULL, s->max_psi_theta, s->check_stability && s->stable_only,
                 (int)o->method, o->tol, o->max_iter, o->anderson_depth, o->damping,
                 s->retry.fallback, s->n_values);
    return text;
}

tw_status tw_sweep_open_store(tw_sweep *s, const char *dir, const char *identity, tw_error *err)
{
    if (!s || !dir)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_open_store: missing argument");
    if (s->run)
        return tw_fail(err, TW_ERR_INVALID, "tw_sweep_open_store: a run is under way");
    tw__sweep_store_close(s);
    size_t len = strlen(dir) + sizeof "/records.twr";
    if (!(s->path = malloc(len)))
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    snprintf(s->path, len, "%s/records.twr", dir);
    struct stat sb;
    /* a FIFO or a device in its place would block or never end (issue 14) */
    if (stat(s->path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return tw_fail(err, TW_ERR_IO, "%s is not a regular file", s->path);
    s->fd = open(s->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (s->fd < 0)
        return sys_fail(err, "cannot open", s->path);
    char *own = identity ? NULL : default_identity(s);
    if (!identity && !own)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    const char *id = identity ? identity : own;
    uint64_t id_hash = tw__fnv1a(SWEEP_FNV_INIT, id, strlen(id));
    free(own);
    s->last_sync = tw_now();
    tw_status st = read_records(s, id_hash, err);
    if (st != TW_OK)
        tw__sweep_store_close(s);
    return st;
}

tw_status tw__sweep_store_append(tw_sweep *s, const unsigned char *rec, tw_error *err)
{
    if (s->fd >= 0) {
        size_t off = 0;
        while (off < s->record_bytes) {
            ssize_t w = write(s->fd, rec + off, s->record_bytes - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return sys_fail(err, "cannot append to", s->path);
            off += (size_t)w;
        }
    }
    tw__sweep_remember(s, rec);
    double t = tw_now();
    if (s->fd >= 0 && t - s->last_sync >= 1.0) {
        s->last_sync = t;
        if (fdatasync(s->fd) != 0)
            return sys_fail(err, "cannot sync", s->path);
    }
    return TW_OK;
}

tw_status tw__sweep_store_sync(tw_sweep *s, tw_error *err)
{
    if (s->fd >= 0 && fdatasync(s->fd) != 0)
        return sys_fail(err, "cannot sync", s->path);
    return TW_OK;
}

void tw__sweep_store_close(tw_sweep *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->path);
    s->path = NULL;
}
