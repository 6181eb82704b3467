/* test_icio.c - importing OECD ICIO tables (src/io_icio.c), elasticity sets
 * (src/elasticities.c) and tariff-line aggregation (src/tariffs.c).
 *
 * The round trip: us-china-2017 (tariffs removed, at its own baseline
 * equilibrium, so that final demand is what the shares imply) is written in
 * the ICIO layout (input and final shares made to sum to 1 exactly first) by an independent writer below (intermediate use by
 * proportional sourcing, final demand the rest) and imported again: the
 * model must come back, and a counterfactual gives the same welfare. The
 * same writer splits an economy into two identical halves; merged back by a
 * region map it gives the unsplit welfare. Small fixtures in CLI tests come
 * from tests/icio_fixture.py. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define assert_has(text, needle)                                              \
    do {                                                                      \
        if (!strstr((text), (needle)))                                        \
            fail_msg("message '%s' does not contain '%s'", (text), (needle)); \
    } while (0)

static const char *const ind2023[45] = {"A01_02", "A03", "B05_06", "B07_08", "B09",    "C10T12",
                                        "C13T15", "C16", "C17_18", "C19",    "C20",    "C21",
                                        "C22",    "C23", "C24",    "C25",    "C26",    "C27",
                                        "C28",    "C29", "C30",    "C31T33", "D",      "E",
                                        "F",      "G",   "H49",    "H50",    "H51",    "H52",
                                        "H53",    "I",   "J58T60", "J61",    "J62_63", "K",
                                        "L",      "M",   "N",      "O",      "P",      "Q",
                                        "R",      "S",   "T"};

/* us-china-2017 without tariffs, at its baseline equilibrium (deficits kept). */
static tw_model *consistent_uschina(void)
{
    tw_model *raw = NULL, *base = NULL;
    tw_error err;
    assert_int_equal(tw_load_uschina(tt_src("data/us-china-2017"), &raw, &err), TW_OK);
    size_t len = tw_model_array_length(raw, TW_TARIFFS);
    double *zero = calloc(len, sizeof *zero);
    assert_int_equal(tw_model_set(raw, TW_TARIFFS, zero, len, &err), TW_OK);
    free(zero);
    /* shares summing to 1 exactly (the file's sum to 1 within 9e-8 and 3e-8): an ICIO
     * table records purchases, so an import gives exact shares */
    size_t N = tw_model_countries(raw), J = tw_model_sectors(raw);
    double *io = malloc(N * J * J * sizeof *io);
    memcpy(io, tw_model_get(raw, TW_IO_SHARES), N * J * J * sizeof *io);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            double sum = 0;
            for (size_t k = 0; k < J; k++)
                sum += io[tw_idx3io(J, i, k, j)];
            for (size_t k = 0; k < J; k++)
                io[tw_idx3io(J, i, k, j)] /= sum;
        }
    assert_int_equal(tw_model_set(raw, TW_IO_SHARES, io, N * J * J, &err), TW_OK);
    memcpy(io, tw_model_get(raw, TW_FINAL_SHARES), N * J * sizeof *io);
    for (size_t n = 0; n < N; n++) {
        double sum = 0;
        for (size_t j = 0; j < J; j++)
            sum += io[n * J + j];
        for (size_t j = 0; j < J; j++)
            io[n * J + j] /= sum;
    }
    assert_int_equal(tw_model_set(raw, TW_FINAL_SHARES, io, N * J, &err), TW_OK);
    free(io);
    tw_solver_options o;
    tw_solver_options_default(&o);
    tw_baseline_report rep;
    assert_int_equal(tw_baseline_build(raw, TW_DEFICIT_FIXED, &o, &base, &rep, &err), TW_OK);
    tw_model_free(raw);
    return base;
}

/* Write m as an ICIO table (2023 codes for its 44 sectors; the industry T
 * left out, so the edition reads "unknown"). Economy `halve` (or -1) is
 * written as two identical halves XX1, XX2. */
static void write_icio(const tw_model *m, const char *path, long halve)
{
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    const double *X = tw_model_get(m, TW_FLOWS), *va = tw_model_get(m, TW_VA_SHARES),
                 *io = tw_model_get(m, TW_IO_SHARES);
    double *Y = calloc(N * J, sizeof *Y), *E = calloc(N * J, sizeof *E);
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                Y[i * J + j] += X[tw_idx3(N, J, i, n, j)];
                E[n * J + j] += X[tw_idx3(N, J, i, n, j)];
            }
    /* blocks: economies as written (halves get a part of 1/2) */
    size_t B = N + (halve >= 0);
    char(*code)[8] = calloc(B, sizeof *code);
    size_t *of = calloc(B, sizeof *of);
    size_t b = 0;
    for (size_t n = 0; n < N; n++)
        for (int h = 0; h < ((long)n == halve ? 2 : 1); h++, b++) {
            of[b] = n;
            if ((long)n == halve)
                snprintf(code[b], sizeof code[b], "%.2s%d", tw_model_country_code(m, n), h + 1);
            else
                snprintf(code[b], sizeof code[b], "%s", tw_model_country_code(m, n));
        }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("V1", f);
    for (size_t c = 0; c < B; c++)
        for (size_t j = 0; j < J; j++)
            fprintf(f, ",%s_%s", code[c], ind2023[j]);
    for (size_t c = 0; c < B; c++)
        fprintf(f, ",%s_HFCE,%s_NPISH,%s_GGFC,%s_GFCF,%s_INVNT,%s_DPABR", code[c], code[c], code[c],
                code[c], code[c], code[c]);
    fputs(",OUT\n", f);
    for (size_t r = 0; r < B; r++) {
        size_t i = of[r];
        double pr = of[r] == (size_t)halve ? 0.5 : 1;
        for (size_t k = 0; k < J; k++) {
            fprintf(f, "%s_%s", code[r], ind2023[k]);
            for (size_t c = 0; c < B; c++) {
                size_t n = of[c];
                double pc = of[c] == (size_t)halve ? 0.5 : 1;
                double x = X[tw_idx3(N, J, i, n, k)], src = E[n * J + k] > 0 ? x / E[n * J + k] : 0;
                for (size_t j = 0; j < J; j++) {
                    double z = io[tw_idx3io(J, n, k, j)] * (1 - va[n * J + j]) * Y[n * J + j] * src;
                    fprintf(f, ",%.17g", z * pr * pc);
                }
            }
            for (size_t c = 0; c < B; c++) {
                size_t n = of[c];
                double pc = of[c] == (size_t)halve ? 0.5 : 1;
                double x = X[tw_idx3(N, J, i, n, k)], src = E[n * J + k] > 0 ? x / E[n * J + k] : 0;
                double fd = x;
                for (size_t j = 0; j < J; j++)
                    fd -= io[tw_idx3io(J, n, k, j)] * (1 - va[n * J + j]) * Y[n * J + j] * src;
                /* final demand split over the categories: 60/10/15/10/4/1 % */
                static const double part[6] = {0.6, 0.1, 0.15, 0.1, 0.04, 0.01};
                for (int q = 0; q < 6; q++)
                    fprintf(f, ",%.17g", fd * part[q] * pr * pc);
            }
            fprintf(f, ",%.17g\n", Y[i * J + k] * pr);
        }
    }
    static const char *const tail[3] = {"TLS", "VA", "OUT"};
    for (int t = 0; t < 3; t++) {
        fputs(tail[t], f);
        for (size_t c = 0; c < B; c++) {
            double pc = of[c] == (size_t)halve ? 0.5 : 1;
            for (size_t j = 0; j < J; j++) {
                double y = Y[of[c] * J + j] * pc;
                fprintf(f, ",%.17g", t == 0 ? 0 : t == 1 ? va[of[c] * J + j] * y : y);
            }
        }
        for (size_t c = 0; c < 6 * B + 1; c++)
            fputs(",0", f);
        fputc('\n', f);
    }
    fclose(f);
    free(Y);
    free(E);
    free(code);
    free(of);
}

/* Welfare (%) of every country when the US raises tariffs on China by 25
 * points in the goods sectors (the first 22). */
static void welfare(const tw_model *m, double *out)
{
    tw_error err;
    tw_solver *s = tw_solver_create(m, NULL, &err);
    assert_non_null(s);
    tw_policy *p = tw_policy_create(m, NULL);
    long us = tw_model_find_country(m, "USA"), cn = tw_model_find_country(m, "CHN");
    for (size_t j = 0; j < 22; j++)
        assert_int_equal(tw_policy_set_tariff(p, (size_t)cn, (size_t)us, j, 0.25), TW_OK);
    tw_result *r = tw_result_create(m, NULL);
    assert_int_equal(tt_solve(s, p, r, &err), TW_OK);
    memcpy(out, tw_result_country(r, TW_C_WELFARE_PCT), tw_model_countries(m) * sizeof *out);
    tw_result_free(r);
    tw_policy_free(p);
    tw_solver_free(s);
}

static void copy_elasticities(const tw_model *from, tw_model *to)
{
    tw_error err;
    size_t J = tw_model_sectors(from);
    assert_int_equal(tw_model_set(to, TW_THETA, tw_model_get(from, TW_THETA), J, &err), TW_OK);
    assert_int_equal(tw_model_set(to, TW_PSI, tw_model_get(from, TW_PSI), J, &err), TW_OK);
}

static void test_round_trip_uschina(void **state)
{
    (void)state;
    tw_model *m = consistent_uschina();
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/ICIO2023_2017.csv", dir);
    write_icio(m, path, -1);
    tw_model *back = NULL;
    tw_icio_info info;
    tw_error err;
    tw_status st = tw_icio_import(path, NULL, &back, &info, &err);
    if (st != TW_OK)
        fail_msg("%s", err.message);
    assert_int_equal(info.year, 2017);
    assert_string_equal(info.edition, "unknown"); /* 44 industries: T left out */
    assert_int_equal(info.economies, 7);
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    assert_int_equal(tw_model_countries(back), N);
    assert_int_equal(tw_model_sectors(back), J);
    for (size_t i = 0; i < N; i++)
        assert_string_equal(tw_model_country_code(back, i), tw_model_country_code(m, i));
    static const tw_array arrays[] = {TW_FLOWS, TW_VA_SHARES, TW_IO_SHARES, TW_FINAL_SHARES};
    for (size_t a = 0; a < 4; a++) {
        const double *x = tw_model_get(m, arrays[a]), *y = tw_model_get(back, arrays[a]);
        for (size_t k = 0; k < tw_model_array_length(m, arrays[a]); k++)
            if (!(fabs(x[k] - y[k]) <= 1e-9 * fabs(x[k]) + 1e-13))
                fail_msg("%s[%zu]: %.17g back as %.17g", tw_array_name(arrays[a]), k, x[k], y[k]);
    }
    copy_elasticities(m, back);
    double w0[16], w1[16];
    welfare(m, w0);
    welfare(back, w1);
    for (size_t i = 0; i < N; i++)
        assert_near(w1[i], w0[i], 1e-7);
    tw_model_free(back);
    tw_model_free(m);
}

static void test_split_halves(void **state)
{
    (void)state;
    tw_model *m = consistent_uschina();
    const char *dir = tt_tmpdir();
    char whole[4096], split[4096], map[4096];
    snprintf(whole, sizeof whole, "%s/whole.csv", dir);
    snprintf(split, sizeof split, "%s/split.csv", dir);
    snprintf(map, sizeof map, "%s/regions.csv", dir);
    long eu = tw_model_find_country(m, "EU");
    write_icio(m, whole, -1);
    write_icio(m, split, eu);
    assert_int_equal(tt_write_file(map, "economy,region\nBRA,BRA\nCHN,CHN\nEU1,EU\nEU2,EU\n"
                                        "IND,IND\nJPN,JPN\nROW,ROW\nUSA,USA\n"),
                     0);
    tw_model *a = NULL, *b = NULL, *c = NULL;
    tw_error err;
    tw_icio_options o;
    tw_icio_options_default(&o);
    assert_int_equal(tw_icio_import(whole, NULL, &a, NULL, &err), TW_OK);
    /* without the map the halves are two economies */
    assert_int_equal(tw_icio_import(split, NULL, &c, NULL, &err), TW_OK);
    assert_int_equal(tw_model_countries(c), 8);
    o.regions_map = map;
    if (tw_icio_import(split, &o, &b, NULL, &err) != TW_OK)
        fail_msg("%s", err.message);
    copy_elasticities(m, a);
    copy_elasticities(m, b);
    double wa[16], wb[16];
    welfare(a, wa);
    welfare(b, wb);
    for (size_t i = 0; i < tw_model_countries(a); i++)
        assert_near(wb[i], wa[i], 1e-9);
    tw_model_free(a);
    tw_model_free(b);
    tw_model_free(c);
    tw_model_free(m);
}

/* ---- errors ----------------------------------------------------------------------- */

static const char small_header[] =
    ",AAA_A01_02,AAA_C19,BBB_A01_02,BBB_C19,AAA_HFCE,AAA_INVNT,BBB_HFCE,BBB_INVNT,OUT\n";

static tw_status import_text(const char *body, const tw_icio_options *o, char *msg)
{
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    assert_int_equal(tt_write_file(path, body), 0);
    tw_model *m = NULL;
    tw_error err = {0};
    tw_status st = tw_icio_import(path, o, &m, NULL, &err);
    snprintf(msg, TW_ERROR_MESSAGE_MAX, "%s", err.message);
    tw_model_free(m);
    return st;
}

static void small_table(char *buf, size_t size, const char *invnt_aaa, const char *z_cell)
{
    snprintf(buf, size,
             "%s"
             "AAA_A01_02,%s,2,1,1,20,%s,5,0,0\n"
             "AAA_C19,1,3,1,2,30,1,5,0,0\n"
             "BBB_A01_02,1,1,4,2,6,0,20,1,0\n"
             "BBB_C19,2,1,2,3,4,0,30,2,0\n"
             "TLS,1,1,1,1,0,0,0,0,0\n"
             "VA,20,30,20,20,0,0,0,0,0\n"
             "OUT,0,0,0,0,0,0,0,0,0\n",
             small_header, z_cell, invnt_aaa);
}

static void test_small_table_numbers(void **state)
{
    (void)state;
    char body[2048], msg[TW_ERROR_MESSAGE_MAX];
    small_table(body, sizeof body, "2", "3");
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/small.csv", dir);
    assert_int_equal(tt_write_file(path, body), 0);
    tw_model *m = NULL;
    tw_error err;
    assert_int_equal(tw_icio_import(path, NULL, &m, NULL, &err), TW_OK);
    const double *X = tw_model_get(m, TW_FLOWS), *va = tw_model_get(m, TW_VA_SHARES),
                 *io = tw_model_get(m, TW_IO_SHARES), *fs = tw_model_get(m, TW_FINAL_SHARES);
    /* AAA A01_02 -> AAA: 3 + 2 (intermediate) + 20 + 2 (final, inventories kept) */
    assert_close(X[tw_idx3(2, 2, 0, 0, 0)], 27, 1e-15);
    /* AAA A01_02 -> BBB: 1 + 1 + 5 + 0 */
    assert_close(X[tw_idx3(2, 2, 0, 1, 0)], 7, 1e-15);
    /* value-added share of AAA A01_02: (VA 20 + TLS 1) / (inputs 3+1+1+2 + 21) */
    assert_close(va[0], 21.0 / 28.0, 1e-15);
    /* input share of C19 in AAA A01_02: (1 + 2) / 7 */
    assert_close(io[tw_idx3io(2, 0, 1, 0)], 3.0 / 7.0, 1e-15);
    /* final shares of AAA: (20+2 + 6+0) / (20+2 + 6+0 + 30+1 + 4+0) */
    assert_close(fs[0], 28.0 / 63.0, 1e-15);
    assert_string_equal(tw_model_sector_industries(m, 1), "C19");
    tw_model_free(m);
    /* dropping INVNT: 3 + 2 + 20 */
    tw_icio_options o;
    tw_icio_options_default(&o);
    o.drop_inventories = 1;
    assert_int_equal(tw_icio_import(path, &o, &m, NULL, &err), TW_OK);
    assert_close(tw_model_get(m, TW_FLOWS)[0], 25, 1e-15);
    tw_model_free(m);
    (void)msg;
}

static void test_errors(void **state)
{
    (void)state;
    char body[2048], msg[TW_ERROR_MESSAGE_MAX];
    tw_icio_options o;
    tw_icio_options_default(&o);
    /* a flow made negative by inventories, unless they are dropped */
    small_table(body, sizeof body, "-40", "3");
    assert_int_equal(import_text(body, NULL, msg), TW_ERR_DATA);
    assert_has(msg, "flow AAA -> AAA, sector A01_02 is negative: -15");
    assert_has(msg, "--inventories drop");
    o.drop_inventories = 1;
    assert_int_equal(import_text(body, &o, msg), TW_OK);
    o.drop_inventories = 0;
    /* negative final demand for a sector (flows all >= 0) */
    small_table(body, sizeof body, "-40", "30");
    assert_int_equal(import_text(body, NULL, msg), TW_ERR_DATA);
    assert_has(msg, "final demand of AAA for sector A01_02 is negative: -14");
    /* negative value added plus TLS */
    small_table(body, sizeof body, "2", "3");
    char *va = strstr(body, "VA,20,");
    memcpy(va, "VA,-9,", 6);
    assert_int_equal(import_text(body, NULL, msg), TW_ERR_DATA);
    assert_has(msg, "value added plus TLS of AAA, sector A01_02 is negative: -8");
    /* a region without final demand */
    assert_int_equal(import_text(",AAA_A01_02,BBB_A01_02,AAA_HFCE\nAAA_A01_02,1,1,5\n"
                                 "BBB_A01_02,1,1,5\nVA,5,5,0\n",
                                 NULL, msg),
                     TW_ERR_DATA);
    assert_has(msg, "region BBB has no final demand (total 0)");
    /* an economy with some industries only; a row twice */
    assert_int_equal(import_text(",AAA_A01_02,AAA_C19,BBB_A01_02\n", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, "no column BBB_C19 (economy BBB has other industries)");
    assert_int_equal(import_text(",AAA_A01_02,AAA_HFCE\nAAA_A01_02,1,2\nAAA_A01_02,1,2\n", NULL,
                                 msg),
                     TW_ERR_PARSE);
    assert_has(msg, ":3: row 'AAA_A01_02' appears twice");
    /* a negative intermediate cell names row, column and line */
    small_table(body, sizeof body, "2", "-3");
    assert_int_equal(import_text(body, NULL, msg), TW_ERR_DATA);
    assert_has(msg, "t.csv:2: cell AAA_A01_02 x AAA_A01_02: negative intermediate use -3");
    /* not a number */
    small_table(body, sizeof body, "2", "3x");
    assert_int_equal(import_text(body, NULL, msg), TW_ERR_PARSE);
    assert_has(msg, "'3x' is not a number");
    /* a bad column label, a missing row, a short row */
    assert_int_equal(import_text(",AAA_A01_02,OOPS\nAAA_A01_02,1,2\n", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, "column 3: label 'OOPS' is not COUNTRY_INDUSTRY");
    assert_int_equal(import_text(",AAA_A01_02,AAA_HFCE\nVA,1,0\n", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, "no row AAA_A01_02");
    assert_int_equal(import_text(",AAA_A01_02,AAA_HFCE\nAAA_A01_02,1\n", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, ":2: 2 fields, the header has 3");
    assert_int_equal(import_text(",AAA_A01_02,AAA_HFCE\nAAA_A01_02,1,2\nXYZ,1,0\n", NULL, msg),
                     TW_ERR_PARSE);
    assert_has(msg, ":3: row label 'XYZ' is not one of the header's");
    assert_int_equal(import_text(",AAA_A01_02,AAA_HFCE\nAAA_A01_02,1,2\n", NULL, msg),
                     TW_ERR_PARSE);
    assert_has(msg, "no VA row");
    assert_int_equal(import_text(",AAA_A01_02,AAA_A01_02\n", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, "'AAA_A01_02' appears twice");
    assert_int_equal(import_text(",\"AAA_A01_02\"x\"y,z\",w\n", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, ":1: unbalanced double quotes in the header");
    assert_int_equal(import_text("", NULL, msg), TW_ERR_PARSE);
    assert_has(msg, "empty file");
    /* maps: an economy missing, an entry naming nothing, a duplicate */
    const char *dir = tt_tmpdir();
    char map[4096];
    snprintf(map, sizeof map, "%s/map.csv", dir);
    small_table(body, sizeof body, "2", "3");
    o.regions_map = map;
    assert_int_equal(tt_write_file(map, "economy,region\nAAA,X\n"), 0);
    assert_int_equal(import_text(body, &o, msg), TW_ERR_DATA);
    assert_has(msg, "economy 'BBB' of");
    assert_has(msg, "is not in the map");
    assert_int_equal(tt_write_file(map, "economy,region\nAAA,X\nBBB,Y\nCCC,Y\n"), 0);
    assert_int_equal(import_text(body, &o, msg), TW_ERR_DATA);
    assert_has(msg, "map.csv:4: economy 'CCC' names nothing");
    assert_int_equal(tt_write_file(map, "economy,region\nAAA,X\nAAA,Y\n"), 0);
    assert_int_equal(import_text(body, &o, msg), TW_ERR_DATA);
    assert_has(msg, "map.csv:3: economy 'AAA' mapped twice (first on line 2)");
    o.regions_map = NULL;
    o.sectors_map = map;
    assert_int_equal(tt_write_file(map, "industry,sector\nA01_02,agri\n"), 0);
    assert_int_equal(import_text(body, &o, msg), TW_ERR_DATA);
    assert_has(msg, "industry 'C19' of");
    /* merged to one sector */
    assert_int_equal(tt_write_file(map, "industry,sector\nA01_02,all\nC19,all\n"), 0);
    tw_model *m = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/t2.csv", dir);
    assert_int_equal(tt_write_file(path, body), 0);
    tw_error err;
    assert_int_equal(tw_icio_import(path, &o, &m, NULL, &err), TW_OK);
    assert_int_equal(tw_model_sectors(m), 1);
    assert_string_equal(tw_model_sector_industries(m, 0), "A01_02 C19");
    /* 3+2+1+3 + 20+2 = 31 */
    assert_close(tw_model_get(m, TW_FLOWS)[0], 3 + 2 + 1 + 3 + 20 + 2 + 30 + 1, 1e-15);
    tw_model_free(m);
    /* a missing file */
    assert_int_equal(tw_icio_import("/nonexistent/x.csv", NULL, &m, NULL, &err), TW_ERR_IO);
}

static void test_zero_output_and_split(void **state)
{
    (void)state;
    /* CN1/CN2 industries with CHN final demand; BBB's C19 produces nothing */
    const char *body =
        ",CN1_A01_02,CN1_C19,CN2_A01_02,CN2_C19,BBB_A01_02,BBB_C19,CHN_HFCE,BBB_HFCE,OUT\n"
        "CN1_A01_02,1,1,1,1,1,0,10,3,0\n"
        "CN1_C19,1,1,1,1,1,0,10,3,0\n"
        "CN2_A01_02,1,1,1,1,1,0,10,3,0\n"
        "CN2_C19,1,1,1,1,1,0,10,3,0\n"
        "BBB_A01_02,1,1,1,1,1,0,4,20,0\n"
        "BBB_C19,0,0,0,0,0,0,0,0,0\n"
        "TLS,0,0,0,0,0,0,0,0,0\n"
        "VA,12,12,12,12,15,0,0,0,0\n"
        "OUT,0,0,0,0,0,0,0,0,0\n";
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/ICIO2021_2015.csv", dir);
    assert_int_equal(tt_write_file(path, body), 0);
    tw_model *m = NULL;
    tw_icio_info info;
    tw_error err;
    if (tw_icio_import(path, NULL, &m, &info, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_int_equal(tw_model_countries(m), 2);
    assert_string_equal(tw_model_country_code(m, 0), "CHN");
    assert_int_equal(info.merged_splits, 2);
    assert_int_equal(info.zero_output, 1);
    assert_int_equal(info.year, 2015);
    /* CHN A01_02 -> CHN: 4 rows of CN? into 2x2 CN? columns... rows CN1_A01_02 and CN2_A01_02,
     * columns CN1_*, CN2_*: 2 x 4 ones, plus 2 x 10 final */
    assert_close(tw_model_get(m, TW_FLOWS)[0], 8 + 20, 1e-15);
    /* the zero-output cell: value-added share 1, no inputs */
    assert_close(tw_model_get(m, TW_VA_SHARES)[tw_idx2(2, 1, 1)], 1, 0);
    assert_close(tw_model_get(m, TW_IO_SHARES)[tw_idx3io(2, 1, 0, 1)], 0, 0);
    tw_model_free(m);
}

/* ---- elasticities ------------------------------------------------------------------ */

static void test_elasticity_sets(void **state)
{
    (void)state;
    tw_model *m = NULL, *copy;
    tw_error err;
    assert_int_equal(tw_load_uschina(tt_src("data/us-china-2017"), &m, &err), TW_OK);
    copy = tw_model_clone(m, NULL);
    size_t J = tw_model_sectors(m);
    /* ll2023 was built from this data set's own file: applied through the
     * aliases it gives back the same theta and psi */
    assert_int_equal(tw_model_apply_elasticities(copy, "ll2023", NULL, &err), TW_OK);
    for (size_t j = 0; j < J; j++) {
        assert_close(tw_model_get(copy, TW_THETA)[j], tw_model_get(m, TW_THETA)[j], 1e-15);
        assert_close(tw_model_get(copy, TW_PSI)[j], tw_model_get(m, TW_PSI)[j], 1e-15);
    }
    /* cp2015 has no psi: psi is kept; agriculture is CP's 9.11, petroleum 64.85 */
    assert_int_equal(tw_model_apply_elasticities(copy, "cp2015", NULL, &err), TW_OK);
    assert_close(tw_model_get(copy, TW_THETA)[0], 9.11, 1e-15);
    assert_close(tw_model_get(copy, TW_THETA)[9], 64.85, 1e-15);
    assert_close(tw_model_get(copy, TW_PSI)[9], tw_model_get(m, TW_PSI)[9], 0);
    /* unknown set: lists the available ones; m unchanged */
    double before = tw_model_get(copy, TW_THETA)[0];
    assert_int_equal(tw_model_apply_elasticities(copy, "cp1999", NULL, &err), TW_ERR_UNKNOWN_NAME);
    assert_has(err.message, "no elasticity set 'cp1999' (available: cp2015, ll2023, ossa2014)");
    assert_close(tw_model_get(copy, TW_THETA)[0], before, 0);
    /* a file with the model's codes: psi kept when absent */
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/el.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("sector,theta\n", f);
    for (size_t j = 0; j < J; j++)
        fprintf(f, "%s,%.17g\n", tw_model_sector_code(m, j), 2.385 + (double)j);
    fclose(f);
    assert_int_equal(tw_model_apply_elasticities(copy, path, NULL, &err), TW_OK);
    assert_close(tw_model_get(copy, TW_THETA)[3], 5.385, 1e-15);
    assert_close(tw_model_get(copy, TW_PSI)[9], tw_model_get(m, TW_PSI)[9], 0);
    /* a bad value names file and line; m unchanged */
    f = fopen(path, "w");
    fputs("sector,theta,psi\nagriculture,-1,0\n", f);
    fclose(f);
    assert_int_not_equal(tw_model_apply_elasticities(copy, path, NULL, &err), TW_OK);
    assert_has(err.message, "el.csv:2");
    assert_close(tw_model_get(copy, TW_THETA)[3], 5.385, 1e-15);
    /* a model whose sectors have no ICIO industries */
    tw_model *syn = NULL;
    assert_int_equal(tw_model_synthetic(3, 4, 7, 0, &syn, &err), TW_OK);
    assert_int_equal(tw_model_apply_elasticities(syn, "cp2015", NULL, &err), TW_ERR_DATA);
    assert_has(err.message, "has no ICIO industries");
    /* a set folder with a broken file */
    char sets[4096];
    snprintf(sets, sizeof sets, "%s/sets", dir);
    char sub[4200];
    snprintf(sub, sizeof sub, "mkdir -p %s/bad", sets);
    assert_int_equal(system(sub), 0);
    snprintf(path, sizeof path, "%s/bad/elasticities.csv", sets);
    assert_int_equal(tt_write_file(path, "industry,theta\nA01_02,2\nXX9,3\n"), 0);
    assert_int_equal(tw_model_apply_elasticities(copy, "bad", sets, &err), TW_ERR_DATA);
    assert_has(err.message, "elasticities.csv:3: 'XX9' is not an ICIO industry");
    assert_int_equal(tt_write_file(path, "industry,theta\nA01_02,2\n"), 0);
    assert_int_equal(tw_model_apply_elasticities(copy, "bad", sets, &err), TW_ERR_DATA);
    assert_has(err.message, "no row for industry A03");
    tw_model_free(syn);
    tw_model_free(copy);
    tw_model_free(m);
}

/* An imported data set records its industries; merged sectors take the mean. */
static void test_elasticities_merged_sectors(void **state)
{
    (void)state;
    tw_model *m = tw_model_create(1, 2, NULL);
    tw_error err;
    assert_int_equal(tw_model_set_sector(m, 0, "goods", NULL, &err), TW_OK);
    assert_int_equal(tw_model_set_sector(m, 1, "serv", NULL, &err), TW_OK);
    assert_int_equal(tw_model_set_sector_industries(m, 0, "A01_02 C19", &err), TW_OK);
    assert_int_equal(tw_model_set_sector_industries(m, 1, "D35 D97T98", &err), TW_OK);
    assert_int_equal(tw_model_apply_elasticities(m, "cp2015", NULL, &err), TW_OK);
    assert_close(tw_model_get(m, TW_THETA)[0], (9.11 + 64.85) / 2, 1e-15);
    assert_close(tw_model_get(m, TW_THETA)[1], 8.22, 1e-15); /* 2021 codes accepted */
    tw_model *c = tw_model_clone(m, NULL);
    assert_string_equal(tw_model_sector_industries(c, 0), "A01_02 C19");
    tw_model_free(c);
    assert_int_equal(tw_model_set_sector_industries(m, 0, "A01_02;C19", &err), TW_ERR_DATA);
    tw_model_free(m);
}

/* ---- tariff lines --------------------------------------------------------------------- */

static void test_tariff_aggregate(void **state)
{
    (void)state;
    /* three codes in sector 0 (one half-shared with sector 1), one without a line */
    size_t sector[4] = {0, 0, 1, 0};
    double share[4] = {1, 0.5, 0.5, 1};
    double rate[4] = {0.1, 0.3, 0.3, NAN};
    double weight[4] = {200, 100, 100, 50};
    double out[2], cov[2];
    tw_error err;
    assert_int_equal(tw_tariff_aggregate(4, sector, share, rate, weight, 2, out, cov, &err), TW_OK);
    /* (200*0.1 + 50*0.3) / (200 + 50) */
    assert_close(out[0], (20 + 15) / 250.0, 1e-15);
    assert_close(cov[0], 250.0 / 300.0, 1e-15);
    assert_close(out[1], 0.3, 1e-15);
    assert_close(cov[1], 1, 1e-15);
    /* simple average */
    assert_int_equal(tw_tariff_aggregate(4, sector, share, rate, NULL, 2, out, cov, &err), TW_OK);
    assert_close(out[0], (0.1 + 0.5 * 0.3) / 1.5, 1e-15);
    assert_close(cov[0], 1.5 / 2.5, 1e-15);
    sector[0] = 5;
    assert_int_equal(tw_tariff_aggregate(4, sector, share, rate, NULL, 2, out, cov, &err),
                     TW_ERR_INVALID);
}

static void test_tariff_files(void **state)
{
    (void)state;
    const char *dir = tt_tmpdir();
    char lines[4096], conc[4096], w[4096];
    snprintf(lines, sizeof lines, "%s/lines.csv", dir);
    snprintf(conc, sizeof conc, "%s/conc.csv", dir);
    snprintf(w, sizeof w, "%s/w.csv", dir);
    assert_int_equal(tt_write_file(lines, "importer,exporter,code,rate\n"
                                          "USA,CHN,010110,0.1\nUSA,CHN,010120,0.3\n"
                                          "USA,CHN,999999,0.5\nUSA,CHN,999998,0.5\n"),
                     0);
    assert_int_equal(tt_write_file(conc, "code,sector\n010110,agri\n010120,agri\n020000,agri\n"),
                     0);
    assert_int_equal(tt_write_file(w, "importer,exporter,code,value\nUSA,CHN,010110,3\n"
                                      "USA,CHN,010120,1\nUSA,CHN,020000,4\nUSA,CHN,999999,7\n"),
                     0);
    tw_tariff_report *r = NULL;
    tw_error err;
    if (tw_tariffs_aggregate_files(lines, conc, w, &r, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_int_equal(tw_tariff_report_rows(r), 1);
    const char *imp, *exp, *sec;
    double rate, cov, covered, total;
    size_t n;
    tw_tariff_report_row(r, 0, &imp, &exp, &sec, &rate, &cov, &n, &covered, &total);
    assert_string_equal(sec, "agri");
    assert_close(rate, (3 * 0.1 + 1 * 0.3) / 4, 1e-15);
    assert_close(cov, 0.5, 1e-15);
    assert_int_equal(n, 2);
    assert_int_equal(tw_tariff_report_unmapped(r), 2);
    const char *code;
    double trade;
    tw_tariff_report_unmapped_code(r, 0, &code, &n, &trade);
    assert_string_equal(code, "999999");
    assert_close(trade, 7, 0);
    tw_tariff_report_free(r);
    /* a duplicate line */
    assert_int_equal(tt_write_file(lines, "importer,exporter,code,rate\nUSA,CHN,010110,0.1\n"
                                          "USA,CHN,010110,0.2\n"),
                     0);
    assert_int_equal(tw_tariffs_aggregate_files(lines, conc, NULL, &r, &err), TW_ERR_DATA);
    assert_has(err.message, "lines.csv:3: importer USA, exporter CHN, code 010110 given twice");
    /* a bad share */
    assert_int_equal(tt_write_file(conc, "code,sector,share\n010110,agri,1.5\n"), 0);
    assert_int_equal(tw_tariffs_aggregate_files(lines, conc, NULL, &r, &err), TW_ERR_DATA);
    assert_has(err.message, "conc.csv:2: share 1.5 is not in (0, 1]");
}

static void test_tariff_series(void **state)
{
    (void)state;
    const char *dir = tt_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/series.csv", dir);
    assert_int_equal(tt_write_file(path, "time,naics3,rate,trade\n2017-01-01,111,2.5,10\n"
                                         "2017-02-01,111,2.5,30\n2018-06-01,111,7.25,x\n"
                                         "2018-06-01,112,1,-4\n"),
                     0);
    tw_lines_columns cols = {"time", "naics3", "rate", "trade"};
    tw_tariff_lines *l = NULL;
    tw_error err;
    assert_int_equal(tw_tariff_lines_read(path, &cols, &l, &err), TW_OK);
    assert_int_equal(tw_tariff_lines_count(l), 4);
    double v;
    size_t n;
    assert_int_equal(tw_tariff_lines_rate(l, "2018-06", "111", &v, &err), TW_OK);
    assert_close(v, 7.25, 0);
    assert_int_equal(tw_tariff_lines_trade(l, "2017-", "111", &v, &n, &err), TW_OK);
    assert_close(v, 40, 0);
    assert_int_equal(n, 2);
    assert_int_equal(tw_tariff_lines_rate(l, "2019-01", "111", &v, &err), TW_ERR_DATA);
    assert_has(err.message, "no row for period 2019-01 and code 111");
    assert_int_not_equal(tw_tariff_lines_trade(l, "2018-06", "111", &v, &n, &err), TW_OK);
    assert_has(err.message, "series.csv:4");
    assert_int_equal(tw_tariff_lines_trade(l, NULL, "112", &v, &n, &err), TW_ERR_DATA);
    assert_has(err.message, "series.csv:5: negative trade -4");
    tw_tariff_lines_free(l);
    cols.trade = "volume";
    assert_int_not_equal(tw_tariff_lines_read(path, &cols, &l, &err), TW_OK);
    assert_has(err.message, "volume");
}

/* ---- the manifest: provenance and sector industries --------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_manifest_provenance(void **state)
{
    (void)state;
    char body[2048];
    small_table(body, sizeof body, "2", "3");
    const char *dir = tt_tmpdir();
    char path[4096], ds[4096], mf[4200];
    snprintf(path, sizeof path, "%s/small.csv", dir);
    snprintf(ds, sizeof ds, "%s/ds", dir);
    snprintf(mf, sizeof mf, "%s/manifest.yaml", ds);
    assert_int_equal(tt_write_file(path, body), 0);
    tw_model *m = NULL, *back = NULL;
    tw_error err;
    assert_int_equal(tw_icio_import(path, NULL, &m, NULL, &err), TW_OK);
    const char *prov[] = {"source_file", "small.csv", "note", "a \"quoted\" value: yes"};
    tw_dataset_meta meta = {.title = "Small",
                            .currency_unit = "millions of US dollars",
                            .provenance = prov,
                            .n_provenance = 2};
    assert_int_equal(tw_write_dataset_meta(m, ds, &meta, &err), TW_OK);
    if (tw_load_dataset(ds, &back, &err) != TW_OK)
        fail_msg("%s", err.message);
    assert_string_equal(tw_model_sector_industries(back, 1), "C19");
    char a[17], b[17];
    tw_model_checksum(m, a);
    tw_model_checksum(back, b);
    assert_string_equal(a, b);
    tw_model_free(back);
    const char *text = slurp(mf);
    assert_has(text, "currency_unit: \"millions of US dollars\"");
    assert_has(text, "  note: \"a \\\"quoted\\\" value: yes\"");
    /* a provenance that is not a mapping of single values */
    char bad[1 << 16];
    snprintf(bad, sizeof bad, "%sprovenance: [1, 2]\n", strstr(text, "flows_basis"));
    char head[4096];
    snprintf(head, sizeof head, "format: tradewar-dataset\nversion: 1\n");
    char whole[1 << 16];
    snprintf(whole, sizeof whole, "%s%s", head, bad);
    assert_int_equal(tt_write_file(mf, whole), 0);
    assert_int_equal(tw_load_dataset(ds, &back, &err), TW_ERR_PARSE);
    assert_has(err.message, "'provenance' must be a mapping");
    snprintf(whole, sizeof whole, "%s%sprovenance: {a: [1]}\n", head, strstr(text, "flows_basis"));
    assert_int_equal(tt_write_file(mf, whole), 0);
    assert_int_equal(tw_load_dataset(ds, &back, &err), TW_ERR_PARSE);
    assert_has(err.message, "provenance: each entry must be a single value");
    /* a sector industry list with a bad character */
    snprintf(whole, sizeof whole, "%s%s", head, strstr(text, "flows_basis"));
    char *p = strstr(whole, "industries: \"C19\"");
    assert_non_null(p);
    memcpy(p, "industries: \"C;9\"", 17);
    assert_int_equal(tt_write_file(mf, whole), 0);
    assert_int_not_equal(tw_load_dataset(ds, &back, &err), TW_OK);
    assert_has(err.message, "industries 'C;9'");
    /* a bad provenance key is refused by the writer */
    const char *badkey[] = {"no spaces", "x"};
    meta.provenance = badkey;
    meta.n_provenance = 1;
    assert_int_equal(tw_write_dataset_meta(m, ds, &meta, &err), TW_ERR_INVALID);
    tw_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_table_numbers),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_zero_output_and_split),
        cmocka_unit_test(test_round_trip_uschina),
        cmocka_unit_test(test_split_halves),
        cmocka_unit_test(test_elasticity_sets),
        cmocka_unit_test(test_elasticities_merged_sectors),
        cmocka_unit_test(test_tariff_aggregate),
        cmocka_unit_test(test_tariff_files),
        cmocka_unit_test(test_tariff_series),
        cmocka_unit_test(test_manifest_provenance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
