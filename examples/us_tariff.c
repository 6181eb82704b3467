/* examples/us_tariff.c - the README's example as a complete program.
 *
 * The US raises its tariff on every Chinese goods sector by 15 percentage
 * points on the bundled 2017 economy; print US and Chinese welfare changes.
 * Every call's status is checked and a failure says why, with the library's
 * message (file, line and value for bad data).
 *
 * Build against an installed tradewar:
 *   cc us_tariff.c $(pkg-config --cflags --libs tradewar) -o us_tariff
 * Run: ./us_tariff DATA_DIR   (e.g. <prefix>/share/tradewar/data/us-china-2017)
 */
#include <stdio.h>
#include <stdlib.h>

#include <tradewar.h>

/* the first 22 of the bundled economy's 44 sectors are goods (data/us-china-2017/README.md) */
#define GOODS_SECTORS 22

static int fail(const char *what, tw_status st, const tw_error *err)
{
    fprintf(stderr, "us_tariff: %s: %s: %s\n", what, tw_strerror(st),
            err && err->message[0] ? err->message : "(no detail)");
    return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data/us-china-2017";
    tw_error err = {0};
    tw_model *raw = NULL, *base = NULL;
    tw_solver *solver = NULL;
    tw_policy *policy = NULL;
    tw_result *result = NULL;
    int rc = EXIT_FAILURE;
    tw_status st;

    if ((st = tw_load_any(dir, &raw, &err)) != TW_OK) {
        rc = fail("loading the data", st, &err);
        goto done;
    }
    if ((st = tw_baseline_build(raw, TW_DEFICIT_FIXED, NULL, &base, NULL, &err)) != TW_OK) {
        rc = fail("building the base equilibrium", st, &err);
        goto done;
    }
    long usa = tw_model_find_country(base, "USA"), chn = tw_model_find_country(base, "CHN");
    if (usa < 0 || chn < 0 || tw_model_sectors(base) < GOODS_SECTORS) {
        fprintf(stderr, "us_tariff: %s is not the bundled US-China economy\n", dir);
        goto done;
    }
    solver = tw_solver_create(base, NULL, &err);
    policy = tw_policy_create(base, &err);
    result = tw_result_create(base, &err);
    if (!solver || !policy || !result) { /* err: the reason of the last that failed */
        rc = fail("creating the solver, policy and result", err.code, &err);
        goto done;
    }
    for (size_t j = 0; j < GOODS_SECTORS; j++) {
        double now = tw_policy_tariff(policy, (size_t)chn, (size_t)usa, j);
        if ((st = tw_policy_set_tariff(policy, (size_t)chn, (size_t)usa, j, now + 0.15)) != TW_OK) {
            rc = fail("setting a tariff", st, &err);
            goto done;
        }
    }
    st = tw_solve(solver, policy, result, &err);
    if (st != TW_OK) { /* the call failed (bad arguments, memory) */
        rc = fail("solving", st, &err);
        goto done;
    }
    tw_solver_stats stats = tw_result_stats(result);
    if (stats.outcome != TW_OUTCOME_CONVERGED) { /* the call ran; how it ended says why */
        fprintf(stderr, "us_tariff: no equilibrium (%s after %ld iterations, residual %.3g): %s\n",
                tw_outcome_name(stats.outcome), stats.iterations, stats.residual, err.message);
        rc = EXIT_FAILURE;
        goto done;
    }
    const double *welfare = tw_result_country(result, TW_C_WELFARE_PCT);
    printf("US welfare %+.3f%%\nChina welfare %+.3f%%\n", welfare[usa], welfare[chn]);
    rc = EXIT_SUCCESS;
done:
    tw_result_free(result);
    tw_policy_free(policy);
    tw_solver_free(solver);
    tw_model_free(base);
    tw_model_free(raw);
    return rc;
}
