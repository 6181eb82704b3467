/*
 * outdir.c - output directories written all or none (outdir.h).
 */
#include "outdir.h"

#include "cli.h"
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int batch_make_parents(const char *dir, char *why, size_t size)
{
    char part[4096];
    if (strlen(dir) >= sizeof part) {
        snprintf(why, size, "output directory name too long");
        return -1;
    }
    strcpy(part, dir);
    for (char *p = part + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(part, 0777) != 0 && errno != EEXIST) {
            snprintf(why, size, "cannot create directory %s: %s", part, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    return 0;
}

int batch_begin(file_batch *b, const char *dir, int parents, char *why, size_t size)
{
    struct stat sb;
    memset(b, 0, sizeof *b);
    if (strlen(dir) >= sizeof b->dir - 64) {
        snprintf(why, size, "output directory name too long");
        return -1;
    }
    strcpy(b->dir, dir);
    /* with parents, like mkdir -p: "out/list3" on a fresh clone */
    if (parents && batch_make_parents(dir, why, size) != 0)
        return -1;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(why, size, "cannot create directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(why, size, "%s is not a directory", dir);
        return -1;
    }
    return 0;
}

const char *batch_path(const file_batch *b, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", b->dir, name);
    return buf;
}

/* Room for one more entry; -1 with `why`. */
static int batch_grow(file_batch *b, char *why, size_t size)
{
    if (b->n < b->cap)
        return 0;
    if (b->n >= BATCH_MAX) {
        snprintf(why, size, "too many output files (more than %d)", BATCH_MAX);
        return -1;
    }
    size_t cap = b->cap ? 2 * b->cap : 16;
    batch_entry *e = realloc(b->e, cap * sizeof *e);
    if (!e) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    b->e = e;
    b->cap = cap;
    return 0;
}

/* Forget the entries (their files are renamed or removed). */
static void batch_release(file_batch *b)
{
    free(b->e);
    b->e = NULL;
    b->n = b->cap = 0;
}

FILE *batch_open(file_batch *b, const char *name, char *why, size_t size)
{
    if (batch_grow(b, why, size) != 0)
        return NULL;
    size_t k = b->n;
    char dir[sizeof b->dir]; /* a copy: the compiler cannot tell b->dir from b->fin */
    memcpy(dir, b->dir, sizeof dir);
    snprintf(b->e[k].fin, sizeof b->e[k].fin, "%s/%s", dir, name);
    snprintf(b->e[k].tmp, sizeof b->e[k].tmp, "%s/.%s.XXXXXX", dir, name);
    struct stat sb;
    if (stat(b->e[k].fin, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(why, size, "%s is a directory", b->e[k].fin);
        return NULL;
    }
    int fd = mkstemp(b->e[k].tmp);
    if (fd < 0) {
        snprintf(why, size, "cannot create a file in %s: %s", b->dir, strerror(errno));
        return NULL;
    }
    b->n++;
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        snprintf(why, size, "cannot write %s: %s", b->e[k].fin, strerror(errno));
    }
    return f;
}

const char *batch_reserve(file_batch *b, const char *name, char *why, size_t size)
{
    if (batch_grow(b, why, size) != 0)
        return NULL;
    size_t k = b->n;
    char dir[sizeof b->dir];
    memcpy(dir, b->dir, sizeof dir);
    snprintf(b->e[k].fin, sizeof b->e[k].fin, "%s/%s", dir, name);
    struct stat sb;
    if (stat(b->e[k].fin, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(why, size, "%s is a directory", b->e[k].fin);
        return NULL;
    }
    /* the temporary name keeps NAME's extension (the chart's format) */
    mode_t mask = umask(0);
    umask(mask);
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        snprintf(b->e[k].tmp, sizeof b->e[k].tmp, "%s/.tmp-%ld-%zu-%u-%s", dir, (long)getpid(), k,
                 attempt, name);
        int fd = open(b->e[k].tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666 & ~mask);
        if (fd >= 0) {
            close(fd);
            b->n++;
            return b->e[k].tmp;
        }
        if (errno != EEXIST)
            break;
    }
    snprintf(why, size, "cannot create a file in %s: %s", b->dir, strerror(errno));
    return NULL;
}

int batch_close(FILE *f, const char *name, char *why, size_t size)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(why, size, "cannot write %s", name);
        return -1;
    }
    return 0;
}

int batch_commit(file_batch *b, char *why, size_t size)
{
    size_t k = 0;
    for (; k < b->n; k++)
        if (rename(b->e[k].tmp, b->e[k].fin) != 0) {
            snprintf(why, size, "cannot rename to %s: %s", b->e[k].fin, strerror(errno));
            break;
        }
    for (size_t r = k; r < b->n; r++)
        unlink(b->e[r].tmp);
    int ok = k == b->n;
    batch_release(b);
    return ok ? 0 : -1;
}

void batch_abort(file_batch *b)
{
    for (size_t k = 0; k < b->n; k++)
        unlink(b->e[k].tmp);
    batch_release(b);
}

int batch_json(file_batch *b, const char *name, const json_t *j, char *why, size_t size)
{
    FILE *f = batch_open(b, name, why, size);
    if (!f)
        return -1;
    int st = j ? out_json_dump(f, j) : -1;
    if (!j)
        snprintf(why, size, "out of memory building %s", name);
    if (batch_close(f, name, why, size) != 0)
        st = -1;
    return st;
}

int batch_finish(file_batch *b, int st, const char *output, char *why, size_t size)
{
    if (st == 0)
        st = batch_commit(b, why, size);
    else if (b)
        batch_abort(b);
    free(b);
    if (st != 0)
        cli_error("%s (data files not written to %s)", why, output);
    return st == 0 ? CLI_OK : CLI_FAILURE;
}

int batch_add_files(file_batch *b, const batch_file *files, size_t n, void *user, char *why,
                    size_t size)
{
    int st = 0;
    for (size_t k = 0; st == 0 && k < n; k++) {
        FILE *f = batch_open(b, files[k].name, why, size);
        if (!f)
            return -1;
        char buf[4200];
        st = files[k].write(f, user);
        if (st != 0)
            snprintf(why, size, "cannot write %s", batch_path(b, files[k].name, buf, sizeof buf));
        if (batch_close(f, files[k].name, why, size) != 0)
            st = -1;
    }
    return st;
}

void batch_drop_last(file_batch *b)
{
    if (b->n > 0)
        unlink(b->e[--b->n].tmp);
}

int batch_write_files(const char *dir, int parents, const batch_file *files, size_t n, void *user,
                      char *why, size_t size)
{
    file_batch *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    int st = batch_begin(b, dir, parents, why, size);
    if (st == 0)
        st = batch_add_files(b, files, n, user, why, size);
    if (st == 0)
        st = batch_commit(b, why, size);
    else
        batch_abort(b);
    free(b);
    return st;
}
