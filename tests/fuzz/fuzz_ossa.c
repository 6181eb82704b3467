/*
 * fuzz_ossa.c - fuzz target for Ossa's 2007 layout (src/io_ossa.c).
 *
 * Input: the first byte picks a file (modulo 6) and the sigma column
 * ((byte / 6) modulo 5, plus 1); the rest replaces that file of a scratch copy
 * of data/ossa2007/toy, loaded with tw_load_ossa:
 *   regions.csv, labels.csv, sectors.csv, sigma_s.csv, trade_ijs.csv, tariff_ijs.csv
 * Replay and libFuzzer modes: tests/fuzz/fuzz_common.h.
 */
#include "fuzz_common.h"

static const char *const files[] = {"regions.csv", "labels.csv",    "sectors.csv",
                                    "sigma_s.csv", "trade_ijs.csv", "tariff_ijs.csv"};
#define N_FILES (sizeof files / sizeof *files)

static fz_scratch scratch;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        ready = fz_scratch_open(&scratch, TW_SOURCE_DIR "/data/ossa2007/toy", files, N_FILES) == 0
                    ? 1
                    : -1;
    if (size < 1 || ready < 0)
        return 0;
    size_t which = data[0] % N_FILES;
    int column = (int)((data[0] / N_FILES) % 5) + 1;
    fz_scratch_put(&scratch, which, (const char *)data + 1, size - 1);
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_ossa(scratch.dir, column, &m, &err) == TW_OK)
        tw_model_free(m);
    fz_scratch_restore(&scratch, which);
    return 0;
}
