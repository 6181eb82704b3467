/* test_gravity.c - PPML with high-dimensional fixed effects (src/gravity.c) and
 * the table reader (src/io_table.c): published estimates, simulated data with
 * known coefficients, separation, covariance identities and error paths. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |got - want| within half a unit of the last printed digit. */
#define assert_printed(got, want, unit) assert_near((got), (want), 0.5 * (unit))

static tw_table *read_table(const char *rel)
{
    tw_table *t = NULL;
    tw_error err;
    tw_status st = tw_table_read(tt_src(rel), &t, &err);
    if (st != TW_OK)
        fail_msg("%s", err.message);
    return t;
}

static uint32_t *factor(const tw_table *t, const char *name, size_t *levels)
{
    long k = tw_table_find(t, name);
    assert_true(k >= 0);
    uint32_t *codes = calloc(tw_table_rows(t), sizeof *codes);
    assert_non_null(codes);
    assert_int_equal(tw_table_factor(t, (size_t)k, codes, levels, NULL, NULL), TW_OK);
    return codes;
}

/*
 * Yotov, Piermartini, Monteiro & Larch (2016), chapter 2, application 1
 * ("trade without borders"), 2006 cross-section with exporter and importer
 * fixed effects. The guide prints ln_DIST -0.791, CNTG 0.674, INTL_BRDR
 * -2.474; its Stata log (ppml, semirobust SEs; TradeWithoutBorder.log in the
 * guide's application files) prints -.7912879 (.0501494), .6736456
 * (.1073719), -2.47445 (.1193816).
 */
static void test_yotov_trade_without_borders(void **state)
{
    (void)state;
    tw_table *t = read_table("data/yotov2016/1_TradeWithoutBorder.dta");
    size_t n = tw_table_rows(t);
    assert_int_equal(n, 4761);
    const char *xs[3] = {"ln_DIST", "CNTG", "INTL_BRDR"};
    double *x = calloc(3 * n, sizeof *x);
    assert_non_null(x);
    for (size_t c = 0; c < 3; c++) {
        const double *col = tw_table_numeric(t, (size_t)tw_table_find(t, xs[c]));
        assert_non_null(col);
        memcpy(x + c * n, col, n * sizeof *x);
    }
    size_t L[2];
    uint32_t *fe[2] = {factor(t, "exporter", &L[0]), factor(t, "importer", &L[1])};
    assert_int_equal(L[0], 69);
    assert_int_equal(L[1], 69);
    const uint32_t *fep[2] = {fe[0], fe[1]};
    tw_ppml_problem p = {
        n, tw_table_numeric(t, (size_t)tw_table_find(t, "trade")), 3, x, 2, fep, L, 0, NULL, NULL};
    tw_ppml_options o;
    tw_ppml_options_default(&o);
    tw_ppml_result r;
    tw_error err;
    assert_int_equal(tw_ppml_fit(&p, &o, &r, &err), TW_OK);
    assert_int_equal(r.outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(r.n_used, 4761);
    /* the guide's table */
    assert_printed(r.beta[0], -0.791, 1e-3);
    assert_printed(r.beta[1], 0.674, 1e-3);
    assert_printed(r.beta[2], -2.474, 1e-3);
    /* the Stata log */
    assert_printed(r.beta[0], -.7912879, 1e-7);
    assert_printed(r.se[0], .0501494, 1e-7);
    assert_printed(r.beta[1], .6736456, 1e-7);
    assert_printed(r.se[1], .1073719, 1e-7);
    assert_printed(r.beta[2], -2.47445, 1e-5);
    assert_printed(r.se[2], .1193816, 1e-7);
    assert_printed(r.deviance, 4542202, 1);
    tw_ppml_result_free(&r);
    free(fe[0]);
    free(fe[1]);
    free(x);
    tw_table_free(t);
}

/* ---- simulated data --------------------------------------------------------- */

static uint64_t rng_state;
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
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

typedef struct sim {
    size_t n, L[3];
    double *y, *x;
    uint32_t *fe[3];
    const uint32_t *fep[3];
} sim;

/* y ~ Poisson(exp(0.385 x1 - 1.2385 x2 + a[g1] + b[g2] + c[g3])). */
static sim simulate(size_t n, size_t levels, uint64_t seed)
{
    sim s = {n,
             {levels, levels, levels},
             calloc(n, sizeof(double)),
             calloc(2 * n, sizeof(double)),
             {NULL, NULL, NULL},
             {NULL, NULL, NULL}};
    rng_state = seed;
    double *eff[3];
    for (int d = 0; d < 3; d++) {
        s.fe[d] = calloc(n, sizeof(uint32_t));
        eff[d] = calloc(levels, sizeof(double));
        for (size_t l = 0; l < levels; l++)
            eff[d][l] = 0.3 * normal();
        s.fep[d] = s.fe[d];
    }
    for (size_t i = 0; i < n; i++) {
        for (int d = 0; d < 3; d++)
            s.fe[d][i] = (uint32_t)(uniform() * (double)levels);
        double x1 = normal() + eff[0][s.fe[0][i]]; /* correlated with a fixed effect */
        double x2 = uniform() < 0.3 ? 1.0 : 0.0;
        s.x[i] = x1;
        s.x[n + i] = x2;
        double eta = 0.5 + 0.385 * x1 - 1.2385 * x2 + eff[0][s.fe[0][i]] + eff[1][s.fe[1][i]] +
                     eff[2][s.fe[2][i]];
        s.y[i] = poisson(exp(eta));
    }
    for (int d = 0; d < 3; d++)
        free(eff[d]);
    return s;
}

static void sim_free(sim *s)
{
    free(s->y);
    free(s->x);
    for (int d = 0; d < 3; d++)
        free(s->fe[d]);
}

static void test_simulated_recovery(void **state)
{
    (void)state;
    sim s = simulate(20000, 150, 2385);
    tw_ppml_problem p = {s.n, s.y, 2, s.x, 3, s.fep, s.L, 0, NULL, NULL};
    tw_ppml_result r;
    tw_error err;
    assert_int_equal(tw_ppml_fit(&p, NULL, &r, &err), TW_OK);
    assert_int_equal(r.outcome, TW_OUTCOME_CONVERGED);
    /* within four standard errors of the truth; the SEs themselves plausible */
    assert_true(fabs(r.beta[0] - 0.385) < 4 * r.se[0]);
    assert_true(fabs(r.beta[1] + 1.2385) < 4 * r.se[1]);
    assert_true(r.se[0] > 0.001 && r.se[0] < 0.05);
    /* Poisson data: robust and model-based SEs agree to sampling error */
    tw_ppml_options o;
    tw_ppml_options_default(&o);
    o.vcov = TW_VCOV_IID;
    tw_ppml_result ri;
    assert_int_equal(tw_ppml_fit(&p, &o, &ri, &err), TW_OK);
    assert_close(ri.beta[0], r.beta[0], 1e-8);
    assert_true(fabs(ri.se[0] / r.se[0] - 1) < 0.1);
    tw_ppml_result_free(&ri);
    tw_ppml_result_free(&r);
    sim_free(&s);
}

/* The projections with three FE give what one dimension (exact in one
 * sweep) gives when the other two are constant: an identity of the method. */
static void test_one_fe_matches_three(void **state)
{
    (void)state;
    sim s = simulate(3000, 40, 7);
    for (size_t i = 0; i < s.n; i++)
        s.fe[1][i] = s.fe[2][i] = 0;
    size_t L1[1] = {40};
    const uint32_t *one[1] = {s.fe[0]};
    tw_ppml_problem p3 = {s.n, s.y, 2, s.x, 3, s.fep, s.L, 0, NULL, NULL};
    tw_ppml_problem p1 = {s.n, s.y, 2, s.x, 1, one, L1, 0, NULL, NULL};
    tw_ppml_result r3, r1;
    assert_int_equal(tw_ppml_fit(&p3, NULL, &r3, NULL), TW_OK);
    assert_int_equal(tw_ppml_fit(&p1, NULL, &r1, NULL), TW_OK);
    for (int c = 0; c < 2; c++) {
        assert_close(r3.beta[c], r1.beta[c], 1e-7);
        assert_close(r3.se[c], r1.se[c], 1e-6);
    }
    tw_ppml_result_free(&r3);
    tw_ppml_result_free(&r1);
    sim_free(&s);
}

/* Clustering by observation is the robust sandwich (G/(G-1) = n/(n-1)); a
 * two-way clustering whose second dimension is the observation itself has
 * V2 = V12, so it equals the one-way result. */
static void test_cluster_identities(void **state)
{
    (void)state;
    sim s = simulate(4000, 30, 11);
    uint32_t *obs = calloc(s.n, sizeof *obs), *grp = calloc(s.n, sizeof *grp);
    for (size_t i = 0; i < s.n; i++) {
        obs[i] = (uint32_t)i;
        grp[i] = (uint32_t)(i % 97);
    }
    tw_ppml_problem p = {s.n, s.y, 2, s.x, 2, s.fep, s.L, 0, NULL, NULL};
    tw_ppml_result rob, c1, c2, cg;
    assert_int_equal(tw_ppml_fit(&p, NULL, &rob, NULL), TW_OK);
    tw_ppml_options o;
    tw_ppml_options_default(&o);
    o.vcov = TW_VCOV_CLUSTER;
    const uint32_t *cl1[1] = {obs};
    size_t n1[1] = {s.n};
    p.n_cluster = 1;
    p.cluster = cl1;
    p.cluster_levels = n1;
    assert_int_equal(tw_ppml_fit(&p, &o, &c1, NULL), TW_OK);
    for (int c = 0; c < 2; c++)
        assert_close(c1.se[c], rob.se[c], 1e-9);
    const uint32_t *clg[1] = {grp};
    size_t ng[1] = {97};
    p.cluster = clg;
    p.cluster_levels = ng;
    assert_int_equal(tw_ppml_fit(&p, &o, &cg, NULL), TW_OK);
    assert_int_equal(cg.clusters[0], 97);
    const uint32_t *cl2[2] = {grp, obs};
    size_t n2[2] = {97, s.n};
    p.n_cluster = 2;
    p.cluster = cl2;
    p.cluster_levels = n2;
    assert_int_equal(tw_ppml_fit(&p, &o, &c2, NULL), TW_OK);
    for (int c = 0; c < 2; c++)
        assert_close(c2.se[c], cg.se[c], 1e-9);
    tw_ppml_result_free(&rob);
    tw_ppml_result_free(&c1);
    tw_ppml_result_free(&c2);
    tw_ppml_result_free(&cg);
    free(obs);
    free(grp);
    sim_free(&s);
}

/* ---- separation ------------------------------------------------------------ */

static void test_separation_fe_group(void **state)
{
    (void)state;
    sim s = simulate(2000, 25, 3);
    /* exporter level 7 never trades */
    size_t zeroed = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.fe[0][i] == 7) {
            s.y[i] = 0;
            zeroed++;
        }
    assert_true(zeroed > 0);
    tw_ppml_problem p = {s.n, s.y, 2, s.x, 3, s.fep, s.L, 0, NULL, NULL};
    tw_ppml_result r;
    assert_int_equal(tw_ppml_fit(&p, NULL, &r, NULL), TW_OK);
    assert_int_equal(r.outcome, TW_OUTCOME_CONVERGED);
    assert_true(r.n_dropped[TW_PPML_SEPARATED_FE] >= zeroed);
    for (size_t i = 0; i < s.n; i++)
        if (s.fe[0][i] == 7)
            assert_int_equal(r.dropped[i], TW_PPML_SEPARATED_FE);
    tw_ppml_result_free(&r);
    sim_free(&s);
}

/* A regressor positive on one y = 0 observation and zero elsewhere separates
 * it (beta -> -infinity): the ReLU check drops exactly that observation, and
 * the other estimate equals the fit without the observation and regressor. */
static void test_separation_regressor(void **state)
{
    (void)state;
    sim s = simulate(2000, 25, 5);
    size_t n = s.n, target = 0;
    while (s.y[target] != 0)
        target++;
    double *x = calloc(2 * n, sizeof *x);
    memcpy(x, s.x, n * sizeof *x); /* x1 as simulated */
    x[n + target] = 2.385;         /* the separating regressor */
    tw_ppml_problem p = {n, s.y, 2, x, 3, s.fep, s.L, 0, NULL, NULL};
    tw_ppml_result r;
    assert_int_equal(tw_ppml_fit(&p, NULL, &r, NULL), TW_OK);
    assert_int_equal(r.n_dropped[TW_PPML_SEPARATED_X], 1);
    assert_int_equal(r.dropped[target], TW_PPML_SEPARATED_X);
    assert_true(isnan(r.beta[1])); /* all zero after the drop: omitted */
    assert_int_equal(r.n_omitted, 1);
    /* the same fit by hand: the observation marked missing, x1 only */
    double *y2 = malloc(n * sizeof *y2);
    memcpy(y2, s.y, n * sizeof *y2);
    y2[target] = NAN;
    tw_ppml_problem q = {n, y2, 1, s.x, 3, s.fep, s.L, 0, NULL, NULL};
    tw_ppml_result r2;
    assert_int_equal(tw_ppml_fit(&q, NULL, &r2, NULL), TW_OK);
    assert_close(r.beta[0], r2.beta[0], 1e-8);
    assert_close(r.se[0], r2.se[0], 1e-7);
    tw_ppml_result_free(&r);
    tw_ppml_result_free(&r2);
    free(y2);
    free(x);
    sim_free(&s);
}

/* ---- errors and the reader ---------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    double y[4] = {1, 2, -3.5, 4}, x[4] = {1, 2, 3, 4.5};
    tw_ppml_problem p = {4, y, 1, x, 0, NULL, NULL, 0, NULL, NULL};
    tw_ppml_result r;
    tw_error err;
    assert_int_equal(tw_ppml_fit(&p, NULL, &r, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "negative"));
    tw_ppml_result_free(&r);
    /* two identical regressors */
    double y2[5] = {1, 2, 0, 4, 7}, x2[10] = {1, 2, 3, 4.5, 5, 1, 2, 3, 4.5, 5};
    tw_ppml_problem q = {5, y2, 2, x2, 0, NULL, NULL, 0, NULL, NULL};
    assert_int_equal(tw_ppml_fit(&q, NULL, &r, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "collinear"));
    tw_ppml_result_free(&r);
    /* every observation missing */
    double y3[2] = {NAN, NAN}, x3[2] = {1, 2};
    tw_ppml_problem m = {2, y3, 1, x3, 0, NULL, NULL, 0, NULL, NULL};
    assert_int_equal(tw_ppml_fit(&m, NULL, &r, &err), TW_ERR_DATA);
    tw_ppml_result_free(&r);
    /* fixed-effect code out of range */
    uint32_t g[4] = {0, 1, 5, 0};
    const uint32_t *gp[1] = {g};
    size_t L[1] = {2};
    double y4[4] = {1, 2, 3, 4};
    tw_ppml_problem f = {4, y4, 1, x, 1, gp, L, 0, NULL, NULL};
    assert_int_equal(tw_ppml_fit(&f, NULL, &r, &err), TW_ERR_INVALID);
    tw_ppml_result_free(&r);
}

/* Without fixed effects a constant is fitted: one binary regressor gives the
 * closed form beta = log(mean y | x=1) - log(mean y | x=0). */
static void test_closed_form(void **state)
{
    (void)state;
    double y[6] = {1.5, 2.5, 0, 4.25, 6.75, 2.0}, x[6] = {0, 0, 0, 1, 1, 1};
    tw_ppml_problem p = {6, y, 1, x, 0, NULL, NULL, 0, NULL, NULL};
    tw_ppml_result r;
    assert_int_equal(tw_ppml_fit(&p, NULL, &r, NULL), TW_OK);
    assert_int_equal(r.outcome, TW_OUTCOME_CONVERGED);
    assert_close(r.beta[0], log(13.0 / 3) - log(4.0 / 3), 1e-9);
    tw_ppml_result_free(&r);
}

static void test_table_csv(void **state)
{
    (void)state;
    const char *dir = tt_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("exporter,importer,trade,dist\nAAA,BBB,2.5,100\nBBB,AAA,,7\nAAA,AAA,3,1e2\n", f);
    fclose(f);
    tw_table *t = NULL;
    tw_error err;
    assert_int_equal(tw_table_read(path, &t, &err), TW_OK);
    assert_int_equal(tw_table_rows(t), 3);
    assert_int_equal(tw_table_cols(t), 4);
    assert_false(tw_table_is_numeric(t, 0));
    const double *trade = tw_table_numeric(t, (size_t)tw_table_find(t, "trade"));
    assert_non_null(trade);
    assert_true(isnan(trade[1]));
    uint32_t codes[3];
    size_t L;
    char **names;
    assert_int_equal(tw_table_factor(t, 0, codes, &L, &names, NULL), TW_OK);
    assert_int_equal(L, 2);
    assert_int_equal(codes[0], codes[2]);
    assert_string_equal(names[1], "BBB");
    free(names[0]);
    free(names[1]);
    free(names);
    size_t Ld;
    assert_int_equal(tw_table_factor(t, 3, codes, &Ld, NULL, NULL), TW_OK);
    assert_int_equal(Ld, 2); /* 100 and 1e2 are one level */
    tw_table_free(t);
    /* ragged row, duplicate column, missing file, not a Stata file */
    f = fopen(path, "w");
    fputs("a,b\n1,2\n3\n", f);
    fclose(f);
    assert_int_equal(tw_table_read(path, &t, &err), TW_ERR_PARSE);
    assert_non_null(strstr(err.message, ":3:"));
    f = fopen(path, "w");
    fputs("a,a\n1,2\n", f);
    fclose(f);
    assert_int_equal(tw_table_read(path, &t, &err), TW_ERR_DATA);
    assert_non_null(strstr(err.message, "twice"));
    snprintf(path, sizeof path, "%s/none.csv", dir);
    assert_int_equal(tw_table_read(path, &t, &err), TW_ERR_IO);
    snprintf(path, sizeof path, "%s/bad.dta", dir);
    f = fopen(path, "w");
    fputs("this is not stata\n", f);
    fclose(f);
    assert_int_equal(tw_table_read(path, &t, &err), TW_ERR_PARSE);
    snprintf(path, sizeof path, "%s/none.dta", dir);
    assert_int_equal(tw_table_read(path, &t, &err), TW_ERR_IO);
}


/* ---- one-sector counterfactuals (src/gravity_ge.c) ------------------------- */

typedef struct ge_data {
    size_t N;
    char code[64][8];
    double Y[64], E[64], T0[64 * 64], T1[64 * 64];
} ge_data;

/* gegravity's sample data and its documented PPML coefficients; T1 with a
 * CAN-JPN PTA (pta = 1 both ways). */
static void gegravity_sample(ge_data *g)
{
    tw_table *t = read_table("data/gegravity-sample/sample_data_set.dlm");
    static const char *const var[5] = {"lndist", "contiguity", "common_language", "pta",
                                       "international"};
    static const double b[5] = {-0.3898623, 0.891577, 0.0326249, 0.4711383, -3.412584};
    size_t n = tw_table_rows(t), L;
    uint32_t *ex = factor(t, "exporter", &L);
    assert_int_equal(L, 30);
    g->N = L;
    char buf[64];
    long ki = tw_table_find(t, "importer"), ke = tw_table_find(t, "exporter");
    for (size_t r = 0; r < n; r++)
        snprintf(g->code[ex[r]], sizeof g->code[0], "%s",
                 tw_table_text(t, r, (size_t)ke, buf, sizeof buf));
    const double *Y = tw_table_numeric(t, (size_t)tw_table_find(t, "Y"));
    const double *E = tw_table_numeric(t, (size_t)tw_table_find(t, "E"));
    for (size_t r = 0; r < n; r++) {
        const char *im = tw_table_text(t, r, (size_t)ki, buf, sizeof buf);
        size_t j = 0;
        while (j < L && strcmp(g->code[j], im))
            j++;
        assert_true(j < L);
        size_t i = ex[r];
        g->Y[i] = Y[r];
        g->E[j] = E[r];
        double v0 = 0, v1 = 0;
        for (int c = 0; c < 5; c++) {
            double x = tw_table_numeric(t, (size_t)tw_table_find(t, var[c]))[r], x1 = x;
            if (c == 3 && ((!strcmp(g->code[i], "CAN") && !strcmp(im, "JPN")) ||
                           (!strcmp(g->code[i], "JPN") && !strcmp(im, "CAN"))))
                x1 = 1;
            v0 += b[c] * x;
            v1 += b[c] * x1;
        }
        g->T0[i * L + j] = exp(v0);
        g->T1[i * L + j] = exp(v1);
    }
    free(ex);
    tw_table_free(t);
}

static size_t code_index(const ge_data *g, const char *c)
{
    for (size_t k = 0; k < g->N; k++)
        if (!strcmp(g->code[k], c))
            return k;
    fail_msg("no country %s", c);
    return 0;
}

/* gegravity's documented example: Canada's GDP +0.418261% (5 significant digits). */
static void test_gegravity_example(void **state)
{
    (void)state;
    static ge_data g;
    gegravity_sample(&g);
    tw_gravity_ge_problem p = {g.N, g.Y, g.E, g.T0, g.T1, 5.0, code_index(&g, "DEU")};
    tw_gravity_ge_result r;
    tw_error err;
    assert_int_equal(tw_gravity_ge_gegravity(&p, &r, &err), TW_OK);
    assert_int_equal(r.outcome, TW_OUTCOME_CONVERGED);
    size_t can = code_index(&g, "CAN"), deu = code_index(&g, "DEU");
    assert_close(r.gdp_pct[can], 0.418261, 5e-6);
    assert_near(r.imr_pct[deu], 0, 1e-12); /* the reference importer's P stays 1 */
    assert_near(r.imr0[deu], 1, 1e-12);
    /* real GDP = price over inward resistance, in changes */
    assert_close(1 + r.gdp_pct[can] / 100,
                 (1 + r.price_pct[can] / 100) / (1 + r.imr_pct[can] / 100), 1e-12);
    tw_gravity_ge_result_free(&r);
    /* no change: every change zero; every cost t_ij (domestic ones too) falls alike,
     * T scaled by c: real GDP rises by c^(1/(sigma-1)) everywhere (closed form) */
    tw_gravity_ge_problem same = {g.N, g.Y, g.E, g.T0, g.T0, 5.0, deu};
    assert_int_equal(tw_gravity_ge_gegravity(&same, &r, &err), TW_OK);
    for (size_t k = 0; k < g.N; k++)
        assert_near(r.gdp_pct[k], 0, 1e-9);
    tw_gravity_ge_result_free(&r);
    static double T2[64 * 64];
    for (size_t q = 0; q < g.N * g.N; q++)
        T2[q] = 2.385 * g.T0[q];
    tw_gravity_ge_problem scaled = {g.N, g.Y, g.E, g.T0, T2, 5.0, deu};
    assert_int_equal(tw_gravity_ge_gegravity(&scaled, &r, &err), TW_OK);
    for (size_t k = 0; k < g.N; k++)
        assert_close(r.gdp_pct[k], 100 * (pow(2.385, 1 / 4.0) - 1), 1e-9);
    tw_gravity_ge_result_free(&r);
    /* errors */
    tw_gravity_ge_problem bad = p;
    bad.sigma = 1;
    assert_int_equal(tw_gravity_ge_gegravity(&bad, &r, &err), TW_ERR_INVALID);
    bad = p;
    bad.reference = g.N;
    assert_int_equal(tw_gravity_ge_gegravity(&bad, &r, &err), TW_ERR_INVALID);
    double Ybad[64];
    memcpy(Ybad, g.Y, sizeof Ybad);
    Ybad[3] = 0;
    bad = p;
    bad.Y = Ybad;
    assert_int_equal(tw_gravity_ge_gegravity(&bad, &r, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "country 4"));
}

/* The guide's GEPPML procedure on a small made-up world: no change gives no
 * change; non-convergence is reported as an outcome; the error paths. (Its
 * converging case, trade without borders, is in tests/cli/test_gravity_ge.sh.) */
static void test_geppml_small(void **state)
{
    (void)state;
    enum { N = 4 };
    double X[N * N], T0[N * N], T1[N * N];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double d = i == j ? 1.0 : 2.0 + 0.385 * (double)(i + j);
            T0[i * N + j] = pow(d, -4.0);
            T1[i * N + j] = i == j ? T0[i * N + j] : 1.5 * T0[i * N + j];
            X[i * N + j] = (10.0 + (double)i) * (7.0 + 2.0 * (double)j) * T0[i * N + j] *
                           (1 + 0.05 * (double)((i * 3 + j) % 4));
        }
    double xc[N], xf[N];
    tw_gravity_ge_result r;
    tw_error err;
    tw_gravity_geppml_problem same = {N, X, T0, T0, 5.0, 0, 1e-10, 0};
    assert_int_equal(tw_gravity_ge_geppml(&same, &r, xc, xf, &err), TW_OK);
    assert_int_equal(r.outcome, TW_OUTCOME_CONVERGED);
    for (size_t k = 0; k < N; k++) {
        assert_near(r.gdp_pct[k], 0, 1e-8);
        assert_near(xf[k], 0, 1e-8);
        assert_near(xc[k], 0, 1e-8);
    }
    tw_gravity_ge_result_free(&r);
    /* the guide's iteration is not a contraction everywhere: on this small
     * world a 50% fall of every international T diverges; the result says so
     * (converged 0, the iteration limit, no error) */
    tw_gravity_geppml_problem open_up = {N, X, T0, T1, 7.0, 0, 1e-5, 5};
    assert_int_equal(tw_gravity_ge_geppml(&open_up, &r, xc, xf, &err), TW_OK);
    assert_int_not_equal(r.outcome, TW_OUTCOME_CONVERGED);
    assert_int_equal(r.iterations, 5);
    tw_gravity_ge_result_free(&r);
    /* errors: sigma, reference, a negative flow, a country that never trades */
    tw_gravity_geppml_problem bad = open_up;
    bad.sigma = 0.5;
    assert_int_equal(tw_gravity_ge_geppml(&bad, &r, xc, xf, &err), TW_ERR_INVALID);
    bad = open_up;
    bad.reference = N;
    assert_int_equal(tw_gravity_ge_geppml(&bad, &r, xc, xf, &err), TW_ERR_INVALID);
    double Xb[N * N];
    memcpy(Xb, X, sizeof Xb);
    Xb[5] = -2.385;
    bad = open_up;
    bad.X = Xb;
    assert_int_equal(tw_gravity_ge_geppml(&bad, &r, xc, xf, &err), TW_ERR_INVALID);
    assert_non_null(strstr(err.message, "pair 2,2"));
    memcpy(Xb, X, sizeof Xb);
    for (size_t j = 0; j < N; j++)
        Xb[2 * N + j] = 0; /* country 3 sells nothing */
    bad.X = Xb;
    assert_int_equal(tw_gravity_ge_geppml(&bad, &r, xc, xf, &err), TW_ERR_DATA);
    assert_int_equal(tw_gravity_ge_geppml(&open_up, NULL, xc, xf, &err), TW_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yotov_trade_without_borders),
        cmocka_unit_test(test_simulated_recovery),
        cmocka_unit_test(test_one_fe_matches_three),
        cmocka_unit_test(test_cluster_identities),
        cmocka_unit_test(test_separation_fe_group),
        cmocka_unit_test(test_separation_regressor),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_table_csv),
        cmocka_unit_test(test_gegravity_example),
        cmocka_unit_test(test_geppml_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
