/*
 * bench_solve.c - wall time and peak memory of single counterfactual solves.
 *
 *   bench_solve nafta [reps]   Caliendo-Parro NAFTA counterfactual on data/cp1993
 *                              (balanced baseline built once, then `reps` cold solves)
 *   bench_solve synthetic N J [reps]
 *                              a seeded synthetic N x J economy (tw_model_synthetic,
 *                              seed 2019): country 1 raises its tariffs on country 2's
 *                              goods by 25 points and country 2 retaliates in kind
 *
 * Prints one line of key=value figures per case; bench/run.sh collects them.
 */
#include "tradewar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int die(const char *what, const tw_error *err)
{
    fprintf(stderr, "bench_solve: %s: %s\n", what, err->message);
    return 1;
}

/* Solve `p` reps times from a cold start; report the median and best time. */
static int time_solves(const char *label, const tw_model *m, const tw_policy *p, int reps,
                       double target_s, double peer_s)
{
    tw_error err;
    tw_solver *s = tw_solver_create(m, NULL, &err);
    if (!s)
        return die("solver", &err);
    tw_result *r = tw_result_create(m, NULL);
    double *t = calloc((size_t)reps, sizeof *t);
    tw_solver_stats st = {0};
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        if (tw_solve(s, p, r, &err) != TW_OK || tw_result_stats(r).outcome != TW_OUTCOME_CONVERGED)
            return die("solve", &err);
        t[k] = now() - t0;
        st = tw_result_stats(r);
    }
    qsort(t, (size_t)reps, sizeof *t, cmp);
    double med = t[reps / 2];
    printf("%s: N=%zu J=%zu reps=%d median_s=%.4f best_s=%.4f iterations=%ld evaluations=%ld "
           "residual=%.2e peak_mib=%.1f target_s=%g ratio_to_target=%.3f",
           label, tw_model_countries(m), tw_model_sectors(m), reps, med, t[0], st.iterations,
           st.evaluations, st.residual, peak_mib(), target_s, med / target_s);
    if (peer_s > 0)
        printf(" peer_s=%g speedup_vs_peer=%.0f", peer_s, peer_s / med);
    printf("\n");
    free(t);
    tw_result_free(r);
    tw_solver_free(s);
    return 0;
}

static int bench_nafta(int reps)
{
    tw_model *raw = NULL, *base = NULL;
    tw_error err;
    if (tw_load_cp1993(TW_SOURCE_DIR "/data/cp1993", &raw, &err) != TW_OK)
        return die("load", &err);
    double t0 = now();
    if (tw_baseline_build(raw, TW_DEFICIT_BALANCED, NULL, &base, NULL, &err) != TW_OK)
        return die("baseline", &err);
    double t_base = now() - t0;
    size_t N = tw_model_countries(base), J = tw_model_sectors(base);
    double *t05 = malloc(N * N * J * sizeof *t05);
    if (tw_read_cp1993_tariffs(TW_SOURCE_DIR "/data/cp1993/balanced/tariffs2005.txt", base, t05,
                               N * N * J, &err) != TW_OK)
        return die("tariffs", &err);
    tw_policy *p = tw_policy_create(base, NULL);
    const char *nafta[3] = {"CAN", "MEX", "USA"};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (size_t j = 0; a != b && j < J; j++) {
                size_t i = (size_t)tw_model_find_country(base, nafta[a]);
                size_t n = (size_t)tw_model_find_country(base, nafta[b]);
                tw_policy_set_tariff(p, i, n, j, t05[tw_idx3(N, J, i, n, j)]);
            }
    printf("nafta_baseline: seconds=%.4f (calibration + balancing solves)\n", t_base);
    /* peer: the authors' MATLAB code under Octave, about 113 s on this kind of machine */
    int rc = time_solves("nafta", base, p, reps, 0.050, 113.0);
    free(t05);
    tw_policy_free(p);
    tw_model_free(base);
    tw_model_free(raw);
    return rc;
}

static int bench_synthetic(size_t N, size_t J, int reps)
{
    tw_model *m = NULL;
    tw_error err;
    double t0 = now();
    if (tw_model_synthetic(N, J, 2019, 0.0, &m, &err) != TW_OK)
        return die("synthetic", &err);
    printf("synthetic_generate: N=%zu J=%zu seconds=%.3f\n", N, J, now() - t0);
    tw_policy *p = tw_policy_create(m, NULL);
    size_t goods = (J * 6 + 9) / 10;
    for (size_t j = 0; j < goods; j++) {
        tw_policy_set_tariff(p, 1, 0, j, tw_policy_tariff(p, 1, 0, j) + 0.25);
        tw_policy_set_tariff(p, 0, 1, j, tw_policy_tariff(p, 0, 1, j) + 0.25);
    }
    char label[64];
    snprintf(label, sizeof label, "synthetic_%zux%zu", N, J);
    int rc = time_solves(label, m, p, reps, 5.0, 0);
    tw_policy_free(p);
    tw_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "nafta") == 0)
        return bench_nafta(argc > 2 ? atoi(argv[2]) : 21);
    if (argc >= 4 && strcmp(argv[1], "synthetic") == 0)
        return bench_synthetic((size_t)atol(argv[2]), (size_t)atol(argv[3]),
                               argc > 4 ? atoi(argv[4]) : 3);
    fprintf(stderr, "usage: bench_solve nafta [reps] | bench_solve synthetic N J [reps]\n");
    return 2;
}
