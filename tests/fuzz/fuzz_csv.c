/*
 * fuzz_csv.c - fuzz target for the CSV reader, the matrix reader and the
 * data-set loader.
 *
 * Input: the first byte picks the target (modulo 5), the rest is the text:
 *   0  CSV text parsed in memory, then read as a long table
 *   1  flows.csv of a small valid data set, loaded with tw_load_dataset
 *   2  manifest.yaml of that data set
 *   3  elasticities.csv of that data set
 *   4  a whitespace-separated 2x3 matrix (tw_matrix_read)
 * With -DTW_LIBFUZZER (clang -fsanitize=fuzzer) this is a libFuzzer target;
 * otherwise main() replays every file of the corpus directories given as
 * arguments, so the corpus runs as a plain test (ctest: fuzz_csv_replay).
 */
#include "fuzz_common.h" /* io_csv.h, and main() replaying corpus folders on gcc */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ds_files[][2] = {
    {"manifest.yaml", "format: tradewar-dataset\nversion: 1\nflows_basis: before_tariffs\n"
                      "countries:\n  - {code: AAA}\n  - {code: BBB}\n"
                      "sectors:\n  - {code: g}\n"},
    {"flows.csv", "exporter,importer,sector,value\nAAA,AAA,g,7\nAAA,BBB,g,1\nBBB,AAA,g,2\n"
                  "BBB,BBB,g,9\n"},
    {"va_shares.csv", "country,sector,share\nAAA,g,0.4\nBBB,g,0.5\n"},
    {"io_shares.csv", "country,input,sector,share\nAAA,g,g,1\nBBB,g,g,1\n"},
    {"final_shares.csv", "country,sector,share\nAAA,g,1\nBBB,g,1\n"},
    {"elasticities.csv", "sector,theta,psi\ng,4,0\n"},
};
#define N_DS (sizeof ds_files / sizeof *ds_files)

static int write_text(const char *dir, const char *file, const char *text, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(text, 1, len, f);
    return (fclose(f) == 0 && put == len) ? 0 : -1;
}

static void fuzz_csv_memory(const char *text, size_t len)
{
    tw_csv c;
    if (tw_csv_parse("fuzz.csv", text, len, &c, NULL) != TW_OK)
        return;
    static const char *const codes[] = {"AAA", "BBB"};
    tw_keyset ks = {"country", 2, codes};
    tw_long_spec s = {.nkeys = 2,
                      .key_cols = {"a", "b"},
                      .keys = {&ks, &ks},
                      .value_col = "v",
                      .complete = 1,
                      .lo = 0,
                      .hi = 1};
    double out[4] = {0};
    tw_long_read(&c, &s, out, 4, NULL, NULL);
    tw_csv_free(&c);
}

/* Write the data set with file `which` replaced by the input, load it, clean up. */
static void fuzz_dataset(const char *which, const char *text, size_t len)
{
    char dir[] = "/tmp/tradewar-fuzz-XXXXXX";
    if (!mkdtemp(dir))
        return;
    for (size_t k = 0; k < N_DS; k++) {
        int mine = strcmp(ds_files[k][0], which) == 0;
        write_text(dir, ds_files[k][0], mine ? text : ds_files[k][1],
                   mine ? len : strlen(ds_files[k][1]));
    }
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_dataset(dir, &m, &err) == TW_OK)
        tw_model_free(m);
    for (size_t k = 0; k < N_DS; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ds_files[k][0]);
        remove(path);
    }
    rmdir(dir);
}

static void fuzz_matrix(const char *text, size_t len)
{
    char dir[] = "/tmp/tradewar-fuzz-XXXXXX";
    if (!mkdtemp(dir))
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/m.txt", dir);
    double out[6];
    if (write_text(dir, "m.txt", text, len) == 0)
        tw_matrix_read(path, 2, 3, out, NULL);
    remove(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 5) {
    case 0:
        fuzz_csv_memory(text, len);
        break;
    case 1:
        fuzz_dataset("flows.csv", text, len);
        break;
    case 2:
        fuzz_dataset("manifest.yaml", text, len);
        break;
    case 3:
        fuzz_dataset("elasticities.csv", text, len);
        break;
    default:
        fuzz_matrix(text, len);
        break;
    }
    return 0;
}
