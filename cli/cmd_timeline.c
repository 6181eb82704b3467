/*
 * cmd_timeline.c - `tradewar timeline`: solve the cumulative policy after every
 * stage of a scenario (from the base economy) and report, stage by stage, each
 * economy's welfare, the focus pair's trade both ways and tariff revenue, as a
 * table, CSV, JSON and line charts.
 */
#include "html.h"
#include "output.h"
#include "plot.h"
#include "staged.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cmd_timeline_help(FILE *f)
{
    fputs("Usage: tradewar timeline [OPTIONS] SCENARIO\n"
          "\n"
          "Solve the policy after each stage of a staged scenario (stages are cumulative),\n"
          "every one from the base economy, and report after each stage: welfare of every\n"
          "economy (%), trade between the two focus economies both ways and their tariff\n"
          "revenue. E.g. scenarios/us-china/waves-both.yaml: July 2018 to February 2020.\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --focus A,B          the two economies followed (default: USA,CHN)\n"
          "      --format FORMAT      table (default) or json (timeline.json) on stdout\n"
          "      --output DIR         write timeline.csv, timeline.json and the charts\n"
          "                           welfare, trade and revenue (.png and .svg) into DIR\n"
          "      --charts png,svg|none  draw the charts (default png,svg)\n"
          "      --html FILE          one self-contained HTML page: question, answer,\n"
          "                           charts, tables, warnings, data provenance\n"
          "Solver and elasticity options as for `tradewar solve` (--elasticities,\n"
          "--theta-scale, --psi-scale among them).\n"
          "  -q, --quiet              no progress messages\n"
          "  -v, --verbose            more detail on stderr\n"
          "  -h, --help               show this help\n"
          "\n"
          "Exit status: 0 success, 1 did not converge, 2 usage error, 3 bad data or\n"
          "scenario, 4 I/O or internal error.\n",
          f);
}

typedef struct {
    staged s;
    size_t K, N;
    double *welfare;       /* K*N */
    double *real_gdp;      /* K*N real GDP change, % */
    tw_diagnostics *diag;  /* K */
    double trade[2][64];   /* [direction][stage]: focus[0]->focus[1], then back (64: MAX_STAGES) */
    double revenue[2][64]; /* the focus pair's tariff revenue after each stage */
    double trade_base[2], revenue_base[2];
    tw_solver_stats *stats; /* K */
} timeline;

#define MAX_STAGES 64

static int solve_all(const cli_ctx *ctx, timeline *t)
{
    tw_error err = {0};
    int rc = CLI_OK;
    const tw_model *m = t->s.base;
    size_t N = t->N, J = tw_model_sectors(m), *f = t->s.focus;
    tw_solver *solver = tw_solver_create(m, &t->s.opt, &err);
    tw_result *res = tw_result_create(m, NULL), *prev = tw_result_create(m, NULL);
    if (!solver || !res || !prev) {
        rc = solver ? CLI_FAILURE : cli_fail(&err, err.code != TW_OK ? err.code : TW_ERR_NOMEM);
        if (rc == CLI_FAILURE)
            cli_error("out of memory");
    }
    for (int d = 0; d < 2; d++) {
        t->trade_base[d] = staged_pair(tw_model_get(m, TW_FLOWS), N, J, f[d], f[1 - d]);
    }
    for (size_t k = 0; rc == CLI_OK && k < t->K; k++) {
        tw_policy *p = staged_policy(&t->s, k, m, &rc);
        if (!p)
            break;
        cli_note(ctx, 1, "stage %zu of %zu: %s", k + 1, t->K, tw_scenario_stage_name(t->s.sc, k));
        tw_status st = tw_solve(solver, p, res, &err);
        t->stats[k] = tw_result_stats(res);
        int converged = st == TW_OK && t->stats[k].outcome == TW_OUTCOME_CONVERGED;
        if (converged) {
            tw_status dst = tw_result_diagnose(solver, m, p, res, &t->diag[k], &err);
            if (dst == TW_OK) /* the rules this stage adds */
                dst = tw_scenario_warnings(t->s.sc, k, k, m, &t->diag[k], &err);
            if (dst != TW_OK) {
                tw_policy_free(p);
                rc = cli_fail(&err, dst);
                break;
            }
            for (size_t w = 0; w < t->diag[k].n_warnings; w++)
                fprintf(stderr, "tradewar: warning [%s] (stage %zu): %s\n",
                        t->diag[k].warnings[w].code, k + 1, t->diag[k].warnings[w].message);
        }
        tw_policy_free(p);
        if (!converged) {
            rc = st == TW_OK ? CLI_NO_CONVERGENCE : cli_fail(&err, st);
            if (st == TW_OK)
                cli_error("stage %zu ('%s') did not converge (%s)", k + 1,
                          tw_scenario_stage_name(t->s.sc, k), tw_outcome_name(t->stats[k].outcome));
            break;
        }
        memcpy(t->welfare + k * N, tw_result_country(res, TW_C_WELFARE_PCT), N * sizeof(double));
        memcpy(t->real_gdp + k * N, tw_result_country(res, TW_C_REAL_GDP_PCT), N * sizeof(double));
        for (int d = 0; d < 2; d++) {
            t->trade[d][k] = staged_pair(tw_result_flows(res), N, J, f[d], f[1 - d]);
            t->revenue[d][k] = tw_result_country(res, TW_C_TARIFF_REVENUE)[f[d]];
            t->revenue_base[d] = tw_result_country(res, TW_C_TARIFF_REVENUE_BASE)[f[d]];
        }
        /* the next stage starts from this one's equilibrium */
        tw_result *swap = prev;
        prev = res;
        res = swap;
        tw_solver_set_start(solver, prev);
    }
    tw_result_free(res);
    tw_result_free(prev);
    tw_solver_free(solver);
    return rc;
}

/* ---- output --------------------------------------------------------------------- */

static const char *code(const timeline *t, size_t i) { return tw_model_country_code(t->s.base, i); }

static void print_table(FILE *f, const timeline *t)
{
    const size_t *fc = t->s.focus;
    fprintf(f, "%s\nData: %s (checksum %s)\nBaseline: %s deficits%s\n\n", tw_scenario_name(t->s.sc),
            t->s.data_dir, t->s.data_checksum, out_deficits_name(t->s.deficits),
            t->s.report.calibrated ? ", calibrated" : "");
    fputs("Welfare after each stage, % change from the base economy:\n", f);
    fprintf(f, "%-3s %-10s", "#", "date");
    for (size_t i = 0; i < t->N; i++)
        fprintf(f, " %8s", code(t, i));
    fputs("  stage\n", f);
    for (size_t k = 0; k < t->K; k++) {
        fprintf(f, "%-3zu %-10s", k + 1, tw_scenario_stage_date(t->s.sc, k));
        for (size_t i = 0; i < t->N; i++)
            fprintf(f, " %8.4f",
                    fabs(t->welfare[k * t->N + i]) < 5e-9 ? 0 : t->welfare[k * t->N + i]);
        fprintf(f, "  %s\n", tw_scenario_stage_name(t->s.sc, k));
    }
    fputs("\nReal GDP after each stage, % change from the base economy:\n", f);
    fprintf(f, "%-3s %-10s", "#", "date");
    for (size_t i = 0; i < t->N; i++)
        fprintf(f, " %8s", code(t, i));
    fputc('\n', f);
    for (size_t k = 0; k < t->K; k++) {
        fprintf(f, "%-3zu %-10s", k + 1, tw_scenario_stage_date(t->s.sc, k));
        for (size_t i = 0; i < t->N; i++)
            fprintf(f, " %8.4f",
                    fabs(t->real_gdp[k * t->N + i]) < 5e-9 ? 0 : t->real_gdp[k * t->N + i]);
        fputc('\n', f);
    }
    fprintf(f,
            "\nTrade and tariff revenue after each stage (%s; base: %s->%s %.0f, "
            "%s->%s %.0f; revenue %s %.0f, %s %.0f):\n",
            tw_model_currency_unit(t->s.base), code(t, fc[0]), code(t, fc[1]), t->trade_base[0],
            code(t, fc[1]), code(t, fc[0]), t->trade_base[1], code(t, fc[0]), t->revenue_base[0],
            code(t, fc[1]), t->revenue_base[1]);
    char h[4][32];
    snprintf(h[0], sizeof h[0], "%s->%s", code(t, fc[0]), code(t, fc[1]));
    snprintf(h[1], sizeof h[1], "%s->%s", code(t, fc[1]), code(t, fc[0]));
    snprintf(h[2], sizeof h[2], "rev %s", code(t, fc[0]));
    snprintf(h[3], sizeof h[3], "rev %s", code(t, fc[1]));
    fprintf(f, "%-3s %12s %8s %12s %8s %11s %11s %9s\n", "#", h[0], "%", h[1], "%", h[2], h[3],
            "seconds");
    for (size_t k = 0; k < t->K; k++)
        fprintf(f, "%-3zu %12.1f %8.2f %12.1f %8.2f %11.1f %11.1f %9.4f\n", k + 1, t->trade[0][k],
                staged_pct(t->trade[0][k], t->trade_base[0]), t->trade[1][k],
                staged_pct(t->trade[1][k], t->trade_base[1]), t->revenue[0][k], t->revenue[1][k],
                t->stats[k].seconds);
    fputc('\n', f);
    for (size_t k = 0; k < t->K; k++) {
        fprintf(f, "Stage %zu: ", k + 1);
        out_diagnostics_lines(f, t->s.base, &t->diag[k]);
    }
}

static json_t *timeline_json(const timeline *t, const staged_args *a)
{
    json_t *stages = json_array();
    for (size_t k = 0; stages && k < t->K; k++) {
        json_t *w = json_object(), *trade = json_array(), *rev = json_object(), *g = json_object();
        for (size_t i = 0; w && g && i < t->N; i++) {
            json_object_set_new(w, code(t, i), out_json_number(t->welfare[k * t->N + i]));
            json_object_set_new(g, code(t, i), out_json_number(t->real_gdp[k * t->N + i]));
        }
        for (int d = 0; trade && rev && d < 2; d++) {
            size_t i = t->s.focus[d], n = t->s.focus[1 - d];
            json_array_append_new(
                trade, json_pack("{s:s, s:s, s:o, s:o, s:o}", "exporter", code(t, i), "importer",
                                 code(t, n), "flow_base", out_json_number(t->trade_base[d]), "flow",
                                 out_json_number(t->trade[d][k]), "change_pct",
                                 out_json_number(staged_pct(t->trade[d][k], t->trade_base[d]))));
            json_object_set_new(rev, code(t, i), out_json_number(t->revenue[d][k]));
        }
        json_array_append_new(stages,
                              json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                                        "stage_index", (json_int_t)k, "stage",
                                        tw_scenario_stage_name(t->s.sc, k), "date",
                                        tw_scenario_stage_date(t->s.sc, k), "welfare_pct", w,
                                        "real_gdp_pct", g, "trade", trade, "tariff_revenue", rev,
                                        "diagnostics", out_diagnostics_json(t->s.base, &t->diag[k]),
                                        "warnings", out_warnings_json(&t->diag[k]), "solver",
                                        staged_stats_json(t->stats[k])));
    }
    json_t *rb = json_object();
    for (int d = 0; rb && d < 2; d++)
        json_object_set_new(rb, code(t, t->s.focus[d]), out_json_number(t->revenue_base[d]));
    return json_pack("{s:o, s:s, s:o, s:o}", "tradewar", staged_header_json(&t->s, a), "currency",
                     tw_model_currency_unit(t->s.base), "tariff_revenue_base", rb, "stages",
                     stages);
}

static void timeline_csv(FILE *f, const timeline *t, const staged_args *a)
{
    const size_t *fc = t->s.focus;
    staged_provenance(f, &t->s, a);
    fputs("stage_index,stage,date", f);
    for (size_t i = 0; i < t->N; i++)
        fprintf(f, ",welfare_pct_%s", code(t, i));
    fprintf(f, ",trade_%s_%s,trade_%s_%s,tariff_revenue_%s,tariff_revenue_%s,seconds",
            code(t, fc[0]), code(t, fc[1]), code(t, fc[1]), code(t, fc[0]), code(t, fc[0]),
            code(t, fc[1]));
    for (size_t i = 0; i < t->N; i++)
        fprintf(f, ",real_gdp_pct_%s", code(t, i));
    fputc('\n', f);
    fprintf(f, "0,\"base\",");
    for (size_t i = 0; i < t->N; i++)
        fputs(",0", f);
    fprintf(f, ",%.17g,%.17g,%.17g,%.17g,", t->trade_base[0], t->trade_base[1], t->revenue_base[0],
            t->revenue_base[1]);
    for (size_t i = 0; i < t->N; i++)
        fputs(",0", f);
    fputc('\n', f);
    for (size_t k = 0; k < t->K; k++) {
        fprintf(f, "%zu,\"%s\",%s", k + 1, tw_scenario_stage_name(t->s.sc, k),
                tw_scenario_stage_date(t->s.sc, k));
        for (size_t i = 0; i < t->N; i++)
            fprintf(f, ",%.17g", t->welfare[k * t->N + i]);
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.6g", t->trade[0][k], t->trade[1][k],
                t->revenue[0][k], t->revenue[1][k], t->stats[k].seconds);
        for (size_t i = 0; i < t->N; i++)
            fprintf(f, ",%.17g", t->real_gdp[k * t->N + i]);
        fputc('\n', f);
    }
}

/* Tick labels: the base economy, then "date stage name" (plot.c shortens
 * them to fit). */
static void ticks(const timeline *t, char (*buf)[160], const char **out)
{
    snprintf(buf[0], 160, "base economy");
    out[0] = buf[0];
    for (size_t k = 0; k < t->K; k++) {
        snprintf(buf[k + 1], 160, "%.7s %s", tw_scenario_stage_date(t->s.sc, k),
                 tw_scenario_stage_name(t->s.sc, k));
        out[k + 1] = buf[k + 1];
    }
}

static const char *name(const timeline *t, size_t i) { return tw_model_country_name(t->s.base, i); }

/* Welfare: one panel for each focus economy, one for the others (each on its
 * own scale, so the smaller change stays visible); trade both ways and tariff
 * revenue in the data's money unit scaled to read (billions), one panel per
 * direction or economy. Every chart starts at the base economy. */
static int charts(const timeline *t, file_batch *b, char *why, size_t size)
{
    static const char *const exts[] = {"png", "svg"};
    enum { P = MAX_STAGES + 1 };
    char tickbuf[P][160], fname[64], lab[4][200], unit[2][128], ylab[2][200];
    const char *tk[P];
    const size_t *fc = t->s.focus;
    size_t n = t->K + 1, N = t->N;
    ticks(t, tickbuf, tk);
    double *w = malloc(N * n * sizeof *w), tr[2][P], rv[2][P], ftr, frv, maxtr = 0, maxrv = 0;
    plot_series *sw = malloc(N * sizeof *sw);
    if (!w || !sw) {
        free(w);
        free(sw);
        snprintf(why, size, "out of memory");
        return -1;
    }
    /* the focus economies first, then the others */
    size_t order[256], m = 0;
    order[m++] = fc[0];
    order[m++] = fc[1];
    for (size_t i = 0; i < N && m < 256; i++)
        if (i != fc[0] && i != fc[1])
            order[m++] = i;
    for (size_t q = 0; q < m; q++) {
        size_t i = order[q];
        w[q * n] = 0;
        for (size_t k = 0; k < t->K; k++)
            w[q * n + k + 1] = t->welfare[k * N + i];
        sw[q] = (plot_series){name(t, i), w + q * n, NULL, NULL};
    }
    for (int d = 0; d < 2; d++) {
        tr[d][0] = t->trade_base[d];
        rv[d][0] = t->revenue_base[d];
        for (size_t k = 0; k < t->K; k++) {
            tr[d][k + 1] = t->trade[d][k];
            rv[d][k + 1] = t->revenue[d][k];
        }
        for (size_t k = 0; k < n; k++) {
            maxtr = fmax(maxtr, fabs(tr[d][k]));
            maxrv = fmax(maxrv, fabs(rv[d][k]));
        }
    }
    const char *cu = tw_model_currency_unit(t->s.base);
    plot_money_unit(cu, maxtr, &ftr, unit[0], sizeof unit[0]);
    plot_money_unit(cu, maxrv, &frv, unit[1], sizeof unit[1]);
    for (int d = 0; d < 2; d++)
        for (size_t k = 0; k < n; k++) {
            tr[d][k] *= ftr;
            rv[d][k] *= frv;
        }
    snprintf(lab[0], sizeof lab[0], "%s to %s", name(t, fc[0]), name(t, fc[1]));
    snprintf(lab[1], sizeof lab[1], "%s to %s", name(t, fc[1]), name(t, fc[0]));
    snprintf(lab[2], sizeof lab[2], "%s", name(t, fc[0]));
    snprintf(lab[3], sizeof lab[3], "%s", name(t, fc[1]));
    snprintf(ylab[0], sizeof ylab[0], "%s", unit[0]);
    snprintf(ylab[1], sizeof ylab[1], "%s", unit[1]);
    plot_series st[2] = {{lab[0], tr[0], NULL, NULL}, {lab[1], tr[1], NULL, NULL}};
    plot_series sr[2] = {{lab[2], rv[0], NULL, NULL}, {lab[3], rv[1], NULL, NULL}};
    plot_panel pw[3] = {{lab[2], 1, sw},
                        {lab[3], 1, sw + 1},
                        {"the other economies", N - 2, sw + 2}};
    plot_panel pt[2] = {{lab[0], 1, st}, {lab[1], 1, st + 1}};
    plot_panel pr[2] = {{lab[2], 1, sr}, {lab[3], 1, sr + 1}};
    const char *title = tw_scenario_name(t->s.sc);
    char note[160];
    snprintf(note, sizeof note, "tradewar " TW_VERSION_STRING "; each panel has its own scale");
    plot_labels lw = {title,
                      "Welfare (real income) after each stage: % change from the base economy",
                      NULL, "welfare change, %", note};
    plot_labels lt = {title, "Bilateral trade after each stage (before tariffs)", NULL, ylab[0],
                      note};
    plot_labels lr = {title, "Tariff revenue after each stage", NULL, ylab[1], note};
    int rc = 0;
    /* each chart a file of the batch (all or none), or drawn for the capture */
#define CHART_PATH(f) (b ? batch_reserve(b, (f), why, size) : NULL)
    for (int e = 0; rc == 0 && e < 2; e++) {
        const char *cp;
        snprintf(fname, sizeof fname, "welfare.%s", exts[e]);
        cp = CHART_PATH(fname);
        rc = b && !cp ? -1 : plot_panels(cp, &lw, n, NULL, tk, N > 2 ? 3 : 2, pw, why, size);
        snprintf(fname, sizeof fname, "trade.%s", exts[e]);
        cp = rc == 0 ? CHART_PATH(fname) : NULL;
        if (rc == 0)
            rc = b && !cp ? -1 : plot_panels(cp, &lt, n, NULL, tk, 2, pt, why, size);
        snprintf(fname, sizeof fname, "revenue.%s", exts[e]);
        cp = rc == 0 ? CHART_PATH(fname) : NULL;
        if (rc == 0)
            rc = b && !cp ? -1 : plot_panels(cp, &lr, n, NULL, tk, 2, pr, why, size);
        if (!b)
            break; /* drawn once, for the capture */
    }
#undef CHART_PATH
    free(w);
    free(sw);
    return rc;
}

static int write_outputs(const timeline *t, const staged_args *a)
{
    file_batch *b = calloc(1, sizeof *b);
    char why[600] = "out of memory";
    int st = b ? batch_begin(b, a->output, 1, why, sizeof why) : -1;
    FILE *f = st == 0 ? batch_open(b, "timeline.csv", why, sizeof why) : NULL;
    if (st == 0 && !f)
        st = -1;
    if (f) {
        timeline_csv(f, t, a);
        st = batch_close(f, "timeline.csv", why, sizeof why);
    }
    if (st == 0) {
        json_t *j = timeline_json(t, a);
        st = batch_json(b, "timeline.json", j, why, sizeof why);
        json_decref(j);
    }
    if (st == 0 && a->charts)
        st = charts(t, b, why, sizeof why);
    return batch_finish(b, st, a->output, why, sizeof why);
}

/* --html FILE: the page, its charts drawn again into memory (cli/html.c). */
static int draw_charts(const void *user, char *why, size_t size)
{
    return charts(user, NULL, why, size);
}

static int write_html(const timeline *t, const staged_args *a)
{
    return staged_write_html(&t->s, a, timeline_json(t, a), draw_charts, t);
}

int cmd_timeline(int argc, char **argv, int first, cli_ctx ctx)
{
    staged_args a;
    memset(&a, 0, sizeof a);
    a.command = "timeline";
    int rc = staged_parse(argc, argv, first, &ctx, &a, cmd_timeline_help);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (a.from)
        return cli_usage_error("timeline", "--from is an option of `tradewar report`");
    timeline t;
    memset(&t, 0, sizeof t);
    rc = staged_prepare(&ctx, &a, &t.s);
    if (rc == CLI_OK) {
        t.K = tw_scenario_stage_count(t.s.sc);
        t.N = tw_model_countries(t.s.base);
        if (t.K > MAX_STAGES)
            rc = cli_usage_error("timeline", "at most %d stages (the scenario has %zu)", MAX_STAGES,
                                 t.K);
    }
    if (rc == CLI_OK) {
        t.welfare = calloc(t.K * t.N, sizeof *t.welfare);
        t.stats = calloc(t.K, sizeof *t.stats);
        t.real_gdp = calloc(t.K * t.N, sizeof *t.real_gdp);
        t.diag = calloc(t.K, sizeof *t.diag);
        if (!t.welfare || !t.stats || !t.real_gdp || !t.diag) {
            cli_error("out of memory");
            rc = CLI_FAILURE;
        }
    }
    if (rc == CLI_OK)
        rc = solve_all(&ctx, &t);
    if (rc == CLI_OK && a.output)
        rc = write_outputs(&t, &a);
    if (rc == CLI_OK && a.html)
        rc = write_html(&t, &a);
    if (rc == CLI_OK) {
        if (a.json) {
            json_t *j = timeline_json(&t, &a);
            if (!j || out_json_dump(stdout, j) != 0)
                rc = CLI_FAILURE;
            json_decref(j);
        } else
            print_table(stdout, &t);
        if (fflush(stdout) != 0)
            rc = CLI_FAILURE;
    }
    free(t.welfare);
    free(t.stats);
    free(t.real_gdp);
    free(t.diag);
    staged_free(&t.s);
    return rc;
}
