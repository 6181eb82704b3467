/*
 * sweep_report.c - what a sweep reports: for every point and output, the
 * central value (the data's elasticities), and over the converged Monte Carlo
 * draws the mean, standard deviation and chosen quantiles (type 7, see
 * tw_quantile_sorted); the counts of retried and failed solves; per-draw
 * welfare. Written as summary.csv, summary.json, draws.csv and chart.png.
 * Nothing here depends on timing, threads or ranks, so a run's files are the
 * same byte for byte however it was computed.
 */
#include "html.h"
#include "outdir.h"
#include "plot.h"
#include "sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Statistics of one value of one point (tw_sweep_summarise). */
typedef struct stat1 {
    double central, mean, sd;
    size_t n;
    double *q; /* n_quantiles */
} stat1;

/* Which values are summarised: the outputs, and the elasticities when drawn. */
static size_t summarised(const sweep_report *r)
{
    return r->plan->draws > 0 ? tw_sweep_value_count(r->plan->sw) : sweep_off_theta(r->plan);
}

/* How solve (point, draw) went (done 0 when it is not there). */
static tw_sweep_solve solve_of(const sweep_report *r, size_t point, size_t draw)
{
    tw_sweep_solve s;
    tw_sweep_get_solve(r->plan->sw, point, draw, &s);
    return s;
}

typedef struct table {
    stat1 *s;   /* n_points * M */
    double *qs; /* their quantiles */
} table;

static int build_table(const sweep_report *r, table *t)
{
    const tw_sweep *sw = r->plan->sw;
    size_t P = r->plan->n_points, M = summarised(r), V = tw_sweep_value_count(sw),
           nq = r->n_quantiles;
    t->s = calloc(P * M, sizeof *t->s);
    t->qs = calloc(P * M * nq + 1, sizeof *t->qs);
    tw_sweep_stat *st = malloc(V * sizeof *st);
    double *q = malloc((V * nq + 1) * sizeof *q);
    int rc = t->s && t->qs && st && q ? 0 : -1;
    for (size_t p = 0; rc == 0 && p < P; p++) {
        if (tw_sweep_summarise(sw, p, r->quantiles, nq, st, q, NULL) != TW_OK) {
            rc = -1;
            break;
        }
        for (size_t v = 0; v < M; v++) {
            stat1 *x = &t->s[p * M + v];
            *x = (stat1){st[v].central, st[v].mean, st[v].sd, st[v].n, t->qs + (p * M + v) * nq};
            memcpy(x->q, q + v * nq, nq * sizeof *q);
        }
    }
    free(st);
    free(q);
    return rc;
}

static void free_table(table *t)
{
    free(t->s);
    free(t->qs);
}

/* "q5", "q50", "q97.5" */
static void qname(char *buf, size_t size, double p) { snprintf(buf, size, "q%.10g", 100 * p); }

/* Names of value v: country (or ""), sector (or ""), output key. */
static void value_names(const sweep_plan *p, size_t v, const char **country, const char **sector,
                        const char **key)
{
    size_t N = p->N, J = p->J;
    *country = *sector = "";
    if (v < sweep_off_sector(p)) {
        *key = tw_country_output_key((tw_country_output)(v / N));
        *country = tw_model_country_code(p->base, v % N);
    } else if (v < sweep_off_theta(p)) {
        size_t w = v - sweep_off_sector(p);
        *key = tw_sector_output_key((tw_sector_output)p->sector_keys[w / (N * J)]);
        *country = tw_model_country_code(p->base, (w % (N * J)) / J);
        *sector = tw_model_sector_code(p->base, w % J);
    } else {
        size_t w = v - sweep_off_theta(p);
        *key = w < J ? "theta" : "psi";
        *sector = tw_model_sector_code(p->base, w % J);
    }
}

/* ---- CSV ---------------------------------------------------------------------- */

static void csv_num(FILE *f, double x)
{
    fputc(',', f);
    if (isfinite(x))
        fprintf(f, "%.17g", x);
}

static void provenance(FILE *f, const sweep_report *r)
{
    char sum[17];
    tw_model_checksum(r->plan->base, sum);
    char el[4200];
    cli_elasticities_text(&r->plan->elast, el, sizeof el);
    fprintf(f,
            "# tradewar %s sweep data=%s base_checksum=%s points=%zu draws=%zu seed=%llu "
            "quantiles=type7 %s\n",
            TW_VERSION_STRING, r->data_dir, sum, r->plan->n_points, r->plan->draws, r->plan->seed,
            el);
}

static size_t point_failed(const sweep_report *r, size_t p)
{
    size_t f = 0;
    for (size_t k = 1; k <= r->plan->draws; k++)
        f += solve_of(r, p, k).status == TW_SWEEP_FAILED;
    return f;
}

static int write_summary_csv(FILE *f, const sweep_report *r, const table *t)
{
    const sweep_plan *p = r->plan;
    size_t M = summarised(r);
    char q[32];
    provenance(f, r);
    fputs("point,label", f);
    for (size_t g = 0; g < p->n_grids; g++)
        fprintf(f, ",%s", p->grids[g].name);
    fputs(",country,sector,output,central,mean,sd", f);
    for (size_t k = 0; k < r->n_quantiles; k++) {
        qname(q, sizeof q, r->quantiles[k]);
        fprintf(f, ",%s", q);
    }
    fputs(",n,failed\n", f);
    for (size_t pt = 0; pt < p->n_points; pt++) {
        size_t failed = point_failed(r, pt);
        for (size_t v = 0; v < M; v++) {
            const stat1 *s = &t->s[pt * M + v];
            const char *country, *sector, *key;
            value_names(p, v, &country, &sector, &key);
            fprintf(f, "%zu,", pt);
            fputs(p->points[pt].label, f);
            for (size_t g = 0; g < p->n_grids; g++)
                csv_num(f, p->points[pt].grid[g]);
            fprintf(f, ",%s,%s,%s", country, sector, key);
            csv_num(f, s->central);
            csv_num(f, s->mean);
            csv_num(f, s->sd);
            for (size_t k = 0; k < r->n_quantiles; k++)
                csv_num(f, s->q[k]);
            fprintf(f, ",%zu,%zu\n", s->n, failed);
        }
    }
    return ferror(f) ? -1 : 0;
}

static int write_draws_csv(FILE *f, const sweep_report *r)
{
    const sweep_plan *p = r->plan;
    provenance(f, r);
    /* the drawn elasticities too, so outcomes can be read against them */
    int th = p->draws > 0 && (p->theta.dist != TW_DIST_FIXED || p->file_theta);
    int ps = p->draws > 0 && (p->psi.dist != TW_DIST_FIXED || p->file_psi);
    fputs("point,draw,status,iterations,residual,redraws,base_growth", f);
    for (size_t i = 0; i < p->N; i++)
        fprintf(f, ",welfare_pct:%s", tw_model_country_code(p->base, i));
    for (size_t j = 0; th && j < p->J; j++)
        fprintf(f, ",theta:%s", tw_model_sector_code(p->base, j));
    for (size_t j = 0; ps && j < p->J; j++)
        fprintf(f, ",psi:%s", tw_model_sector_code(p->base, j));
    fputc('\n', f);
    for (size_t pt = 0; pt < p->n_points; pt++)
        for (size_t k = 0; k <= p->draws; k++) {
            tw_sweep_solve so = solve_of(r, pt, k);
            if (!so.done)
                continue;
            fprintf(f, "%zu,%zu,%s,%lld", pt, k, tw_sweep_status_name(so.status), so.iterations);
            csv_num(f, so.residual);
            fprintf(f, ",%u", so.redraws);
            csv_num(f, so.growth);
            const double *v = tw_sweep_values(p->sw, pt, k);
            for (size_t i = 0; i < p->N; i++)
                csv_num(f, v[(size_t)TW_C_WELFARE_PCT * p->N + i]);
            for (size_t j = 0; th && j < p->J; j++)
                csv_num(f, v[sweep_off_theta(p) + j]);
            for (size_t j = 0; ps && j < p->J; j++)
                csv_num(f, v[sweep_off_psi(p) + j]);
            fputc('\n', f);
        }
    return ferror(f) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

static json_t *stat_json(const sweep_report *r, const stat1 *s)
{
    char q[32];
    json_t *o = json_pack("{s:o, s:o, s:o}", "central", out_json_number(s->central), "mean",
                          out_json_number(s->mean), "sd", out_json_number(s->sd));
    for (size_t k = 0; o && k < r->n_quantiles; k++) {
        qname(q, sizeof q, r->quantiles[k]);
        json_object_set_new(o, q, out_json_number(s->q[k]));
    }
    json_object_set_new(o, "n", json_integer((json_int_t)s->n));
    return o;
}

/* The rows of one point: countries, chosen sectors, elasticities. */
static json_t *point_json(const sweep_report *r, const table *t, size_t pt)
{
    const sweep_plan *p = r->plan;
    size_t M = summarised(r), N = p->N, J = p->J;
    const stat1 *row = t->s + pt * M;
    json_t *failed = json_array(), *grid = json_object();
    for (size_t k = 1; k <= p->draws; k++)
        if (solve_of(r, pt, k).status == TW_SWEEP_FAILED)
            json_array_append_new(failed, json_integer((json_int_t)k));
    for (size_t g = 0; g < p->n_grids; g++)
        json_object_set_new(grid, p->grids[g].name, out_json_number(p->points[pt].grid[g]));
    json_t *countries = json_array(), *sectors = json_array(), *elast = json_array();
    for (size_t i = 0; i < N; i++) {
        json_t *c = json_pack("{s:s, s:s}", "code", tw_model_country_code(p->base, i), "name",
                              tw_model_country_name(p->base, i));
        for (int k = 0; k < TW_C_COUNT; k++)
            json_object_set_new(c, tw_country_output_key((tw_country_output)k),
                                stat_json(r, &row[(size_t)k * N + i]));
        json_array_append_new(countries, c);
    }
    for (size_t i = 0; i < N && p->n_sector_keys; i++)
        for (size_t j = 0; j < J; j++) {
            json_t *c = json_pack("{s:s, s:s}", "country", tw_model_country_code(p->base, i),
                                  "sector", tw_model_sector_code(p->base, j));
            for (size_t k = 0; k < p->n_sector_keys; k++)
                json_object_set_new(c, tw_sector_output_key((tw_sector_output)p->sector_keys[k]),
                                    stat_json(r,
                                              &row[sweep_off_sector(p) + k * N * J + i * J + j]));
            json_array_append_new(sectors, c);
        }
    for (size_t j = 0; j < J && p->draws > 0; j++)
        json_array_append_new(elast, json_pack("{s:s, s:o, s:o}", "sector",
                                               tw_model_sector_code(p->base, j), "theta",
                                               stat_json(r, &row[sweep_off_theta(p) + j]), "psi",
                                               stat_json(r, &row[sweep_off_psi(p) + j])));
    tw_sweep_solve c0 = solve_of(r, pt, 0);
    const sweep_point *sp = &p->points[pt];
    return json_pack("{s:o, s:o, s:I, s:s, s:s, s:o, s:b, s:s, s:I, s:I, s:o, s:o, s:o, s:o}",
                     "diagnostics",
                     sp->has_diag ? out_diagnostics_json(p->base, &sp->diag) : json_null(),
                     "warnings", sp->has_diag ? out_warnings_json(&sp->diag) : json_array(),
                     "index", (json_int_t)pt, "label", p->points[pt].label, "scenario",
                     p->points[pt].path, "grid", grid, "central_converged",
                     c0.done && c0.status != TW_SWEEP_FAILED, "central_status",
                     tw_sweep_status_name(c0.status), "draws_ok",
                     (json_int_t)(p->draws - json_array_size(failed)), "draws_failed",
                     (json_int_t)json_array_size(failed), "failed_draws", failed, "countries",
                     countries, "sectors", sectors, "elasticities", elast);
}

static json_t *summary_json(const sweep_report *r, const table *t)
{
    tw_sweep_counts n;
    tw_sweep_get_counts(r->plan->sw, &n);
    json_t *qs = json_array(), *points = json_array();
    for (size_t k = 0; k < r->n_quantiles; k++)
        json_array_append_new(qs, json_real(r->quantiles[k]));
    for (size_t pt = 0; pt < r->plan->n_points; pt++)
        json_array_append_new(points, point_json(r, t, pt));
    const sweep_plan *p = r->plan;
    return json_pack("{s:{s:s, s:s, s:s, s:O}, s:I, s:I, s:{s:o, s:I, s:I, s:b, s:b, s:I, s:I, "
                     "s:o}, s:o, s:s, s:{s:I, s:I, s:I, s:I}, s:o}",
                     "tradewar", "version", TW_VERSION_STRING, "command", "sweep", "data",
                     r->data_dir, "identity", r->identity, "points_count", (json_int_t)p->n_points,
                     "draws", (json_int_t)p->draws, "truncation", "max_psi_theta",
                     out_json_number(p->max_psi_theta), "redrawn_sector_pairs",
                     (json_int_t)n.redrawn_pairs, "draws_with_a_redraw",
                     (json_int_t)n.draws_redrawn, "stability_checked", n.stability_checked,
                     "unstable_redrawn", n.stability_checked && p->stable_only,
                     "unstable_set_aside", (json_int_t)n.unstable_set_aside, "unstable_kept",
                     (json_int_t)n.unstable_kept, "central_growth",
                     out_json_number(solve_of(r, 0, 0).growth), "quantiles", qs,
                     "quantile_definition",
                     "Hyndman-Fan type 7: linear interpolation between order statistics", "solves",
                     "total", (json_int_t)n.solved, "converged", (json_int_t)n.converged, "retried",
                     (json_int_t)n.retried, "failed", (json_int_t)n.failed, "points", points);
}

static int write_summary_json(FILE *f, const sweep_report *r, const table *t)
{
    json_t *j = summary_json(r, t);
    int st = j ? out_json_dump(f, j) : -1;
    json_decref(j);
    return st;
}

/* ---- the chart ----------------------------------------------------------------- */

/* Welfare by country: over the grid (one line per country, band = outer
 * quantiles), or for one point across countries. */
static int write_chart(const sweep_report *r, const table *t, const char *path, char *why,
                       size_t size)
{
    const sweep_plan *p = r->plan;
    size_t M = summarised(r), N = p->N, P = p->n_points, nq = r->n_quantiles;
    int bands = p->draws > 0 && nq >= 2;
    double *y = calloc(3 * N * P + P + N, sizeof *y);
    plot_series *s = calloc(N, sizeof *s);
    const char **ticks = calloc(P > N ? P : N, sizeof *ticks);
    if (!y || !s || !ticks) {
        free(y), free(s), free(ticks);
        snprintf(why, size, "out of memory");
        return -1;
    }
    double *lo = y + N * P, *hi = y + 2 * N * P, *x = y + 3 * N * P, *central = x + P;
    for (size_t i = 0; i < N; i++)
        for (size_t pt = 0; pt < P; pt++) {
            const stat1 *st = &t->s[pt * M + (size_t)TW_C_WELFARE_PCT * N + i];
            y[i * P + pt] = p->draws > 0 ? st->mean : st->central;
            if (P == 1)
                central[i] = st->central;
            lo[i * P + pt] = bands ? st->q[0] : NAN;
            hi[i * P + pt] = bands ? st->q[nq - 1] : NAN;
        }
    for (size_t k = 0; k < 3 * N * P; k++)
        if (!isfinite(y[k]) && (k < N * P || bands)) { /* nothing to draw for a failed point */
            free(y), free(s), free(ticks);
            return 1;
        }
    char sub[1024], band[64], head[600], xlab[600];
    const tw_scenario *sc0 = p->points[0].sc;
    snprintf(band, sizeof band, "band: %.3g%%-%.3g%% quantiles", 100 * r->quantiles[0],
             100 * r->quantiles[nq - 1]);
    /* the scenario and the stage solved (the first point's: a list of files names each) */
    if ((p->n_grids > 0 || P == 1) && tw_scenario_stage_count(sc0) == 1)
        snprintf(head, sizeof head, "%s (a one-stage scenario)", tw_scenario_name(sc0));
    else if (p->n_grids > 0 || P == 1)
        snprintf(head, sizeof head, "%s, stage %zu: %s", tw_scenario_name(sc0),
                 p->points[0].stage + 1, tw_scenario_stage_name(sc0, p->points[0].stage));
    else
        snprintf(head, sizeof head, "%zu scenarios, stage %zu of the first: %s", P,
                 p->points[0].stage + 1, tw_scenario_stage_name(sc0, p->points[0].stage));
    snprintf(sub, sizeof sub, "%s. %zu draws per point, seed %llu%s%s", head, p->draws, p->seed,
             bands ? "; line: mean, " : "", bands ? band : "");
    plot_labels l = {"Welfare change under uncertain elasticities", sub, "", "welfare change, %",
                     "tradewar " TW_VERSION_STRING " sweep"};
    if (p->draws == 0)
        l.title = "Welfare change";
    int rc;
    if (P > 1) {
        for (size_t pt = 0; pt < P; pt++) {
            x[pt] = p->n_grids == 1 ? p->points[pt].grid[0] : (double)pt + 1;
            ticks[pt] = p->points[pt].label;
        }
        for (size_t i = 0; i < N; i++)
            s[i] = (plot_series){tw_model_country_name(p->base, i), y + i * P,
                                 bands ? lo + i * P : NULL, bands ? hi + i * P : NULL};
        if (p->n_grids == 1 && p->grids[0].where)
            snprintf(xlab, sizeof xlab, "%s: the value of ${%s} in the scenario's \"%s\"",
                     p->grids[0].name, p->grids[0].name, p->grids[0].where);
        else
            snprintf(xlab, sizeof xlab, "%s",
                     p->n_grids == 1 ? p->grids[0].name
                     : p->n_grids    ? "grid point (the values of each --grid)"
                                     : "scenario file");
        l.xlabel = xlab;
        rc = plot_lines(path, &l, P, x, p->n_grids == 1 ? NULL : ticks, N, s, why, size);
    } else {
        /* one point: economies are categories, not an axis: a dot for the
         * mean, a whisker for the quantiles, a cross for the central value
         * (y holds country i at i * P = i) */
        for (size_t i = 0; i < N; i++)
            ticks[i] = tw_model_country_name(p->base, i);
        l.xlabel = NULL;
        if (bands && isfinite(central[0])) {
            char whisker[64];
            snprintf(whisker, sizeof whisker, "%.3g%%-%.3g%% quantiles", 100 * r->quantiles[0],
                     100 * r->quantiles[nq - 1]);
            const char *names[3] = {whisker, "mean", "central (data's elasticities)"};
            int all_central = 1;
            for (size_t i = 0; i < N; i++)
                all_central &= isfinite(central[i]);
            snprintf(sub, sizeof sub, "%s. %zu draws, seed %llu", head, p->draws, p->seed);
            rc = plot_ranges(path, &l, N, ticks, y, all_central ? central : NULL, lo, hi, names,
                             why, size);
        } else if (bands) {
            s[0] = (plot_series){"mean", y, lo, hi};
            rc = plot_lines(path, &l, N, NULL, ticks, 1, s, why, size);
        } else {
            snprintf(sub, sizeof sub, "%s. The data's elasticities", head);
            rc = plot_bars(path, &l, N, ticks, y, "%.3f", why, size);
        }
    }
    free(y), free(s), free(ticks);
    return rc;
}

/* ---- files ---------------------------------------------------------------------- */

/* What the summary files are written from. */
typedef struct report_files {
    const sweep_report *r;
    const table *t;
} report_files;

static int w_summary_csv(FILE *f, void *user)
{
    const report_files *x = user;
    return write_summary_csv(f, x->r, x->t);
}
static int w_summary_json(FILE *f, void *user)
{
    const report_files *x = user;
    return write_summary_json(f, x->r, x->t);
}
static int w_draws_csv(FILE *f, void *user)
{
    const report_files *x = user;
    return write_draws_csv(f, x->r);
}

int sweep_write_report(const sweep_report *r, char *why, size_t why_size)
{
    table t;
    if (build_table(r, &t) != 0) {
        free_table(&t);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    /* the three files together, all or none (cli/outdir.h) */
    static const batch_file files[] = {{"summary.csv", w_summary_csv},
                                       {"summary.json", w_summary_json},
                                       {"draws.csv", w_draws_csv}};
    report_files x = {r, &t};
    file_batch *b = calloc(1, sizeof *b);
    int st = b ? batch_begin(b, r->dir, 0, why, why_size) : -1, no_chart = 0;
    if (!b)
        snprintf(why, why_size, "out of memory");
    if (st == 0)
        st = batch_add_files(b, files, sizeof files / sizeof files[0], &x, why, why_size);
    if (st == 0 && r->chart) { /* the chart too: all or none */
        const char *tp = batch_reserve(b, "chart.png", why, why_size);
        st = tp ? write_chart(r, &t, tp, why, why_size) : -1;
        if (st == 1) { /* some point has no finite welfare: no chart, not an error */
            batch_drop_last(b);
            no_chart = 1;
            st = 0;
        }
    }
    if (st == 0)
        st = batch_commit(b, why, why_size);
    else if (b)
        batch_abort(b);
    if (st == 0 && no_chart) { /* no chart of an earlier run left beside these files */
        char path[4200];
        snprintf(path, sizeof path, "%s/chart.png", r->dir);
        unlink(path);
    }
    free(b);
    free_table(&t);
    return st;
}

int sweep_write_html(const sweep_report *r, const char *path, char *why, size_t why_size)
{
    table t;
    plot_capture cap = {0};
    json_t *j = NULL;
    int st = build_table(r, &t) == 0 && (j = summary_json(r, &t)) ? 0 : -1;
    if (st != 0)
        snprintf(why, why_size, "out of memory");
    if (st == 0 && r->chart) {
        plot_capture_set(&cap);
        st = write_chart(r, &t, NULL, why, why_size);
        plot_capture_set(NULL);
        if (st == 1) /* no finite welfare somewhere: no chart */
            st = 0;
    }
    if (st == 0) {
        html_page page = {"sweep", tw_scenario_name(r->plan->points[0].sc), j, &cap, r->plan->base};
        st = html_write(path, &page, why, why_size);
    }
    json_decref(j);
    plot_capture_free(&cap);
    free_table(&t);
    return st;
}

/* The terminal table: welfare by country and point. */
static void print_table(FILE *f, const sweep_report *r, const table *t)
{
    const sweep_plan *p = r->plan;
    size_t M = summarised(r), nq = r->n_quantiles;
    char q[32];
    tw_sweep_counts n;
    tw_sweep_get_counts(p->sw, &n);
    fprintf(f, "Sweep: %zu point%s x (1 central + %zu draws), seed %llu\n", p->n_points,
            p->n_points == 1 ? "" : "s", p->draws, p->seed);
    fprintf(f, "Solves: %zu, converged %zu, retried and converged %zu, failed %zu\n", n.solved,
            n.converged, n.retried, n.failed);
    /* how much the model's domain shaped the draws (docs/sweeps.md) */
    if (n.draws_redrawn)
        fprintf(f, "Domain: psi*theta < %g redrew %llu sector pairs in %zu of %zu draws\n",
                p->max_psi_theta, n.redrawn_pairs, n.draws_redrawn, p->draws);
    if (n.unstable_set_aside)
        fprintf(f,
                "Domain: %llu candidate draws set aside (the base economy unstable under "
                "them)\n",
                n.unstable_set_aside);
    if (n.unstable_kept)
        fprintf(f, "Warning: %zu draws solved although the base economy is unstable under them\n",
                n.unstable_kept);
    for (size_t pt = 0; pt < p->n_points; pt++) {
        fprintf(f, "\n%s: welfare %% (failed draws: %zu)\n%-8s %10s %10s %10s", p->points[pt].label,
                point_failed(r, pt), "country", "central", "mean", "sd");
        for (size_t k = 0; k < nq; k++) {
            qname(q, sizeof q, r->quantiles[k]);
            fprintf(f, " %10s", q);
        }
        fputc('\n', f);
        for (size_t i = 0; i < p->N; i++) {
            const stat1 *s = &t->s[pt * M + (size_t)TW_C_WELFARE_PCT * p->N + i];
            fprintf(f, "%-8s %10.4f %10.4f %10.4f", tw_model_country_code(p->base, i), s->central,
                    s->mean, s->sd);
            for (size_t k = 0; k < nq; k++)
                fprintf(f, " %10.4f", s->q[k]);
            fputc('\n', f);
        }
    }
}

int sweep_print(const sweep_report *r, out_format format)
{
    table t;
    int st = build_table(r, &t);
    if (st == 0) {
        if (format == FORMAT_TABLE)
            print_table(stdout, r, &t);
        else if (format == FORMAT_CSV)
            st = write_summary_csv(stdout, r, &t);
        else
            st = write_summary_json(stdout, r, &t);
    }
    free_table(&t);
    return st == 0 && fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}
