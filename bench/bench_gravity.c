/*
 * bench_gravity.c - PPML with three high-dimensional fixed effects: n
 * observations (default 1,000,000), three fixed effects of L levels each
 * (default 1000) drawn at random, two regressors (one continuous and
 * correlated with the first fixed effect, one binary), y ~ Poisson. Times
 * tw_ppml_fit alone (data generation excluded), median of reps.
 * cpu_s is the process's CPU time during the fit: on a shared machine it is
 * the figure to compare, wall time depending on the other processes' load.
 * Usage: bench_gravity [n] [levels] [reps] [separation: 1 (default) or 0]
 */
#include "tradewar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t state = 2385;
static double uniform(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(void)
{
    return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}
static double poisson(double mu)
{
    double L = exp(-mu), p = 1;
    int k = 0;
    do {
        k++;
        p *= uniform();
    } while (p > L);
    return k - 1;
}
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000000,
           L = argc > 2 ? (size_t)atol(argv[2]) : 1000;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    tw_ppml_options o;
    tw_ppml_options_default(&o);
    if (argc > 4)
        o.separation = atoi(argv[4]); /* 0: time the fit without the separation checks */
    if (n == 0 || L == 0 || reps < 1 || reps > 99)
        return 2;
    double *y = malloc(n * sizeof *y), *x = malloc(2 * n * sizeof *x), *eff[3];
    uint32_t *fe[3];
    for (int d = 0; d < 3; d++) {
        fe[d] = malloc(n * sizeof(uint32_t));
        eff[d] = malloc(L * sizeof(double));
        for (size_t l = 0; l < L; l++)
            eff[d][l] = 0.5 * normal();
    }
    for (size_t i = 0; i < n; i++) {
        for (int d = 0; d < 3; d++)
            fe[d][i] = (uint32_t)(uniform() * (double)L);
        x[i] = normal() + eff[0][fe[0][i]];
        x[n + i] = uniform() < 0.3;
        y[i] = poisson(exp(0.2 + 0.385 * x[i] - 1.2385 * x[n + i] + eff[0][fe[0][i]] +
                           eff[1][fe[1][i]] + eff[2][fe[2][i]]));
    }
    const uint32_t *fep[3] = {fe[0], fe[1], fe[2]};
    size_t levels[3] = {L, L, L};
    tw_ppml_problem p = {n, y, 2, x, 3, fep, levels, 0, NULL, NULL};
    double t[100], c[100];
    tw_ppml_result r;
    for (int k = 0; k < reps; k++) {
        tw_error err;
        double t0 = now(), c0 = cpu();
        tw_status st = tw_ppml_fit(&p, &o, &r, &err);
        t[k] = now() - t0;
        c[k] = cpu() - c0;
        if (st != TW_OK) {
            fprintf(stderr, "bench_gravity: %s\n", err.message);
            return 1;
        }
        if (k + 1 < reps)
            tw_ppml_result_free(&r);
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp);
    qsort(c, (size_t)reps, sizeof c[0], cmp);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("ppml_3fe: n=%zu levels=%zu reps=%d median_s=%.3f best_s=%.3f median_cpu_s=%.3f "
           "converged=%d "
           "iterations=%d fe_sweeps=%ld beta=%.5f,%.5f (true 0.385,-1.2385) se=%.5f,%.5f "
           "peak_mib=%.1f target_s=3 ratio_to_target=%.3f fixest_published_s=3.5 "
           "ratio_to_fixest=%.3f\n",
           n, L, reps, t[reps / 2], t[0], c[reps / 2], r.outcome == TW_OUTCOME_CONVERGED,
           r.iterations, r.fe_sweeps, r.beta[0], r.beta[1], r.se[0], r.se[1],
           (double)ru.ru_maxrss / 1024.0, t[reps / 2] / 3.0, t[reps / 2] / 3.5);
    tw_ppml_result_free(&r);
    for (int d = 0; d < 3; d++) {
        free(fe[d]);
        free(eff[d]);
    }
    free(x);
    free(y);
    return 0;
}
