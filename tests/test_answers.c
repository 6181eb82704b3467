/*
 * test_answers.c - the outcomes that let a result be set beside published
 * ones (issue 10): real and nominal GDP, elasticity control and the
 * diagnostics and warnings near the model's edge. Each test checks an
 * identity or an independent computation:
 *   nominal GDP = value added + net taxes (from sector outputs);
 *   world real GDP at base prices = world real final spending (every flow
 *   enters one exporter's and one importer's GDP with the same volume);
 *   real GDP = real income in the symmetric one-sector balanced case with
 *   no revenue (the ACR closed form).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tw_model *synth(size_t N, size_t J, unsigned long seed, double psi)
{
    tw_model *m = NULL;
    tw_error err;
    if (tw_model_synthetic(N, J, seed, psi, &m, &err) != TW_OK)
        fail_msg("synthetic: %s", err.message);
    return m;
}

static void solve(const tw_model *m, const tw_policy *p, tw_result *r)
{
    tw_error err;
    tw_solver *s = tw_solver_create(m, NULL, &err);
    if (!s)
        fail_msg("tw_solver_create: %s", err.message);
    if (tt_solve(s, p, r, &err) != TW_OK)
        fail_msg("tw_solve: %s", err.message);
    tw_solver_free(s);
}

/* ---- real and nominal GDP -------------------------------------------------- */

static void test_gdp_identities(void **state)
{
    (void)state;
    tw_model *m = synth(4, 5, 7, 0);
    size_t N = 4, J = 5;
    tw_policy *p = tw_policy_create(m, NULL);
    for (size_t j = 0; j < J; j++) {
        tw_policy_set_tariff(p, 1, 0, j, tw_policy_tariff(p, 1, 0, j) + 0.25);
        tw_policy_set_tariff(p, 0, 1, j, tw_policy_tariff(p, 0, 1, j) + 0.10);
        tw_policy_set_export_tax(p, 2, 0, j, 0.05);
    }
    tw_policy_set_subsidy(p, 3, 1, 0.1);
    double inc[4];
    tw_model_derive(m, TW_DERIVED_INCOME, inc, N);
    tw_policy_set_deficit(p, 2, 0.02 * inc[2]); /* unbalanced trade */
    tw_policy_set_deficit(p, 0, -0.02 * inc[2]);
    tw_result *r = tw_result_create(m, NULL);
    solve(m, p, r);
    const double *g0 = tw_result_country(r, TW_C_GDP_BASE), *g1 = tw_result_country(r, TW_C_GDP);
    const double *q = tw_result_country(r, TW_C_REAL_GDP_PCT);
    const double *inc0 = tw_result_country(r, TW_C_INCOME_BASE);
    const double *W = tw_result_country(r, TW_C_WELFARE_PCT);
    const double *Y = tw_result_sector(r, TW_CS_OUTPUT);
    const double *beta = tw_model_get(m, TW_VA_SHARES), *pi = tw_model_get(m, TW_MARKUP);
    const double *R = tw_result_country(r, TW_C_TARIFF_REVENUE);
    const double *XT = tw_result_country(r, TW_C_EXPORT_TAX_REVENUE);
    const double *SUB = tw_result_country(r, TW_C_SUBSIDY_COST);
    double world_gdp = 0, world_real_spending = 0, va0[4];
    tw_model_derive(m, TW_DERIVED_VALUE_ADDED, va0, N);
    double tr0[4];
    tw_model_derive(m, TW_DERIVED_TARIFF_REVENUE, tr0, N);
    for (size_t n = 0; n < N; n++) {
        /* nominal GDP = value added + net tax revenue, from sector outputs */
        double va = 0;
        for (size_t j = 0; j < J; j++) {
            size_t nj = tw_idx2(J, n, j);
            va += (beta[nj] * (1 - pi[j]) + pi[j]) * Y[nj];
        }
        assert_close(g1[n], va + R[n] + XT[n] - SUB[n], 1e-8);
        /* the synthetic base has no export taxes or subsidies */
        assert_close(g0[n], va0[n] + tr0[n], 1e-9);
        world_gdp += g0[n] * (1 + q[n] / 100);
        world_real_spending += inc0[n] * (1 + W[n] / 100);
        assert_true(isfinite(q[n]));
    }
    assert_close(world_gdp, world_real_spending, 1e-10);
    /* the answer moved real GDP: the identity is not met by zeros */
    assert_true(fabs(q[0]) > 1e-4);
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}

/* Two symmetric countries, one sector, balanced trade, no tariffs: a
 * symmetric trade-cost change moves both price indices alike, so real GDP at
 * base prices equals real income, which has the closed form
 * (lam'/lam)^(-1/(theta beta)) - 1 (Arkolakis-Costinot-Rodriguez-Clare). */
static void symmetric_case(double lam, double beta, double theta, double d)
{
    tw_model *m = tw_model_create(2, 1, NULL);
    tw_model_set_country(m, 0, "HOME", NULL, NULL);
    tw_model_set_country(m, 1, "FOREIGN", NULL, NULL);
    tw_model_set_sector(m, 0, "all", NULL, NULL);
    const double X[4] = {lam * 100, (1 - lam) * 100, (1 - lam) * 100, lam * 100};
    const double b[2] = {beta, beta}, one[2] = {1, 1};
    tw_model_set(m, TW_FLOWS, X, 4, NULL);
    tw_model_set(m, TW_VA_SHARES, b, 2, NULL);
    tw_model_set(m, TW_FINAL_SHARES, one, 2, NULL);
    tw_model_set(m, TW_IO_SHARES, one, 2, NULL);
    tw_model_set(m, TW_THETA, &theta, 1, NULL);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_policy_set_trade_cost_change(p, 0, 1, 0, d);
    tw_policy_set_trade_cost_change(p, 1, 0, 0, d);
    tw_result *r = tw_result_create(m, NULL);
    solve(m, p, r);
    double lam1 = lam / (lam + (1 - lam) * pow(d, -theta));
    double want = 100 * (pow(lam1 / lam, -1 / (theta * beta)) - 1);
    for (size_t n = 0; n < 2; n++) {
        assert_close(tw_result_country(r, TW_C_REAL_GDP_PCT)[n], want, 1e-8);
        assert_close(tw_result_country(r, TW_C_GDP)[n], tw_result_country(r, TW_C_INCOME)[n],
                     1e-12);
    }
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}

static void test_gdp_symmetric_equals_real_income(void **state)
{
    (void)state;
    symmetric_case(0.8, 1.0, 4.0, 1.25);
    symmetric_case(0.65, 1.0, 8.28, 0.83);
    symmetric_case(0.7, 0.4, 5.0, 1.5);
}

/* No change: real GDP unchanged, nominal GDP the base's. */
static void test_gdp_no_change(void **state)
{
    (void)state;
    tw_model *m = synth(3, 4, 11, 0.1);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    solve(m, p, r);
    for (size_t n = 0; n < 3; n++) {
        assert_near(tw_result_country(r, TW_C_REAL_GDP_PCT)[n], 0, 1e-8);
        assert_close(tw_result_country(r, TW_C_GDP)[n], tw_result_country(r, TW_C_GDP_BASE)[n],
                     1e-9);
    }
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}


/* ---- elasticities ------------------------------------------------------------ */

static void test_scale_elasticities(void **state)
{
    (void)state;
    tw_model *m = synth(3, 4, 5, 0.1), *c = tw_model_clone(m, NULL);
    tw_error err;
    assert_int_equal(tw_model_scale_elasticities(c, 1, 1, &err), TW_OK);
    for (size_t j = 0; j < 4; j++) {
        assert_true(tw_model_get(c, TW_THETA)[j] == tw_model_get(m, TW_THETA)[j]);
        assert_true(tw_model_get(c, TW_PSI)[j] == tw_model_get(m, TW_PSI)[j]);
    }
    assert_int_equal(tw_model_scale_elasticities(c, 0.5, 0, &err), TW_OK);
    for (size_t j = 0; j < 4; j++) {
        assert_close(tw_model_get(c, TW_THETA)[j], 0.5 * tw_model_get(m, TW_THETA)[j], 1e-15);
        assert_true(tw_model_get(c, TW_PSI)[j] == 0);
    }
    /* bad scales leave the model as it is */
    assert_int_equal(tw_model_scale_elasticities(c, 0, 1, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "theta scale"));
    assert_int_equal(tw_model_scale_elasticities(c, 1, -1, &err), TW_ERR_INVALID);
    assert_int_equal(tw_model_scale_elasticities(c, NAN, 1, &err), TW_ERR_INVALID);
    assert_close(tw_model_get(c, TW_THETA)[0], 0.5 * tw_model_get(m, TW_THETA)[0], 1e-15);
    tw_model_free(c);
    tw_model_free(m);
}

/* psi scaled by 0 solves exactly as a model whose psi is 0 */
static void test_psi_scale_zero_equals_psi_zero(void **state)
{
    (void)state;
    tw_model *m = synth(3, 4, 9, 0.15), *a = tw_model_clone(m, NULL), *b = tw_model_clone(m, NULL);
    double zero[4] = {0, 0, 0, 0};
    assert_int_equal(tw_model_scale_elasticities(a, 1, 0, NULL), TW_OK);
    assert_int_equal(tw_model_set(b, TW_PSI, zero, 4, NULL), TW_OK);
    tw_policy *pa = tw_policy_create(a, NULL), *pb = tw_policy_create(b, NULL);
    for (size_t j = 0; j < 2; j++) {
        tw_policy_set_tariff(pa, 1, 0, j, 0.3);
        tw_policy_set_tariff(pb, 1, 0, j, 0.3);
    }
    tw_result *ra = tw_result_create(a, NULL), *rb = tw_result_create(b, NULL),
              *rm = tw_result_create(m, NULL);
    solve(a, pa, ra);
    solve(b, pb, rb);
    tw_policy *pm = tw_policy_create(m, NULL);
    for (size_t j = 0; j < 2; j++)
        tw_policy_set_tariff(pm, 1, 0, j, 0.3);
    solve(m, pm, rm);
    for (size_t n = 0; n < 3; n++) {
        assert_close(tw_result_country(ra, TW_C_WELFARE_PCT)[n],
                     tw_result_country(rb, TW_C_WELFARE_PCT)[n], 1e-12);
        assert_close(tw_result_country(ra, TW_C_REAL_GDP_PCT)[n],
                     tw_result_country(rb, TW_C_REAL_GDP_PCT)[n], 1e-12);
    }
    /* and differs from the answer with scale economies */
    assert_true(fabs(tw_result_country(rm, TW_C_WELFARE_PCT)[0] -
                     tw_result_country(ra, TW_C_WELFARE_PCT)[0]) > 1e-6);
    tw_result_free(ra), tw_result_free(rb), tw_result_free(rm);
    tw_policy_free(pa), tw_policy_free(pb), tw_policy_free(pm);
    tw_model_free(a), tw_model_free(b), tw_model_free(m);
}

static void test_apply_elasticities_file(void **state)
{
    (void)state;
    tw_model *m = synth(2, 3, 3, 0.2);
    char path[4200];
    const char *dir = tt_tmpdir();
    tw_error err;
    double psi0 = tw_model_get(m, TW_PSI)[1];
    snprintf(path, sizeof path, "%s/e.csv", dir);
    char text[512];
    snprintf(text, sizeof text, "sector,theta\n%s,2.5\n%s,3.5\n%s,4.5\n",
             tw_model_sector_code(m, 2), tw_model_sector_code(m, 0), tw_model_sector_code(m, 1));
    assert_int_equal(tt_write_file(path, text), 0);
    assert_int_equal(tw_model_apply_elasticities(m, path, NULL, &err), TW_OK);
    assert_true(tw_model_get(m, TW_THETA)[0] == 3.5 && tw_model_get(m, TW_THETA)[2] == 2.5);
    assert_true(tw_model_get(m, TW_PSI)[1] == psi0); /* no psi column: kept */
    /* errors name file, line and value and leave m as it was */
    snprintf(text, sizeof text, "sector,theta,psi\n%s,2,0\n%s,3,-0.5\n%s,4,0\n",
             tw_model_sector_code(m, 0), tw_model_sector_code(m, 1), tw_model_sector_code(m, 2));
    assert_int_equal(tt_write_file(path, text), 0);
    assert_int_equal(tw_model_apply_elasticities(m, path, NULL, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "e.csv:3"));
    assert_non_null(strstr(err.message, "-0.5"));
    assert_true(tw_model_get(m, TW_THETA)[0] == 3.5);
    snprintf(text, sizeof text, "sector,theta\n%s,2\n", tw_model_sector_code(m, 0));
    assert_int_equal(tt_write_file(path, text), 0);
    assert_int_equal(tw_model_apply_elasticities(m, path, NULL, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "no row for sector"));
    assert_int_equal(tt_write_file(path, "theta\n2\n"), 0);
    assert_int_equal(tw_model_apply_elasticities(m, path, NULL, &err), TW_ERR_PARSE);
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    assert_int_equal(tw_model_apply_elasticities(m, path, NULL, &err), TW_ERR_IO);
    assert_int_equal(tw_model_apply_elasticities(m, "kitchen_sink", NULL, &err),
                     TW_ERR_UNKNOWN_NAME);
    assert_non_null(strstr(err.message, "kitchen_sink"));
    assert_int_equal(tw_model_apply_elasticities(m, "", NULL, &err), TW_ERR_INVALID);
    tw_model_free(m);
}

/* ---- diagnostics --------------------------------------------------------------- */

static void test_diagnose(void **state)
{
    (void)state;
    tw_model *m = synth(3, 5, 21, 0.1);
    size_t J = 5;
    /* sector 0: psi theta 0.9 (above the threshold); the others below */
    double theta[5], psi[5];
    for (size_t j = 0; j < J; j++) {
        theta[j] = 5;
        psi[j] = j == 0 ? 0.18 : 0.02;
    }
    tw_model_set(m, TW_THETA, theta, J, NULL);
    tw_model_set(m, TW_PSI, psi, J, NULL);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_result *r = tw_result_create(m, NULL);
    tw_diagnostics d;
    tw_error err;
    /* a tariff in sector 1 only: sector 0 is not moved, no psi-theta warning */
    tw_policy_set_tariff(p, 1, 0, 1, 0.2);
    solve(m, p, r);
    assert_int_equal(tw_result_diagnose(NULL, m, p, r, &d, &err), TW_OK);
    assert_close(d.max_psi_theta, 0.9, 1e-12);
    assert_int_equal(d.max_psi_theta_sector, 0);
    assert_true(d.base_growth > 0 && d.base_growth < TW_WARN_BASE_GROWTH);
    for (size_t k = 0; k < d.n_warnings; k++)
        assert_string_not_equal(d.warnings[k].code, "high-psi-theta");
    /* the largest change is the sectors' largest |output_pct| */
    const double *pct = tw_result_sector(r, TW_CS_OUTPUT_PCT);
    double big = 0;
    for (size_t x = 0; x < 3 * J; x++)
        big = fmax(big, fabs(pct[x]));
    assert_close(fabs(d.largest_output_pct), big, 1e-15);
    assert_close(pct[tw_idx2(J, (size_t)d.largest_country, (size_t)d.largest_sector)],
                 d.largest_output_pct, 1e-15);
    /* moving sector 0 raises the warning, naming it */
    tw_policy_set_tariff(p, 1, 0, 0, 0.2);
    solve(m, p, r);
    assert_int_equal(tw_result_diagnose(NULL, m, p, r, &d, &err), TW_OK);
    int found = 0;
    for (size_t k = 0; k < d.n_warnings; k++)
        if (strcmp(d.warnings[k].code, "high-psi-theta") == 0) {
            found = 1;
            assert_non_null(strstr(d.warnings[k].message, tw_model_sector_code(m, 0)));
            assert_non_null(strstr(d.warnings[k].message, "--psi-scale 0"));
        }
    assert_true(found);
    /* the base's growth equals the solver's own estimate */
    tw_solver *s = tw_solver_create(m, NULL, &err);
    double g;
    assert_int_equal(tw_solver_base_stability(s, &g, &err), TW_OK);
    assert_close(d.base_growth, g, 1e-12);
    tw_solver_free(s);
    /* no change: no largest change, no warnings */
    tw_policy_reset(p);
    solve(m, p, r);
    assert_int_equal(tw_result_diagnose(NULL, m, p, r, &d, &err), TW_OK);
    assert_int_equal(d.largest_country, -1);
    assert_int_equal(d.n_warnings, 0);
    assert_int_equal(tw_result_diagnose(NULL, m, NULL, r, &d, &err), TW_ERR_INVALID);
    /* the warning list is bounded */
    for (int k = 0; k < TW_WARNINGS_MAX + 3; k++)
        tw_diagnostics_add_warning(&d, "x", "warning %d", k);
    assert_int_equal(d.n_warnings, TW_WARNINGS_MAX);
    tw_result_free(r);
    tw_policy_free(p);
    tw_model_free(m);
}

/* ---- units and groups ------------------------------------------------------------ */

static void test_units_and_groups(void **state)
{
    (void)state;
    tw_model *m = synth(3, 4, 2, 0);
    tw_error err;
    assert_string_equal(tw_model_currency_unit(m), "currency units");
    assert_int_equal(tw_model_set_currency_unit(m, ""), TW_ERR_INVALID);
    assert_int_equal(tw_model_set_currency_unit(m, "EUR \"bn\""), TW_OK);
    size_t goods[] = {1, 0, 1};
    assert_int_equal(tw_model_add_group(m, 1, "goods", goods, 3, &err), TW_OK);
    assert_int_equal(tw_model_add_group(m, 1, "goods", goods, 1, &err), TW_ERR_INVALID);
    assert_int_equal(tw_model_add_group(m, 1, "all", goods, 1, &err), TW_ERR_INVALID);
    assert_int_equal(tw_model_add_group(m, 1, tw_model_sector_code(m, 0), goods, 1, &err),
                     TW_ERR_INVALID);
    size_t bad[] = {7};
    assert_int_equal(tw_model_add_group(m, 1, "odd", bad, 1, &err), TW_ERR_INVALID);
    size_t c2[] = {2};
    assert_int_equal(tw_model_add_group(m, 0, "third", c2, 1, &err), TW_OK);
    const size_t *mem;
    assert_int_equal(tw_model_group_members(m, 1, 0, &mem), 2);
    assert_true(mem[0] == 0 && mem[1] == 1);
    /* written and read back: unit and groups survive */
    const char *dir = tt_tmpdir();
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/ds", dir);
    assert_int_equal(tw_write_dataset(m, sub, &err), TW_OK);
    tw_model *back = NULL;
    if (tw_load_dataset(sub, &back, &err) != TW_OK)
        fail_msg("reload: %s", err.message);
    assert_string_equal(tw_model_currency_unit(back), "EUR \"bn\"");
    assert_int_equal(tw_model_group_count(back, 1), 1);
    assert_int_equal(tw_model_find_group(back, 1, "goods"), 0);
    assert_int_equal(tw_model_group_members(back, 1, 0, &mem), 2);
    assert_int_equal(tw_model_find_group(back, 0, "third"), 0);
    tw_model *c = tw_model_clone(back, NULL);
    assert_string_equal(tw_model_currency_unit(c), "EUR \"bn\"");
    assert_string_equal(tw_model_group_name(c, 0, 0), "third");
    tw_model_free(c);
    tw_model_free(back);
    tw_model_free(m);
}

/* the bundled layout: its unit and goods/services from its README */
static void test_bundled_units_and_groups(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_any(tt_src("data/us-china-2017"), &m, &err) != TW_OK)
        fail_msg("load: %s", err.message);
    assert_string_equal(tw_model_currency_unit(m), "millions of US dollars");
    const size_t *mem;
    long g = tw_model_find_group(m, 1, "goods"), s = tw_model_find_group(m, 1, "services");
    assert_true(g >= 0 && s >= 0);
    assert_int_equal(tw_model_group_members(m, 1, (size_t)g, &mem), 22);
    assert_int_equal(tw_model_group_members(m, 1, (size_t)s, &mem), 22);
    /* services carry no tariff anywhere in the base; every goods sector some */
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    const double *t = tw_model_get(m, TW_TARIFFS);
    for (size_t k = 0; k < 22; k++)
        for (size_t i = 0; i < N; i++)
            for (size_t n = 0; n < N; n++)
                assert_true(t[tw_idx3(N, J, i, n, mem[k])] == 0);
    tw_model_free(m);
}

/* ---- the scenario's warning about tariffs on untariffed sectors ---------------- */

static void test_scenario_warnings(void **state)
{
    (void)state;
    tw_model *m = synth(3, 5, 4, 0); /* the first 60% of sectors carry tariffs */
    size_t goods[] = {0, 1, 2};
    tw_model_add_group(m, 1, "goods", goods, 3, NULL);
    const char *text = "name: t\n"
                       "stages:\n"
                       "  - name: a\n"
                       "    policies:\n"
                       "      - tariff: {importer: all, exporter: all, add: 0.1}\n"
                       "  - name: b\n"
                       "    policies:\n"
                       "      - tariff: {importer: all, exporter: all, sectors: goods, add: 0.1}\n"
                       "      - tariff: {importer: all, exporter: all, scale: 2}\n";
    tw_scenario *sc = NULL;
    tw_error err;
    if (tw_scenario_parse(text, strlen(text), "t.yaml", &sc, &err) != TW_OK)
        fail_msg("parse: %s", err.message);
    tw_diagnostics d;
    memset(&d, 0, sizeof d);
    assert_int_equal(tw_scenario_warnings(sc, 0, 1, m, &d, &err), TW_OK);
    assert_int_equal(d.n_warnings, 1);
    assert_string_equal(d.warnings[0].code, "tariff-on-untariffed-sectors");
    assert_non_null(strstr(d.warnings[0].message, "t.yaml:5"));
    assert_non_null(strstr(d.warnings[0].message, "2 sector(s)"));
    memset(&d, 0, sizeof d);
    assert_int_equal(tw_scenario_warnings(sc, 1, 1, m, &d, &err), TW_OK);
    assert_int_equal(d.n_warnings, 0); /* goods only; scaling leaves zero at zero */
    assert_int_equal(tw_scenario_warnings(sc, 1, 0, m, &d, &err), TW_ERR_INVALID);
    assert_int_equal(tw_scenario_warnings(sc, 0, 2, m, &d, &err), TW_ERR_INVALID);
    tw_scenario_free(sc);
    tw_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gdp_identities),
        cmocka_unit_test(test_gdp_symmetric_equals_real_income),
        cmocka_unit_test(test_gdp_no_change),
        cmocka_unit_test(test_scale_elasticities),
        cmocka_unit_test(test_psi_scale_zero_equals_psi_zero),
        cmocka_unit_test(test_apply_elasticities_file),
        cmocka_unit_test(test_diagnose),
        cmocka_unit_test(test_units_and_groups),
        cmocka_unit_test(test_bundled_units_and_groups),
        cmocka_unit_test(test_scenario_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
