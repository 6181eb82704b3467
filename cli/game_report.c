/* game_report.c - the reports of the strategic commands: figures (median and
 * mean tariffs), JSON, CSV, terminal tables and output directories. cli/game.h. */
#include "game.h"
#include "html.h"
#include "outdir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* unlink */

static const char *country_code(const game *g, size_t i)
{
    return tw_model_country_code(g->base, i);
}

/* ---- figures ------------------------------------------------------------- */

int game_is_player(const game *g, size_t i)
{
    if (g->a.which & G_OPTIMAL)
        return i == g->country;
    for (size_t k = 0; k < g->nplayers; k++)
        if (g->players[k] == i)
            return 1;
    return 0;
}

int game_targets(const game *g, size_t setter, size_t other)
{
    if (setter == other)
        return 0;
    if (g->partner_mask)
        return g->partner_mask[other];
    if (g->a.which & G_TALKS) /* cooperation: the players' instruments on each other */
        return game_is_player(g, other);
    return 1;
}

static int sector_on(const game *g, size_t j) { return !g->sector_mask || g->sector_mask[j]; }

int game_tariff_cell(const game *g, size_t i, size_t n, size_t j)
{
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    return game_targets(g, n, i) && sector_on(g, j) &&
           tw_model_get(g->base, TW_FLOWS)[tw_idx3(N, J, i, n, j)] > 0;
}

/* The cells a median is taken over: a player's instrument cells; a non-player's
 * tariffs on everyone (same sectors). */
static int median_cell(const game *g, size_t i, size_t n, size_t j)
{
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    if (game_is_player(g, n))
        return game_tariff_cell(g, i, n, j);
    return i != n && sector_on(g, j) && tw_model_get(g->base, TW_FLOWS)[tw_idx3(N, J, i, n, j)] > 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Importer n's tariffs over its median cells into v; their number. */
static size_t tariffs_of(const game *g, const tw_policy *p, size_t n, double *v)
{
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base), k = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++)
            if (median_cell(g, i, n, j))
                v[k++] = tw_policy_tariff(p, i, n, j);
    return k;
}

double game_median_tariff_pct(const game *g, const tw_policy *p, size_t n)
{
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    double *v = malloc(N * J * sizeof *v), med = NAN;
    size_t k = v ? tariffs_of(g, p, n, v) : 0;
    if (k > 0) {
        qsort(v, k, sizeof *v, cmp_double);
        med = 100 * (k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]));
    }
    free(v);
    return med;
}

double game_mean_tariff_pct(const game *g, const tw_policy *p, size_t n)
{
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    double *v = malloc(N * J * sizeof *v), sum = 0;
    size_t k = v ? tariffs_of(g, p, n, v) : 0;
    for (size_t q = 0; q < k; q++)
        sum += v[q];
    free(v);
    return k > 0 ? 100 * sum / (double)k : NAN;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *options_json(const game *g)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:i, s:i, s:o, s:b}", "deficits",
                          out_deficits_name(g->deficits), "method", out_method_name(g->so.method),
                          "tol", out_json_number(g->so.tol), "max_iter", g->so.max_iter,
                          "anderson_depth", g->so.anderson_depth, "damping",
                          out_json_number(g->so.damping), "fallback", g->so.fallback);
    out_elasticities_json(o, &g->elast);
    return o;
}

static json_t *codes_json(const game *g, const unsigned char *mask, int sectors)
{
    if (!mask)
        return json_string("all");
    size_t n = sectors ? tw_model_sectors(g->base) : tw_model_countries(g->base);
    json_t *a = json_array();
    for (size_t k = 0; a && k < n; k++)
        if (mask[k])
            json_array_append_new(a, json_string(sectors ? tw_model_sector_code(g->base, k)
                                                         : country_code(g, k)));
    return a;
}

static json_t *instruments_names(unsigned f)
{
    json_t *a = json_array();
    if (!f || (f & TW_INSTRUMENT_IMPORT_TARIFFS))
        json_array_append_new(a, json_string("tariffs"));
    if (f & TW_INSTRUMENT_EXPORT_TAXES)
        json_array_append_new(a, json_string("export_taxes"));
    if (f & TW_INSTRUMENT_SUBSIDIES)
        json_array_append_new(a, json_string("subsidies"));
    return a;
}

static json_t *game_options_json(const game *g)
{
    const tw_optimal_options *o = &g->go.best;
    json_t *j = json_pack("{s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "instruments",
                          instruments_names(o->instruments), "mfn", o->mfn, "warmup", g->warmup,
                          "lower", out_json_number(o->lower), "upper", out_json_number(o->upper),
                          "partners",
                          g->partners_players ? json_string("players")
                                              : codes_json(g, g->partner_mask, 0),
                          "sectors", codes_json(g, g->sector_mask, 1), "xtol_rel",
                          out_json_number(o->xtol_rel), "ftol_rel", out_json_number(o->ftol_rel),
                          "gtol", out_json_number(o->gtol), "max_eval", o->max_eval);
    if (!j)
        return NULL;
    if (g->a.which & G_OPTIMAL) {
        json_object_set_new(j, "country", json_string(country_code(g, g->country)));
        return j;
    }
    json_t *pl = json_array();
    for (size_t k = 0; k < g->nplayers; k++)
        json_array_append_new(pl, json_string(country_code(g, g->players[k])));
    json_object_set_new(j, "players", pl);
    json_object_set_new(j, "threads", json_integer(g->go.threads));
    json_object_set_new(j, "max_rounds", json_integer(g->go.max_rounds));
    json_object_set_new(j, "war_tol", out_json_number(g->go.tol));
    if (g->a.which & (G_TALKS | G_ENFORCE))
        json_object_set_new(j, "cooperation",
                            json_string(g->coop_rule == GAME_COOP_EQUAL ? "equal-gains"
                                        : g->coop_rule == GAME_COOP_EQUAL_WAR
                                            ? "equal-gains-over-war"
                                            : "weighted"));
    if (g->weights) {
        json_t *w = json_object();
        for (size_t k = 0; k < g->nplayers; k++)
            json_object_set_new(w, country_code(g, g->players[k]), out_json_number(g->weights[k]));
        json_object_set_new(j, "weights", w);
    }
    return j;
}

json_t *game_header_json(const game *g)
{
    char base_sum[17];
    tw_model_checksum(g->base, base_sum);
    const char *sp = game_scenario_path(g);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "version", TW_VERSION_STRING,
                          "command", g->a.command, "data", g->a.data_dir, "data_checksum",
                          g->data_checksum, "base_checksum", base_sum, "options", options_json(g),
                          "game", game_options_json(g));
    if (!j)
        return NULL;
    json_object_set_new(j, "currency_unit", json_string(tw_model_currency_unit(g->base)));
    json_object_set_new(j, "scenario", sp && g->sc ? json_string(sp) : json_null());
    json_object_set_new(j, "scenario_name",
                        g->sc ? json_string(tw_scenario_name(g->sc)) : json_null());
    json_object_set_new(j, "stage",
                        g->sc ? json_string(tw_scenario_stage_name(g->sc, g->stage)) : json_null());
    return j;
}

json_t *game_stats_json(tw_solver_stats s)
{
    return json_pack("{s:b, s:I, s:o, s:s, s:s, s:o, s:I}", "converged",
                     s.outcome == TW_OUTCOME_CONVERGED, "iterations", (json_int_t)s.iterations,
                     "residual", out_json_number(s.residual), "method", out_method_name(s.method),
                     "outcome", tw_outcome_name(s.outcome), "seconds", out_json_number(s.seconds),
                     "evaluations", (json_int_t)s.evaluations);
}

json_t *game_baseline_json(const game *g)
{
    const tw_baseline_report *b = &g->report;
    return json_pack("{s:b, s:o, s:b, s:o, s:o}", "calibrated", b->calibrated, "calibration_gap",
                     out_json_number(b->calibration_gap), "balanced", b->balanced, "calibration",
                     game_stats_json(b->calibration), "balancing", game_stats_json(b->balancing));
}

json_t *game_optimal_json(const tw_optimal_report *r)
{
    return json_pack("{s:b, s:s, s:I, s:I, s:o, s:o, s:o}", "converged",
                     r->outcome == TW_OUTCOME_CONVERGED, "outcome", tw_outcome_name(r->outcome),
                     "evaluations", (json_int_t)r->evaluations, "variables",
                     (json_int_t)r->variables, "objective", out_json_number(r->objective),
                     "projected_gradient", out_json_number(r->projected_gradient), "seconds",
                     out_json_number(r->seconds));
}

json_t *game_war_json(const tw_game_report *r)
{
    return json_pack("{s:b, s:s, s:i, s:o, s:I, s:o}", "converged",
                     r->outcome == TW_OUTCOME_CONVERGED, "outcome", tw_outcome_name(r->outcome),
                     "rounds", r->rounds, "change", out_json_number(r->change), "evaluations",
                     (json_int_t)r->evaluations, "seconds", out_json_number(r->seconds));
}

json_t *game_country_json(const game *g, const tw_result *res, const tw_policy *p, size_t i)
{
    json_t *c = json_pack("{s:s, s:s, s:b}", "code", country_code(g, i), "name",
                          tw_model_country_name(g->base, i), "player", game_is_player(g, i));
    for (int k = 0; c && k < TW_C_COUNT; k++) {
        const double *v = tw_result_country(res, (tw_country_output)k);
        json_object_set_new(c, tw_country_output_key((tw_country_output)k),
                            out_json_number(v ? v[i] : NAN));
    }
    if (c) {
        json_object_set_new(c, "median_tariff_pct",
                            out_json_number(game_median_tariff_pct(g, p, i)));
        json_object_set_new(c, "mean_tariff_pct", out_json_number(game_mean_tariff_pct(g, p, i)));
    }
    return c;
}

/* ---- instruments --------------------------------------------------------- */

static unsigned instrument_flags(const game *g)
{
    unsigned f = g->go.best.instruments;
    return f ? f : TW_INSTRUMENT_IMPORT_TARIFFS;
}

/* Each cell some player may move: kind, exporter (or country), importer, sector. */
typedef void (*cell_fn)(const game *g, int kind, size_t i, size_t n, size_t j, void *user);

static void for_each_cell(const game *g, cell_fn fn, void *user)
{
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    const double *X = tw_model_get(g->base, TW_FLOWS);
    unsigned f = instrument_flags(g);
    for (size_t n = 0; n < N && (f & TW_INSTRUMENT_IMPORT_TARIFFS); n++)
        for (size_t i = 0; game_is_player(g, n) && i < N; i++)
            for (size_t j = 0; j < J; j++)
                if (game_tariff_cell(g, i, n, j))
                    fn(g, TW_INSTRUMENT_IMPORT_TARIFFS, i, n, j, user);
    for (size_t i = 0; i < N && (f & TW_INSTRUMENT_EXPORT_TAXES); i++)
        for (size_t n = 0; game_is_player(g, i) && n < N; n++)
            for (size_t j = 0; j < J; j++)
                if (game_targets(g, i, n) && sector_on(g, j) && X[tw_idx3(N, J, i, n, j)] > 0)
                    fn(g, TW_INSTRUMENT_EXPORT_TAXES, i, n, j, user);
    for (size_t i = 0; i < N && (f & TW_INSTRUMENT_SUBSIDIES); i++)
        for (size_t j = 0; game_is_player(g, i) && j < J; j++)
            if (sector_on(g, j))
                fn(g, TW_INSTRUMENT_SUBSIDIES, i, i, j, user);
}

static double rate_of(const tw_policy *p, int kind, size_t i, size_t n, size_t j)
{
    if (kind == TW_INSTRUMENT_IMPORT_TARIFFS)
        return tw_policy_tariff(p, i, n, j);
    if (kind == TW_INSTRUMENT_EXPORT_TAXES)
        return tw_policy_export_tax(p, i, n, j);
    return tw_policy_subsidy(p, i, j);
}

static const char *kind_name(int kind)
{
    return kind == TW_INSTRUMENT_IMPORT_TARIFFS ? "tariff"
           : kind == TW_INSTRUMENT_EXPORT_TAXES ? "export_tax"
                                                : "subsidy";
}

typedef struct {
    json_t *list;
    const game_columns *c;
    tw_policy *base;
} json_cells;

static void json_cell(const game *g, int kind, size_t i, size_t n, size_t j, void *user)
{
    json_cells *u = user;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "instrument", kind_name(kind), "exporter",
                          country_code(g, i), "importer",
                          kind == TW_INSTRUMENT_SUBSIDIES ? "" : country_code(g, n), "sector",
                          tw_model_sector_code(g->base, j), "base",
                          out_json_number(rate_of(u->base, kind, i, n, j)));
    if (kind == TW_INSTRUMENT_SUBSIDIES && o) {
        json_object_del(o, "exporter");
        json_object_del(o, "importer");
        json_object_set_new(o, "country", json_string(country_code(g, i)));
    }
    for (size_t k = 0; o && k < u->c->n; k++)
        json_object_set_new(o, u->c->name[k], out_json_number(rate_of(u->c->p[k], kind, i, n, j)));
    json_array_append_new(u->list, o);
}

json_t *game_instruments_json(const game *g, const game_columns *c)
{
    json_cells u = {json_array(), c, tw_policy_create(g->base, NULL)};
    if (u.list && u.base)
        for_each_cell(g, json_cell, &u);
    tw_policy_free(u.base);
    return u.list;
}

/* ---- CSV ----------------------------------------------------------------- */

void game_csv_provenance(FILE *f, const game *g, int converged)
{
    fprintf(f, "# tradewar %s %s data=%s checksum=%s", TW_VERSION_STRING, g->a.command,
            g->a.data_dir, g->data_checksum);
    if (g->sc)
        fprintf(f, " scenario=%s stage=%s", game_scenario_path(g),
                tw_scenario_stage_name(g->sc, g->stage));
    else if (g->a.which & G_ENFORCE)
        fprintf(f, " agreement=%s", g->a.agreement);
    char el[4200];
    cli_elasticities_text(&g->elast, el, sizeof el);
    fprintf(f,
            " options=deficits=%s,method=%s,tol=%.15g,max_iter=%d,anderson_depth=%d,"
            "damping=%.15g,fallback=%s,%s converged=%s\n",
            out_deficits_name(g->deficits), out_method_name(g->so.method), g->so.tol,
            g->so.max_iter, g->so.anderson_depth, g->so.damping, g->so.fallback ? "true" : "false",
            el, converged && !g->stop_reason ? "true" : "false");
    if (g->stop_reason)
        fprintf(f, "# INCOMPLETE: %s; rerun with the same options and --output to resume\n",
                g->stop_reason);
}

typedef struct {
    FILE *f;
    const game_columns *c;
    tw_policy *base;
    int kind;
} csv_cells;

static void csv_cell(const game *g, int kind, size_t i, size_t n, size_t j, void *user)
{
    csv_cells *u = user;
    if (kind != u->kind)
        return;
    if (kind == TW_INSTRUMENT_SUBSIDIES)
        fprintf(u->f, "%s,%s", country_code(g, i), tw_model_sector_code(g->base, j));
    else
        fprintf(u->f, "%s,%s,%s", country_code(g, i), country_code(g, n),
                tw_model_sector_code(g->base, j));
    out_csv_number(u->f, rate_of(u->base, kind, i, n, j));
    for (size_t k = 0; k < u->c->n; k++)
        out_csv_number(u->f, rate_of(u->c->p[k], kind, i, n, j));
    fputc('\n', u->f);
}

static void cells_csv(FILE *f, const game *g, const game_columns *c, int kind)
{
    csv_cells u = {f, c, tw_policy_create(g->base, NULL), kind};
    game_csv_provenance(f, g, 1);
    fputs(kind == TW_INSTRUMENT_SUBSIDIES ? "country,sector,base" : "exporter,importer,sector,base",
          f);
    for (size_t k = 0; k < c->n; k++)
        fprintf(f, ",%s", c->name[k]);
    fputc('\n', f);
    if (u.base)
        for_each_cell(g, csv_cell, &u);
    tw_policy_free(u.base);
}

void game_tariffs_csv(FILE *f, const game *g, const game_columns *c)
{
    cells_csv(f, g, c, TW_INSTRUMENT_IMPORT_TARIFFS);
}

void game_export_taxes_csv(FILE *f, const game *g, const game_columns *c)
{
    cells_csv(f, g, c, TW_INSTRUMENT_EXPORT_TAXES);
}

void game_subsidies_csv(FILE *f, const game *g, const game_columns *c)
{
    cells_csv(f, g, c, TW_INSTRUMENT_SUBSIDIES);
}

/* ---- emitting a report --------------------------------------------------- */

typedef struct {
    const game *g;
    const game_report *r;
} emit_ctx;

static int emit_json(FILE *f, void *user) { return out_json_dump(f, ((emit_ctx *)user)->r->json); }

static int emit_checkpoint(FILE *f, void *user)
{
    const game *g = ((emit_ctx *)user)->g;
    json_t *fp = game_fingerprint(g);
    json_t *j = json_pack("{s:s, s:o, s:O}", "reason", g->stop_reason, "fingerprint",
                          fp ? fp : json_null(), "stages",
                          g->checkpoint ? g->checkpoint : json_object());
    int rc = j ? out_json_dump(f, j) : -1;
    json_decref(j);
    return rc;
}

static int emit_countries(FILE *f, void *user)
{
    emit_ctx *e = user;
    e->r->countries_csv(f, e->r->user);
    return 0;
}

static int emit_tariffs(FILE *f, void *user)
{
    emit_ctx *e = user;
    game_tariffs_csv(f, e->g, e->r->columns);
    return 0;
}

static int emit_export_taxes(FILE *f, void *user)
{
    emit_ctx *e = user;
    game_export_taxes_csv(f, e->g, e->r->columns);
    return 0;
}

static int emit_subsidies(FILE *f, void *user)
{
    emit_ctx *e = user;
    game_subsidies_csv(f, e->g, e->r->columns);
    return 0;
}

/* The welfare change of every economy in the result, as bars for the page. */
static int welfare_chart(const game *g, const json_t *j, plot_capture *cap, char *why, size_t size)
{
    const json_t *cs = json_object_get(j, "countries"), *c;
    size_t n = json_array_size(cs), i, m = 0;
    const char **names = calloc(n ? n : 1, sizeof *names);
    double *v = calloc(n ? n : 1, sizeof *v);
    int st = names && v ? 0 : -1;
    json_array_foreach(cs, i, c)
    {
        const json_t *w = json_object_get(c, "welfare_pct"), *nm = json_object_get(c, "name");
        if (st == 0 && json_is_number(w) && isfinite(json_number_value(w))) {
            names[m] = json_is_string(nm) ? json_string_value(nm) : "?";
            v[m++] = json_number_value(w);
        }
    }
    if (st == 0 && m > 0) {
        char title[300];
        snprintf(title, sizeof title, "tradewar %s: welfare change of every economy", g->a.command);
        plot_labels l = {title, g->sc ? tw_scenario_name(g->sc) : "from the base economy", NULL,
                         "welfare (real income) change, %", "tradewar " TW_VERSION_STRING};
        plot_capture_set(cap);
        st = plot_bars(NULL, &l, m, names, v, "%.2f", why, size);
        plot_capture_set(NULL);
    }
    free(names);
    free(v);
    return st;
}

/* game_emit, with the lines of `diag` (may be NULL) under the table. */
static int emit(const game *g, const game_report *r, const tw_diagnostics *diag)
{
    emit_ctx e = {g, r};
    if (g->a.output) {
        batch_file files[6];
        size_t n = 0;
        unsigned f = instrument_flags(g);
        files[n++] = (batch_file){"result.json", emit_json};
        files[n++] = (batch_file){"countries.csv", emit_countries};
        if (r->columns && (f & TW_INSTRUMENT_IMPORT_TARIFFS))
            files[n++] = (batch_file){"tariffs.csv", emit_tariffs};
        if (r->columns && (f & TW_INSTRUMENT_EXPORT_TAXES))
            files[n++] = (batch_file){"export_taxes.csv", emit_export_taxes};
        if (r->columns && (f & TW_INSTRUMENT_SUBSIDIES))
            files[n++] = (batch_file){"subsidies.csv", emit_subsidies};
        if (g->stop_reason)
            files[n++] = (batch_file){"checkpoint.json", emit_checkpoint};
        char why[512];
        if (batch_write_files(g->a.output, 1, files, n, &e, why, sizeof why) != 0) {
            cli_error("%s (nothing written to %s)", why, g->a.output);
            return CLI_FAILURE;
        }
        if (!g->stop_reason) { /* finished: nothing left to resume */
            char path[4200];
            snprintf(path, sizeof path, "%s/checkpoint.json", g->a.output);
            unlink(path);
        }
    }
    if (g->a.html) {
        char why[600] = "out of memory";
        plot_capture cap = {0};
        char title[600];
        const char *dd = g->a.data_dir ? g->a.data_dir : "", *slash = strrchr(dd, '/');
        snprintf(title, sizeof title, "tradewar %.20s: %.500s", g->a.command,
                 g->sc               ? tw_scenario_name(g->sc)
                 : slash && slash[1] ? slash + 1
                                     : dd);
        html_page page = {g->a.command, title, r->json, &cap, g->base};
        int st = welfare_chart(g, r->json, &cap, why, sizeof why);
        if (st == 0)
            st = html_write(g->a.html, &page, why, sizeof why);
        plot_capture_free(&cap);
        if (st != 0) {
            cli_error("%s (nothing written to %s)", why, g->a.html);
            return CLI_FAILURE;
        }
    }
    int bad = 0;
    if (g->a.format == FORMAT_JSON)
        bad = out_json_dump(stdout, r->json) != 0;
    else if (g->a.format == FORMAT_CSV)
        r->countries_csv(stdout, r->user);
    else {
        r->table(stdout, r->user);
        if (diag) {
            /* the last column is the reported outcome; "rate" is its CSV name */
            const char *last = r->columns->name[r->columns->n - 1];
            fprintf(stdout, "\nAt the %s: ", strcmp(last, "rate") == 0 ? "reported outcome" : last);
            out_diagnostics_lines(stdout, g->base, diag);
        }
    }
    if (bad || fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the results to standard output");
        return CLI_FAILURE;
    }
    return CLI_OK;
}

/* Diagnostics and warnings of the last column's policy (the outcome the
 * command reports: the optimum, the war, the agreement), solved afresh. */
int game_emit(const game *g, const game_report *r) { return emit(g, r, NULL); }

static int diagnose_outcome(const game *g, game_report *r, tw_diagnostics *diag)
{
    if (!r->json || !r->columns || r->columns->n == 0 || !g->solver)
        return 0;
    const tw_policy *p = r->columns->p[r->columns->n - 1];
    tw_result *res = p ? tw_result_create(g->base, NULL) : NULL;
    tw_error err = {0};
    int ok = 0;
    if (!res)
        return 0;
    tw_solver_set_start(g->solver, NULL);
    if (tw_solve(g->solver, p, res, &err) == TW_OK &&
        tw_result_diagnose(g->solver, g->base, p, res, diag, &err) == TW_OK &&
        (!g->sc || tw_scenario_warnings(g->sc, 0, g->stage, g->base, diag, &err) == TW_OK)) {
        ok = 1;
        json_t *d = out_diagnostics_json(g->base, diag);
        json_object_set_new(d, "outcome", json_string(r->columns->name[r->columns->n - 1]));
        json_object_set_new(r->json, "diagnostics", d);
        json_object_set_new(r->json, "warnings", out_warnings_json(diag));
        out_warnings_stderr(diag);
    } else {
        cli_error("no diagnostics for the outcome: %s", err.message);
    }
    tw_result_free(res);
    return ok;
}

int game_finish(const game *g, game_report *r, int rc)
{
    if (r->json) {
        json_object_set_new(r->json, "incomplete",
                            g->stop_reason ? json_pack("{s:s}", "reason", g->stop_reason)
                                           : json_null());
        json_t *solver = json_object_get(r->json, "solver");
        if (g->stop_reason && solver)
            json_object_set_new(solver, "converged", json_false());
    }
    tw_diagnostics diag;
    int has = diagnose_outcome(g, r, &diag);
    int erc = r->json ? emit(g, r, has ? &diag : NULL) : CLI_FAILURE;
    if (!r->json)
        cli_error("out of memory");
    json_decref(r->json);
    r->json = NULL;
    return erc != CLI_OK ? erc : rc;
}

int game_alloc_play(const game *g, tw_policy **p, tw_result **res)
{
    *p = tw_policy_clone(g->start, NULL);
    *res = tw_result_create(g->base, NULL);
    if (*p && *res)
        return CLI_OK;
    tw_policy_free(*p);
    tw_result_free(*res);
    *p = NULL;
    *res = NULL;
    cli_error("out of memory");
    return CLI_FAILURE;
}

/* ---- the countries table ------------------------------------------------- */

void game_countries_csv(FILE *f, const game *g, const tw_result *res, const tw_policy *p,
                        int converged)
{
    size_t N = tw_model_countries(g->base);
    game_csv_provenance(f, g, converged);
    fputs("code,name,player", f);
    for (int k = 0; k < TW_C_COUNT; k++)
        fprintf(f, ",%s", tw_country_output_key((tw_country_output)k));
    fputs(",median_tariff_pct,mean_tariff_pct\n", f);
    for (size_t i = 0; i < N; i++) {
        out_csv_text(f, country_code(g, i));
        fputc(',', f);
        out_csv_text(f, tw_model_country_name(g->base, i));
        fprintf(f, ",%s", game_is_player(g, i) ? "true" : "false");
        for (int k = 0; k < TW_C_COUNT; k++) {
            const double *v = tw_result_country(res, (tw_country_output)k);
            out_csv_number(f, v ? v[i] : NAN);
        }
        out_csv_number(f, game_median_tariff_pct(g, p, i));
        out_csv_number(f, game_mean_tariff_pct(g, p, i));
        fputc('\n', f);
    }
}

void game_table_header(FILE *f, const game *g, const char *title)
{
    const tw_baseline_report *b = &g->report;
    fprintf(f, "%s\n", title);
    if (g->stop_reason)
        fprintf(f,
                "INCOMPLETE (%s): partial results; rerun with the same options and "
                "--output to resume\n",
                g->stop_reason);
    fprintf(f, "Data: %s (checksum %s)\n", g->a.data_dir, g->data_checksum);
    if (g->sc)
        fprintf(f, "Scenario: %s (%s)\n", tw_scenario_name(g->sc),
                tw_scenario_stage_name(g->sc, g->stage));
    fprintf(f, "Baseline: %s deficits%s\n", out_deficits_name(g->deficits),
            b->calibrated ? ", calibrated" : "");
    json_t *ins = instruments_names(g->go.best.instruments);
    fputs("Instruments:", f);
    for (size_t k = 0; k < json_array_size(ins); k++)
        fprintf(f, "%s %s", k ? "," : "", json_string_value(json_array_get(ins, k)));
    json_decref(ins);
    fprintf(f, " in [%g, %g]%s%s\n\n", g->go.best.lower, g->go.best.upper,
            g->go.best.mfn ? ", MFN (one rate per sector)" : "",
            g->warmup ? ", after an MFN warm-up" : "");
}

/* Round-off (|x| < 5e-9) shows as 0, not as "-0.0000". */
double game_tidy(double x) { return fabs(x) < 5e-9 ? 0.0 : x; }
