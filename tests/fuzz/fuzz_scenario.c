/*
 * fuzz_scenario.c - fuzz target for the scenario reader and applier
 * (src/scenario_read.c, src/scenario_apply.c): tw_scenario_parse, then
 * tw_scenario_policy for every stage.
 *
 * Input: the first byte picks the model the scenario is applied to (modulo 3:
 * us-china-2017, cp1993, ossa2007/toy); the rest is the scenario text, up to
 * a line "%%" if there is one; what follows that line is written as rates.csv
 * and rates.txt beside the scenario, for its from_file rules.
 * Replay and libFuzzer modes: tests/fuzz/fuzz_common.h.
 */
#include "fuzz_common.h"

static tw_model *models[3];
static char dir[64];
static int ready;

static int setup(void)
{
    if (ready)
        return ready > 0;
    ready = -1;
    tw_error err;
    snprintf(dir, sizeof dir, "/tmp/tradewar-fuzz-XXXXXX");
    if (!mkdtemp(dir) || tw_load_uschina(TW_SOURCE_DIR "/data/us-china-2017", &models[0], &err) ||
        tw_load_cp1993(TW_SOURCE_DIR "/data/cp1993", &models[1], &err) ||
        tw_load_ossa(TW_SOURCE_DIR "/data/ossa2007/toy", 1, &models[2], &err)) {
        fprintf(stderr, "fuzz_scenario: setup failed\n");
        return 0;
    }
    ready = 1;
    return 1;
}

static const char *find_split(const char *text, size_t len)
{
    static const char mark[] = "\n%%\n";
    for (size_t k = 0; k + 4 <= len; k++)
        if (memcmp(text + k, mark, 4) == 0)
            return text + k;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || !setup())
        return 0;
    const tw_model *m = models[data[0] % 3];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *split = find_split(text, len);
    const char *file = split ? split + 4 : "";
    size_t flen = split ? len - (size_t)(file - text) : 0;
    if (split)
        len = (size_t)(split - text) + 1;
    fz_write(dir, "rates.csv", file, flen);
    fz_write(dir, "rates.txt", file, flen);
    char name[128];
    snprintf(name, sizeof name, "%s/scenario.yaml", dir);
    tw_scenario *sc = NULL;
    tw_error err;
    if (tw_scenario_parse(text, len, name, &sc, &err) != TW_OK)
        return 0;
    tw_solver_options opt;
    tw_deficit_mode mode = TW_DEFICIT_FIXED;
    tw_solver_options_default(&opt);
    tw_scenario_apply_options(sc, &opt, &mode);
    tw_policy *p = tw_policy_create(m, NULL);
    for (size_t k = 0; p && k < tw_scenario_stage_count(sc); k++)
        if (tw_scenario_policy(sc, k, m, p, &err) != TW_OK)
            break;
    tw_policy_free(p);
    tw_scenario_free(sc);
    return 0;
}
