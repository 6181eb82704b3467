/*
 * fuzz_cp1993.c - fuzz target for the Caliendo-Parro 1993 layout
 * (src/io_cp1993.c): tw_load_cp1993 and tw_read_cp1993_tariffs.
 *
 * Input: the first byte picks a file (modulo 7), the rest is its text:
 *   0..5  xbilat1993.txt, tariffs1993.txt, GO.txt, B.txt, IO.txt, T.txt of a
 *         scratch copy of data/cp1993/balanced, loaded with tw_load_cp1993
 *   6     a tariff file read with tw_read_cp1993_tariffs for the bundled model
 * Replay and libFuzzer modes: tests/fuzz/fuzz_common.h.
 */
#include "fuzz_common.h"

static const char *const files[] = {"xbilat1993.txt", "tariffs1993.txt", "GO.txt",
                                    "B.txt",          "IO.txt",          "T.txt"};
#define N_FILES (sizeof files / sizeof *files)

static fz_scratch scratch;
static tw_model *base;
static int ready;

static int setup(void)
{
    if (ready)
        return ready > 0;
    ready = -1;
    tw_error err;
    if (fz_scratch_open(&scratch, TW_SOURCE_DIR "/data/cp1993/balanced", files, N_FILES) != 0 ||
        tw_load_cp1993(scratch.dir, &base, &err) != TW_OK)
        return 0;
    ready = 1;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || !setup())
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1, which = data[0] % (N_FILES + 1);
    tw_error err;
    if (which < N_FILES) {
        tw_model *m = NULL;
        fz_scratch_put(&scratch, which, text, len);
        if (tw_load_cp1993(scratch.dir, &m, &err) == TW_OK)
            tw_model_free(m);
        fz_scratch_restore(&scratch, which);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/tariffs-fuzz.txt", scratch.dir);
        size_t n = tw_model_array_length(base, TW_TARIFFS);
        double *t = malloc(n * sizeof *t);
        if (t && fz_write(scratch.dir, "tariffs-fuzz.txt", text, len) == 0)
            tw_read_cp1993_tariffs(path, base, t, n, &err);
        free(t);
    }
    return 0;
}
