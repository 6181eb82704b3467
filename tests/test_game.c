/*
 * test_game.c - the strategic layer on small economies, against results that
 * do not depend on any published table:
 *   - the two-country optimal tariff satisfies t = 1 / (theta lambda_FF), the
 *     inverse of the partner's export supply elasticity (Gros 1987;
 *     Costinot and Rodriguez-Clare 2014), at several sizes and elasticities;
 *   - Lerner symmetry: the optimal export tax reaches the same welfare;
 *   - the adjoint gradient agrees with finite differences of re-solved
 *     equilibria, for tariffs, export taxes and subsidies;
 *   - the Nash war is a fixed point: no player gains by re-optimising;
 *   - Nash bargaining gives every player at least its war welfare;
 *   - enforcement: gains, losses and critical discount factors are
 *     consistent, and the smallest snapback deters deviation;
 *   - Ossa's cooperative rule: equal gains (over the factual, or over the
 *     war), and no more world welfare than the unconstrained optimum;
 *   - outcomes, each where it arises: a progress callback that asks to stop
 *     gets TW_OK with outcome "stopped" and the outputs at a consistent
 *     point; an evaluation limit gives "iteration-limit"; a threat point
 *     above everything feasible gives "infeasible"; a best response whose
 *     equilibria cannot converge gives "inner-not-converged"; a war cut
 *     at max_rounds gives "iteration-limit"; enforcement reports each
 *     player's outcomes.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static tw_model *two_country(double lam, double theta, double size2)
{
    tw_model *m = tw_model_create(2, 1, NULL);
    tw_model_set_country(m, 0, "HOME", NULL, NULL);
    tw_model_set_country(m, 1, "FOREIGN", NULL, NULL);
    tw_model_set_sector(m, 0, "all", NULL, NULL);
    const double X[4] = {lam * 100, (1 - lam) * 100, (1 - lam) * 100, lam * 100 * size2};
    const double one[2] = {1, 1};
    tw_model_set(m, TW_FLOWS, X, 4, NULL);
    tw_model_set(m, TW_VA_SHARES, one, 2, NULL);
    tw_model_set(m, TW_FINAL_SHARES, one, 2, NULL);
    tw_model_set(m, TW_IO_SHARES, one, 2, NULL);
    tw_model_set(m, TW_THETA, &theta, 1, NULL);
    return m;
}

static tw_solver *tight_solver(const tw_model *m)
{
    tw_solver_options so;
    tw_solver_options_default(&so);
    so.tol = 1e-13;
    tw_error err;
    tw_solver *s = tw_solver_create(m, &so, &err);
    if (!s)
        fail_msg("solver: %s", err.message);
    return s;
}

static tw_optimal_options tight_options(unsigned instruments)
{
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    o.instruments = instruments;
    o.lower = -0.5;
    o.xtol_rel = 1e-12;
    o.ftol_rel = 1e-15;
    return o;
}

/* ---- closed form -------------------------------------------------------- */

static void optimal_tariff_case(double lam, double theta, double size2)
{
    tw_model *m = two_country(lam, theta, size2);
    tw_solver *s = tight_solver(m);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    tw_optimal_options o = tight_options(TW_INSTRUMENT_IMPORT_TARIFFS);
    tw_optimal_report rep;
    tw_error err;
    if (tw_best_response(s, 0, &o, p, r, &rep, &err) != TW_OK)
        fail_msg("best response: %s", err.message);
    assert_int_equal(rep.outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(rep.variables, 1);
    const double *X = tw_result_flows(r);
    double lam_ff = X[3] / (X[3] + X[1]); /* Foreign's spending on its own goods */
    double t = tw_policy_tariff(p, 1, 0, 0);
    assert_close(t, 1 / (theta * lam_ff), 1e-6);
    assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[0] > 0);
    assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[1] < 0);

    /* Lerner symmetry: an export tax does as well as an import tariff */
    double w_tariff = tw_result_country(r, TW_C_WELFARE_PCT)[0];
    tw_policy_reset(p);
    o = tight_options(TW_INSTRUMENT_EXPORT_TAXES);
    if (tw_best_response(s, 0, &o, p, r, &rep, &err) != TW_OK)
        fail_msg("best response (export tax): %s", err.message);
    assert_close(tw_result_country(r, TW_C_WELFARE_PCT)[0], w_tariff, 1e-7);
    assert_close(tw_policy_export_tax(p, 0, 1, 0), t, 1e-5);
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
    tw_model_free(m);
}

static void test_two_country_optimal_tariff(void **state)
{
    (void)state;
    optimal_tariff_case(0.8, 4.0, 1.0);
    optimal_tariff_case(0.7, 5.0, 3.0); /* a small home country */
    optimal_tariff_case(0.9, 2.5, 0.5); /* a large home country */
}

/* ---- gradients ------------------------------------------------------------ */

static double welfare_at(tw_solver *s, const tw_policy *p, tw_result *r, size_t c)
{
    tw_error err;
    if (tt_solve(s, p, r, &err) != TW_OK)
        fail_msg("solve: %s", err.message);
    return 1 + tw_result_country(r, TW_C_WELFARE_PCT)[c] / 100;
}

static void gradient_case(unsigned instruments, double psi)
{
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_model_synthetic(4, 3, 7, psi, &m, &err), TW_OK);
    tw_solver *s = tight_solver(m);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    tw_optimal_options o = tight_options(instruments);
    size_t c = 1, K = tw_optimal_variables(m, c, &o);
    assert_true(K > 0);
    /* move away from the base so the gradient is not trivially zero anywhere */
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++)
            if (i != c)
                tw_policy_set_tariff(p, i, c, j,
                                     tw_policy_tariff(p, i, c, j) + 0.0731 * (double)(j + 1));
    tw_policy_set_subsidy(p, c, 0, 0.05);
    double w = 0, *g = calloc(K, sizeof *g);
    if (tw_welfare_gradient(s, p, c, &o, &w, g, K, &err) != TW_OK)
        fail_msg("gradient: %s", err.message);
    assert_close(w, welfare_at(s, p, r, c), 1e-12);
    /* central differences of the re-solved equilibrium, one instrument at a
     * time, in the documented order: importer tariffs by sector then partner,
     * export taxes likewise, then subsidies by sector */
    size_t k = 0;
    for (int pass = 0; pass < 3; pass++) {
        unsigned kind = pass == 0   ? TW_INSTRUMENT_IMPORT_TARIFFS
                        : pass == 1 ? TW_INSTRUMENT_EXPORT_TAXES
                                    : TW_INSTRUMENT_SUBSIDIES;
        if (!(instruments & kind))
            continue;
        for (size_t j = 0; j < 3; j++)
            for (size_t q = 0; q < (kind == TW_INSTRUMENT_SUBSIDIES ? 1u : 4u); q++) {
                if (kind != TW_INSTRUMENT_SUBSIDIES && q == c)
                    continue;
                tw_policy *pp = tw_policy_clone(p, NULL), *pm = tw_policy_clone(p, NULL);
                double h = 1e-5;
                if (kind == TW_INSTRUMENT_IMPORT_TARIFFS) {
                    double t = tw_policy_tariff(p, q, c, j);
                    tw_policy_set_tariff(pp, q, c, j, t + h);
                    tw_policy_set_tariff(pm, q, c, j, t - h);
                } else if (kind == TW_INSTRUMENT_EXPORT_TAXES) {
                    double e = tw_policy_export_tax(p, c, q, j);
                    tw_policy_set_export_tax(pp, c, q, j, e + h);
                    tw_policy_set_export_tax(pm, c, q, j, e - h);
                } else {
                    double sb = tw_policy_subsidy(p, c, j);
                    tw_policy_set_subsidy(pp, c, j, sb + h);
                    tw_policy_set_subsidy(pm, c, j, sb - h);
                }
                double fd = (welfare_at(s, pp, r, c) - welfare_at(s, pm, r, c)) / (2 * h);
                assert_true(k < K);
                if (!(fabs(g[k] - fd) <= 1e-6 * (fabs(fd) + 1e-3)))
                    fail_msg("instrument %zu (kind %u, sector %zu, partner %zu): adjoint %.10g, "
                             "finite differences %.10g",
                             k, kind, j, q, g[k], fd);
                k++;
                tw_policy_free(pp);
                tw_policy_free(pm);
            }
    }
    assert_int_equal(k, K);
    free(g);
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
    tw_model_free(m);
}

static void test_gradient_matches_finite_differences(void **state)
{
    (void)state;
    gradient_case(TW_INSTRUMENT_IMPORT_TARIFFS, 0.0);
    gradient_case(TW_INSTRUMENT_IMPORT_TARIFFS | TW_INSTRUMENT_EXPORT_TAXES |
                      TW_INSTRUMENT_SUBSIDIES,
                  0.0);
    gradient_case(TW_INSTRUMENT_IMPORT_TARIFFS | TW_INSTRUMENT_SUBSIDIES,
                  0.05); /* scale economies */
}

/* ---- wars, talks, enforcement --------------------------------------------- */

typedef struct {
    tw_model *m;
    size_t players[3];
    tw_policy *war;
    tw_result *war_res;
} war_fixture;

static int setup_war(void **state)
{
    war_fixture *f = calloc(1, sizeof *f);
    tw_error err;
    if (tw_model_synthetic(3, 2, 17, 0.0, &f->m, &err) != TW_OK)
        return -1;
    for (size_t k = 0; k < 3; k++)
        f->players[k] = k;
    f->war = tw_policy_create(f->m, NULL);
    f->war_res = tw_result_create(f->m, NULL);
    tw_game_options go;
    tw_game_options_default(&go);
    go.tol = 1e-7;
    go.threads = 2;
    go.best.xtol_rel = 1e-10;
    go.best.ftol_rel = 1e-14;
    tw_game_report rep;
    if (tw_nash(f->m, NULL, f->players, 3, &go, f->war, f->war_res, &rep, &err) != TW_OK ||
        rep.outcome != TW_OUTCOME_CONVERGED) {
        print_error("nash: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown_war(void **state)
{
    war_fixture *f = *state;
    tw_policy_free(f->war);
    tw_result_free(f->war_res);
    tw_model_free(f->m);
    free(f);
    return 0;
}

static void test_nash_is_fixed_point(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_result *r = tw_result_create(f->m, NULL);
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    o.xtol_rel = 1e-10;
    o.ftol_rel = 1e-14;
    const double *w_war = tw_result_country(f->war_res, TW_C_WELFARE_PCT);
    for (size_t k = 0; k < 3; k++) {
        tw_policy *p = tw_policy_clone(f->war, NULL);
        tw_error err;
        tw_optimal_report rep;
        tw_status st = tw_best_response(s, k, &o, p, r, &rep, &err);
        assert_int_equal(st, TW_OK);
        /* at a fixed point the optimiser may stall on round-off: still a best response */
        assert_true(rep.outcome == TW_OUTCOME_CONVERGED || rep.outcome == TW_OUTCOME_STALLED);
        double gain = tw_result_country(r, TW_C_WELFARE_PCT)[k] - w_war[k];
        if (gain > 1e-6) /* percent points */
            fail_msg("player %zu gains %.3g%% by deviating from the war", k, gain);
        tw_policy_free(p);
    }
    /* a war hurts: every player is worse off than at the base tariffs */
    for (size_t k = 0; k < 3; k++)
        assert_true(w_war[k] < 0.5);
    tw_result_free(r);
    tw_solver_free(s);
}

static void test_bargaining_beats_war(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_policy *p = tw_policy_create(f->m, NULL); /* start from the base tariffs */
    tw_result *r = tw_result_create(f->m, NULL);
    double threat[3];
    for (size_t k = 0; k < 3; k++)
        threat[k] = 1 + tw_result_country(f->war_res, TW_C_WELFARE_PCT)[k] / 100;
    tw_optimal_report rep;
    tw_error err;
    tw_status st = tw_bargain(s, f->players, 3, threat, NULL, p, r, &rep, &err);
    if (st != TW_OK || rep.outcome != TW_OUTCOME_CONVERGED)
        fail_msg("bargain: %s (%s)", err.message, tw_outcome_name(rep.outcome));
    for (size_t k = 0; k < 3; k++)
        assert_true(1 + tw_result_country(r, TW_C_WELFARE_PCT)[k] / 100 >= threat[k]);
    /* cooperation (equal weights) beats the war in total */
    tw_policy *q = tw_policy_create(f->m, NULL);
    st = tw_cooperate(s, f->players, 3, NULL, NULL, q, r, &rep, &err);
    assert_int_equal(st, TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_CONVERGED);
    double coop = 0, war = 0;
    for (size_t k = 0; k < 3; k++) {
        coop += tw_result_country(r, TW_C_WELFARE_PCT)[k];
        war += tw_result_country(f->war_res, TW_C_WELFARE_PCT)[k];
    }
    assert_true(coop > war);
    tw_policy_free(q);
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
}

static void test_enforcement(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_policy *agreement = tw_policy_create(f->m, NULL);
    for (size_t i = 0; i < 3; i++) /* free trade among the players */
        for (size_t n = 0; n < 3; n++)
            for (size_t j = 0; j < 2; j++)
                if (i != n)
                    tw_policy_set_tariff(agreement, i, n, j, 0.0);
    tw_enforcement e[3];
    tw_error err;
    assert_int_equal(tw_enforce(s, f->players, 3, NULL, agreement, f->war, e, &err), TW_OK);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(e[k].agreement_outcome, TW_OUTCOME_CONVERGED);
        assert_int_equal(e[k].punishment_outcome, TW_OUTCOME_CONVERGED);
        assert_int_equal(e[k].deviation_outcome, TW_OUTCOME_CONVERGED);
        assert_int_equal(tw_enforcement_outcome(&e[k]), TW_OUTCOME_CONVERGED);
        assert_true(e[k].deviation_gain >= -1e-9); /* a best response cannot lose */
        assert_close(e[k].deviation_gain, e[k].deviation_welfare - e[k].agreement_welfare, 1e-12);
        assert_close(e[k].punishment_loss, e[k].agreement_welfare - e[k].punishment_welfare, 1e-12);
        if (e[k].punishment_loss > 0 && e[k].deviation_gain > 0)
            assert_close(e[k].critical_discount,
                         e[k].deviation_gain / (e[k].deviation_gain + e[k].punishment_loss), 1e-12);
        assert_true(e[k].critical_discount >= 0);
    }
    /* the smallest snapback that deters player 0 at delta = 0.9 does deter it,
     * and a clearly smaller one does not */
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    o.upper = 3.0;
    double snap = 0;
    tw_outcome so = TW_OUTCOME_NONE;
    assert_int_equal(tw_min_snapback(s, 0, f->players, 3, &o, agreement, 0.9, &snap, &so, &err),
                     TW_OK);
    assert_int_equal(so, TW_OUTCOME_CONVERGED);
    if (isfinite(snap) && snap > 1e-3) {
        tw_enforcement at, below;
        assert_int_equal(tw_enforce_snapback(s, 0, f->players, 3, &o, agreement, snap, &at, &err),
                         TW_OK);
        assert_true(at.deviation_gain <= 0.9 / 0.1 * at.punishment_loss * (1 + 1e-6));
        assert_int_equal(tw_enforce_snapback(s, 0, f->players, 3, &o, agreement, 0.8 * snap, &below,
                                             &err),
                         TW_OK);
        assert_true(below.deviation_gain > 0.9 / 0.1 * below.punishment_loss);
    }
    /* bad arguments */
    assert_int_equal(tw_min_snapback(s, 0, f->players, 3, &o, agreement, 1.5, &snap, NULL, &err),
                     TW_ERR_INVALID);
    size_t twice[2] = {1, 1};
    assert_int_equal(tw_enforce(s, twice, 2, NULL, agreement, f->war, e, &err), TW_ERR_INVALID);
    tw_policy_free(agreement);
    tw_solver_free(s);
}

static double gain_sum(const tw_result *r, size_t n)
{
    double g = 0;
    for (size_t k = 0; k < n; k++)
        g += tw_result_country(r, TW_C_WELFARE_PCT)[k];
    return g;
}

static void test_equal_gains(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_result *r = tw_result_create(f->m, NULL);
    tw_policy *p = tw_policy_create(f->m, NULL);
    tw_optimal_report rep;
    tw_error err;
    tw_status st = tw_cooperate_equal(s, f->players, 3, NULL, NULL, p, r, &rep, &err);
    if (st != TW_OK)
        fail_msg("equal gains: %s", err.message);
    const double *w = tw_result_country(r, TW_C_WELFARE_PCT);
    assert_true(fabs(w[1] - w[0]) < 1e-6 && fabs(w[2] - w[0]) < 1e-6);
    assert_true(rep.outcome == TW_OUTCOME_CONVERGED && rep.projected_gradient < 1e-6);
    assert_near(rep.objective, fmin(w[0], fmin(w[1], w[2])), 1e-12);
    /* the factual is feasible (every gain 0), so the optimum gains no less */
    assert_true(w[0] > -1e-9);
    double equal = gain_sum(r, 3);
    /* the rule constrains the unconstrained (equal-weight) optimum */
    tw_policy *q = tw_policy_create(f->m, NULL);
    tw_optimal_report qrep;
    st = tw_cooperate(s, f->players, 3, NULL, NULL, q, r, &qrep, &err);
    assert_int_equal(st, TW_OK);
    assert_int_equal(qrep.outcome, TW_OUTCOME_CONVERGED);
    assert_true(equal <= gain_sum(r, 3) + 1e-7);
    /* over the war: equal gains over each player's war welfare */
    double war[3];
    for (size_t k = 0; k < 3; k++)
        war[k] = 1 + tw_result_country(f->war_res, TW_C_WELFARE_PCT)[k] / 100;
    tw_policy_reset(p);
    st = tw_cooperate_equal(s, f->players, 3, war, NULL, p, r, &rep, &err);
    if (st != TW_OK)
        fail_msg("equal gains over the war: %s", err.message);
    double g0 = 1 + w[0] / 100 - war[0];
    assert_true(g0 > 0);
    for (size_t k = 1; k < 3; k++)
        assert_near(1 + w[k] / 100 - war[k], g0, 1e-8);
    /* errors */
    assert_int_equal(tw_cooperate_equal(s, f->players, 1, NULL, NULL, p, r, NULL, &err),
                     TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "two players"));
    war[1] = -0.5;
    assert_int_equal(tw_cooperate_equal(s, f->players, 3, war, NULL, p, r, NULL, &err),
                     TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "reference welfare"));
    tw_policy_free(q);
    tw_policy_free(p);
    tw_result_free(r);
    tw_solver_free(s);
}

typedef struct {
    int calls, stop_after;
    long last_evals;
    int monotone;
} stop_counter;

static int stop_cb(void *user, const tw_progress *p)
{
    stop_counter *c = user;
    c->monotone &= p->evaluations >= c->last_evals && p->seconds >= 0;
    c->last_evals = p->evaluations;
    return ++c->calls >= c->stop_after;
}

static void test_user_stop(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_result *r = tw_result_create(f->m, NULL), *r2 = tw_result_create(f->m, NULL);
    tw_policy *p = tw_policy_create(f->m, NULL);
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    stop_counter c = {0, 3, 0, 1};
    o.progress = stop_cb;
    o.progress_user = &c;
    tw_optimal_report rep;
    tw_error err;
    assert_int_equal(tw_best_response(s, 0, &o, p, r, &rep, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_STOPPED);
    assert_string_equal(tw_outcome_name(rep.outcome), "stopped");
    assert_int_equal(c.calls, 3);
    assert_true(c.monotone);
    /* the best point so far is kept: no worse than the start (the base, gain 0) */
    assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[0] > 0);
    assert_near(100 * (rep.objective - 1), tw_result_country(r, TW_C_WELFARE_PCT)[0], 1e-9);
    /* the outputs are the equilibrium of the policy returned */
    assert_int_equal(tt_solve(s, p, r2, &err), TW_OK);
    assert_near(tw_result_country(r, TW_C_WELFARE_PCT)[0],
                tw_result_country(r2, TW_C_WELFARE_PCT)[0], 1e-8);
    /* a war stops too, at the last completed round */
    tw_game_options go;
    tw_game_options_default(&go);
    go.threads = 2;
    stop_counter cw = {0, 5, 0, 1};
    go.best.progress = stop_cb;
    go.best.progress_user = &cw;
    tw_policy_reset(p);
    tw_game_report grep;
    assert_int_equal(tw_nash(f->m, NULL, f->players, 3, &go, p, r, &grep, &err), TW_OK);
    assert_int_equal(grep.outcome, TW_OUTCOME_STOPPED);
    assert_int_equal(cw.calls, 5);
    assert_int_equal(tt_solve(s, p, r2, &err), TW_OK);
    assert_near(tw_result_country(r, TW_C_WELFARE_PCT)[1],
                tw_result_country(r2, TW_C_WELFARE_PCT)[1], 1e-8);
    tw_policy_free(p);
    tw_result_free(r);
    tw_result_free(r2);
    tw_solver_free(s);
}

/* Each outcome where it arises, with status TW_OK and the outputs at the
 * point reached. */
static void test_outcomes(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_result *r = tw_result_create(f->m, NULL), *r2 = tw_result_create(f->m, NULL);
    tw_policy *p = tw_policy_create(f->m, NULL);
    tw_error err;
    /* names: stable keys, round trip, and out of range */
    for (int o = 0; o < TW_OUTCOME_COUNT; o++) {
        assert_int_equal(tw_outcome_from_name(tw_outcome_name((tw_outcome)o)), o);
        assert_true(strlen(tw_outcome_description((tw_outcome)o)) > 5);
    }
    assert_string_equal(tw_outcome_name(TW_OUTCOME_INNER_NOT_CONVERGED), "inner-not-converged");
    assert_string_equal(tw_outcome_name(TW_OUTCOME_COUNT), "unknown");
    assert_int_equal(tw_outcome_from_name("max_iter"), TW_OUTCOME_COUNT);
    /* the evaluation limit of the optimiser */
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    o.max_eval = 2;
    tw_optimal_report rep;
    assert_int_equal(tw_best_response(s, 1, &o, p, r, &rep, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_ITERATION_LIMIT);
    assert_int_equal(err.code, TW_OK);
    assert_non_null(strstr(err.message, "iteration-limit"));
    assert_true(rep.evaluations < 10); /* the limit counts the optimiser's calls only */
    assert_int_equal(tt_solve(s, p, r2, &err), TW_OK); /* outputs: the point reached */
    assert_near(tw_result_country(r, TW_C_WELFARE_PCT)[1],
                tw_result_country(r2, TW_C_WELFARE_PCT)[1], 1e-8);
    /* equilibria that cannot converge (one iteration, no fallback) inside a best response */
    tw_solver_options so;
    tw_solver_options_default(&so);
    so.max_iter = 1;
    so.fallback = 0;
    tw_solver *weak = tw_solver_create(f->m, &so, &err);
    tw_policy_reset(p);
    tw_policy_set_tariff(p, 0, 1, 0, 0.4); /* away from the base: no solve is trivial */
    tw_optimal_options_default(&o);
    assert_int_equal(tw_best_response(weak, 1, &o, p, r, &rep, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_INNER_NOT_CONVERGED);
    assert_int_not_equal(tw_result_stats(r).outcome, TW_OUTCOME_CONVERGED);
    /* a plain solve reports the same as its own outcome */
    assert_int_equal(tw_solve(weak, p, r, &err), TW_OK);
    assert_int_equal(tw_result_stats(r).outcome, TW_OUTCOME_ITERATION_LIMIT);
    /* a welfare gradient needs an equilibrium: there the call fails */
    double wv, grad[64];
    size_t K = tw_optimal_variables(f->m, 1, &o);
    assert_true(K <= 64);
    assert_int_equal(tw_welfare_gradient(weak, p, 1, &o, &wv, grad, K, &err), TW_ERR_NUMERICAL);
    /* enforcement with those equilibria says so for each player */
    tw_enforcement e[3];
    assert_int_equal(tw_enforce(weak, f->players, 3, NULL, p, f->war, e, &err), TW_OK);
    for (size_t k = 0; k < 3; k++) {
        assert_int_not_equal(e[k].agreement_outcome, TW_OUTCOME_CONVERGED);
        assert_int_not_equal(tw_enforcement_outcome(&e[k]), TW_OUTCOME_CONVERGED);
    }
    tw_solver_free(weak);
    /* a war cut at its round limit */
    tw_game_options go;
    tw_game_options_default(&go);
    go.max_rounds = 1;
    tw_game_report grep;
    tw_policy_reset(p);
    assert_int_equal(tw_nash(f->m, NULL, f->players, 3, &go, p, r, &grep, &err), TW_OK);
    assert_int_equal(grep.outcome, TW_OUTCOME_ITERATION_LIMIT);
    assert_int_equal(grep.rounds, 1);
    assert_non_null(strstr(err.message, "did not settle"));
    tw_policy_free(p);
    tw_result_free(r);
    tw_result_free(r2);
    tw_solver_free(s);
}

/* The warm-up is the two calls it stands for: tw_optimal = the MFN optimum,
 * then the bilateral one from it; tw_war = the MFN war, then the war. */
static void test_warmup_is_two_calls(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_policy *p = tw_policy_create(f->m, NULL), *q = tw_policy_create(f->m, NULL);
    tw_result *r = tw_result_create(f->m, NULL), *r2 = tw_result_create(f->m, NULL);
    tw_error err;
    tw_optimal_options o, mfn;
    tw_optimal_options_default(&o);
    mfn = o;
    mfn.mfn = 1;
    tw_optimal_report rep, warm, a, b;
    assert_int_equal(tw_optimal(s, 2, &o, 1, p, r, &rep, &warm, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(warm.outcome, TW_OUTCOME_CONVERGED);
    assert_true(warm.variables < rep.variables); /* one rate per sector, then by partner */
    assert_int_equal(tw_best_response(s, 2, &mfn, q, r2, &a, &err), TW_OK);
    assert_int_equal(tw_best_response(s, 2, &o, q, r2, &b, &err), TW_OK);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 2; j++)
            assert_true(tw_policy_tariff(p, i, 2, j) == tw_policy_tariff(q, i, 2, j));
    assert_true(rep.evaluations == b.evaluations && warm.evaluations == a.evaluations);
    /* no warm-up where it means nothing (MFN asked for) or when not asked */
    tw_policy_reset(p);
    assert_int_equal(tw_optimal(s, 2, &mfn, 1, p, r, &rep, &warm, &err), TW_OK);
    assert_int_equal(warm.outcome, TW_OUTCOME_NONE);
    assert_int_equal(tw_optimal(s, 2, &o, 0, p, r, &rep, NULL, &err), TW_OK);
    /* the war */
    tw_game_options go, gm;
    tw_game_options_default(&go);
    gm = go;
    gm.best.mfn = 1;
    tw_game_report wr, ww, wa, wb;
    tw_policy_reset(p);
    tw_policy_reset(q);
    assert_int_equal(tw_war(f->m, NULL, f->players, 3, &go, 1, p, r, &wr, &ww, &err), TW_OK);
    assert_int_equal(wr.outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(ww.outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(tw_nash(f->m, NULL, f->players, 3, &gm, q, r2, &wa, &err), TW_OK);
    assert_int_equal(tw_nash(f->m, NULL, f->players, 3, &go, q, r2, &wb, &err), TW_OK);
    assert_true(wr.rounds == wb.rounds && ww.rounds == wa.rounds);
    for (size_t k = 0; k < 3; k++)
        assert_true(tw_result_country(r, TW_C_WELFARE_PCT)[k] ==
                    tw_result_country(r2, TW_C_WELFARE_PCT)[k]);
    /* a stop in the warm-up ends the call there */
    stop_counter c = {0, 2, 0, 1};
    o.progress = stop_cb;
    o.progress_user = &c;
    tw_policy_reset(p);
    assert_int_equal(tw_optimal(s, 2, &o, 1, p, r, &rep, &warm, &err), TW_OK);
    assert_int_equal(warm.outcome, TW_OUTCOME_STOPPED);
    assert_int_equal(rep.outcome, TW_OUTCOME_STOPPED);
    tw_policy_free(p);
    tw_policy_free(q);
    tw_result_free(r);
    tw_result_free(r2);
    tw_solver_free(s);
}

/* Talks: the stages are the calls they stand for, and bargaining beats the war. */
static void test_talks(void **state)
{
    war_fixture *f = *state;
    tw_solver *s = tight_solver(f->m);
    tw_policy *sq = tw_policy_create(f->m, NULL), *p = tw_policy_create(f->m, NULL);
    tw_result *r = tw_result_create(f->m, NULL);
    tw_error err;
    tw_talks *t = tw_talks_create(s, NULL, f->players, 3, sq, &err);
    assert_non_null(t);
    assert_null(tw_talks_policy(t, TW_TALKS_WAR)); /* nothing reached yet */
    tw_talks_options o;
    tw_talks_options_default(&o);
    tw_talks_report rep;
    assert_int_equal(tw_talks_run(t, &o, &rep, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_CONVERGED);
    for (int k = 0; k < TW_TALKS_STAGES; k++)
        assert_true(rep.reached[k] && tw_talks_policy(t, (tw_talks_stage)k) &&
                    tw_talks_result(t, (tw_talks_stage)k));
    assert_non_null(rep.bargain_start);
    const tw_result *war = tw_talks_result(t, TW_TALKS_WAR);
    const tw_result *barg = tw_talks_result(t, TW_TALKS_BARGAIN);
    const tw_result *coop = tw_talks_result(t, TW_TALKS_COOPERATIVE);
    double wsum = 0, csum = 0;
    for (size_t k = 0; k < 3; k++) {
        /* the war is the fixture's (which has tighter tolerances and no warm-up) */
        assert_near(tw_result_country(war, TW_C_WELFARE_PCT)[k],
                    tw_result_country(f->war_res, TW_C_WELFARE_PCT)[k], 1e-5);
        assert_true(tw_result_country(barg, TW_C_WELFARE_PCT)[k] >=
                    tw_result_country(war, TW_C_WELFARE_PCT)[k]);
        wsum += tw_result_country(war, TW_C_WELFARE_PCT)[k];
        csum += tw_result_country(coop, TW_C_WELFARE_PCT)[k];
    }
    assert_true(csum > wsum);
    /* the cooperative stage is tw_cooperate from the status quo */
    tw_optimal_report crep;
    assert_int_equal(tw_cooperate(s, f->players, 3, NULL, NULL, p, r, &crep, &err), TW_OK);
    for (size_t k = 0; k < 3; k++)
        assert_near(tw_result_country(r, TW_C_WELFARE_PCT)[k],
                    tw_result_country(coop, TW_C_WELFARE_PCT)[k], 1e-9);
    /* resumed at the bargain: it starts from the given point */
    assert_int_equal(tw_talks_resume(t, TW_TALKS_BARGAIN, tw_talks_policy(t, TW_TALKS_BARGAIN), 1,
                                     &err),
                     TW_OK);
    o.cooperation = TW_COOPERATION_EQUAL_GAINS;
    assert_int_equal(tw_talks_run(t, &o, &rep, &err), TW_OK);
    assert_string_equal(rep.bargain_start, "given");
    /* no bargaining asked for */
    o.bargain = 0;
    tw_talks *t2 = tw_talks_create(s, NULL, f->players, 3, sq, &err);
    assert_int_equal(tw_talks_run(t2, &o, &rep, &err), TW_OK);
    assert_false(rep.reached[TW_TALKS_BARGAIN]);
    assert_null(tw_talks_policy(t2, TW_TALKS_BARGAIN));
    /* a stop: the stages so far, outcome stopped */
    tw_talks_options_default(&o);
    stop_counter c = {0, 4, 0, 1};
    o.game.best.progress = stop_cb;
    o.game.best.progress_user = &c;
    assert_int_equal(tw_talks_run(t2, &o, &rep, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_STOPPED);
    assert_int_equal(rep.stage, TW_TALKS_WAR);
    assert_true(rep.reached[TW_TALKS_WAR] && !rep.reached[TW_TALKS_COOPERATIVE]);
    /* bad arguments */
    assert_null(tw_talks_create(s, NULL, f->players, 0, sq, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    assert_int_equal(tw_talks_resume(t2, TW_TALKS_STATUS_QUO, sq, 0, &err), TW_ERR_INVALID);
    tw_talks_free(t2);
    tw_talks_free(t);
    tw_talks_free(NULL);
    tw_policy_free(sq);
    tw_policy_free(p);
    tw_result_free(r);
    tw_solver_free(s);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    tw_model *m = two_country(0.8, 4.0, 1.0);
    tw_solver *s = tight_solver(m);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    tw_error err;
    tw_optimal_options o;
    tw_optimal_options_default(&o);
    unsigned char none[1] = {0};
    o.sectors = none; /* nothing left to choose */
    assert_int_equal(tw_optimal_variables(m, 0, &o), 0);
    assert_int_equal(tw_best_response(s, 0, &o, p, r, NULL, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "no instrument"));
    double threat[2] = {2.0, 2.0}; /* unreachable */
    size_t players[2] = {0, 1};
    tw_optimal_report rep;
    assert_int_equal(tw_bargain(s, players, 2, threat, NULL, p, r, &rep, &err), TW_OK);
    assert_int_equal(rep.outcome, TW_OUTCOME_INFEASIBLE);
    assert_string_equal(tw_outcome_name(rep.outcome), "infeasible");
    assert_int_equal(err.code, TW_OK);
    assert_non_null(strstr(err.message, "threat point"));
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
    tw_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_country_optimal_tariff),
        cmocka_unit_test(test_gradient_matches_finite_differences),
        cmocka_unit_test(test_bad_arguments),
    };
    const struct CMUnitTest war_tests[] = {
        cmocka_unit_test(test_nash_is_fixed_point), cmocka_unit_test(test_bargaining_beats_war),
        cmocka_unit_test(test_enforcement),         cmocka_unit_test(test_equal_gains),
        cmocka_unit_test(test_user_stop),           cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_warmup_is_two_calls), cmocka_unit_test(test_talks),
    };
    int failed = cmocka_run_group_tests_name("game", tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("game (war fixture)", war_tests, setup_war, teardown_war);
    return failed;
}
