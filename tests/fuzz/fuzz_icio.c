/*
 * fuzz_icio.c - fuzz target for the OECD ICIO importer (tw_icio_import).
 *
 * Input: the first byte picks the options (bit 0: drop inventories; bit 1:
 * a region map merging every economy into one region), the rest is the table.
 * With -DTW_LIBFUZZER (clang -fsanitize=fuzzer) this is a libFuzzer target;
 * otherwise main() replays every file of the corpus directories given as
 * arguments (ctest: fuzz_icio_replay).
 */
#include "tradewar.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(text, 1, len, f);
    return (fclose(f) == 0 && put == len) ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char dir[] = "/tmp/tradewar-fuzz-icio-XXXXXX";
    if (!mkdtemp(dir))
        return 0;
    char table[4096], map[4096];
    snprintf(table, sizeof table, "%s/ICIO2023_2020.csv", dir);
    snprintf(map, sizeof map, "%s/map.csv", dir);
    static const char map_text[] = "economy,region\nAAA,W\nBBB,W\nCHN,W\nMEX,W\n";
    tw_icio_options o;
    tw_icio_options_default(&o);
    o.drop_inventories = data[0] & 1;
    if (data[0] & 2) {
        write_text(map, map_text, sizeof map_text - 1);
        o.regions_map = map;
    }
    if (write_text(table, (const char *)data + 1, size - 1) == 0) {
        tw_model *m = NULL;
        tw_icio_info info;
        tw_error err;
        if (tw_icio_import(table, &o, &m, &info, &err) == TW_OK)
            tw_model_free(m);
    }
    remove(table);
    remove(map);
    rmdir(dir);
    return 0;
}

#ifndef TW_LIBFUZZER
static int replay_dir(const char *dir, int *count)
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
        FILE *f = fopen(path, "rb");
        if (!f) {
            bad = 1;
            continue;
        }
        char *buf = malloc((size_t)sb.st_size + 1);
        size_t n = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
        fclose(f);
        if (buf)
            LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
        free(buf);
        (*count)++;
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0, count = 0;
    for (int k = 1; k < argc; k++)
        bad |= replay_dir(argv[k], &count);
    printf("replayed %d inputs\n", count);
    return bad;
}
#endif
