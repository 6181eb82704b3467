/* test_model.c - model storage, codes, validation and derived quantities. */
#include "testutil.h"

#include <math.h>
#include <string.h>

/* Two countries, one sector: a tiny economy whose derived totals are known by hand. */
static tw_model *tiny(void)
{
    tw_model *m = tw_model_create(2, 1, NULL);
    assert_non_null(m);
    assert_int_equal(tw_model_set_country(m, 0, "AAA", "Country A", NULL), TW_OK);
    assert_int_equal(tw_model_set_country(m, 1, "BBB", NULL, NULL), TW_OK);
    assert_int_equal(tw_model_set_sector(m, 0, "goods", "Goods", NULL), TW_OK);
    const double X[4] = {70.25, 12.5, 8.75, 90.0}; /* [i][n]: A->A, A->B, B->A, B->B */
    const double t[4] = {0, 0.1, 0.2, 0};
    const double beta[2] = {0.4, 0.55}, alpha[2] = {1, 1}, io[2] = {1, 1}, theta = 4.5;
    assert_int_equal(tw_model_set(m, TW_FLOWS, X, 4, NULL), TW_OK);
    assert_int_equal(tw_model_set(m, TW_TARIFFS, t, 4, NULL), TW_OK);
    assert_int_equal(tw_model_set(m, TW_VA_SHARES, beta, 2, NULL), TW_OK);
    assert_int_equal(tw_model_set(m, TW_FINAL_SHARES, alpha, 2, NULL), TW_OK);
    assert_int_equal(tw_model_set(m, TW_IO_SHARES, io, 2, NULL), TW_OK);
    assert_int_equal(tw_model_set(m, TW_THETA, &theta, 1, NULL), TW_OK);
    return m;
}

static void test_codes(void **state)
{
    (void)state;
    tw_model *m = tiny();
    tw_error err;
    assert_int_equal(tw_model_find_country(m, "BBB"), 1);
    assert_int_equal(tw_model_find_country(m, "CCC"), -1);
    assert_string_equal(tw_model_country_name(m, 1), "BBB");
    assert_int_equal(tw_model_set_country(m, 1, "AAA", NULL, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "duplicate"));
    assert_int_equal(tw_model_set_country(m, 1, "bad code", NULL, &err), TW_ERR_DATA);
    assert_int_equal(tw_model_set_country(m, 2, "CCC", NULL, &err), TW_ERR_INVALID);
    tw_model_free(m);
}

static void test_derived(void **state)
{
    (void)state;
    tw_model *m = tiny();
    assert_int_equal(tw_model_validate(m, NULL), TW_OK);
    double d[2], r[2], inc[2], y[2];
    assert_int_equal(tw_model_derive(m, TW_DERIVED_DEFICIT, d, 2), TW_OK);
    assert_close(d[0], 8.75 - 12.5, 1e-15);
    assert_close(d[1], 12.5 - 8.75, 1e-15);
    assert_int_equal(tw_model_derive(m, TW_DERIVED_TARIFF_REVENUE, r, 2), TW_OK);
    assert_close(r[0], 0.2 * 8.75, 1e-15);
    assert_close(r[1], 0.1 * 12.5, 1e-15);
    assert_int_equal(tw_model_derive(m, TW_DERIVED_GROSS_OUTPUT, y, 2), TW_OK);
    assert_close(y[0], 82.75, 1e-15);
    /* income = value added + tariff revenue + deficit = final spending */
    assert_int_equal(tw_model_derive(m, TW_DERIVED_INCOME, inc, 2), TW_OK);
    assert_close(inc[0], 0.4 * 82.75 + 0.2 * 8.75 + (8.75 - 12.5), 1e-14);
    /* final spending identity: sum_j E - intermediate spending = income */
    double e[2];
    assert_int_equal(tw_model_derive(m, TW_DERIVED_SPENDING, e, 2), TW_OK);
    assert_close(e[0] - 0.6 * 82.75, inc[0], 1e-14);
    assert_close(e[1] - 0.45 * y[1], inc[1], 1e-14);
    tw_model_free(m);
}

static void test_validation_errors(void **state)
{
    (void)state;
    tw_error err;
    tw_model *m = tiny();
    double X[4] = {70.25, -3.2, 8.75, 90.0};
    tw_model_set(m, TW_FLOWS, X, 4, NULL);
    assert_int_equal(tw_model_validate(m, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "AAA -> BBB"));
    assert_non_null(strstr(err.message, "-3.2"));
    tw_model_free(m);

    m = tiny();
    double alpha[2] = {0.93, 1};
    tw_model_set(m, TW_FINAL_SHARES, alpha, 2, NULL);
    assert_int_equal(tw_model_validate(m, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "sum to 0.93"));
    tw_model_free(m);

    m = tiny();
    double theta = 0;
    tw_model_set(m, TW_THETA, &theta, 1, NULL);
    assert_int_equal(tw_model_validate(m, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "theta"));
    tw_model_free(m);

    m = tiny();
    double nanx[4] = {70.25, NAN, 8.75, 90.0};
    tw_model_set(m, TW_FLOWS, nanx, 4, NULL);
    assert_int_equal(tw_model_validate(m, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "not finite"));
    assert_int_equal(tw_model_set(m, TW_FLOWS, nanx, 3, &err), TW_ERR_INVALID);
    tw_model_free(m);
}

static void test_clone_checksum(void **state)
{
    (void)state;
    tw_model *m = tiny();
    tw_model *c = tw_model_clone(m, NULL);
    char h1[17], h2[17];
    tw_model_checksum(m, h1);
    tw_model_checksum(c, h2);
    assert_string_equal(h1, h2);
    double theta = 4.6;
    tw_model_set(c, TW_THETA, &theta, 1, NULL);
    tw_model_checksum(c, h2);
    assert_string_not_equal(h1, h2);
    tw_model_free(c);
    tw_model_free(m);
    tw_model_free(NULL);
}

static void test_policy(void **state)
{
    (void)state;
    tw_model *m = tiny();
    tw_policy *p = tw_policy_create(m, NULL);
    assert_true(tw_policy_is_base(p));
    assert_close(tw_policy_tariff(p, 1, 0, 0), 0.2, 0);
    assert_close(tw_policy_deficit(p, 0), -3.75, 1e-15);
    assert_int_equal(tw_policy_set_tariff(p, 1, 0, 0, 0.25), TW_OK);
    assert_false(tw_policy_is_base(p));
    assert_int_equal(tw_policy_set_tariff(p, 0, 0, 0, 0.25), TW_ERR_INVALID);
    assert_int_equal(tw_policy_set_tariff(p, 1, 0, 0, -1.0), TW_ERR_INVALID);
    assert_int_equal(tw_policy_set_trade_cost_change(p, 1, 0, 0, INFINITY), TW_OK);
    tw_policy *c = tw_policy_clone(p, NULL);
    assert_close(tw_policy_tariff(c, 1, 0, 0), 0.25, 0);
    tw_policy_reset(p);
    assert_true(tw_policy_is_base(p));
    tw_policy_free(c);
    tw_policy_free(p);
    tw_model_free(m);
}

/* Constructors return NULL with the reason in err (and accept err NULL). */
static void test_constructor_errors(void **state)
{
    (void)state;
    tw_error err = {0};
    assert_null(tw_model_create(0, 3, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "0 countries, 3 sectors"));
    err = (tw_error){0};
    assert_null(tw_model_create((size_t)1 << 9, 65, &err)); /* N*N*J = 2^24 + 2^18 */
    assert_int_equal(err.code, TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "TW_LIMIT_CELLS"));
    assert_null(tw_model_create(0, 0, NULL));
    err = (tw_error){0};
    assert_null(tw_model_clone(NULL, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    err = (tw_error){0};
    assert_null(tw_policy_create(NULL, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    err = (tw_error){0};
    assert_null(tw_policy_clone(NULL, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);
    err = (tw_error){0};
    assert_null(tw_result_create(NULL, &err));
    assert_int_equal(err.code, TW_ERR_INVALID);

    tw_model *m = tiny(), *big = tw_model_create(3, 1, &err);
    assert_non_null(big);
    tw_result *r = tw_result_create(big, &err);
    tw_policy *p = tw_policy_create(m, &err);
    assert_non_null(r);
    assert_non_null(p);
    err = (tw_error){0};
    assert_null(tw_result_to_model(r, m, p, &err)); /* a result for another size */
    assert_int_equal(err.code, TW_ERR_INVALID);
    assert_null(tw_result_to_model(r, m, p, NULL));
    tw_policy_free(p);
    tw_result_free(r);
    tw_model_free(big);
    tw_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_derived),
        cmocka_unit_test(test_validation_errors),
        cmocka_unit_test(test_clone_checksum),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_constructor_errors),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
