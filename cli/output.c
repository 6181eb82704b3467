/* output.c - formatting a solved scenario: JSON, CSV, terminal table, output directories. */
#include "output.h"

#include "outdir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 100 (new / base - 1), NaN when the base is zero. */
static double pct(double now, double base) { return base != 0 ? 100 * (now / base - 1) : NAN; }

int out_parse_format(const char *s, out_format *out)
{
    static const char *const names[] = {"table", "csv", "json"};
    static const out_format formats[] = {FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON};
    for (size_t k = 0; k < 3; k++)
        if (strcmp(s, names[k]) == 0) {
            *out = formats[k];
            return 1;
        }
    return 0;
}

json_t *out_json_number(double x) { return isfinite(x) ? json_real(x) : json_null(); }

int out_json_dump(FILE *f, const json_t *j)
{
    if (json_dumpf(j, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

const char *out_method_name(tw_method m)
{
    return m == TW_METHOD_NEWTON_KRYLOV ? "newton" : "anderson";
}

const char *out_deficits_name(tw_deficit_mode d)
{
    return d == TW_DEFICIT_BALANCED ? "balanced" : "fixed";
}

/* ---- diagnostics and warnings -------------------------------------------- */

json_t *out_diagnostics_json(const tw_model *m, const tw_diagnostics *d)
{
    json_t *largest = d->largest_country >= 0
                          ? json_pack("{s:s, s:s, s:o}", "country",
                                      tw_model_country_code(m, (size_t)d->largest_country),
                                      "sector", tw_model_sector_code(m, (size_t)d->largest_sector),
                                      "pct", out_json_number(d->largest_output_pct))
                          : json_null();
    return json_pack("{s:o, s:s?, s:o, s:o}", "max_psi_theta", out_json_number(d->max_psi_theta),
                     "max_psi_theta_sector",
                     d->max_psi_theta_sector >= 0
                         ? tw_model_sector_code(m, (size_t)d->max_psi_theta_sector)
                         : NULL,
                     "base_growth", out_json_number(d->base_growth), "largest_output_change",
                     largest);
}

json_t *out_warnings_json(const tw_diagnostics *d)
{
    json_t *list = json_array();
    for (size_t k = 0; list && k < d->n_warnings; k++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "code", d->warnings[k].code, "message",
                                              d->warnings[k].message));
    return list;
}

void out_warnings_stderr(const tw_diagnostics *d)
{
    for (size_t k = 0; k < d->n_warnings; k++)
        fprintf(stderr, "tradewar: warning [%s]: %s\n", d->warnings[k].code,
                d->warnings[k].message);
}

void out_diagnostics_lines(FILE *f, const tw_model *m, const tw_diagnostics *d)
{
    fprintf(f, "Diagnostics: max psi*theta %.3f", d->max_psi_theta);
    if (d->max_psi_theta_sector >= 0)
        fprintf(f, " (%s)", tw_model_sector_code(m, (size_t)d->max_psi_theta_sector));
    fprintf(f, ", base growth %.3f", d->base_growth);
    if (d->largest_country >= 0)
        fprintf(f, ", largest output change %s %s %+.2f%%",
                tw_model_country_code(m, (size_t)d->largest_country),
                tw_model_sector_code(m, (size_t)d->largest_sector), d->largest_output_pct);
    fputc('\n', f);
    for (size_t k = 0; k < d->n_warnings; k++)
        fprintf(f, "Warning [%s]: %s\n", d->warnings[k].code, d->warnings[k].message);
}

void out_largest_moves(FILE *f, const tw_model *m, const tw_result *res, size_t count)
{
    size_t N = tw_model_countries(m), J = tw_model_sectors(m);
    const double *pct = tw_result_sector(res, TW_CS_OUTPUT_PCT);
    const double *y0 = tw_result_sector(res, TW_CS_OUTPUT_BASE);
    const double *y1 = tw_result_sector(res, TW_CS_OUTPUT);
    size_t best[16];
    size_t n = 0;
    if (count > 16)
        count = 16;
    for (size_t x = 0; x < N * J; x++) {
        if (!(y0[x] > 0) || !isfinite(pct[x]) || fabs(pct[x]) < 5e-9)
            continue;
        size_t at = n < count ? n++ : count;
        while (at > 0 && fabs(pct[best[at - 1]]) < fabs(pct[x])) {
            if (at < count)
                best[at] = best[at - 1];
            at--;
        }
        if (at < count)
            best[at] = x;
    }
    if (n == 0)
        return;
    fprintf(f, "Largest sector output moves (gross output, %s):\n", tw_model_currency_unit(m));
    for (size_t k = 0; k < n; k++) {
        size_t i = best[k] / J, j = best[k] % J;
        fprintf(f, "  %-8s %-24s %+9.2f%%  %14.6g -> %-14.6g\n", tw_model_country_code(m, i),
                tw_model_sector_code(m, j), pct[best[k]], y0[best[k]], y1[best[k]]);
    }
}

/* ---- JSON ---------------------------------------------------------------- */

void out_elasticities_json(json_t *obj, const cli_elasticities *e)
{
    if (!obj)
        return;
    json_object_set_new(obj, "elasticities", e->spec ? json_string(e->spec) : json_null());
    json_object_set_new(obj, "theta_scale", out_json_number(e->theta_scale));
    json_object_set_new(obj, "psi_scale", out_json_number(e->psi_scale));
}

/* Keys equal scenario option keys, so "options" can be pasted into a scenario. */
static json_t *options_json(const run_info *r)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:i, s:i, s:o, s:b}", "deficits",
                          out_deficits_name(r->deficits), "method", out_method_name(r->opt.method),
                          "tol", out_json_number(r->opt.tol), "max_iter", r->opt.max_iter,
                          "anderson_depth", r->opt.anderson_depth, "damping",
                          out_json_number(r->opt.damping), "fallback", r->opt.fallback);
    out_elasticities_json(o, &r->elast);
    return o;
}

static json_t *stats_json(tw_solver_stats s)
{
    return json_pack("{s:b, s:I, s:o, s:s, s:s, s:o, s:I}", "converged",
                     s.outcome == TW_OUTCOME_CONVERGED, "iterations", (json_int_t)s.iterations,
                     "residual", out_json_number(s.residual), "method", out_method_name(s.method),
                     "outcome", tw_outcome_name(s.outcome), "seconds", out_json_number(s.seconds),
                     "evaluations", (json_int_t)s.evaluations);
}

static json_t *header_json(const run_info *r)
{
    char base_sum[17];
    tw_model_checksum(r->base, base_sum);
    json_t *h = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "version",
                          TW_VERSION_STRING, "command", "solve", "data", r->data_dir,
                          "data_checksum", r->data_checksum, "base_checksum", base_sum, "scenario",
                          r->scenario_path, "scenario_name", tw_scenario_name(r->sc), "stage",
                          tw_scenario_stage_name(r->sc, r->stage), "stage_index",
                          (json_int_t)r->stage, "options", options_json(r));
    if (h)
        json_object_set_new(h, "currency_unit", json_string(tw_model_currency_unit(r->base)));
    return h;
}

static json_t *baseline_json(const run_info *r)
{
    const tw_baseline_report *b = &r->report;
    return json_pack("{s:b, s:o, s:b, s:o, s:o}", "calibrated", b->calibrated, "calibration_gap",
                     out_json_number(b->calibration_gap), "balanced", b->balanced, "calibration",
                     stats_json(b->calibration), "balancing", stats_json(b->balancing));
}

static json_t *countries_json(const run_info *r)
{
    size_t N = tw_model_countries(r->base);
    json_t *list = json_array();
    for (size_t i = 0; list && i < N; i++) {
        json_t *c = json_pack("{s:s, s:s}", "code", tw_model_country_code(r->base, i), "name",
                              tw_model_country_name(r->base, i));
        for (int k = 0; c && k < TW_C_COUNT; k++) {
            const double *v = tw_result_country(r->res, (tw_country_output)k);
            json_object_set_new(c, tw_country_output_key((tw_country_output)k),
                                out_json_number(v ? v[i] : NAN));
        }
        json_array_append_new(list, c);
    }
    return list;
}

static json_t *sectors_json(const run_info *r)
{
    size_t N = tw_model_countries(r->base), J = tw_model_sectors(r->base);
    json_t *list = json_array();
    for (size_t i = 0; list && i < N; i++)
        for (size_t j = 0; j < J; j++) {
            json_t *c = json_pack("{s:s, s:s}", "country", tw_model_country_code(r->base, i),
                                  "sector", tw_model_sector_code(r->base, j));
            for (int k = 0; c && k < TW_CS_COUNT; k++) {
                const double *v = tw_result_sector(r->res, (tw_sector_output)k);
                json_object_set_new(c, tw_sector_output_key((tw_sector_output)k),
                                    out_json_number(v ? v[tw_idx2(J, i, j)] : NAN));
            }
            json_array_append_new(list, c);
        }
    return list;
}

/* Flow from i to n summed over sectors. */
static double pair_total(const double *flows, size_t N, size_t J, size_t i, size_t n)
{
    double s = 0;
    for (size_t j = 0; flows && j < J; j++)
        s += flows[tw_idx3(N, J, i, n, j)];
    return flows ? s : NAN;
}

/* International pairs only: domestic sales are in flows.csv. */
static json_t *bilateral_json(const run_info *r)
{
    size_t N = tw_model_countries(r->base), J = tw_model_sectors(r->base);
    const double *base = tw_model_get(r->base, TW_FLOWS), *now = tw_result_flows(r->res);
    json_t *list = json_array();
    for (size_t i = 0; list && i < N; i++)
        for (size_t n = 0; n < N; n++) {
            if (i == n)
                continue;
            double b = pair_total(base, N, J, i, n), x = pair_total(now, N, J, i, n);
            json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:o}", "exporter",
                                                  tw_model_country_code(r->base, i), "importer",
                                                  tw_model_country_code(r->base, n), "flow_base",
                                                  out_json_number(b), "flow", out_json_number(x),
                                                  "change_pct", out_json_number(pct(x, b))));
        }
    return list;
}

json_t *out_solve_json(const run_info *r)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "tradewar", header_json(r),
                     "baseline", baseline_json(r), "solver", stats_json(tw_result_stats(r->res)),
                     "diagnostics", out_diagnostics_json(r->base, &r->diag), "warnings",
                     out_warnings_json(&r->diag), "countries", countries_json(r), "sectors",
                     sectors_json(r), "bilateral", bilateral_json(r));
}

/* ---- CSV ----------------------------------------------------------------- */

/* A field, quoted when it holds a comma, quote or line break. */
void out_csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Numbers round-trip with 17 digits; an unknown value is an empty field. */
void out_csv_number(FILE *f, double x)
{
    fputc(',', f);
    if (!isnan(x))
        fprintf(f, "%.17g", x);
}

static void provenance(FILE *f, const run_info *r)
{
    char el[4200];
    cli_elasticities_text(&r->elast, el, sizeof el);
    fprintf(f,
            "# tradewar %s data=%s checksum=%s scenario=%s stage=%s options=deficits=%s,"
            "method=%s,tol=%.15g,max_iter=%d,anderson_depth=%d,damping=%.15g,fallback=%s,%s "
            "converged=%s\n",
            TW_VERSION_STRING, r->data_dir, r->data_checksum, r->scenario_path,
            tw_scenario_stage_name(r->sc, r->stage), out_deficits_name(r->deficits),
            out_method_name(r->opt.method), r->opt.tol, r->opt.max_iter, r->opt.anderson_depth,
            r->opt.damping, r->opt.fallback ? "true" : "false", el,
            (tw_result_stats(r->res).outcome == TW_OUTCOME_CONVERGED) ? "true" : "false");
}

void out_countries_csv(FILE *f, const run_info *r)
{
    provenance(f, r);
    fputs("code,name", f);
    for (int k = 0; k < TW_C_COUNT; k++)
        fprintf(f, ",%s", tw_country_output_key((tw_country_output)k));
    fputc('\n', f);
    for (size_t i = 0; i < tw_model_countries(r->base); i++) {
        out_csv_text(f, tw_model_country_code(r->base, i));
        fputc(',', f);
        out_csv_text(f, tw_model_country_name(r->base, i));
        for (int k = 0; k < TW_C_COUNT; k++) {
            const double *v = tw_result_country(r->res, (tw_country_output)k);
            out_csv_number(f, v ? v[i] : NAN);
        }
        fputc('\n', f);
    }
}

void out_sectors_csv(FILE *f, const run_info *r)
{
    size_t N = tw_model_countries(r->base), J = tw_model_sectors(r->base);
    provenance(f, r);
    fputs("country,sector", f);
    for (int k = 0; k < TW_CS_COUNT; k++)
        fprintf(f, ",%s", tw_sector_output_key((tw_sector_output)k));
    fputc('\n', f);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            fprintf(f, "%s,%s", tw_model_country_code(r->base, i),
                    tw_model_sector_code(r->base, j));
            for (int k = 0; k < TW_CS_COUNT; k++) {
                const double *v = tw_result_sector(r->res, (tw_sector_output)k);
                out_csv_number(f, v ? v[tw_idx2(J, i, j)] : NAN);
            }
            fputc('\n', f);
        }
}

void out_bilateral_csv(FILE *f, const run_info *r)
{
    size_t N = tw_model_countries(r->base), J = tw_model_sectors(r->base);
    const double *base = tw_model_get(r->base, TW_FLOWS), *now = tw_result_flows(r->res);
    provenance(f, r);
    fputs("exporter,importer,flow_base,flow,change_pct\n", f);
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++) {
            if (i == n)
                continue;
            double b = pair_total(base, N, J, i, n), x = pair_total(now, N, J, i, n);
            fprintf(f, "%s,%s", tw_model_country_code(r->base, i),
                    tw_model_country_code(r->base, n));
            out_csv_number(f, b);
            out_csv_number(f, x);
            out_csv_number(f, pct(x, b));
            fputc('\n', f);
        }
}

void out_flows_csv(FILE *f, const run_info *r)
{
    size_t N = tw_model_countries(r->base), J = tw_model_sectors(r->base);
    const double *base = tw_model_get(r->base, TW_FLOWS), *now = tw_result_flows(r->res);
    provenance(f, r);
    fputs("exporter,importer,sector,base,new\n", f);
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                fprintf(f, "%s,%s,%s", tw_model_country_code(r->base, i),
                        tw_model_country_code(r->base, n), tw_model_sector_code(r->base, j));
                out_csv_number(f, base[x]);
                out_csv_number(f, now ? now[x] : NAN);
                fputc('\n', f);
            }
}

/* ---- the terminal table -------------------------------------------------- */

/* Round-off (|x| < 5e-9) shows as 0, not as "-0.0000". */
static double tidy(double x) { return fabs(x) < 5e-9 ? 0.0 : x; }

static double country_value(const run_info *r, tw_country_output k, size_t i)
{
    const double *v = tw_result_country(r->res, k);
    return v ? tidy(v[i]) : NAN;
}

static void solver_line(FILE *f, const char *what, tw_solver_stats s)
{
    fprintf(f, "%s: %s (%s, outcome: %s), %ld iterations, %ld evaluations, residual %.3g, %.3g s\n",
            what, s.outcome == TW_OUTCOME_CONVERGED ? "converged" : "DID NOT CONVERGE",
            out_method_name(s.method), tw_outcome_name(s.outcome), s.iterations, s.evaluations,
            s.residual, s.seconds);
}

void out_table(FILE *f, const run_info *r)
{
    const tw_baseline_report *b = &r->report;
    fprintf(f, "Scenario: %s", tw_scenario_name(r->sc));
    if (tw_scenario_stage_count(r->sc) > 1)
        fprintf(f, " (stage %zu of %zu: %s)", r->stage + 1, tw_scenario_stage_count(r->sc),
                tw_scenario_stage_name(r->sc, r->stage));
    fprintf(f, "\nData: %s (checksum %s)\n", r->data_dir, r->data_checksum);
    fprintf(f, "Baseline: %s deficits%s", out_deficits_name(r->deficits),
            b->calibrated ? ", calibrated" : "");
    if (b->calibrated)
        fprintf(f, " (max |log change| %.3g)", b->calibration_gap);
    fprintf(f, "\nMoney (EV, revenue): %s\n\n", tw_model_currency_unit(r->base));
    fprintf(f, "%-8s %10s %11s %14s %8s %8s %11s %15s %10s %10s\n", "country", "welfare %",
            "real GDP %", "EV", "ToT %", "VoT %", "real wage %", "tariff rev. chg", "exports %",
            "imports %");
    for (size_t i = 0; i < tw_model_countries(r->base); i++)
        fprintf(
            f, "%-8s %10.4f %11.4f %14.6g %8.4f %8.4f %11.4f %15.6g %10.4f %10.4f\n",
            tw_model_country_code(r->base, i), country_value(r, TW_C_WELFARE_PCT, i),
            country_value(r, TW_C_REAL_GDP_PCT, i), country_value(r, TW_C_EV, i),
            country_value(r, TW_C_TOT_PCT, i), country_value(r, TW_C_VOT_PCT, i),
            country_value(r, TW_C_REAL_WAGE_PCT, i),
            tidy(country_value(r, TW_C_TARIFF_REVENUE, i) -
                 country_value(r, TW_C_TARIFF_REVENUE_BASE, i)),
            tidy(pct(country_value(r, TW_C_EXPORTS, i), country_value(r, TW_C_EXPORTS_BASE, i))),
            tidy(pct(country_value(r, TW_C_IMPORTS, i), country_value(r, TW_C_IMPORTS_BASE, i))));
    fputc('\n', f);
    out_largest_moves(f, r->base, r->res, 5);
    out_diagnostics_lines(f, r->base, &r->diag);
    fputc('\n', f);
    solver_line(f, "Solver", tw_result_stats(r->res));
}

int out_print(out_format format, const run_info *r)
{
    if (format == FORMAT_TABLE)
        out_table(stdout, r);
    else if (format == FORMAT_CSV)
        out_countries_csv(stdout, r);
    else {
        json_t *j = out_solve_json(r);
        int bad = !j || out_json_dump(stdout, j) != 0;
        json_decref(j);
        if (bad)
            return -1;
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

/* ---- output directories -------------------------------------------------- */

static int write_json_file(FILE *f, void *user)
{
    json_t *j = out_solve_json(user);
    int st = j ? out_json_dump(f, j) : -1;
    json_decref(j);
    return st;
}

#define CSV_WRITER(name)                         \
    static int write_##name(FILE *f, void *user) \
    {                                            \
        out_##name##_csv(f, user);               \
        return 0;                                \
    }
CSV_WRITER(countries)
CSV_WRITER(sectors)
CSV_WRITER(bilateral)
CSV_WRITER(flows)

int out_write_dir(const run_info *r, const char *dir, char *why, size_t why_size)
{
    static const batch_file files[] = {
        {"countries.csv", write_countries}, {"sectors.csv", write_sectors},
        {"bilateral.csv", write_bilateral}, {"flows.csv", write_flows},
        {"result.json", write_json_file},
    };
    /* with its missing parents (issue 10: `--output runs/x` on a fresh clone) */
    return batch_write_files(dir, 1, files, sizeof files / sizeof files[0], (void *)r, why,
                             why_size);
}
