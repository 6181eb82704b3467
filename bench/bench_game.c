/*
 * bench_game.c - wall time of the strategic layer on Ossa (2014)'s data
 * (data/ossa2007, balanced baseline, sigma column 1):
 *
 *   bench_game optimal [CODE]   one region's optimal tariffs: the MFN optimum
 *                               (33 rates) from the factual tariffs, then the
 *                               bilateral optimum (6 partners x 33 sectors) from
 *                               it, each timed (default USA)
 *   bench_game war [THREADS]    the 7-player Nash war: MFN war, then the
 *                               bilateral war from it (default 2 threads)
 *
 * Prints one line of key=value figures per case; bench/run.sh collects them.
 */
#include "tradewar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef TW_HAVE_OPENBLAS
extern void openblas_set_num_threads(int);
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const char *what, const tw_error *err)
{
    fprintf(stderr, "bench_game: %s: %s\n", what, err->message);
    return 1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median (%) of importer n's tariffs on its partners. */
static double median_tariff(const tw_model *m, const tw_policy *p, size_t n)
{
    size_t N = tw_model_countries(m), J = tw_model_sectors(m), k = 0;
    double *v = calloc(N * J, sizeof *v), med;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; i != n && j < J; j++)
            v[k++] = tw_policy_tariff(p, i, n, j);
    qsort(v, k, sizeof *v, cmp);
    med = 100 * (k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]));
    free(v);
    return med;
}

static int optimal(const tw_model *m, const char *code)
{
    tw_error err;
    long c = tw_model_find_country(m, code);
    if (c < 0) {
        fprintf(stderr, "bench_game: no region %s\n", code);
        return 1;
    }
    tw_solver *s = tw_solver_create(m, NULL, &err);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    tw_optimal_options o;
    tw_optimal_report mfn, bil;
    tw_optimal_options_default(&o);
    o.mfn = 1;
    double t0 = now();
    if (tw_best_response(s, (size_t)c, &o, p, r, &mfn, &err) != TW_OK ||
        mfn.outcome != TW_OUTCOME_CONVERGED)
        return die("MFN optimum", &err);
    double t1 = now();
    o.mfn = 0;
    if (tw_best_response(s, (size_t)c, &o, p, r, &bil, &err) != TW_OK ||
        bil.outcome != TW_OUTCOME_CONVERGED)
        return die("bilateral optimum", &err);
    double t2 = now();
    printf("ossa_optimal_%s: mfn_s=%.3f mfn_evaluations=%ld bilateral_s=%.3f "
           "bilateral_evaluations=%ld variables=%zu total_s=%.3f welfare_pct=%.4f "
           "median_tariff_pct=%.3f target_s=5 ratio_to_target=%.3f\n",
           code, t1 - t0, mfn.evaluations, t2 - t1, bil.evaluations, bil.variables, t2 - t0,
           tw_result_country(r, TW_C_WELFARE_PCT)[c], median_tariff(m, p, (size_t)c),
           (t2 - t1) / 5);
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
    return 0;
}

static int war(const tw_model *m, int threads)
{
    tw_error err;
    size_t N = tw_model_countries(m), players[64];
    for (size_t i = 0; i < N && i < 64; i++)
        players[i] = i;
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    tw_game_options go;
    tw_game_report mfn, bil;
    tw_game_options_default(&go);
    go.threads = threads;
    go.best.mfn = 1;
    double t0 = now();
    if (tw_nash(m, NULL, players, N, &go, p, r, &mfn, &err) != TW_OK ||
        mfn.outcome != TW_OUTCOME_CONVERGED)
        return die("MFN war", &err);
    double t1 = now();
    go.best.mfn = 0;
    if (tw_nash(m, NULL, players, N, &go, p, r, &bil, &err) != TW_OK ||
        bil.outcome != TW_OUTCOME_CONVERGED)
        return die("bilateral war", &err);
    double t2 = now();
    double w = 0, med = 0;
    for (size_t i = 0; i < N; i++) {
        w += tw_result_country(r, TW_C_WELFARE_PCT)[i] / (double)N;
        med += median_tariff(m, p, i) / (double)N;
    }
    printf("ossa_war: players=%zu threads=%d mfn_s=%.2f mfn_rounds=%d bilateral_s=%.2f "
           "bilateral_rounds=%d equilibria=%ld total_s=%.2f mean_welfare_pct=%.4f "
           "mean_median_tariff_pct=%.3f target_s=120 ratio_to_target=%.3f\n",
           N, threads, t1 - t0, mfn.rounds, t2 - t1, bil.rounds, mfn.evaluations + bil.evaluations,
           t2 - t0, w, med, (t2 - t0) / 120);
    tw_result_free(r);
    tw_policy_free(p);
    return 0;
}

int main(int argc, char **argv)
{
#ifdef TW_HAVE_OPENBLAS
    if (!getenv("OPENBLAS_NUM_THREADS"))
        openblas_set_num_threads(1);
#endif
    if (argc < 2 || (strcmp(argv[1], "optimal") && strcmp(argv[1], "war"))) {
        fprintf(stderr, "usage: bench_game optimal [CODE] | war [THREADS]\n");
        return 2;
    }
    tw_error err;
    tw_model *raw = NULL, *m = NULL;
    tw_baseline_report rep;
    double t0 = now();
    if (tw_load_ossa(TW_SOURCE_DIR "/data/ossa2007", 1, &raw, &err) != TW_OK)
        return die("data/ossa2007", &err);
    if (tw_baseline_build(raw, TW_DEFICIT_BALANCED, NULL, &m, &rep, &err) != TW_OK)
        return die("baseline", &err);
    printf("ossa_baseline: seconds=%.3f (load + balanced baseline)\n", now() - t0);
    int rc = strcmp(argv[1], "optimal") == 0 ? optimal(m, argc > 2 ? argv[2] : "USA")
                                             : war(m, argc > 2 ? atoi(argv[2]) : 2);
    tw_model_free(m);
    tw_model_free(raw);
    return rc;
}
