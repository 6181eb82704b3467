/* test_scenario.c - scenario files: parsing, every rule kind, groups, stages and errors. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { CAN, MEX, USA, CHN, NC };
enum { S01, S02, SVC, NS };

/* Four countries, three sectors; flows chosen so deficits are not zero. */
static tw_model *small_model(void)
{
    tw_model *m = tw_model_create(NC, NS, NULL);
    assert_non_null(m);
    const char *codes[NC] = {"CAN", "MEX", "USA", "CHN"};
    for (size_t i = 0; i < NC; i++)
        assert_int_equal(tw_model_set_country(m, i, codes[i], NULL, NULL), TW_OK);
    assert_int_equal(tw_model_set_sector(m, S01, "s01", "Food", NULL), TW_OK);
    assert_int_equal(tw_model_set_sector(m, S02, "s02", "Metals", NULL), TW_OK);
    assert_int_equal(tw_model_set_sector(m, SVC, "svc", "Services", NULL), TW_OK);
    double X[NC * NC * NS], t[NC * NC * NS];
    for (size_t i = 0; i < NC; i++)
        for (size_t n = 0; n < NC; n++)
            for (size_t j = 0; j < NS; j++) {
                size_t x = tw_idx3(NC, NS, i, n, j);
                X[x] = i == n ? 100.0 + 7.25 * (double)j : 2.385 * (double)(1 + i + 2 * n + j);
                t[x] = i == n || j == SVC ? 0 : 0.01 * (double)(1 + i + n);
            }
    assert_int_equal(tw_model_set(m, TW_FLOWS, X, NC * NC * NS, NULL), TW_OK);
    assert_int_equal(tw_model_set(m, TW_TARIFFS, t, NC * NC * NS, NULL), TW_OK);
    return m;
}

static double base_tariff(size_t i, size_t n, size_t j)
{
    return i == n || j == SVC ? 0 : 0.01 * (double)(1 + i + n);
}

/* Write `text` as NAME in a fresh temporary directory; return its path (static). */
static const char *write_scenario(const char *name, const char *text)
{
    static char dir[4096], path[4200];
    if (!dir[0]) { /* one directory per run: tt_tmpdir() makes a new one each call */
        const char *made = tt_tmpdir();
        assert_non_null(made);
        snprintf(dir, sizeof dir, "%s", made);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(tt_write_file(path, text), 0);
    return path;
}

static tw_scenario *load_ok(const char *text)
{
    tw_scenario *sc = NULL;
    tw_error err = {0};
    tw_status st = tw_scenario_load(write_scenario("s.yaml", text), &sc, &err);
    if (st != TW_OK)
        fail_msg("load failed: %s", err.message);
    return sc;
}

/* Load and build stage `stage`'s policy; the caller frees both. */
static tw_policy *policy_ok(const char *text, const tw_model *m, size_t stage)
{
    tw_scenario *sc = load_ok(text);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_error err = {0};
    if (tw_scenario_policy(sc, stage, m, p, &err) != TW_OK)
        fail_msg("policy failed: %s", err.message);
    tw_scenario_free(sc);
    return p;
}

static void test_tariff_set_add_scale(void **state)
{
    (void)state;
    tw_model *m = small_model();
    tw_policy *p =
        policy_ok("policies:\n"
                  "  - tariff: {importer: USA, exporter: CHN, sectors: s01, set: 0.25}\n"
                  "  - tariff: {importer: USA, exporter: MEX, sectors: [s01, s02], add: 0.15}\n"
                  "  - tariff: {importer: CAN, exporter: USA, scale: 2.5}\n",
                  m, 0);
    assert_close(tw_policy_tariff(p, CHN, USA, S01), 0.25, 1e-15);
    assert_close(tw_policy_tariff(p, CHN, USA, S02), base_tariff(CHN, USA, S02), 1e-15);
    assert_close(tw_policy_tariff(p, MEX, USA, S01), base_tariff(MEX, USA, S01) + 0.15, 1e-15);
    assert_close(tw_policy_tariff(p, MEX, USA, S02), base_tariff(MEX, USA, S02) + 0.15, 1e-15);
    assert_close(tw_policy_tariff(p, MEX, USA, SVC), 0, 1e-15);
    /* no sectors: all of them */
    assert_close(tw_policy_tariff(p, USA, CAN, S02), 2.5 * base_tariff(USA, CAN, S02), 1e-15);
    /* the reverse direction is untouched */
    assert_close(tw_policy_tariff(p, USA, CHN, S01), base_tariff(USA, CHN, S01), 1e-15);
    tw_policy_free(p);
    tw_model_free(m);
}

static void test_groups_and_all(void **state)
{
    (void)state;
    tw_model *m = small_model();
    tw_policy *p =
        policy_ok("groups:\n"
                  "  countries:\n"
                  "    NAFTA: [CAN, MEX, USA]\n"
                  "    north: [CAN, USA]\n"
                  "    bloc: [north, CHN]   # a group of groups\n"
                  "  sectors: {goods: [s01, s02]}\n"
                  "policies:\n"
                  "  - tariff: {importer: NAFTA, exporter: NAFTA, sectors: goods, set: 0}\n"
                  "  - export_tax: {exporter: bloc, importer: all, sectors: s02, set: 0.05}\n",
                  m, 0);
    for (size_t i = 0; i < 3; i++)
        for (size_t n = 0; n < 3; n++)
            for (size_t j = 0; j < NS; j++)
                assert_close(tw_policy_tariff(p, i, n, j), 0, 1e-15);
    assert_close(tw_policy_tariff(p, CHN, USA, S01), base_tariff(CHN, USA, S01), 1e-15);
    assert_close(tw_policy_export_tax(p, CAN, MEX, S02), 0.05, 1e-15);
    assert_close(tw_policy_export_tax(p, CHN, CAN, S02), 0.05, 1e-15);
    assert_close(tw_policy_export_tax(p, MEX, CAN, S02), 0, 1e-15);
    assert_close(tw_policy_export_tax(p, CAN, MEX, S01), 0, 1e-15);
    /* the diagonal is skipped */
    assert_close(tw_policy_export_tax(p, CAN, CAN, S02), 0, 1e-15);
    tw_policy_free(p);
    tw_model_free(m);
}

static void test_other_rules(void **state)
{
    (void)state;
    tw_model *m = small_model();
    tw_policy *p =
        policy_ok("policies:\n"
                  "  - trade_cost: {importer: USA, exporter: CHN, sectors: all, scale: 1.1}\n"
                  "  - trade_cost: {importer: USA, exporter: CHN, sectors: s02, scale: 1.1}\n"
                  "  - trade_cost: {importer: CAN, exporter: MEX, sectors: svc, ban: true}\n"
                  "  - trade_cost: {importer: MEX, exporter: CAN, sectors: svc, set: 0.9}\n"
                  "  - subsidy: {country: CHN, sectors: [s02], set: 0.10}\n"
                  "  - subsidy: {country: [USA, CHN], sectors: s02, add: 0.02}\n"
                  "  - deficit: {country: all, set: 0}\n",
                  m, 0);
    assert_close(tw_policy_trade_cost_change(p, CHN, USA, S01), 1.1, 1e-15);
    assert_close(tw_policy_trade_cost_change(p, CHN, USA, S02), 1.21, 1e-15);
    assert_true(isinf(tw_policy_trade_cost_change(p, MEX, CAN, SVC)));
    assert_close(tw_policy_trade_cost_change(p, CAN, MEX, SVC), 0.9, 1e-15);
    assert_close(tw_policy_trade_cost_change(p, USA, USA, S01), 1, 0);
    assert_close(tw_policy_subsidy(p, CHN, S02), 0.12, 1e-15);
    assert_close(tw_policy_subsidy(p, USA, S02), 0.02, 1e-15);
    assert_close(tw_policy_subsidy(p, USA, S01), 0, 0);
    for (size_t n = 0; n < NC; n++)
        assert_close(tw_policy_deficit(p, n), 0, 0);
    tw_policy_free(p);
    tw_model_free(m);
}

static void test_deficit_shift(void **state)
{
    (void)state;
    tw_model *m = small_model();
    double d[NC];
    tw_model_derive(m, TW_DERIVED_DEFICIT, d, NC);
    char text[512];
    /* move all of USA's deficit to CHN: the world still adds up */
    snprintf(text, sizeof text,
             "policies:\n  - deficit: {country: USA, set: 0}\n"
             "  - deficit: {country: CHN, add: %.17g}\n",
             d[USA]);
    tw_policy *p = policy_ok(text, m, 0);
    assert_close(tw_policy_deficit(p, USA), 0, 0);
    assert_close(tw_policy_deficit(p, CHN), d[CHN] + d[USA], 1e-14);
    assert_close(tw_policy_deficit(p, CAN), d[CAN], 1e-15);
    tw_policy_free(p);
    tw_model_free(m);
}

static void test_stages_cumulative(void **state)
{
    (void)state;
    tw_model *m = small_model();
    const char *text =
        "name: Waves\n"
        "stages:\n"
        "  - name: wave 1\n"
        "    date: 2018-07-06\n"
        "    policies:\n"
        "      - tariff: {importer: USA, exporter: CHN, sectors: s01, add: 0.1}\n"
        "  - policies: []\n"
        "  - name: wave 3\n"
        "    policies:\n"
        "      - tariff: {importer: USA, exporter: CHN, sectors: [s01, s02], add: 0.15}\n";
    tw_scenario *sc = load_ok(text);
    assert_int_equal(tw_scenario_stage_count(sc), 3);
    assert_string_equal(tw_scenario_name(sc), "Waves");
    assert_string_equal(tw_scenario_description(sc), "");
    assert_string_equal(tw_scenario_stage_name(sc, 0), "wave 1");
    assert_string_equal(tw_scenario_stage_date(sc, 0), "2018-07-06");
    assert_string_equal(tw_scenario_stage_name(sc, 1), "stage 2");
    assert_string_equal(tw_scenario_stage_date(sc, 2), "");
    assert_null(tw_scenario_stage_name(sc, 3));
    tw_policy *p = tw_policy_create(m, NULL);
    double b = base_tariff(CHN, USA, S01);
    assert_int_equal(tw_scenario_policy(sc, 0, m, p, NULL), TW_OK);
    assert_close(tw_policy_tariff(p, CHN, USA, S01), b + 0.1, 1e-15);
    assert_int_equal(tw_scenario_policy(sc, 1, m, p, NULL), TW_OK);
    assert_close(tw_policy_tariff(p, CHN, USA, S01), b + 0.1, 1e-15);
    /* stage 3 on top of 1 and 2; building it twice gives the same (starts from base) */
    for (int rep = 0; rep < 2; rep++) {
        assert_int_equal(tw_scenario_policy(sc, 2, m, p, NULL), TW_OK);
        assert_close(tw_policy_tariff(p, CHN, USA, S01), b + 0.25, 1e-15);
        assert_close(tw_policy_tariff(p, CHN, USA, S02), base_tariff(CHN, USA, S02) + 0.15, 1e-15);
    }
    tw_error err;
    assert_int_equal(tw_scenario_policy(sc, 3, m, p, &err), TW_ERR_INVALID);
    tw_policy_free(p);
    tw_scenario_free(sc);
    tw_model_free(m);
}

static void test_no_change_and_names(void **state)
{
    (void)state;
    tw_model *m = small_model();
    tw_scenario *sc = load_ok("description: nothing changes\npolicies: []\n");
    assert_string_equal(tw_scenario_name(sc), "s"); /* from the file name */
    assert_string_equal(tw_scenario_description(sc), "nothing changes");
    assert_int_equal(tw_scenario_stage_count(sc), 1);
    assert_string_equal(tw_scenario_stage_name(sc, 0), "s");
    tw_policy *p = tw_policy_create(m, NULL);
    assert_int_equal(tw_policy_set_tariff(p, CHN, USA, S01, 0.5), TW_OK);
    assert_int_equal(tw_scenario_policy(sc, 0, m, p, NULL), TW_OK);
    assert_true(tw_policy_is_base(p));
    tw_policy_free(p);
    tw_scenario_free(sc);
    tw_model_free(m);
}

static void test_options(void **state)
{
    (void)state;
    tw_scenario *sc = load_ok("options:\n  deficits: balanced\n  method: newton\n"
                              "  tol: 2.385e-9\n  max_iter: 77\n  fallback: false\npolicies: []\n");
    tw_solver_options o;
    memset(&o, 0, sizeof o);
    o.anderson_depth = 5;
    o.damping = 0.75;
    o.fallback = 1;
    tw_deficit_mode d = TW_DEFICIT_FIXED;
    tw_scenario_apply_options(sc, &o, &d);
    assert_int_equal(d, TW_DEFICIT_BALANCED);
    assert_int_equal(o.method, TW_METHOD_NEWTON_KRYLOV);
    assert_close(o.tol, 2.385e-9, 0);
    assert_int_equal(o.max_iter, 77);
    assert_int_equal(o.fallback, 0);
    /* absent options are left alone */
    assert_int_equal(o.anderson_depth, 5);
    assert_close(o.damping, 0.75, 0);
    tw_scenario_apply_options(sc, NULL, NULL);
    tw_scenario_free(sc);

    sc = load_ok("policies: []\n");
    d = TW_DEFICIT_BALANCED;
    o.max_iter = 3;
    tw_scenario_apply_options(sc, &o, &d);
    assert_int_equal(d, TW_DEFICIT_BALANCED);
    assert_int_equal(o.max_iter, 3);
    tw_scenario_free(sc);
}

static void test_from_csv(void **state)
{
    (void)state;
    tw_model *m = small_model();
    const char *sc_path = write_scenario("s.yaml",
                                         "policies:\n"
                                         "  - tariff: {importer: USA, exporter: all, sectors: s01, "
                                         "from_file: rates.csv}\n");
    char csv[4300];
    snprintf(csv, sizeof csv, "%s", sc_path);
    strcpy(strrchr(csv, '/') + 1, "rates.csv");
    assert_int_equal(tt_write_file(csv, "\xEF\xBB\xBF"
                                        "exporter,importer,sector,rate\n"
                                        "# a comment, with, commas\n"
                                        "CHN,USA,s01,0.275\n"
                                        "\n"
                                        "\"MEX\", USA , s01 , 0.0125\n"
                                        "CHN,USA,s02,0.5\n"   /* filtered out: sector */
                                        "CHN,CAN,s01,0.5\n"), /* filtered out: importer */
                     0);
    tw_scenario *sc = NULL;
    tw_error err;
    assert_int_equal(tw_scenario_load(sc_path, &sc, &err), TW_OK);
    tw_policy *p = tw_policy_create(m, NULL);
    if (tw_scenario_policy(sc, 0, m, p, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_close(tw_policy_tariff(p, CHN, USA, S01), 0.275, 1e-15);
    assert_close(tw_policy_tariff(p, MEX, USA, S01), 0.0125, 1e-15);
    assert_close(tw_policy_tariff(p, CAN, USA, S01), base_tariff(CAN, USA, S01), 1e-15);
    assert_close(tw_policy_tariff(p, CHN, USA, S02), base_tariff(CHN, USA, S02), 1e-15);
    assert_close(tw_policy_tariff(p, CHN, CAN, S01), base_tariff(CHN, CAN, S01), 1e-15);

    /* errors inside the CSV name the CSV file and its line */
    const char *bad[][2] = {
        {"exporter,importer,sector,rate\nCHN,USA,s01,0.1\nCHX,USA,s01,0.1\n",
         "rates.csv:3: unknown country 'CHX'"},
        {"exporter,importer,sector,rate\nCHN,USA,s09,0.1\n", "rates.csv:2: unknown sector 's09'"},
        {"exporter,importer,sector,rate\nCHN,USA,s01,abc\n", "rates.csv:2: bad rate 'abc'"},
        {"exporter,importer,sector,rate\nCHN,USA,s01,-1\n", "rates.csv:2: bad rate '-1'"},
        {"exporter,importer,sector\nCHN,USA,s01\n", "rates.csv:1: missing column 'rate'"},
        {"exporter,importer,sector\nCHN,USA,s01\n", "rate; from_file at "},
        {"exporter,importer,sector,rate\nCHN,USA,s01,\"0.1\n", "rates.csv:2: malformed CSV"},
        {"exporter,importer,sector,rate\nCHN,USA,s01,0.1\nCHN,USA,s01,0.2\n", "repeats line 2"},
        {"exporter,importer,sector,rate\nCHN,USA\n", "rates.csv:2: 2 fields"},
        {"exporter,importer,sector,rate\nCHN,CAN,s01,0.1\n", "s.yaml:2: tariff rule names nothing"},
        {"", "rates.csv: empty file"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        assert_int_equal(tt_write_file(csv, bad[k][0]), 0);
        err.message[0] = '\0';
        assert_int_not_equal(tw_scenario_policy(sc, 0, m, p, &err), TW_OK);
        if (!strstr(err.message, bad[k][1]))
            fail_msg("case %zu: message '%s' lacks '%s'", k, err.message, bad[k][1]);
    }
    remove(csv);
    assert_int_equal(tw_scenario_policy(sc, 0, m, p, &err), TW_ERR_IO);
    assert_non_null(strstr(err.message, "rates.csv: cannot open"));
    tw_policy_free(p);
    tw_scenario_free(sc);
    tw_model_free(m);
}

/* ---- errors ------------------------------------------------------------ */

typedef struct {
    const char *text;
    tw_status code;
    const char *message; /* a substring, "s.yaml:LINE: ..." */
} error_case;

static void check_load_error(const error_case *c)
{
    tw_scenario *sc = NULL;
    tw_error err = {0};
    tw_status st = tw_scenario_load(write_scenario("s.yaml", c->text), &sc, &err);
    if (st != c->code || !strstr(err.message, c->message))
        fail_msg("for:\n%s\ngot %d '%s', expected %d '%s'", c->text, st, err.message, c->code,
                 c->message);
    assert_null(sc);
}

static void test_load_errors(void **state)
{
    (void)state;
    const error_case cases[] = {
        {"", TW_ERR_PARSE, "s.yaml:1: empty scenario file"},
        {"policies: [\n", TW_ERR_PARSE, "s.yaml:2: malformed YAML"},
        {"name: x\n\tpolicies: []\n", TW_ERR_PARSE, "malformed YAML"},
        {"- a\n- b\n", TW_ERR_PARSE, "s.yaml:1: a scenario must be a mapping"},
        {"policies: []\n---\npolicies: []\n", TW_ERR_PARSE, "more than one YAML document"},
        {"policy: []\n", TW_ERR_PARSE, "s.yaml:1: unknown key 'policy'"},
        {"name: a\nname: b\npolicies: []\n", TW_ERR_PARSE, "s.yaml:2: duplicate key 'name'"},
        {"name: x\n", TW_ERR_DATA, "s.yaml:1: no policies or stages"},
        {"policies:\n", TW_ERR_DATA, "write 'policies: []'"},
        {"policies: []\nstages: []\n", TW_ERR_PARSE, "s.yaml:2: give either policies or stages"},
        {"stages: []\n", TW_ERR_DATA, "s.yaml:1: stages is an empty list"},
        {"stages:\n  - name: a\n", TW_ERR_DATA, "s.yaml:2: stage has no policies"},
        {"stages:\n  - {name: a, when: 2018, policies: []}\n", TW_ERR_PARSE,
         "unknown key 'when' in a stage"},
        {"policies: {tariff: 1}\n", TW_ERR_PARSE, "policies must be a list"},
        {"policies:\n  - tarif: {importer: USA, exporter: CHN, set: 0}\n", TW_ERR_PARSE,
         "s.yaml:2: unknown rule 'tarif'"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: 0}\n    subsidy: {}\n",
         TW_ERR_PARSE, "s.yaml:2: each policy must be one rule"},
        {"policies:\n  - tariff: {improter: USA, exporter: CHN, set: 0}\n", TW_ERR_PARSE,
         "s.yaml:2: unknown key 'improter' in tariff"},
        {"policies:\n  - subsidy: {country: USA, importer: CHN, set: 0}\n", TW_ERR_PARSE,
         "unknown key 'importer' in subsidy"},
        {"policies:\n  - tariff: {importer: {a: 1}, exporter: CHN, set: 0}\n", TW_ERR_PARSE,
         "importer must be a name or a list of names, not a mapping"},
        {"policies:\n  - tariff: {importer: USA, exporter: [CHN, [MEX]], set: 0}\n", TW_ERR_PARSE,
         "exporter must be a single value, not a list"},
        {"policies:\n  - tariff: {importer: [], exporter: CHN, set: 0}\n", TW_ERR_DATA,
         "empty list in importer"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: 0.1x}\n", TW_ERR_PARSE,
         "s.yaml:2: bad number '0.1x' in set"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, add: 15%}\n", TW_ERR_PARSE,
         "rates are fractions (write 0.15 for 15%)"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: [1]}\n", TW_ERR_PARSE,
         "set must be a single value"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: .nan}\n", TW_ERR_PARSE,
         "bad number '.nan'"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: 1e999}\n", TW_ERR_PARSE,
         "bad number '1e999'"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: -1}\n", TW_ERR_DATA,
         "s.yaml:2: set -1: a rate must be greater than -1"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, scale: -2}\n", TW_ERR_DATA,
         "scale -2 must not be negative"},
        {"policies:\n  - trade_cost: {importer: USA, exporter: CHN, set: 0}\n", TW_ERR_DATA,
         "must be positive"},
        {"policies:\n  - trade_cost: {importer: USA, exporter: CHN, add: 1}\n", TW_ERR_PARSE,
         "unknown key 'add' in trade_cost"},
        {"policies:\n  - trade_cost: {importer: USA, exporter: CHN, ban: false}\n", TW_ERR_DATA,
         "ban: false does nothing"},
        {"policies:\n  - trade_cost: {importer: USA, exporter: CHN, ban: maybe}\n", TW_ERR_PARSE,
         "bad value 'maybe' in ban"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN}\n", TW_ERR_DATA,
         "s.yaml:2: empty tariff rule"},
        {"policies:\n  - tariff: {}\n", TW_ERR_DATA, "empty tariff rule"},
        {"policies:\n  - deficit: null\n", TW_ERR_PARSE, "deficit must be a mapping"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: 0, add: 1}\n", TW_ERR_DATA,
         "more than one of set"},
        {"policies:\n  - tariff: {exporter: CHN, set: 0}\n", TW_ERR_DATA, "needs an importer"},
        {"policies:\n  - tariff: {importer: CHN, set: 0}\n", TW_ERR_DATA, "needs an exporter"},
        {"policies:\n  - subsidy: {sectors: all, set: 0}\n", TW_ERR_DATA, "needs a country"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: 0,\n      file_format: "
         "cp1993}\n",
         TW_ERR_DATA, "s.yaml:3: file_format without from_file"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, from_file: a, file_format: xls}\n",
         TW_ERR_PARSE, "bad value 'xls' in file_format"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, from_file: ''}\n", TW_ERR_DATA,
         "empty file name"},
        {"options: {tol: -1}\npolicies: []\n", TW_ERR_DATA, "s.yaml:1: tol must be positive"},
        {"options: {max_iter: 1.5}\npolicies: []\n", TW_ERR_PARSE, "bad integer '1.5' in max_iter"},
        {"options: {max_iter: 0}\npolicies: []\n", TW_ERR_DATA, "max_iter 0 out of range"},
        {"options: {method: simplex}\npolicies: []\n", TW_ERR_PARSE, "(anderson or newton)"},
        {"options: {deficits: zero}\npolicies: []\n", TW_ERR_PARSE, "(fixed or balanced)"},
        {"options: {damping: 1.5}\npolicies: []\n", TW_ERR_DATA, "damping must be in (0, 1]"},
        {"options:\n  max-iter: 5\npolicies: []\n", TW_ERR_PARSE,
         "s.yaml:2: unknown key 'max-iter' in options"},
        {"groups: {regions: {A: [USA]}}\npolicies: []\n", TW_ERR_PARSE,
         "unknown key 'regions' in groups"},
        {"groups: {countries: [USA]}\npolicies: []\n", TW_ERR_PARSE, "countries must be a mapping"},
        {"groups: {countries: {all: [USA]}}\npolicies: []\n", TW_ERR_DATA, "'all' is reserved"},
        {"groups:\n  countries:\n    A: [B]\n    B: [USA, C]\n    C: [A]\npolicies: []\n",
         TW_ERR_DATA, "group cycle"},
        {"groups:\n  sectors:\n    A: [A]\npolicies: []\n", TW_ERR_DATA, "s.yaml:3: group cycle"},
        {"name: [a]\npolicies: []\n", TW_ERR_PARSE, "name must be a single value"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_load_error(&cases[k]);
}

static void check_policy_error(const tw_model *m, const error_case *c)
{
    tw_scenario *sc = load_ok(c->text);
    tw_policy *p = tw_policy_create(m, NULL);
    tw_error err = {0};
    tw_status st = tw_scenario_policy(sc, tw_scenario_stage_count(sc) - 1, m, p, &err);
    if (st != c->code || !strstr(err.message, c->message))
        fail_msg("for:\n%s\ngot %d '%s', expected %d '%s'", c->text, st, err.message, c->code,
                 c->message);
    tw_policy_free(p);
    tw_scenario_free(sc);
}

static void test_policy_errors(void **state)
{
    (void)state;
    tw_model *m = small_model();
    const error_case cases[] = {
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, set: 0}\n"
         "  - tariff: {importer: CHX, exporter: CHN, set: 0}\n",
         TW_ERR_UNKNOWN_NAME, "s.yaml:3: unknown country 'CHX' in importer"},
        {"policies:\n  - tariff:\n      importer: USA\n      exporter: [CHN,\n        XX]\n"
         "      set: 0\n",
         TW_ERR_UNKNOWN_NAME, "s.yaml:5: unknown country 'XX' in exporter"},
        {"policies:\n  - subsidy: {country: usa, set: 0}\n", TW_ERR_UNKNOWN_NAME,
         "unknown country 'usa' in country"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, sectors: [s01, S02], set: 0}\n",
         TW_ERR_UNKNOWN_NAME, "s.yaml:2: unknown sector 'S02' in sectors"},
        {"groups:\n  countries:\n    G: [CAN,\n        Mexico]\n"
         "policies:\n  - tariff: {importer: G, exporter: CHN, set: 0}\n",
         TW_ERR_UNKNOWN_NAME, "s.yaml:4: unknown country 'Mexico' in group G"},
        {"groups:\n  sectors: {goods: [s01, svc]}\n"
         "policies:\n  - tariff: {importer: goods, exporter: CHN, set: 0}\n",
         TW_ERR_UNKNOWN_NAME, "unknown country 'goods' in importer"}, /* groups are per kind */
        {"groups:\n  countries: {USA: [CAN]}\npolicies: []\n", TW_ERR_DATA,
         "s.yaml:2: group 'USA' has the name of a country code"},
        {"policies:\n  - tariff: {importer: USA, exporter: USA, set: 0.1}\n", TW_ERR_DATA,
         "s.yaml:2: tariff rule names nothing"},
        {"policies:\n  - export_tax: {importer: [CAN], exporter: CAN, sectors: all, set: 0.1}\n",
         TW_ERR_DATA, "export_tax rule names nothing"},
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, sectors: s01, add: -1.2}\n",
         TW_ERR_DATA, "s.yaml:2: tariff on CHN -> USA, sector s01 would be"},
        {"policies:\n  - subsidy: {country: USA, sectors: s01, add: -1}\n", TW_ERR_DATA,
         "subsidy of USA to s01 would be -1"},
        {"policies:\n  - deficit: {country: USA, set: 0}\n", TW_ERR_DATA,
         "s.yaml:2: deficits would sum to"},
        {"stages:\n  - policies:\n    - deficit: {country: USA, set: 0}\n"
         "  - policies:\n    - deficit: {country: all, set: 0}\n",
         TW_ERR_DATA, "s.yaml:3: deficits would sum to"}, /* an earlier stage fails first */
        {"policies:\n  - tariff: {importer: USA, exporter: CHN, from_file: none.csv}\n", TW_ERR_IO,
         "none.csv: cannot open"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_policy_error(m, &cases[k]);

    /* a policy for another model is refused */
    tw_model *other = small_model();
    tw_scenario *sc = load_ok("policies: []\n");
    tw_policy *p = tw_policy_create(other, NULL);
    assert_int_equal(tw_scenario_policy(sc, 0, m, p, NULL), TW_ERR_INVALID);
    assert_int_equal(tw_scenario_policy(NULL, 0, m, p, NULL), TW_ERR_INVALID);
    tw_policy_free(p);
    tw_scenario_free(sc);
    tw_model_free(other);
    tw_model_free(m);
}

static void test_load_io_and_parse(void **state)
{
    (void)state;
    tw_scenario *sc = NULL;
    tw_error err;
    assert_int_equal(tw_scenario_load("/nonexistent/dir/s.yaml", &sc, &err), TW_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/dir/s.yaml"));
    assert_null(sc);
    assert_int_equal(tw_scenario_load(NULL, &sc, &err), TW_ERR_INVALID);
    /* from a buffer: the name is used in messages */
    const char text[] = "policies:\n  - tarif: {}\n";
    assert_int_equal(tw_scenario_parse(text, strlen(text), "<stdin>", &sc, &err), TW_ERR_PARSE);
    assert_non_null(strstr(err.message, "<stdin>:2: unknown rule 'tarif'"));
    /* NUL bytes and truncated input do not crash */
    const char nul[] = "policies: [\0]\n";
    assert_int_not_equal(tw_scenario_parse(nul, sizeof nul, "nul", &sc, &err), TW_OK);
    assert_int_equal(tw_scenario_parse("policies: []", 12, "ok.yaml", &sc, &err), TW_OK);
    assert_string_equal(tw_scenario_name(sc), "ok");
    tw_scenario_free(sc);
    tw_scenario_free(NULL);
    assert_null(tw_scenario_name(NULL));
    assert_int_equal(tw_scenario_stage_count(NULL), 0);
}

static void test_bundled_scenarios_parse(void **state)
{
    (void)state;
    const char *files[] = {"scenarios/no-change.yaml", "scenarios/cp2015-nafta.yaml",
                           "scenarios/us-china-list3-25.yaml"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        tw_scenario *sc = NULL;
        tw_error err;
        if (tw_scenario_load(tt_src(files[k]), &sc, &err) != TW_OK)
            fail_msg("%s", err.message);
        tw_scenario_free(sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tariff_set_add_scale),
        cmocka_unit_test(test_groups_and_all),
        cmocka_unit_test(test_other_rules),
        cmocka_unit_test(test_deficit_shift),
        cmocka_unit_test(test_stages_cumulative),
        cmocka_unit_test(test_no_change_and_names),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_from_csv),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_policy_errors),
        cmocka_unit_test(test_load_io_and_parse),
        cmocka_unit_test(test_bundled_scenarios_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
