/*
 * fuzz_uschina.c - fuzz target for the us-china-2017 layout (src/io_uschina.c).
 *
 * Input: the first byte picks a file (modulo 6); the rest replaces that file
 * of a scratch copy of data/us-china-2017, loaded with tw_load_uschina:
 *   TradeFlow2017.csv, tariff_prewar2017.csv, vashare.csv, IOshare.csv,
 *   finalshare.csv, cal_elasticities.csv
 * Replay and libFuzzer modes: tests/fuzz/fuzz_common.h.
 */
#include "fuzz_common.h"

static const char *const files[] = {"TradeFlow2017.csv", "tariff_prewar2017.csv",
                                    "vashare.csv",       "IOshare.csv",
                                    "finalshare.csv",    "cal_elasticities.csv"};
#define N_FILES (sizeof files / sizeof *files)

static fz_scratch scratch;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        ready = fz_scratch_open(&scratch, TW_SOURCE_DIR "/data/us-china-2017", files, N_FILES) == 0
                    ? 1
                    : -1;
    if (size < 1 || ready < 0)
        return 0;
    size_t which = data[0] % N_FILES;
    fz_scratch_put(&scratch, which, (const char *)data + 1, size - 1);
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_uschina(scratch.dir, &m, &err) == TW_OK)
        tw_model_free(m);
    fz_scratch_restore(&scratch, which);
    return 0;
}
