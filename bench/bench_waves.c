/*
 * bench_waves.c - time to solve each stage of the 2018-20 US-China trade war
 * on the bundled us-china-2017 data, and the whole timeline.
 *
 *   bench_waves [reps]   scenarios/us-china/waves-both.yaml (13 cumulative stages)
 *
 * For each stage: the median over `reps` of one cold solve (every hat 1) of
 * the cumulative policy after that stage. Then the timeline as `tradewar
 * timeline` solves it (each stage warm-started from the previous one),
 * median over `reps`. The baseline (calibration) is built once and timed.
 * Prints key=value lines; bench/run.sh collects them.
 */
#include "tradewar.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int die(const char *what, const tw_error *err)
{
    fprintf(stderr, "bench_waves: %s: %s\n", what, err->message);
    return 1;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 11;
    if (reps < 1 || reps > 1000)
        reps = 11;
    tw_error err = {0};
    tw_model *raw = NULL, *base = NULL;
    tw_scenario *sc = NULL;
    tw_baseline_report rep;
    tw_solver_options opt;
    tw_solver_options_default(&opt);
    if (tw_load_any(TW_SOURCE_DIR "/data/us-china-2017", &raw, &err) != TW_OK)
        return die("data", &err);
    if (tw_scenario_load(TW_SOURCE_DIR "/scenarios/us-china/waves-both.yaml", &sc, &err) != TW_OK)
        return die("scenario", &err);
    double t0 = now();
    if (tw_baseline_build(raw, TW_DEFICIT_FIXED, &opt, &base, &rep, &err) != TW_OK)
        return die("baseline", &err);
    printf("uschina_baseline: seconds=%.4f (calibration solve)\n", now() - t0);
    size_t K = tw_scenario_stage_count(sc);
    tw_solver *s = tw_solver_create(base, &opt, &err);
    tw_result *res = tw_result_create(base, NULL), *prev = tw_result_create(base, NULL);
    tw_policy **p = calloc(K, sizeof *p);
    double *t = calloc((size_t)reps, sizeof *t);
    if (!s || !res || !prev || !p || !t)
        return die("setup", &err);
    for (size_t k = 0; k < K; k++) {
        p[k] = tw_policy_create(base, NULL);
        if (!p[k] || tw_scenario_policy(sc, k, base, p[k], &err) != TW_OK)
            return die("policy", &err);
    }
    double sum = 0;
    for (size_t k = 0; k < K; k++) {
        long iters = 0;
        for (int r = 0; r < reps; r++) {
            tw_solver_set_start(s, NULL);
            double a = now();
            if (tw_solve(s, p[k], res, &err) != TW_OK ||
                tw_result_stats(res).outcome != TW_OUTCOME_CONVERGED)
                return die(tw_scenario_stage_name(sc, k), &err);
            t[r] = now() - a;
            iters = tw_result_stats(res).iterations;
        }
        double m = median(t, reps);
        sum += m;
        printf("stage_%02zu: date=%s median_s=%.4f iterations=%ld name=\"%s\"\n", k + 1,
               tw_scenario_stage_date(sc, k), m, iters, tw_scenario_stage_name(sc, k));
    }
    for (int r = 0; r < reps; r++) {
        double a = now();
        tw_solver_set_start(s, NULL);
        for (size_t k = 0; k < K; k++) {
            if (tw_solve(s, p[k], res, &err) != TW_OK ||
                tw_result_stats(res).outcome != TW_OUTCOME_CONVERGED)
                return die("timeline", &err);
            tw_result *swap = prev;
            prev = res;
            res = swap;
            tw_solver_set_start(s, prev);
        }
        t[r] = now() - a;
    }
    printf("timeline: stages=%zu reps=%d median_s=%.4f (warm-started) "
           "sum_of_cold_stage_medians_s=%.4f\n",
           K, reps, median(t, reps), sum);
    for (size_t k = 0; k < K; k++)
        tw_policy_free(p[k]);
    free(p);
    free(t);
    tw_result_free(res);
    tw_result_free(prev);
    tw_solver_free(s);
    tw_model_free(base);
    tw_model_free(raw);
    tw_scenario_free(sc);
    return 0;
}
