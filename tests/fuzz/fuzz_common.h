/*
 * fuzz_common.h - shared pieces of the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput. With -DTW_LIBFUZZER (clang
 * -fsanitize=fuzzer) libFuzzer drives it; otherwise the main() below replays
 * every regular file of the corpus directories given as arguments, so a
 * corpus runs as a plain test (ctest: fuzz_<target>_replay).
 *
 * The raw-layout targets keep one scratch copy of a bundled data set in a
 * temporary directory, replace one of its files by the input, load, and put
 * the original file back.
 */
#ifndef TW_FUZZ_COMMON_H
#define TW_FUZZ_COMMON_H

#include "io_csv.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline int fz_write(const char *dir, const char *file, const char *text, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = len ? fwrite(text, 1, len, f) : 0;
    return (fclose(f) == 0 && put == len) ? 0 : -1;
}

/* A scratch data set: the files of `src` copied into a temporary directory. */
typedef struct {
    char dir[64];
    size_t n;
    const char *const *names;
    char **text;
    size_t *len;
} fz_scratch;

static inline int fz_scratch_open(fz_scratch *s, const char *src, const char *const *names,
                                  size_t n)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/tradewar-fuzz-XXXXXX");
    if (!mkdtemp(s->dir))
        return -1;
    s->n = n;
    s->names = names;
    s->text = calloc(n, sizeof *s->text);
    s->len = calloc(n, sizeof *s->len);
    if (!s->text || !s->len)
        return -1;
    for (size_t k = 0; k < n; k++) {
        char path[4096];
        tw_error err;
        snprintf(path, sizeof path, "%s/%s", src, names[k]);
        if (tw_read_file(path, &s->text[k], &s->len[k], &err) != TW_OK ||
            fz_write(s->dir, names[k], s->text[k], s->len[k]) != 0) {
            fprintf(stderr, "fuzz: cannot copy %s\n", path);
            return -1;
        }
    }
    return 0;
}

/* Replace file k by the input; fz_scratch_restore puts the original back. */
static inline void fz_scratch_put(fz_scratch *s, size_t k, const char *text, size_t len)
{
    fz_write(s->dir, s->names[k], text, len);
}

static inline void fz_scratch_restore(fz_scratch *s, size_t k)
{
    fz_write(s->dir, s->names[k], s->text[k], s->len[k]);
}

#ifndef TW_LIBFUZZER
static int fz_replay_file(const char *path)
{
    char *text;
    size_t len;
    tw_error err;
    if (tw_read_file(path, &text, &len, &err) != TW_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)text, len);
    free(text);
    return 0;
}

static int fz_replay_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open the corpus directory\n", dir);
        return 1;
    }
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        bad |= fz_replay_file(path);
        (*count)++;
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0, count = 0;
    for (int k = 1; k < argc; k++)
        bad |= fz_replay_dir(argv[k], &count);
    printf("%s: replayed %d corpus files\n", argv[0], count);
    return bad || count == 0;
}
#endif

#endif
