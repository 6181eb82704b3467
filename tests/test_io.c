/* test_io.c - the data loaders: CSV reader, tradewar data sets (round trip
 * and every bad-input path), cp1993 and us-china-2017. */
#include "testutil.h"

#include "io_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

#define assert_has(text, needle)                                              \
    do {                                                                      \
        if (!strstr((text), (needle)))                                        \
            fail_msg("message '%s' does not contain '%s'", (text), (needle)); \
    } while (0)

static void write_in(const char *dir, const char *file, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    assert_int_equal(tt_write_file(path, text), 0);
}

static void remove_in(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    remove(path);
}

/* Remove a fixture directory and the files a test put there. */
static void cleanup(const char *dir)
{
    static const char *const files[] = {
        "manifest.yaml", "flows.csv",        "tariffs.csv",      "va_shares.csv",
        "io_shares.csv", "final_shares.csv", "elasticities.csv", "export_taxes.csv",
        "subsidies.csv", "trade_costs.csv",  "trade.csv",
    };
    for (size_t k = 0; k < sizeof files / sizeof *files; k++)
        remove_in(dir, files[k]);
    rmdir(dir);
}

/* A tiny valid data set: 2 countries, 2 sectors (unusual values on purpose). */
#define MANIFEST_HEAD             \
    "format: tradewar-dataset\n"  \
    "version: 1\n"                \
    "title: Tiny test economy\n"  \
    "source: made up for tests\n" \
    "currency_unit: millions of USD\n"

#define MANIFEST_LABELS                                  \
    "countries:\n"                                       \
    "  - {code: AAA, name: Country A}\n"                 \
    "  - {code: BBB, name: \"Country B: the second\"}\n" \
    "sectors:\n"                                         \
    "  - {code: goods, name: Goods}\n"                   \
    "  - {code: serv}\n"

static const char *const good[][2] = {
    {"manifest.yaml", MANIFEST_HEAD "flows_basis: before_tariffs\n" MANIFEST_LABELS},
    {"flows.csv", "exporter,importer,sector,value\n"
                  "AAA,AAA,goods,70.25\n"
                  "AAA,BBB,goods,12.5\n"
                  "BBB,AAA,goods,8.75\n"
                  "BBB,BBB,goods,90\n"
                  "AAA,AAA,serv,40.5\n"
                  "AAA,BBB,serv,0\n"
                  "BBB,AAA,serv,0\n"
                  "BBB,BBB,serv,55.125\n"},
    {"tariffs.csv", "exporter,importer,sector,rate\n"
                    "AAA,BBB,goods,0.1\n"
                    "BBB,AAA,goods,0.2\n"},
    {"va_shares.csv", "country,sector,share\n"
                      "AAA,goods,0.4\n"
                      "AAA,serv,0.6\n"
                      "BBB,goods,0.55\n"
                      "BBB,serv,0.65\n"},
    {"final_shares.csv", "country,sector,share\n"
                         "AAA,goods,0.3\n"
                         "AAA,serv,0.7\n"
                         "BBB,goods,0.45\n"
                         "BBB,serv,0.55\n"},
    {"io_shares.csv", "country,input,sector,share\n"
                      "AAA,goods,goods,0.6\n"
                      "AAA,serv,goods,0.4\n"
                      "AAA,goods,serv,0.25\n"
                      "AAA,serv,serv,0.75\n"
                      "BBB,goods,goods,0.5\n"
                      "BBB,serv,goods,0.5\n"
                      "BBB,goods,serv,0.125\n"
                      "BBB,serv,serv,0.875\n"},
    {"elasticities.csv", "sector,theta,psi\n"
                         "goods,4.5,0\n"
                         "serv,8.22,0\n"},
};
#define N_GOOD (sizeof good / sizeof *good)

/* A fresh directory with the good data set, `file` replaced by `text`
 * (or left out when text is NULL). Returns a malloc'd path. */
static char *make_ds(const char *file, const char *text)
{
    const char *tmp = tt_tmpdir();
    assert_non_null(tmp);
    char *dir = strdup(tmp);
    for (size_t k = 0; k < N_GOOD; k++)
        if (!file || strcmp(file, good[k][0]) != 0)
            write_in(dir, good[k][0], good[k][1]);
    if (file && text)
        write_in(dir, file, text);
    return dir;
}

/* Load a data set that must fail with `status` and a message naming each needle. */
static void expect_fail(const char *file, const char *text, tw_status status, const char *n1,
                        const char *n2, const char *n3)
{
    char *dir = make_ds(file, text);
    tw_model *m = (tw_model *)1;
    tw_error err = {0};
    tw_status st = tw_load_dataset(dir, &m, &err);
    if (st != status)
        fail_msg("status %d (%s), expected %d", st, err.message, status);
    assert_null(m);
    assert_int_equal(err.code, status);
    const char *needles[3] = {n1, n2, n3};
    for (int k = 0; k < 3; k++)
        if (needles[k])
            assert_has(err.message, needles[k]);
    cleanup(dir);
    free(dir);
}

/* ---- the CSV reader -------------------------------------------------------- */

static void test_csv_features(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBFname,\\theta ,note\r\n"
                               "1,6.23 ,\"quoted, with comma\"\r\n"
                               "\r\n"
                               "2,  0.64,\"two\nlines\"\r\n"
                               "3,1e-3,\"say \"\"hi\"\"\"";
    tw_csv c;
    tw_error err;
    assert_int_equal(tw_csv_parse("mem.csv", text, sizeof text - 1, &c, &err), TW_OK);
    assert_int_equal(c.nrows, 4);
    assert_string_equal(c.rows[0].fields[0], "name"); /* byte-order mark gone */
    assert_string_equal(c.rows[0].fields[1], "\\theta");
    assert_string_equal(c.rows[1].fields[1], "6.23"); /* trailing space trimmed */
    assert_string_equal(c.rows[1].fields[2], "quoted, with comma");
    assert_int_equal(c.rows[2].line, 4); /* the blank line is skipped but counted */
    assert_string_equal(c.rows[2].fields[2], "two\nlines");
    assert_int_equal(c.rows[3].line, 6);
    assert_string_equal(c.rows[3].fields[2], "say \"hi\"");
    long idx[3];
    const char *const names[] = {"\\theta", "name", "absent"};
    assert_int_equal(tw_csv_columns(&c, names, 3, 2, idx, &err), TW_OK);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], -1);
    double v;
    assert_int_equal(tw_csv_number(&c, 2, 1, "\\theta", 0, &v, &err), TW_OK);
    assert_close(v, 0.64, 1e-15);
    assert_int_equal(tw_csv_number(&c, 3, 2, "note", 0, &v, &err), TW_ERR_PARSE);
    assert_has(err.message, "mem.csv:6: column 'note': 'say \"hi\"' is not a number");
    tw_csv_free(&c);
    tw_csv_free(&c); /* freeing twice is harmless: the table is left empty */
}

static void test_csv_errors(void **state)
{
    (void)state;
    tw_csv c;
    tw_error err;
    static const char unterminated[] = "a,b\n1,2\n3,\"open\n";
    assert_int_equal(tw_csv_parse("u.csv", unterminated, sizeof unterminated - 1, &c, &err),
                     TW_ERR_PARSE);
    assert_has(err.message, "u.csv:3:");
    assert_has(err.message, "3,\"open");
    assert_int_equal(c.nrows, 0);
    static const char stray[] = "a,b\n1,x\"y\n";
    assert_int_equal(tw_csv_parse("s.csv", stray, sizeof stray - 1, &c, &err), TW_ERR_PARSE);
    assert_has(err.message, "s.csv:2:");
    assert_has(err.message, "x\"y");
    assert_int_equal(tw_csv_read("/nonexistent/dir/x.csv", &c, &err), TW_ERR_IO);
    assert_has(err.message, "/nonexistent/dir/x.csv");
    static const char empty[] = "\n\n";
    assert_int_equal(tw_csv_parse("e.csv", empty, sizeof empty - 1, &c, &err), TW_OK);
    long idx;
    const char *const names[] = {"a"};
    assert_int_equal(tw_csv_columns(&c, names, 1, 1, &idx, &err), TW_ERR_PARSE);
    assert_has(err.message, "e.csv: empty file");
    tw_csv_free(&c);
}

static void test_parse_number(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(tw_parse_number("2.385", 0, &v), 0);
    assert_close(v, 2.385, 0);
    assert_int_equal(tw_parse_number("-1e-300", 0, &v), 0);
    assert_int_equal(tw_parse_number("", 0, &v), -1);
    assert_int_equal(tw_parse_number("1.5x", 0, &v), -1);
    assert_int_equal(tw_parse_number("1,5", 0, &v), -1);
    assert_int_equal(tw_parse_number("nan", 0, &v), -2);
    assert_int_equal(tw_parse_number("inf", 0, &v), -2);
    assert_int_equal(tw_parse_number("1e999", 0, &v), -2);
    assert_int_equal(tw_parse_number("inf", 1, &v), 0);
    assert_true(v == INFINITY);
    assert_int_equal(tw_parse_number("-inf", 1, &v), -2);
}

static void test_matrix_reader(void **state)
{
    (void)state;
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/m.txt", dir);
    double out[6];
    tw_error err;
    assert_int_equal(tt_write_file(path, "1\t2.5\t3\r\n\n 4 5 6e2\n"), 0);
    assert_int_equal(tw_matrix_read(path, 2, 3, out, &err), TW_OK);
    assert_close(out[5], 600, 0);
    assert_close(out[1], 2.5, 0);
    assert_int_equal(tt_write_file(path, "1 2 3\n4 5\n"), 0);
    assert_int_equal(tw_matrix_read(path, 2, 3, out, &err), TW_ERR_PARSE);
    assert_has(err.message, "m.txt:2: 2 values, expected 3");
    assert_int_equal(tt_write_file(path, "1 2 3\n4 five 6\n"), 0);
    assert_int_equal(tw_matrix_read(path, 2, 3, out, &err), TW_ERR_PARSE);
    assert_has(err.message, "m.txt:2: value 2: 'five'");
    assert_int_equal(tt_write_file(path, "1 2 NaN\n4 5 6\n"), 0);
    assert_int_equal(tw_matrix_read(path, 2, 3, out, &err), TW_ERR_DATA);
    assert_has(err.message, "m.txt:1: value 3: 'NaN' is not a finite number");
    assert_int_equal(tt_write_file(path, "1 2 3\n"), 0);
    assert_int_equal(tw_matrix_read(path, 2, 3, out, &err), TW_ERR_PARSE);
    assert_has(err.message, "1 rows, expected 2");
    assert_int_equal(tt_write_file(path, "1 2 3\n1 2 3\n1 2 3\n"), 0);
    assert_int_equal(tw_matrix_read(path, 2, 3, out, &err), TW_ERR_PARSE);
    assert_has(err.message, "m.txt:3: more than 2 rows");
    remove(path);
    rmdir(dir);
}

/* ---- data sets ----------------------------------------------------------------- */

static void test_dataset_good(void **state)
{
    (void)state;
    char *dir = make_ds(NULL, NULL);
    tw_model *m = NULL;
    tw_error err = {0};
    if (tw_load_dataset(dir, &m, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_int_equal(tw_model_countries(m), 2);
    assert_int_equal(tw_model_sectors(m), 2);
    assert_string_equal(tw_model_country_name(m, 1), "Country B: the second");
    assert_string_equal(tw_model_sector_name(m, 1), "serv"); /* no name: the code */
    const double *X = tw_model_get(m, TW_FLOWS), *t = tw_model_get(m, TW_TARIFFS);
    assert_close(X[tw_idx3(2, 2, 1, 0, 0)], 8.75, 0);
    assert_close(X[tw_idx3(2, 2, 1, 1, 1)], 55.125, 0);
    assert_close(t[tw_idx3(2, 2, 1, 0, 0)], 0.2, 0);
    assert_close(t[tw_idx3(2, 2, 0, 1, 1)], 0, 0); /* missing tariff rows are 0 */
    assert_close(tw_model_get(m, TW_IO_SHARES)[tw_idx3io(2, 1, 0, 1)], 0.125, 0);
    assert_close(tw_model_get(m, TW_THETA)[1], 8.22, 0);
    assert_close(tw_model_get(m, TW_TRADE_COSTS)[3], 1, 0);
    tw_model_free(m);
    /* tw_load_any finds the manifest */
    assert_int_equal(tw_load_any(dir, &m, &err), TW_OK);
    tw_model_free(m);
    cleanup(dir);
    free(dir);
}

static void test_dataset_after_tariffs(void **state)
{
    (void)state;
    char *dir = make_ds("manifest.yaml",
                        MANIFEST_HEAD "flows_basis: after_tariffs\n" MANIFEST_LABELS);
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_dataset(dir, &m, &err), TW_OK);
    const double *X = tw_model_get(m, TW_FLOWS);
    assert_close(X[tw_idx3(2, 2, 0, 1, 0)], 12.5 / 1.1, 1e-15);
    assert_close(X[tw_idx3(2, 2, 1, 0, 0)], 8.75 / 1.2, 1e-15);
    assert_close(X[tw_idx3(2, 2, 0, 0, 0)], 70.25, 0);
    tw_model_free(m);
    cleanup(dir);
    free(dir);
}

static void test_dataset_optional_tables(void **state)
{
    (void)state;
    char *dir = make_ds("elasticities.csv", "sector,markup,psi,theta\n"
                                            "serv,0.2,0.05,3.25\n"
                                            "goods,0,0.1,4.5\n");
    write_in(dir, "trade.csv",
             "exporter,importer,sector,value\n"
             "AAA,AAA,goods,70.25\nAAA,BBB,goods,12.5\nBBB,AAA,goods,8.75\n"
             "BBB,BBB,goods,90\nAAA,AAA,serv,40.5\nAAA,BBB,serv,0\n"
             "BBB,AAA,serv,0\nBBB,BBB,serv,55.125\n");
    write_in(dir, "subsidies.csv", "country,sector,rate\nBBB,serv,-0.05\n");
    write_in(dir, "export_taxes.csv", "exporter,importer,sector,rate\nAAA,BBB,goods,0.03\n");
    write_in(dir, "trade_costs.csv", "exporter,importer,sector,cost\nAAA,BBB,serv,inf\n");
    /* with `files`, only the listed tables are read: subsidies.csv is ignored */
    write_in(dir, "manifest.yaml",
             MANIFEST_HEAD "flows_basis: before_tariffs\n" MANIFEST_LABELS
                           "files:\n  flows: trade.csv\n  tariffs: tariffs.csv\n"
                           "  export_taxes: export_taxes.csv\n"
                           "  trade_costs: trade_costs.csv\n");
    remove_in(dir, "flows.csv");
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_dataset(dir, &m, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_close(tw_model_get(m, TW_MARKUP)[1], 0.2, 0);
    assert_close(tw_model_get(m, TW_PSI)[0], 0.1, 0);
    assert_close(tw_model_get(m, TW_THETA)[1], 3.25, 0);
    assert_close(tw_model_get(m, TW_EXPORT_TAXES)[tw_idx3(2, 2, 0, 1, 0)], 0.03, 0);
    assert_true(tw_model_get(m, TW_TRADE_COSTS)[tw_idx3(2, 2, 0, 1, 1)] == INFINITY);
    assert_close(tw_model_get(m, TW_SUBSIDIES)[3], 0, 0);
    tw_model_free(m);
    cleanup(dir);
    free(dir);
}

static void assert_same_model(const tw_model *a, const tw_model *b)
{
    assert_int_equal(tw_model_countries(a), tw_model_countries(b));
    assert_int_equal(tw_model_sectors(a), tw_model_sectors(b));
    for (size_t i = 0; i < tw_model_countries(a); i++) {
        assert_string_equal(tw_model_country_code(a, i), tw_model_country_code(b, i));
        assert_string_equal(tw_model_country_name(a, i), tw_model_country_name(b, i));
    }
    for (size_t j = 0; j < tw_model_sectors(a); j++)
        assert_string_equal(tw_model_sector_name(a, j), tw_model_sector_name(b, j));
    for (int w = 0; w < TW_ARRAY_COUNT; w++) {
        size_t len = tw_model_array_length(a, (tw_array)w);
        if (memcmp(tw_model_get(a, (tw_array)w), tw_model_get(b, (tw_array)w),
                   len * sizeof(double)) != 0)
            fail_msg("array %s differs after the round trip", tw_array_name((tw_array)w));
    }
    char ha[17], hb[17];
    tw_model_checksum(a, ha);
    tw_model_checksum(b, hb);
    assert_string_equal(ha, hb);
}

static void round_trip(const tw_model *m)
{
    const char *tmp = tt_tmpdir();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/out", tmp); /* created by the writer */
    tw_error err;
    if (tw_write_dataset(m, dir, &err) != TW_OK)
        fail_msg("%s", err.message);
    tw_model *back = NULL;
    if (tw_load_dataset(dir, &back, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_same_model(m, back);
    tw_model_free(back);
    cleanup(dir);
    rmdir(tmp);
}

static void test_round_trip(void **state)
{
    (void)state;
    char *dir = make_ds(NULL, NULL);
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_dataset(dir, &m, &err), TW_OK);
    /* awkward values: every optional array, a ban, -0 and a name needing quotes */
    double pi[2] = {0.1 / 3, 0}, psi[2] = {1.0 / 7, 0}, s[4] = {0, 0, 0, -0.0};
    double e[8] = {0, 0.0123456789012345678, 0, 0, 0, 0, 0, 0};
    double d[8] = {1, 1, 1, 1, 1, INFINITY, 1, 1};
    assert_int_equal(tw_model_set(m, TW_MARKUP, pi, 2, &err), TW_OK);
    assert_int_equal(tw_model_set(m, TW_PSI, psi, 2, &err), TW_OK);
    assert_int_equal(tw_model_set(m, TW_SUBSIDIES, s, 4, &err), TW_OK);
    assert_int_equal(tw_model_set(m, TW_EXPORT_TAXES, e, 8, &err), TW_OK);
    assert_int_equal(tw_model_set(m, TW_TRADE_COSTS, d, 8, &err), TW_OK);
    assert_int_equal(tw_model_set_country(m, 0, "AAA", "A \"quoted\" name: with\\slash", &err),
                     TW_OK);
    round_trip(m);
    tw_model_free(m);
    cleanup(dir);
    free(dir);
}

static void test_round_trip_bundled(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_uschina(tt_src("data/us-china-2017"), &m, &err), TW_OK);
    round_trip(m);
    tw_model_free(m);
    assert_int_equal(tw_load_cp1993(tt_src("data/cp1993"), &m, &err), TW_OK);
    round_trip(m);
    tw_model_free(m);
}

static void test_write_errors(void **state)
{
    (void)state;
    char *dir = make_ds(NULL, NULL);
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_dataset(dir, &m, &err), TW_OK);
    char file[4096];
    snprintf(file, sizeof file, "%s/flows.csv/sub", dir); /* under a regular file */
    assert_int_equal(tw_write_dataset(m, file, &err), TW_ERR_IO);
    assert_has(err.message, "flows.csv/sub");
    assert_int_equal(tw_write_dataset(NULL, dir, &err), TW_ERR_INVALID);
    tw_model_free(m);
    cleanup(dir);
    free(dir);
}

/* ---- every bad input ------------------------------------------------------------ */

static void test_bad_csv(void **state)
{
    (void)state;
    expect_fail("flows.csv",
                "exporter,importer,sector,value\nAAA,AAA,goods,70.25\n"
                "AAA,\"BBB,goods,12.5\n",
                TW_ERR_PARSE, "flows.csv:3:", "never closed", "AAA,\"BBB,goods,12.5");
    expect_fail("va_shares.csv", "country,sector,share\nAAA,goods,0.4\nAAA,serv\n", TW_ERR_PARSE,
                "va_shares.csv:3:", "2 fields, the header has 3", NULL);
    expect_fail("final_shares.csv", "country,sector,shares\nAAA,goods,0.3\n", TW_ERR_PARSE,
                "final_shares.csv:1:", "missing column 'share'", NULL);
    expect_fail("va_shares.csv", NULL, TW_ERR_IO, "va_shares.csv", "cannot open", NULL);
    expect_fail("elasticities.csv", "sector,theta,psi\ngoods,4.5,0\nserv,8,22,0\n", TW_ERR_PARSE,
                "elasticities.csv:3:", "4 fields", NULL);
    expect_fail("flows.csv", "", TW_ERR_PARSE, "flows.csv", "empty file", NULL);
}

static const char flows_head[] = "exporter,importer,sector,value\n";
#define FLOWS_REST                                                          \
    "BBB,BBB,goods,90\nAAA,AAA,serv,40.5\nAAA,BBB,serv,0\nBBB,AAA,serv,0\n" \
    "BBB,BBB,serv,55.125\n"

static void expect_flows_fail(const char *rows, tw_status st, const char *n1, const char *n2,
                              const char *n3)
{
    char text[1024];
    snprintf(text, sizeof text, "%s%s%s", flows_head, rows, FLOWS_REST);
    expect_fail("flows.csv", text, st, n1, n2, n3);
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_flows_fail("AAA,AAA,goods,70.25\nAAA,BBB,goods,-3.2\nBBB,AAA,goods,8.75\n", TW_ERR_DATA,
                      "flows.csv:3:", "negative value -3.2", "column 'value'");
    expect_flows_fail("AAA,AAA,goods,70.25\nAAA,BBB,goods,12.5\nBBB,AAA,goods,inf\n", TW_ERR_DATA,
                      "flows.csv:4:", "'inf' is not a finite number", NULL);
    expect_flows_fail("AAA,AAA,goods,70.25\nAAA,BBB,goods,12.5x\nBBB,AAA,goods,8.75\n",
                      TW_ERR_PARSE, "flows.csv:3:", "'12.5x' is not a number", NULL);
    expect_fail("va_shares.csv", "country,sector,share\nAAA,goods,nan\n", TW_ERR_DATA,
                "va_shares.csv:2:", "'nan' is not a finite number", NULL);
    expect_fail("va_shares.csv", "country,sector,share\nAAA,goods,1.25\n", TW_ERR_DATA,
                "va_shares.csv:2:", "value 1.25 out of range", "<= 1");
    expect_fail("elasticities.csv", "sector,theta,psi\ngoods,4.5,0\nserv,0,0\n", TW_ERR_DATA,
                "elasticities.csv:3:", "column 'theta': value 0 out of range", "> 0");
    expect_fail("elasticities.csv", "sector,theta,psi\ngoods,-2,0\nserv,3,0\n", TW_ERR_DATA,
                "elasticities.csv:2:", "value -2", "theta");
    expect_fail("elasticities.csv", "sector,theta,psi\ngoods,4.5,-0.1\nserv,3,0\n", TW_ERR_DATA,
                "elasticities.csv:2:", "column 'psi'", "-0.1");
    expect_fail("elasticities.csv", "sector,theta,markup\ngoods,4.5,1\nserv,3,0\n", TW_ERR_DATA,
                "elasticities.csv:2:", "column 'markup'", "< 1");
    expect_fail("tariffs.csv", "exporter,importer,sector,rate\nAAA,BBB,goods,-1\n", TW_ERR_DATA,
                "tariffs.csv:2:", "value -1 out of range", "> -1");
    expect_fail("tariffs.csv",
                "exporter,importer,sector,rate\nAAA,BBB,goods,0.1\nBBB,BBB,serv,0.05\n",
                TW_ERR_DATA, "tariffs.csv:3:", "BBB on itself", "0.05");
}

static void test_bad_sums(void **state)
{
    (void)state;
    expect_fail("final_shares.csv",
                "country,sector,share\nAAA,goods,0.3\nAAA,serv,0.7\n"
                "BBB,goods,0.5\nBBB,serv,0.55\n",
                TW_ERR_DATA, "final_shares.csv:5:", "country BBB: shares sum to 1.05",
                "TW_SHARE_TOLERANCE = 1e-06");
    expect_fail("io_shares.csv",
                "country,input,sector,share\nAAA,goods,goods,0.6\n"
                "AAA,serv,goods,0.4\nAAA,goods,serv,0.25\nAAA,serv,serv,0.75\n"
                "BBB,goods,goods,0.5\nBBB,serv,goods,0.4\n"
                "BBB,goods,serv,0.125\nBBB,serv,serv,0.875\n",
                TW_ERR_DATA, "io_shares.csv:7:", "country BBB, sector goods", "sum to 0.9");
}

static void test_bad_codes(void **state)
{
    (void)state;
    expect_flows_fail("AAA,AAA,goods,70.25\nAAA,CCC,goods,12.5\nBBB,AAA,goods,8.75\n",
                      TW_ERR_UNKNOWN_NAME, "flows.csv:3:", "unknown country code 'CCC'",
                      "column 'importer'");
    expect_fail("elasticities.csv", "sector,theta,psi\ngoods,4.5,0\nservices,8.22,0\n",
                TW_ERR_UNKNOWN_NAME, "elasticities.csv:3:", "unknown sector code 'services'", NULL);
    expect_fail("io_shares.csv", "country,input,sector,share\nAAA,Goods,goods,0.6\n",
                TW_ERR_UNKNOWN_NAME, "io_shares.csv:2:", "column 'input'", "'Goods'");
}

static void test_bad_rows(void **state)
{
    (void)state;
    expect_fail("va_shares.csv",
                "country,sector,share\nAAA,goods,0.4\nAAA,serv,0.6\n"
                "BBB,goods,0.55\nBBB,serv,0.65\nAAA,serv,0.6\n",
                TW_ERR_DATA, "va_shares.csv:6:", "duplicate row for country AAA, sector serv",
                "first on line 3");
    expect_flows_fail("AAA,AAA,goods,70.25\nAAA,BBB,goods,12.5\n", TW_ERR_DATA,
                      "flows.csv:", "missing row for exporter BBB, importer AAA, sector goods",
                      NULL);
    expect_fail("elasticities.csv", "sector,theta,psi\ngoods,4.5,0\n", TW_ERR_DATA,
                "elasticities.csv:2:", "missing row for sector serv", NULL);
}

static void test_bad_manifest(void **state)
{
    (void)state;
    expect_fail("manifest.yaml",
                MANIFEST_HEAD "flows_basis: before_tariffs\n"
                              "dimensions: {countries: 3, sectors: 2}\n" MANIFEST_LABELS,
                TW_ERR_DATA, "manifest.yaml:7:", "countries is '3' but 2 are listed", NULL);
    expect_fail("manifest.yaml",
                MANIFEST_HEAD "flows_basis: before_tariffs\n"
                              "countries:\n  - {code: AAA}\n  - {code: AAA}\n"
                              "sectors:\n  - {code: goods}\n  - {code: serv}\n",
                TW_ERR_DATA, "manifest.yaml:9:", "duplicate country code 'AAA'", NULL);
    expect_fail("manifest.yaml",
                MANIFEST_HEAD "flows_basis: before_tariffs\n"
                              "countries:\n  - {code: AAA}\n"
                              "sectors:\n  - {code: goods}\n  - {code: serv}\n",
                TW_ERR_UNKNOWN_NAME, "flows.csv:3:", "unknown country code 'BBB'", NULL);
    expect_fail("manifest.yaml",
                MANIFEST_HEAD "flows_basis: before_tariffs\n"
                              "countries:\n  - {code: \"A A\"}\n  - {code: BBB}\n"
                              "sectors:\n  - {code: goods}\n  - {code: serv}\n",
                TW_ERR_DATA, "manifest.yaml:8:", "'A A' is not valid", NULL);
    expect_fail("manifest.yaml", MANIFEST_HEAD "flows_basis: at_the_border\n" MANIFEST_LABELS,
                TW_ERR_PARSE, "manifest.yaml:6:", "'at_the_border'", NULL);
    expect_fail("manifest.yaml", MANIFEST_HEAD "flow_basis: before_tariffs\n" MANIFEST_LABELS,
                TW_ERR_PARSE, "manifest.yaml:6:", "unknown key 'flow_basis'", NULL);
    expect_fail("manifest.yaml", "format: tradewar-dataset\nversion: 2\n", TW_ERR_PARSE,
                "manifest.yaml:2:", "version '2'", NULL);
    expect_fail("manifest.yaml", "format: [unclosed\n", TW_ERR_PARSE,
                "manifest.yaml:", "YAML error", NULL);
    expect_fail("manifest.yaml", MANIFEST_HEAD "flows_basis: before_tariffs\ncountries: []\n",
                TW_ERR_PARSE, "manifest.yaml:7:", "'countries' must be a non-empty list", NULL);
    expect_fail("manifest.yaml",
                MANIFEST_HEAD "flows_basis: before_tariffs\n" MANIFEST_LABELS
                              "files:\n  flow: trade.csv\n",
                TW_ERR_PARSE, "manifest.yaml:14:", "unknown key 'flow' in files", NULL);
    expect_fail("manifest.yaml", NULL, TW_ERR_IO, "manifest.yaml", "cannot open", NULL);
}

static void test_validate_passthrough(void **state)
{
    (void)state;
    /* every cell is valid on its own, but BBB sells nothing: tw_model_validate says so */
    expect_fail("flows.csv",
                "exporter,importer,sector,value\n"
                "AAA,AAA,goods,70.25\nAAA,BBB,goods,12.5\nBBB,AAA,goods,0\n"
                "BBB,BBB,goods,0\nAAA,AAA,serv,40.5\nAAA,BBB,serv,0\n"
                "BBB,AAA,serv,0\nBBB,BBB,serv,0\n",
                TW_ERR_DATA, "flows: BBB sells nothing", NULL, NULL);
}

/* ---- bundled data sets ----------------------------------------------------------- */

static void test_cp1993(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_cp1993(tt_src("data/cp1993"), &m, &err) != TW_OK)
        fail_msg("%s", err.message);
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    assert_int_equal(N, 31);
    assert_int_equal(J, 40);
    long usa = tw_model_find_country(m, "USA"), can = tw_model_find_country(m, "CAN");
    long mex = tw_model_find_country(m, "MEX");
    assert_int_equal(usa, 29);
    assert_int_equal(can, 4);
    assert_int_equal(mex, 19);
    assert_string_equal(tw_model_sector_code(m, 0), "s01");
    assert_string_equal(tw_model_sector_name(m, 39), "Private households");
    const double *X = tw_model_get(m, TW_FLOWS), *t = tw_model_get(m, TW_TARIFFS);
    /* xbilat1993 row 5 (s01, importer CAN), column 30 (USA), thousands of USD */
    assert_close(X[tw_idx3(N, J, 29, 4, 0)], 2315135.0 * 1000, 1e-15);
    assert_close(t[tw_idx3(N, J, 29, 4, 0)], 0.002366667, 1e-12);
    assert_close(X[tw_idx3(N, J, 19, 29, 0)], 2179570.0 * 1000, 1e-15);
    assert_close(t[tw_idx3(N, J, 19, 29, 0)], 0.0252, 1e-12);
    /* domestic sales = gross output - exports (GO.txt s01 USA 2.18394e11) */
    assert_close(X[tw_idx3(N, J, 29, 29, 0)], 2.18394e11 - 29024735.07 * 1000, 1e-12);
    /* services: only domestic sales, equal to gross output */
    assert_close(X[tw_idx3(N, J, 29, 29, 20)], 2.48938e11, 1e-12);
    assert_close(X[tw_idx3(N, J, 29, 4, 20)], 0, 0);
    assert_close(tw_model_get(m, TW_THETA)[0], 9.11, 0);
    assert_close(tw_model_get(m, TW_THETA)[25], 8.22, 0);
    assert_close(tw_model_get(m, TW_PSI)[3], 0, 0);
    tw_model_free(m);
    /* the balanced/ directory itself works too */
    assert_int_equal(tw_load_any(tt_src("data/cp1993/balanced"), &m, &err), TW_OK);
    tw_model_free(m);
}

/* Final shares built as the authors do agree with their alphas.txt. */
static void test_cp1993_alphas(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_any(tt_src("data/cp1993"), &m, &err), TW_OK);
    double alphas[40 * 31];
    assert_int_equal(tw_matrix_read(tt_src("data/cp1993/balanced/alphas.txt"), 40, 31, alphas,
                                    &err),
                     TW_OK);
    const double *a = tw_model_get(m, TW_FINAL_SHARES);
    double worst = 0;
    for (size_t j = 0; j < 40; j++)
        for (size_t n = 0; n < 31; n++)
            worst = fmax(worst, fabs(a[tw_idx2(40, n, j)] - alphas[j * 31 + n]));
    print_message("cp1993: max |final share - alphas.txt| = %.3g\n", worst);
    assert_true(worst < 1e-12);
    tw_model_free(m);
}

static void test_cp1993_tariffs2005(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_cp1993(tt_src("data/cp1993"), &m, &err), TW_OK);
    size_t N = 31, J = 40, len = N * N * J;
    double *t = malloc(len * sizeof *t);
    assert_non_null(t);
    assert_int_equal(tw_read_cp1993_tariffs(tt_src("data/cp1993/balanced/tariffs2005.txt"), m, t,
                                            len, &err),
                     TW_OK);
    assert_close(t[tw_idx3(N, J, 19, 29, 0)], 0.0015, 1e-12); /* USA on MEX, s01: 0.15% */
    assert_close(t[tw_idx3(N, J, 19, 29, 30)], 0, 0);         /* services */
    for (size_t n = 0; n < N; n++)
        assert_close(t[tw_idx3(N, J, n, n, 5)], 0, 0);
    /* reading 1993 reproduces the model's base tariffs */
    assert_int_equal(tw_read_cp1993_tariffs(tt_src("data/cp1993/balanced/tariffs1993.txt"), m, t,
                                            len, &err),
                     TW_OK);
    assert_memory_equal(t, tw_model_get(m, TW_TARIFFS), len * sizeof *t);
    assert_int_equal(tw_read_cp1993_tariffs(tt_src("data/cp1993/balanced/T.txt"), m, t, len, &err),
                     TW_ERR_PARSE);
    assert_has(err.message, "T.txt:1: 1 values, expected 31");
    assert_int_equal(tw_read_cp1993_tariffs("x", m, t, len - 1, &err), TW_ERR_INVALID);
    free(t);
    tw_model_free(m);
    assert_int_equal(tw_load_cp1993("/nonexistent", &m, &err), TW_ERR_IO);
    assert_has(err.message, "xbilat1993.txt");
}

static void test_uschina(void **state)
{
    (void)state;
    tw_model *m = NULL;
    tw_error err;
    if (tw_load_any(tt_src("data/us-china-2017"), &m, &err) != TW_OK)
        fail_msg("%s", err.message);
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    assert_int_equal(N, 7);
    assert_int_equal(J, 44);
    long usa = tw_model_find_country(m, "USA"), chn = tw_model_find_country(m, "CHN");
    assert_int_equal(usa, 6);
    assert_int_equal(chn, 1);
    assert_string_equal(tw_model_sector_code(m, 9), "petroleum");
    assert_string_equal(tw_model_sector_code(m, 43), "other_services");
    const double *X = tw_model_get(m, TW_FLOWS), *t = tw_model_get(m, TW_TARIFFS);
    assert_close(X[tw_idx3(N, J, 1, 6, 16)], 134585.812892, 1e-15); /* CHN -> USA, computers */
    assert_close(X[tw_idx3(N, J, 6, 6, 39)], 2682293.617246, 1e-15);
    assert_close(t[tw_idx3(N, J, 1, 6, 16)], 0.019015888, 1e-15); /* USA on CHN */
    assert_close(t[tw_idx3(N, J, 6, 1, 16)], 0.077406637, 1e-15); /* CHN on USA */
    assert_close(tw_model_get(m, TW_IO_SHARES)[tw_idx3io(J, 6, 2, 16)], 0.00013919047, 1e-15);
    assert_close(tw_model_get(m, TW_VA_SHARES)[tw_idx2(J, 1, 9)], 0.2380954, 1e-15);
    /* cal_elasticities.csv has a byte-order mark and trailing spaces */
    assert_close(tw_model_get(m, TW_THETA)[0], 6.23, 1e-15);
    assert_close(tw_model_get(m, TW_THETA)[9], 0.64, 1e-15);
    assert_close(tw_model_get(m, TW_PSI)[9], 1.22, 1e-15);
    assert_close(tw_model_get(m, TW_PSI)[30], 0, 0);
    for (size_t j = 22; j < J; j++) /* services carry no tariffs */
        for (size_t x = 0; x < N * N; x++)
            assert_close(t[x * J + j], 0, 0);
    /* deficits (imports - exports, billions) as in the README */
    static const char *const codes[7] = {"USA", "IND", "BRA", "JPN", "ROW", "CHN", "EU"};
    static const double want[7] = {604.9, 107.7, -13.4, -29.6, -111.6, -178.8, -379.0};
    double d[7];
    assert_int_equal(tw_model_derive(m, TW_DERIVED_DEFICIT, d, 7), TW_OK);
    for (int k = 0; k < 7; k++) {
        double got = d[tw_model_find_country(m, codes[k])] / 1000;
        print_message("us-china-2017: deficit %s %+.2f bn\n", codes[k], got);
        assert_near(got, want[k], 0.05 + 1e-9);
    }
    tw_model_free(m);
}

/* A broken copy of the us-china layout reports file, line and value. */
static void test_uschina_errors(void **state)
{
    (void)state;
    const char *tmp = tt_tmpdir();
    char *dir = strdup(tmp);
    static const char *const files[] = {"TradeFlow2017.csv", "tariff_prewar2017.csv",
                                        "vashare.csv",       "IOshare.csv",
                                        "finalshare.csv",    "cal_elasticities.csv"};
    for (size_t k = 0; k < 6; k++) {
        char src[4096], *text;
        size_t len;
        tw_error err;
        snprintf(src, sizeof src, "data/us-china-2017/%s", files[k]);
        assert_int_equal(tw_read_file(tt_src(src), &text, &len, &err), TW_OK);
        if (k == 4) { /* finalshare: BRA's first share 0.023751795 -> 0.033751795 */
            char *p = strstr(text, "BRA,1,.023751795");
            assert_non_null(p);
            p[8] = '3';
        }
        write_in(dir, files[k], text);
        free(text);
    }
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_load_uschina(dir, &m, &err), TW_ERR_DATA);
    assert_null(m);
    assert_has(err.message, "finalshare.csv:");
    assert_has(err.message, "country BRA: shares sum to 1.00999");
    remove_in(dir, "IOshare.csv");
    assert_int_equal(tw_load_uschina(dir, &m, &err), TW_ERR_IO);
    assert_has(err.message, "IOshare.csv");
    for (size_t k = 0; k < 6; k++)
        remove_in(dir, files[k]);
    rmdir(dir);
    free(dir);
}

static void test_load_any_nothing(void **state)
{
    (void)state;
    const char *dir = tt_tmpdir();
    tw_model *m = (tw_model *)1;
    tw_error err;
    assert_int_equal(tw_load_any(dir, &m, &err), TW_ERR_IO);
    assert_null(m);
    assert_has(err.message, "manifest.yaml");
    assert_has(err.message, "xbilat1993.txt");
    assert_has(err.message, "TradeFlow2017.csv");
    rmdir(dir);
    assert_int_equal(tw_load_any(NULL, &m, &err), TW_ERR_INVALID);
    assert_int_equal(tw_load_dataset(NULL, &m, NULL), TW_ERR_INVALID);
}

/* tw_read_text: regular files only, each kind with its limit (issue 14). */
static void test_read_text_limits(void **state)
{
    (void)state;
    const char *dir = tt_tmpdir();
    char path[4096], *text = NULL;
    size_t len = 0;
    tw_error err;
    /* exactly at the limit: read; one byte more: refused, naming path and limit */
    snprintf(path, sizeof path, "%s/seven.txt", dir);
    assert_int_equal(tt_write_file(path, "1234567"), 0);
    assert_int_equal(tw_read_text(path, 7, "a test file", &text, &len, &err), TW_OK);
    assert_int_equal(len, 7);
    assert_string_equal(text, "1234567");
    free(text);
    assert_int_equal(tw_read_text(path, 6, "a test file", &text, &len, &err), TW_ERR_DATA);
    assert_null(text);
    assert_non_null(strstr(err.message, "seven.txt: larger than the 6-byte"));
    assert_non_null(strstr(err.message, "limit for a test file"));
    /* not regular files: refused before reading (a FIFO without a writer
     * would block an ordinary open; /dev/zero never ends) */
    snprintf(path, sizeof path, "%s/pipe", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(tw_read_text(path, 100, "a test file", &text, &len, &err), TW_ERR_IO);
    assert_non_null(strstr(err.message, "pipe: a FIFO (named pipe), not a regular file"));
    assert_int_equal(tw_read_file(path, &text, &len, &err), TW_ERR_IO);
    remove(path);
    assert_int_equal(tw_read_text("/dev/zero", 100, "a test file", &text, &len, &err), TW_ERR_IO);
    assert_non_null(strstr(err.message, "/dev/zero: a character device"));
    assert_int_equal(tw_read_text(dir, 100, "a test file", &text, &len, &err), TW_ERR_IO);
    assert_non_null(strstr(err.message, "a directory, not a regular file"));
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(tw_read_text(path, 100, "a test file", &text, &len, &err), TW_ERR_IO);
    assert_non_null(strstr(err.message, "missing: cannot open"));
    /* the model's size limit: N*N*J and N*J*J */
    assert_null(tw_model_create(5000, 1000, NULL));
    assert_null(tw_model_create(1, 5000, NULL));
    assert_int_equal(tw_check_dimensions("x", 256, 256, &err), TW_OK); /* 256^3: the limit */
    assert_int_equal(tw_check_dimensions("x", 4096, 1, &err), TW_OK);
    assert_int_equal(tw_check_dimensions("x", 1, 4096, &err), TW_OK);
    assert_null(tw_model_create(257, 256, NULL));
    assert_null(tw_model_create((size_t)1 << 40, (size_t)1 << 40, NULL)); /* no overflow */
    assert_int_equal(tw_check_dimensions("x", 257, 256, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "TW_LIMIT_CELLS"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_features),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_matrix_reader),
        cmocka_unit_test(test_dataset_good),
        cmocka_unit_test(test_dataset_after_tariffs),
        cmocka_unit_test(test_dataset_optional_tables),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_bundled),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_sums),
        cmocka_unit_test(test_bad_codes),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_bad_manifest),
        cmocka_unit_test(test_validate_passthrough),
        cmocka_unit_test(test_cp1993),
        cmocka_unit_test(test_cp1993_alphas),
        cmocka_unit_test(test_cp1993_tariffs2005),
        cmocka_unit_test(test_uschina),
        cmocka_unit_test(test_uschina_errors),
        cmocka_unit_test(test_load_any_nothing),
        cmocka_unit_test(test_read_text_limits),
    };
    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
