/*
 * fuzz_manifest.c - fuzz target for the native data set's manifest.yaml
 * (src/io_dataset.c): the input is the manifest of a small valid data set
 * (two countries, one sector), loaded with tw_load_dataset.
 * Replay and libFuzzer modes: tests/fuzz/fuzz_common.h.
 */
#include "fuzz_common.h"

static const char *const ds_files[][2] = {
    {"flows.csv", "exporter,importer,sector,value\nAAA,AAA,g,7\nAAA,BBB,g,1\nBBB,AAA,g,2\n"
                  "BBB,BBB,g,9\n"},
    {"va_shares.csv", "country,sector,share\nAAA,g,0.4\nBBB,g,0.5\n"},
    {"io_shares.csv", "country,input,sector,share\nAAA,g,g,1\nBBB,g,g,1\n"},
    {"final_shares.csv", "country,sector,share\nAAA,g,1\nBBB,g,1\n"},
    {"elasticities.csv", "sector,theta,psi\ng,4,0\n"},
    {"tariffs.csv", "exporter,importer,sector,rate\nAAA,BBB,g,0.1\nBBB,AAA,g,0.05\n"},
};
#define N_DS (sizeof ds_files / sizeof *ds_files)

static char dir[64];
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        ready = -1;
        snprintf(dir, sizeof dir, "/tmp/tradewar-fuzz-XXXXXX");
        if (mkdtemp(dir)) {
            ready = 1;
            for (size_t k = 0; k < N_DS; k++)
                if (fz_write(dir, ds_files[k][0], ds_files[k][1], strlen(ds_files[k][1])) != 0)
                    ready = -1;
        }
    }
    if (ready < 0)
        return 0;
    fz_write(dir, "manifest.yaml", (const char *)data, size);
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_dataset(dir, &m, &err) == TW_OK)
        tw_model_free(m);
    return 0;
}
