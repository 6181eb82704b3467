/*
 * test_nash_threads.c - tw_nash's worker threads (the review of issue #11):
 * the threads run every player's best response whatever their number:
 *   - a war gives the same answer with one thread, with one per player, and
 *     with more threads asked for than there are players;
 *   - with 65 players and 65 threads (an earlier version started at most 64
 *     and silently skipped the best responses of the others), one round
 *     moves every player's tariff off its starting value (this check fails
 *     when the 64-thread cap is put back into src/game.c).
 * The answers are compared with each other, not with stored values. (That a
 * round joins only the threads that started is read in src/game.c: a failed
 * pthread_create cannot be provoked reliably from a test.)
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

static tw_policy *war(const tw_model *m, int threads, tw_result *res)
{
    const size_t players[3] = {0, 1, 2};
    tw_game_options go;
    tw_game_options_default(&go);
    go.tol = 1e-8;
    go.threads = threads;
    go.best.xtol_rel = 1e-10;
    go.best.ftol_rel = 1e-14;
    tw_error err;
    tw_policy *p = tw_policy_create(m, &err);
    assert_non_null(p);
    tw_game_report rep;
    if (tw_nash(m, NULL, players, 3, &go, p, res, &rep, &err) != TW_OK)
        fail_msg("tw_nash with %d threads: %s", threads, err.message);
    assert_int_equal(rep.outcome, TW_OUTCOME_CONVERGED);
    return p;
}

static void test_thread_counts_agree(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_model_synthetic(3, 2, 17, 0.0, &m, &err), TW_OK);
    tw_result *res = tw_result_create(m, &err);
    assert_non_null(res);
    tw_policy *one = war(m, 1, res), *three = war(m, 3, res), *many = war(m, 100, res);
    const double *t1 = tw_policy_get(one, TW_TARIFFS), *t3 = tw_policy_get(three, TW_TARIFFS),
                 *tm = tw_policy_get(many, TW_TARIFFS);
    size_t len = tw_model_array_length(m, TW_TARIFFS), moved = 0;
    const double *base = tw_model_get(m, TW_TARIFFS);
    for (size_t x = 0; x < len; x++) {
        assert_close(t3[x], t1[x], 1e-6);
        assert_close(tm[x], t1[x], 1e-6);
        moved += fabs(t1[x] - base[x]) > 1e-3;
    }
    assert_true(moved > 0); /* the war moved tariffs: the comparison is not of untouched arrays */
    tw_policy_free(one);
    tw_policy_free(three);
    tw_policy_free(many);
    tw_result_free(res);
    tw_model_free(m);
}

/* No players, no player list, or a player that is not a country: an error,
 * not a war over an empty worker array (that read past its end). */
static void test_no_players_is_invalid(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_model_synthetic(3, 2, 17, 0.0, &m, &err), TW_OK);
    tw_result *res = tw_result_create(m, &err);
    tw_policy *p = tw_policy_create(m, &err);
    assert_non_null(res);
    assert_non_null(p);
    const size_t players[2] = {0, 3};
    assert_int_equal(tw_nash(m, NULL, players, 0, NULL, p, res, NULL, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "no players"));
    assert_int_equal(tw_nash(m, NULL, NULL, 2, NULL, p, res, NULL, &err), TW_ERR_INVALID);
    assert_int_equal(tw_nash(m, NULL, players, 2, NULL, p, res, NULL, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "player 1 is country 3 of 3"));
    assert_int_equal(tw_war(m, NULL, players, 0, NULL, 1, p, res, NULL, NULL, &err),
                     TW_ERR_INVALID);
    tw_policy_free(p);
    tw_result_free(res);
    tw_model_free(m);
}

static void test_more_than_64_threads(void **state)
{
    (void)state;
    enum { N = 65 };
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_model_synthetic(N, 1, 5, 0.0, &m, &err), TW_OK);
    size_t players[N];
    for (size_t k = 0; k < N; k++)
        players[k] = k;
    tw_game_options go;
    tw_game_options_default(&go);
    go.threads = N;
    go.max_rounds = 1;
    go.best.mfn = 1; /* one rate per player: a cheap best response */
    go.best.max_eval = 40;
    tw_policy *p = tw_policy_create(m, &err);
    tw_result *res = tw_result_create(m, &err);
    assert_non_null(p);
    assert_non_null(res);
    tw_game_report rep;
    tw_status st = tw_nash(m, NULL, players, N, &go, p, res, &rep, &err);
    if (st != TW_OK) /* the outcome is the round limit: one round is all this needs */
        fail_msg("tw_nash: %s", err.message);
    /* MFN: a player whose best response did not run keeps the mean of its
     * base rates (the instrument's starting value); every player moved off it */
    const double *base = tw_model_get(m, TW_TARIFFS);
    for (size_t n = 0; n < N; n++) {
        double mean = 0;
        for (size_t i = 0; i < N; i++)
            mean += i != n ? base[tw_idx3(N, 1, i, n, 0)] / (N - 1) : 0;
        double now = tw_policy_tariff(p, n == 0 ? 1 : 0, n, 0);
        if (!(fabs(now - mean) > 1e-3))
            fail_msg("player %zu: its tariff %g is still the mean of its base rates %g: no "
                     "best response ran for it",
                     n, now, mean);
    }
    tw_policy_free(p);
    tw_result_free(res);
    tw_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_counts_agree),
        cmocka_unit_test(test_more_than_64_threads),
        cmocka_unit_test(test_no_players_is_invalid),
    };
    return cmocka_run_group_tests_name("nash_threads", tests, NULL, NULL);
}
