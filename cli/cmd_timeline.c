/*
 * cmd_timeline.c - `tradewar timeline`: solve the cumulative policy after every
 * stage of a scenario (from the base economy) and report, stage by stage, each
 * economy's welfare, the focus pair's trade both ways and tariff revenue, as a
 * table, CSV, JSON and line charts.
 */
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
          "Solver options as for `tradewar solve`.\n"
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
    double *welfare;          /* K*N */
    double trade[2][64];      /* [direction][stage]: focus[0]->focus[1], then back (64: MAX_STAGES) */
    double revenue[2][64];    /* the focus pair's tariff revenue after each stage */
    double trade_base[2], revenue_base[2];
    tw_solver_stats *stats;   /* K */
} timeline;

#define MAX_STAGES 64

static int solve_all(const cli_ctx *ctx, timeline *t)
{
    tw_error err = {0};
    int rc = CLI_OK;
    const tw_model *m = t->s.base;
    size_t N = t->N, J = tw_model_sectors(m), *f = t->s.focus;
    tw_solver *solver = tw_solver_create(m, &t->s.opt, &err);
    tw_result *res = tw_result_create(m), *prev = tw_result_create(m);
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
        tw_policy_free(p);
        t->stats[k] = tw_result_stats(res);
        if (st != TW_OK) {
            rc = st == TW_ERR_NO_CONVERGENCE ? CLI_NO_CONVERGENCE : cli_fail(&err, st);
            if (st == TW_ERR_NO_CONVERGENCE)
                cli_error("stage %zu ('%s') did not converge (%s)", k + 1,
                          tw_scenario_stage_name(t->s.sc, k), tw_stop_reason_name(t->stats[k].stop));
            break;
        }
        memcpy(t->welfare + k * N, tw_result_country(res, TW_C_WELFARE_PCT), N * sizeof(double));
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
            fprintf(f, " %8.4f", fabs(t->welfare[k * t->N + i]) < 5e-9 ? 0 : t->welfare[k * t->N + i]);
        fprintf(f, "  %s\n", tw_scenario_stage_name(t->s.sc, k));
    }
    fprintf(f, "\nTrade and tariff revenue after each stage ($ million; base: %s->%s %.0f, "
               "%s->%s %.0f; revenue %s %.0f, %s %.0f):\n",
            code(t, fc[0]), code(t, fc[1]), t->trade_base[0], code(t, fc[1]), code(t, fc[0]),
            t->trade_base[1], code(t, fc[0]), t->revenue_base[0], code(t, fc[1]), t->revenue_base[1]);
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
}

static json_t *timeline_json(const timeline *t, const staged_args *a)
{
    json_t *stages = json_array();
    for (size_t k = 0; stages && k < t->K; k++) {
        json_t *w = json_object(), *trade = json_array(), *rev = json_object();
        for (size_t i = 0; w && i < t->N; i++)
            json_object_set_new(w, code(t, i), out_json_number(t->welfare[k * t->N + i]));
        for (int d = 0; trade && rev && d < 2; d++) {
            size_t i = t->s.focus[d], n = t->s.focus[1 - d];
            json_array_append_new(trade, json_pack("{s:s, s:s, s:o, s:o, s:o}", "exporter",
                                                   code(t, i), "importer", code(t, n), "flow_base",
                                                   out_json_number(t->trade_base[d]), "flow",
                                                   out_json_number(t->trade[d][k]), "change_pct",
                                                   out_json_number(staged_pct(t->trade[d][k],
                                                                              t->trade_base[d]))));
            json_object_set_new(rev, code(t, i), out_json_number(t->revenue[d][k]));
        }
        json_array_append_new(stages, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "stage_index",
                                                (json_int_t)k, "stage",
                                                tw_scenario_stage_name(t->s.sc, k), "date",
                                                tw_scenario_stage_date(t->s.sc, k), "welfare_pct", w,
                                                "trade", trade, "tariff_revenue", rev, "solver",
                                                staged_stats_json(t->stats[k])));
    }
    json_t *rb = json_object();
    for (int d = 0; rb && d < 2; d++)
        json_object_set_new(rb, code(t, t->s.focus[d]), out_json_number(t->revenue_base[d]));
    return json_pack("{s:o, s:o, s:o}", "tradewar", staged_header_json(&t->s, a),
                     "tariff_revenue_base", rb, "stages", stages);
}

static void timeline_csv(FILE *f, const timeline *t, const staged_args *a)
{
    const size_t *fc = t->s.focus;
    staged_provenance(f, &t->s, a);
    fputs("stage_index,stage,date", f);
    for (size_t i = 0; i < t->N; i++)
        fprintf(f, ",welfare_pct_%s", code(t, i));
    fprintf(f, ",trade_%s_%s,trade_%s_%s,tariff_revenue_%s,tariff_revenue_%s,seconds\n",
            code(t, fc[0]), code(t, fc[1]), code(t, fc[1]), code(t, fc[0]), code(t, fc[0]),
            code(t, fc[1]));
    fprintf(f, "0,\"base\",");
    for (size_t i = 0; i < t->N; i++)
        fputs(",0", f);
    fprintf(f, ",%.17g,%.17g,%.17g,%.17g,\n", t->trade_base[0], t->trade_base[1],
            t->revenue_base[0], t->revenue_base[1]);
    for (size_t k = 0; k < t->K; k++) {
        fprintf(f, "%zu,\"%s\",%s", k + 1, tw_scenario_stage_name(t->s.sc, k),
                tw_scenario_stage_date(t->s.sc, k));
        for (size_t i = 0; i < t->N; i++)
            fprintf(f, ",%.17g", t->welfare[k * t->N + i]);
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.6g\n", t->trade[0][k], t->trade[1][k],
                t->revenue[0][k], t->revenue[1][k], t->stats[k].seconds);
    }
}

/* Tick labels "date  stage name" (shortened). */
static void ticks(const timeline *t, char (*buf)[48], const char **out)
{
    for (size_t k = 0; k < t->K; k++) {
        snprintf(buf[k], 48, "%.7s %s", tw_scenario_stage_date(t->s.sc, k),
                 tw_scenario_stage_name(t->s.sc, k));
        if (strlen(buf[k]) > 28)
            strcpy(buf[k] + 25, "...");
        out[k] = buf[k];
    }
}

static int charts(const timeline *t, const file_batch *b, char *why, size_t size)
{
    static const char *const exts[] = {"png", "svg"};
    char tickbuf[MAX_STAGES][48], path[4400], name[64], lab[4][48];
    const char *tk[MAX_STAGES];
    const size_t *fc = t->s.focus;
    ticks(t, tickbuf, tk);
    double *w = malloc(t->N * t->K * sizeof *w), pct[2][MAX_STAGES];
    plot_series *sw = malloc(t->N * sizeof *sw);
    if (!w || !sw) {
        free(w);
        free(sw);
        snprintf(why, size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < t->N; i++) {
        for (size_t k = 0; k < t->K; k++)
            w[i * t->K + k] = t->welfare[k * t->N + i];
        sw[i] = (plot_series){code(t, i), w + i * t->K, NULL, NULL};
    }
    for (int d = 0; d < 2; d++)
        for (size_t k = 0; k < t->K; k++)
            pct[d][k] = staged_pct(t->trade[d][k], t->trade_base[d]);
    snprintf(lab[0], sizeof lab[0], "%s to %s", code(t, fc[0]), code(t, fc[1]));
    snprintf(lab[1], sizeof lab[1], "%s to %s", code(t, fc[1]), code(t, fc[0]));
    snprintf(lab[2], sizeof lab[2], "%s", code(t, fc[0]));
    snprintf(lab[3], sizeof lab[3], "%s", code(t, fc[1]));
    plot_series st[2] = {{lab[0], pct[0], NULL, NULL}, {lab[1], pct[1], NULL, NULL}};
    plot_series rv[2] = {{lab[2], t->revenue[0], NULL, NULL}, {lab[3], t->revenue[1], NULL, NULL}};
    const char *title = tw_scenario_name(t->s.sc);
    plot_labels lw = {title, "welfare (real income) after each stage, change from the base economy",
                      "stage", "welfare change, %", "tradewar " TW_VERSION_STRING};
    plot_labels lt = {title, "bilateral trade after each stage (before tariffs)", "stage",
                      "change from the base, %", "tradewar " TW_VERSION_STRING};
    plot_labels lr = {title, "tariff revenue after each stage", "stage",
                      "tariff revenue, $ million", "tradewar " TW_VERSION_STRING};
    int rc = 0;
    for (int e = 0; rc == 0 && e < 2; e++) {
        snprintf(name, sizeof name, "welfare.%s", exts[e]);
        rc = plot_lines(batch_path(b, name, path, sizeof path), &lw, t->K, NULL, tk, t->N, sw, why,
                        size);
        snprintf(name, sizeof name, "trade.%s", exts[e]);
        if (rc == 0)
            rc = plot_lines(batch_path(b, name, path, sizeof path), &lt, t->K, NULL, tk, 2, st,
                            why, size);
        snprintf(name, sizeof name, "revenue.%s", exts[e]);
        if (rc == 0)
            rc = plot_lines(batch_path(b, name, path, sizeof path), &lr, t->K, NULL, tk, 2, rv,
                            why, size);
    }
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
            rc = cli_usage_error("timeline", "at most %d stages (the scenario has %zu)",
                                 MAX_STAGES, t.K);
    }
    if (rc == CLI_OK) {
        t.welfare = calloc(t.K * t.N, sizeof *t.welfare);
        t.stats = calloc(t.K, sizeof *t.stats);
        if (!t.welfare || !t.stats) {
            cli_error("out of memory");
            rc = CLI_FAILURE;
        }
    }
    if (rc == CLI_OK)
        rc = solve_all(&ctx, &t);
    if (rc == CLI_OK && a.output)
        rc = write_outputs(&t, &a);
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
    staged_free(&t.s);
    return rc;
}
