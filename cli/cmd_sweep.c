/*
 * cmd_sweep.c - `tradewar sweep`: many solves of one base economy (a grid over
 * scenario parameters, a list of scenario files, Monte Carlo draws of theta
 * and psi), in threads and MPI ranks, stored as they finish so that an
 * interrupted run resumes, then summarised (docs/sweeps.md).
 */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GRIDS 8
#define MAX_SCENARIOS 256

void cmd_sweep_help(FILE *f)
{
    fputs("Usage: tradewar sweep [OPTIONS] SCENARIO [SCENARIO...] --output DIR\n"
          "\n"
          "Solve one base economy many times: over a grid of scenario parameters, a list of\n"
          "scenario files, and Monte Carlo draws of the trade and scale elasticities; report\n"
          "the central value, mean, standard deviation and quantiles of every output.\n"
          "Every finished solve is stored in DIR at once: rerunning the same command after an\n"
          "interruption computes only what is missing. Under mpirun the solves are split\n"
          "across ranks (docs/sweeps.md).\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017)\n"
          "      --output DIR         where the records and the summary go (required)\n"
          "      --html FILE          also one self-contained HTML page: question, answer,\n"
          "                           the chart, the summary's tables, data provenance\n"
          "      --draws N            Monte Carlo draws per point, N >= 1 (default: none, the\n"
          "                           central values only)\n"
          "      --seed S             seed of the draws (default 1)\n"
          "      --theta-se SPEC      normal draws of theta truncated to positive values, with\n"
          "                           standard error 0.2x (relative to each sector's theta),\n"
          "                           0.5 (absolute) or FILE.csv (sector, then a column se or\n"
          "                           theta_se, e.g. `tradewar gravity elasticities` output)\n"
          "                           (default when drawing: 0.2x)\n"
          "      --theta-range LO:HI  uniform draws of theta instead, e.g. 0.8x:1.2x or 2:8\n"
          "      --psi-se SPEC, --psi-range LO:HI   likewise for psi (default: psi fixed)\n"
          "      --max-psi-theta X    keep psi*theta below X in every sector of every draw,\n"
          "                           redrawing a sector's pair until it is (default 1: the\n"
          "                           model has an interior equilibrium only below 1; none)\n"
          "      --unstable redraw|keep  a draw under which the base economy is an unstable\n"
          "                           equilibrium (scale economies feeding on themselves):\n"
          "                           replaced by a fresh one (default) or solved as it is\n"
          "      --draws-file FILE    the draws themselves: CSV draw,sector,theta[,psi]\n"
          "                           (draws numbered from 1; missing cells keep the data's)\n"
          "      --grid NAME=FROM:TO:STEP | NAME=V1,V2,...\n"
          "                           put each value in for ${NAME} in the scenario file\n"
          "                           (several --grid: every combination)\n"
          "      --quantiles LIST     percentages reported (default 5,50,95)\n"
          "      --sector-outputs LIST  per-sector outputs to summarise too (e.g. output_pct)\n"
          "      --threads T          solves in parallel in this process (default: cores,\n"
          "                           divided among the MPI ranks on this machine)\n"
          "      --format FORMAT      table (default), csv (summary.csv) or json (summary.json)\n"
          "      --stage K|NAME       the stage of staged scenarios (default: the last)\n"
          "      --no-chart           do not draw DIR/chart.png\n"
          "Solver options (as for solve): --deficits --method --tol --max-iter\n"
          "      --anderson-depth --damping --fallback; central elasticities (as for\n"
          "      solve): --elasticities FILE|NAME --theta-scale X --psi-scale X\n"
          "  -q, --quiet              no progress bar or messages\n"
          "  -v, --verbose            more detail on stderr\n"
          "  -h, --help               show this help\n"
          "\n"
#ifdef TW_HAVE_MPI
          "MPI: built in (run with mpirun -np K tradewar sweep ...).\n"
#else
          "MPI: not built in (install libopenmpi-dev and rebuild for mpirun).\n"
#endif
          "Exit status: 0 success (failed draws are counted in the summary), 2 usage error,\n"
          "3 bad data, scenario or draws, 4 I/O or internal error.\n",
          f);
}

typedef struct sweep_args {
    const char *data_dir, *output, *html, *stage, *draws, *seed, *draws_file, *quantiles,
        *sector_outputs, *threads;
    const char *theta_se, *theta_range, *psi_se, *psi_range, *max_psi_theta, *unstable;
    const char *grid[MAX_GRIDS];
    size_t n_grid;
    const char *scenarios[MAX_SCENARIOS];
    size_t n_scenarios;
    out_format format;
    int no_chart;
    cli_solver_flags solver;
} sweep_args;

/* ---- the command line ---------------------------------------------------------- */

static int stored_option(cli_args *a, sweep_args *s)
{
    int f = cli_solver_flag(a, &s->solver);
    if (f)
        return f;
    static const char *const names[] = {"--output",    "--html",           "--stage",
                                        "--draws",     "--seed",           "--draws-file",
                                        "--quantiles", "--sector-outputs", "--threads",
                                        "--theta-se",  "--theta-range",    "--psi-se",
                                        "--psi-range", "--max-psi-theta",  "--unstable"};
    const char **const slots[] = {&s->output,    &s->html,           &s->stage,
                                  &s->draws,     &s->seed,           &s->draws_file,
                                  &s->quantiles, &s->sector_outputs, &s->threads,
                                  &s->theta_se,  &s->theta_range,    &s->psi_se,
                                  &s->psi_range, &s->max_psi_theta,  &s->unstable};
    return cli_stored_option(a, names, slots, sizeof names / sizeof names[0]);
}

static int parse_args(int argc, char **argv, int first, cli_ctx *ctx, sweep_args *s)
{
    cli_args a;
    cli_args_init(&a, argc, argv, first, "sweep");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_OPERAND) {
            if (s->n_scenarios == MAX_SCENARIOS)
                return cli_usage_error("sweep", "at most %d scenario files", MAX_SCENARIOS);
            s->scenarios[s->n_scenarios++] = a.arg;
        } else if (cli_is(&a, "--help", "-h", 0)) {
            cmd_sweep_help(stdout);
            return -1;
        } else if (cli_common_option(&a, ctx, &s->data_dir)) {
            if (!s->data_dir && strcmp(a.arg, "--data") == 0)
                return cli_bad_value(&a, "a directory");
        } else if (cli_is(&a, "--format", NULL, 1)) {
            if (!a.value || !out_parse_format(a.value, &s->format))
                return cli_bad_value(&a, "table, csv or json");
        } else if (cli_is(&a, "--no-chart", NULL, 0)) {
            s->no_chart = 1;
        } else if (cli_is(&a, "--grid", NULL, 1)) {
            if (!a.value || !strchr(a.value, '='))
                return cli_bad_value(&a, "NAME=FROM:TO:STEP or NAME=V1,V2,...");
            if (s->n_grid == MAX_GRIDS)
                return cli_usage_error("sweep", "at most %d --grid parameters", MAX_GRIDS);
            s->grid[s->n_grid++] = a.value;
        } else {
            int st = stored_option(&a, s);
            if (st < 0)
                return cli_bad_value(&a, "see tradewar sweep --help");
            if (st == 0)
                return cli_usage_error("sweep", "unknown option '%s'", a.arg);
        }
    }
    if (!s->n_scenarios)
        return cli_usage_error("sweep", "no scenario file given");
    if (!s->output || !strcmp(s->output, "-"))
        return cli_usage_error("sweep", "--output DIR is required: the records of the solves "
                                        "are kept there (and a rerun resumes from them)");
    if (s->n_grid && s->n_scenarios > 1)
        return cli_usage_error("sweep", "--grid takes one scenario file (%zu given)",
                               s->n_scenarios);
    for (size_t k = 0; k < s->n_scenarios; k++)
        if (!strcmp(s->scenarios[k], "-"))
            return cli_usage_error("sweep", "scenarios are read from files ('-' cannot be "
                                            "read again when the run resumes)");
    if ((s->theta_se && s->theta_range) || (s->psi_se && s->psi_range))
        return cli_usage_error("sweep", "give a standard error or a range, not both");
    if (s->draws_file && (s->theta_se || s->theta_range || s->psi_se || s->psi_range))
        return cli_usage_error("sweep", "--draws-file gives the draws: no --theta-*/--psi-*");
    if (s->html && (!*s->html || !strcmp(s->html, "-")))
        return cli_usage_error("sweep", "--html names a file (standard output carries the "
                                        "results)");
    int n; /* counts are checked before any data is loaded */
    if (s->draws && (!cli_parse_int(s->draws, &n) || n < 1 || n > 100000000))
        return cli_usage_error("sweep",
                               "bad value '%s' for --draws (an integer from 1 to "
                               "100000000; omit --draws for the central values only)",
                               s->draws);
    if (s->threads && (!cli_parse_int(s->threads, &n) || n < 1 || n > 1024))
        return cli_usage_error("sweep",
                               "bad value '%s' for --threads (an integer from 1 to "
                               "1024)",
                               s->threads);
    return CLI_OK;
}

static int flag_error(const char *flag, const char *value, const char *expected)
{
    return cli_usage_error("sweep", "bad value '%s' for --%s (%s)", value, flag, expected);
}

/* ---- reading files ------------------------------------------------------------- */

/* A whole input file (regular files only, at most `max` bytes: tw_read_text);
 * NULL after saying why on stderr, with *rc set to the exit code. */
static char *read_file(const char *path, size_t *len, size_t max, const char *what, int *rc)
{
    char *text = NULL;
    tw_error err = {0};
    tw_status st = tw_read_text(path, max, what, &text, len, &err);
    if (st != TW_OK)
        *rc = cli_fail(&err, st);
    return text;
}

/* ---- grids --------------------------------------------------------------------- */

/* NAME=FROM:TO:STEP or NAME=V1,V2,... */
static int parse_grid(const char *spec, sweep_grid *g)
{
    const char *eq = strchr(spec, '=');
    g->name = strndup(spec, (size_t)(eq - spec));
    const char *v = eq + 1;
    double a, b, step;
    char tail;
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    if (!g->name || !*g->name || strspn(g->name, ok) != strlen(g->name))
        return flag_error("grid", spec, "NAME: letters, digits and _");
    if (sscanf(v, "%lf:%lf:%lf%c", &a, &b, &step, &tail) == 3) {
        if (!(step > 0) || !(b >= a) || !isfinite(a) || !isfinite(b) || (b - a) / step > 1e6)
            return flag_error("grid", spec, "FROM <= TO and STEP > 0");
        g->n = (size_t)floor((b - a) / step + 1e-9) + 1;
        g->values = malloc(g->n * sizeof *g->values);
        for (size_t k = 0; g->values && k < g->n; k++)
            g->values[k] = a + (double)k * step;
    } else {
        g->n = 1;
        for (const char *c = v; *c; c++)
            g->n += *c == ',';
        g->values = malloc(g->n * sizeof *g->values);
        char *copy = strdup(v), *save = NULL;
        size_t k = 0;
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && g->values;
             t = strtok_r(NULL, ",", &save))
            if (k < g->n && !cli_parse_double(t, &g->values[k++]))
                k = g->n + 1;
        free(copy);
        if (k != g->n)
            return flag_error("grid", spec, "FROM:TO:STEP or a list of numbers");
    }
    if (!g->values) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    for (size_t k = 0; k < g->n; k++) { /* what is shown (%.15g) is what is solved */
        char buf[40];
        snprintf(buf, sizeof buf, "%.15g", g->values[k]);
        g->values[k] = strtod(buf, NULL);
    }
    return CLI_OK;
}

/* The scenario text with ${NAME} replaced by the point's values (%.15g). */
static char *substitute(const char *text, const sweep_grid *g, size_t n_grids, const double *v,
                        const char *path, int *rc)
{
    size_t cap = strlen(text) * 2 + 64 * n_grids + 1, n = 0;
    char *out = malloc(cap);
    for (const char *c = text; out && *c;) {
        if (c[0] == '$' && c[1] == '{') {
            const char *end = strchr(c, '}');
            size_t k = 0, len = end ? (size_t)(end - c - 2) : 0;
            while (end && k < n_grids &&
                   !(strlen(g[k].name) == len && !strncmp(c + 2, g[k].name, len)))
                k++;
            if (!end || k == n_grids) {
                int line = 1;
                for (const char *x = text; x < c; x++)
                    line += *x == '\n';
                cli_error("%s:%d: '%.*s' is not a --grid parameter", path, line,
                          end ? (int)(end - c + 1) : 2, c);
                free(out);
                *rc = CLI_BAD_INPUT;
                return NULL;
            }
            if (n + 40 >= cap) {
                char *grown = realloc(out, cap *= 2);
                if (!grown)
                    free(out);
                out = grown;
                if (!out)
                    break;
            }
            n += (size_t)snprintf(out + n, cap - n, "%.15g", v[k]);
            c = end + 1;
            continue;
        }
        if (n + 2 >= cap) {
            char *grown = realloc(out, cap *= 2);
            if (!grown)
                free(out);
            if (!(out = grown))
                break;
        }
        out[n++] = *c++;
    }
    if (!out) {
        cli_error("out of memory");
        *rc = CLI_FAILURE;
        return NULL;
    }
    out[n] = '\0';
    return out;
}

/* ---- the plan ------------------------------------------------------------------ */

/* What cmd_sweep owns; freed together. */
typedef struct sweep_state {
    sweep_plan plan;
    tw_model *raw, *base;
    char data_checksum[17];
    json_t *identity;
    double *quantiles;
    size_t n_quantiles;
    uint32_t *items; /* pending (point, draw) pairs */
    size_t n_items;
} sweep_state;

static void state_free(sweep_state *s)
{
    sweep_plan *p = &s->plan;
    tw_sweep_free(p->sw);
    for (size_t k = 0; p->points && k < p->n_points; k++) {
        free(p->points[k].label);
        free(p->points[k].path);
        free(p->points[k].grid);
        tw_scenario_free(p->points[k].sc);
        tw_policy_free(p->points[k].policy);
    }
    for (size_t g = 0; g < p->n_grids; g++) {
        free(p->grids[g].name);
        free(p->grids[g].where);
        free(p->grids[g].values);
    }
    free(p->points);
    free(p->grids);
    free(p->theta_a);
    free(p->theta_b);
    free(p->psi_a);
    free(p->psi_b);
    free(p->file_theta);
    free(p->file_psi);
    tw_model_free(s->base);
    tw_model_free(s->raw);
    json_decref(s->identity);
    free(s->quantiles);
    free(s->items);
}

/* Point k of the grid: the mixed-radix digits of k, the first grid slowest. */
static void grid_point(const sweep_plan *p, size_t k, double *v, char *label, size_t size)
{
    size_t used = 0;
    label[0] = '\0';
    for (size_t g = p->n_grids; g-- > 0;) {
        v[g] = p->grids[g].values[k % p->grids[g].n];
        k /= p->grids[g].n;
    }
    for (size_t g = 0; g < p->n_grids && used < size; g++)
        used += (size_t)snprintf(label + used, size - used, "%s%s=%.15g", g ? ";" : "",
                                 p->grids[g].name, v[g]);
}

/* Each grid parameter's first line in the scenario text, for the chart's axis. */
static void grid_where(sweep_plan *p, const char *text)
{
    for (size_t g = 0; g < p->n_grids; g++) {
        char pat[300];
        snprintf(pat, sizeof pat, "${%s}", p->grids[g].name);
        const char *hit = strstr(text, pat);
        if (!hit)
            continue;
        const char *b = hit, *e = hit;
        while (b > text && b[-1] != '\n')
            b--;
        while (*e && *e != '\n')
            e++;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '-'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\r'))
            e--;
        char *w = malloc((size_t)(e - b) + 1);
        if (w) {
            memcpy(w, b, (size_t)(e - b));
            w[e - b] = '\0';
        }
        p->grids[g].where = w;
    }
}

/* Read and parse every point's scenario (with grid values put in). */
static int load_points(const sweep_args *a, sweep_state *s, json_t *scenarios)
{
    sweep_plan *p = &s->plan;
    p->n_points = a->n_grid ? 1 : a->n_scenarios;
    for (size_t g = 0; g < p->n_grids; g++)
        p->n_points *= p->grids[g].n;
    if (p->n_points > 10000000)
        return cli_usage_error("sweep", "%zu points are too many", p->n_points);
    p->points = calloc(p->n_points, sizeof *p->points);
    if (!p->points)
        return CLI_FAILURE;
    char *text = NULL;
    size_t len = 0;
    int rc = CLI_OK;
    for (size_t k = 0; k < p->n_points && rc == CLI_OK; k++) {
        sweep_point *pt = &p->points[k];
        const char *path = a->scenarios[a->n_grid ? 0 : k];
        tw_error err = {0};
        if (!text || !a->n_grid) {
            free(text);
            if (!(text = read_file(path, &len, TW_LIMIT_SCENARIO_BYTES, "a scenario file", &rc)))
                break;
        }
        char label[512];
        pt->path = strdup(path);
        if (a->n_grid && k == 0)
            grid_where(p, text);
        if (a->n_grid) {
            pt->grid = malloc(p->n_grids * sizeof *pt->grid);
            if (!pt->grid)
                return CLI_FAILURE;
            grid_point(p, k, pt->grid, label, sizeof label);
        } else {
            const char *slash = strrchr(path, '/');
            snprintf(label, sizeof label, "%s", slash ? slash + 1 : path);
        }
        pt->label = strdup(label);
        char *t = a->n_grid ? substitute(text, p->grids, p->n_grids, pt->grid, path, &rc) : text;
        if (!t)
            break;
        tw_status st = tw_scenario_parse(t, strlen(t), path, &pt->sc, &err);
        if (st == TW_OK && (a->n_grid ? k == 0 : 1)) { /* the file as written */
            char h[17];
            snprintf(h, sizeof h, "%016llx",
                     (unsigned long long)sweep_fnv1a(SWEEP_FNV_INIT, text, len));
            json_array_append_new(scenarios, json_pack("{s:s, s:s}", "name",
                                                       tw_scenario_name(pt->sc), "text_fnv", h));
        }
        if (t != text)
            free(t);
        if (st != TW_OK)
            rc = cli_fail(&err, st);
    }
    free(text);
    return rc;
}

/* Each point's policy on the base economy, and a checksum of them all. */
static int build_policies(const sweep_args *a, sweep_state *s, char hash[17])
{
    sweep_plan *p = &s->plan;
    uint64_t h = SWEEP_FNV_INIT;
    static const tw_array arrays[] = {TW_TARIFFS, TW_EXPORT_TAXES, TW_TRADE_COSTS, TW_SUBSIDIES};
    for (size_t k = 0; k < p->n_points; k++) {
        tw_error err = {0};
        size_t stage;
        int rc = cli_pick_stage("sweep", p->points[k].sc, a->stage, 1, &stage);
        if (rc != CLI_OK)
            return rc;
        p->points[k].stage = stage;
        if (!(p->points[k].policy = tw_policy_create(s->base, NULL))) {
            cli_error("out of memory");
            return CLI_FAILURE;
        }
        tw_status st = tw_scenario_policy(p->points[k].sc, stage, s->base, p->points[k].policy,
                                          &err);
        if (st != TW_OK)
            return cli_fail(&err, st);
        for (size_t q = 0; q < sizeof arrays / sizeof arrays[0]; q++)
            h = sweep_fnv1a(h, tw_policy_get(p->points[k].policy, arrays[q]),
                            tw_model_array_length(s->base, arrays[q]) * sizeof(double));
        for (size_t n = 0; n < p->N; n++) {
            double d = tw_policy_deficit(p->points[k].policy, n);
            h = sweep_fnv1a(h, &d, sizeof d);
        }
    }
    snprintf(hash, 17, "%016llx", (unsigned long long)h);
    return CLI_OK;
}

/* Diagnostics and warnings of each point's central answer (docs/model.md), solved
 * once here; a point whose central solve fails has none (its draws say why). */
static int diagnose_points(sweep_state *s)
{
    sweep_plan *p = &s->plan;
    tw_error err = {0};
    tw_solver *solver = tw_solver_create(s->base, &p->opt, &err);
    tw_result *res = tw_result_create(s->base, NULL);
    if (!solver || !res) {
        tw_result_free(res);
        tw_solver_free(solver);
        return cli_fail(&err, err.code != TW_OK ? err.code : TW_ERR_NOMEM);
    }
    int rc = CLI_OK;
    for (size_t k = 0; k < p->n_points && rc == CLI_OK; k++) {
        sweep_point *pt = &p->points[k];
        if (tw_solve(solver, pt->policy, res, &err) != TW_OK ||
            tw_result_stats(res).outcome != TW_OUTCOME_CONVERGED)
            continue;
        tw_status st = tw_result_diagnose(solver, s->base, pt->policy, res, &pt->diag, &err);
        if (st == TW_OK)
            st = tw_scenario_warnings(pt->sc, 0, pt->stage, s->base, &pt->diag, &err);
        if (st != TW_OK) {
            rc = cli_fail(&err, st);
            break;
        }
        pt->has_diag = 1;
    }
    tw_result_free(res);
    tw_solver_free(solver);
    return rc;
}

/* ---- elasticity distributions --------------------------------------------------- */

/* "0.2x" (relative to the central value), or an absolute number. */
static int parse_amount(const char *s, const double *central, double *out, size_t J)
{
    char buf[64];
    double v;
    size_t len = strlen(s);
    int rel = len > 1 && (s[len - 1] == 'x' || s[len - 1] == 'X');
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, s, len + 1);
    if (rel)
        buf[len - 1] = '\0';
    if (!cli_parse_double(buf, &v) || v < 0)
        return 0;
    for (size_t j = 0; j < J; j++)
        out[j] = rel ? v * central[j] : v;
    return 1;
}

/* A CSV of sector,se (header line first; '#' comments). */
/* Field k (0-based) of a comma-separated line, NUL-terminated in place. */
static char *csv_field(char *l, int k)
{
    for (int q = 0; q < k && l; q++) {
        l = strchr(l, ',');
        if (l)
            l++;
    }
    if (l)
        l[strcspn(l, ",")] = '\0';
    return l;
}

/* The standard errors of theta or psi (`name`) by sector: the first column
 * is the sector; the column named "se" or "<name>_se" holds them (so the
 * elasticity file `sector,theta,theta_se` of `tradewar gravity elasticities`
 * serves as it is), else the second column. */
static int read_se_file(const char *path, const char *name, const tw_model *m, double *out)
{
    size_t len, J = tw_model_sectors(m);
    int line = 0, rc = CLI_OK, col = 1, header = 0;
    char *text = read_file(path, &len, TW_LIMIT_TABLE_BYTES, "a standard-error file", &rc),
         *save = NULL;
    if (!text)
        return rc;
    char want[64];
    snprintf(want, sizeof want, "%s_se", name);
    for (char *l = strtok_r(text, "\n", &save); l && rc == CLI_OK;
         l = strtok_r(NULL, "\n", &save)) {
        line++;
        l[strcspn(l, "\r")] = '\0';
        if (!*l || *l == '#')
            continue;
        if (!header) {
            header = 1;
            char *h = l;
            for (int k = 0; h; k++) {
                char *next = strchr(h, ',');
                size_t n = next ? (size_t)(next - h) : strlen(h);
                if ((n == 2 && !strncmp(h, "se", 2)) || (n == strlen(want) && !strncmp(h, want, n)))
                    col = k;
                h = next ? next + 1 : NULL;
            }
            continue;
        }
        char *comma = strchr(l, ',');
        double v;
        long j = -1;
        char *field = NULL;
        if (comma) {
            *comma = '\0';
            j = tw_model_find_sector(m, l);
            field = col == 1 ? csv_field(comma + 1, 0) : csv_field(comma + 1, col - 1);
        }
        if (!comma || j < 0 || !field || !cli_parse_double(field, &v) || v < 0) {
            cli_error("%s:%d: expected a known sector code and a standard error >= 0 in column %d "
                      "(got '%s%s%s')",
                      path, line, col + 1, l, field ? "," : "", field ? field : "");
            rc = CLI_BAD_INPUT;
        } else
            out[j] = v;
    }
    (void)J;
    free(text);
    return rc;
}

/* theta or psi: normal with a standard error, uniform on a range, or fixed. */
static int make_spec(const char *name, const char *se, const char *range, const double *central,
                     const tw_model *m, tw_draw_spec *spec, double **a, double **b)
{
    size_t J = tw_model_sectors(m);
    *a = malloc(J * sizeof **a);
    *b = calloc(J, sizeof **b);
    if (!*a || !*b)
        return CLI_FAILURE;
    memcpy(*a, central, J * sizeof **a);
    *spec = (tw_draw_spec){TW_DIST_FIXED, *a, *b};
    if (se) {
        spec->dist = TW_DIST_NORMAL;
        if (!parse_amount(se, central, *b, J)) {
            if (access(se, F_OK) != 0)
                return cli_usage_error("sweep",
                                       "bad value '%s' for --%s-se (0.2x, 0.5 or a "
                                       "CSV file of sector,se)",
                                       se, name);
            return read_se_file(se, name, m, *b);
        }
    } else if (range) {
        const char *colon = strchr(range, ':');
        char lo[64];
        spec->dist = TW_DIST_UNIFORM;
        if (!colon || (size_t)(colon - range) >= sizeof lo)
            return cli_usage_error("sweep", "bad value '%s' for --%s-range (LO:HI)", range, name);
        memcpy(lo, range, (size_t)(colon - range));
        lo[colon - range] = '\0';
        if (!parse_amount(lo, central, *a, J) || !parse_amount(colon + 1, central, *b, J))
            return cli_usage_error("sweep",
                                   "bad value '%s' for --%s-range (LO:HI, e.g. "
                                   "0.8x:1.2x or 2:8)",
                                   range, name);
    }
    return CLI_OK;
}

/* --draws-file: CSV with columns draw,sector and theta and/or psi, in any order. */
static int read_draws_file(const char *path, sweep_state *s, uint64_t *hash)
{
    sweep_plan *p = &s->plan;
    size_t len, J = p->J, cap = 0;
    int read_rc = CLI_OK;
    char *text = read_file(path, &len, TW_LIMIT_TABLE_BYTES, "a draws file", &read_rc),
         *save = NULL;
    if (!text)
        return read_rc;
    *hash = sweep_fnv1a(SWEEP_FNV_INIT, text, len);
    int col[4] = {-1, -1, -1, -1}, line = 0, rc = CLI_OK; /* draw, sector, theta, psi */
    static const char *const names[4] = {"draw", "sector", "theta", "psi"};
    size_t draws = 0;
    for (char *l = strtok_r(text, "\n", &save); l && rc == CLI_OK;
         l = strtok_r(NULL, "\n", &save)) {
        line++;
        l[strcspn(l, "\r")] = '\0';
        if (!*l || *l == '#')
            continue;
        char *field[16], *fs = NULL;
        int nf = 0;
        for (char *f = strtok_r(l, ",", &fs); f && nf < 16; f = strtok_r(NULL, ",", &fs))
            field[nf++] = f;
        if (col[0] < 0) { /* the header */
            for (int c = 0; c < nf; c++)
                for (int k = 0; k < 4; k++)
                    if (!strcmp(field[c], names[k]))
                        col[k] = c;
            if (col[0] < 0 || col[1] < 0 || (col[2] < 0 && col[3] < 0)) {
                cli_error("%s:%d: the header must name draw, sector and theta and/or psi", path,
                          line);
                rc = CLI_BAD_INPUT;
            }
            continue;
        }
        int k;
        long j = -1;
        double th = 0, ps = 0;
        const char *bad = NULL, *what = NULL;
        if (col[0] >= nf || col[1] >= nf || col[2] >= nf || col[3] >= nf)
            bad = l, what = "too few fields in";
        else if (!cli_parse_int(field[col[0]], &k) || k < 1 || k > 10000000)
            bad = field[col[0]], what = "bad draw number (1, 2, ...)";
        else if ((j = tw_model_find_sector(s->base, field[col[1]])) < 0)
            bad = field[col[1]], what = "unknown sector";
        else if (col[2] >= 0 && !(cli_parse_double(field[col[2]], &th) && th > 0))
            bad = field[col[2]], what = "theta must be a positive number, not";
        else if (col[3] >= 0 && !(cli_parse_double(field[col[3]], &ps) && ps >= 0))
            bad = field[col[3]], what = "psi must be a number >= 0, not";
        if (bad) {
            cli_error("%s:%d: %s '%s'", path, line, what, bad);
            rc = CLI_BAD_INPUT;
            break;
        }
        while ((size_t)k > cap) { /* grow, filling new draws with the central values */
            size_t ncap = cap ? 2 * cap : 64;
            double *t = realloc(p->file_theta, ncap * J * sizeof *t);
            if (t)
                p->file_theta = t;
            double *u = t ? realloc(p->file_psi, ncap * J * sizeof *u) : NULL;
            if (!u) {
                free(text);
                return CLI_FAILURE;
            }
            p->file_psi = u;
            for (size_t d = cap; d < ncap; d++) {
                memcpy(p->file_theta + d * J, p->theta_a, J * sizeof *t);
                memcpy(p->file_psi + d * J, p->psi_a, J * sizeof *u);
            }
            cap = ncap;
        }
        if (col[2] >= 0)
            p->file_theta[(size_t)(k - 1) * J + (size_t)j] = th;
        if (col[3] >= 0)
            p->file_psi[(size_t)(k - 1) * J + (size_t)j] = ps;
        if ((size_t)k > draws)
            draws = (size_t)k;
    }
    free(text);
    if (rc == CLI_OK && draws == 0) {
        cli_error("%s: no draws", path);
        rc = CLI_BAD_INPUT;
    }
    if (rc == CLI_OK && p->draws > draws) {
        cli_error("--draws %zu but %s has %zu draws", p->draws, path, draws);
        rc = CLI_BAD_INPUT;
    }
    if (rc == CLI_OK && p->draws == 0)
        p->draws = draws;
    return rc;
}

static json_t *spec_json(const tw_draw_spec *s, size_t J)
{
    static const char *const names[] = {"fixed", "normal", "uniform"};
    json_t *a = json_array(), *b = json_array();
    for (size_t j = 0; j < J; j++) {
        json_array_append_new(a, json_real(s->a[j]));
        json_array_append_new(b, json_real(s->b[j]));
    }
    return json_pack("{s:s, s:o, s:o}", "dist", names[s->dist], "a", a, "b", b);
}

static int has_scale(const tw_model *m)
{
    const double *psi = tw_model_get(m, TW_PSI);
    for (size_t j = 0; j < tw_model_sectors(m); j++)
        if (psi[j] > 0)
            return 1;
    return 0;
}

/* Draws, seed, distributions. */
static int plan_draws(const sweep_args *a, sweep_state *s, uint64_t *file_hash)
{
    sweep_plan *p = &s->plan;
    int n;
    /* an explicit 0 would run the central solve only and look like a sweep */
    if (a->draws && (!cli_parse_int(a->draws, &n) || n < 1 || n > 100000000))
        return flag_error("draws", a->draws,
                          "an integer from 1 to 100000000; omit --draws for the central "
                          "values only");
    p->draws = a->draws ? (size_t)n : 0;
    p->seed = 1;
    if (a->seed) {
        char *end;
        errno = 0;
        p->seed = strtoull(a->seed, &end, 10);
        if (end == a->seed || *end || errno || a->seed[0] == '-')
            return flag_error("seed", a->seed, "a non-negative integer");
    }
    const char *theta_se = a->theta_se;
    if (p->draws > 0 && !a->theta_se && !a->theta_range && !a->draws_file)
        theta_se = "0.2x"; /* the documented default */
    int rc = make_spec("theta", theta_se, a->theta_range, tw_model_get(s->base, TW_THETA), s->base,
                       &p->theta, &p->theta_a, &p->theta_b);
    if (rc == CLI_OK)
        rc = make_spec("psi", a->psi_se, a->psi_range, tw_model_get(s->base, TW_PSI), s->base,
                       &p->psi, &p->psi_a, &p->psi_b);
    if (rc != CLI_OK)
        return rc;
    if (p->psi.dist != TW_DIST_FIXED && !has_scale(s->base))
        return cli_usage_error("sweep", "the data have no scale economies (psi = 0 in every "
                                        "sector): psi cannot be drawn");
    *file_hash = 0;
    if (a->draws_file && (rc = read_draws_file(a->draws_file, s, file_hash)) != CLI_OK)
        return rc;
    if (a->draws_file && !has_scale(s->base))
        for (size_t k = 0; k < p->draws * p->J; k++)
            if (p->file_psi[k] > 0) {
                cli_error("%s: psi > 0 but the data have no scale economies", a->draws_file);
                return CLI_BAD_INPUT;
            }
    /* the model's domain: psi theta < 1 (docs/sweeps.md, "Elasticity draws") */
    p->max_psi_theta = 1;
    if (a->max_psi_theta && !strcmp(a->max_psi_theta, "none"))
        p->max_psi_theta = INFINITY;
    else if (a->max_psi_theta &&
             (!cli_parse_double(a->max_psi_theta, &p->max_psi_theta) || !(p->max_psi_theta > 0)))
        return flag_error("max-psi-theta", a->max_psi_theta, "a positive number or none");
    p->stable_only = 1;
    if (a->unstable && strcmp(a->unstable, "redraw") && strcmp(a->unstable, "keep"))
        return flag_error("unstable", a->unstable, "redraw or keep");
    if (a->unstable && !strcmp(a->unstable, "keep"))
        p->stable_only = 0;
    return CLI_OK;
}

/* The library's sweep: it makes every draw now, so a bad distribution is
 * named before any solve. */
static int make_sweep(const sweep_env *env, sweep_state *s)
{
    sweep_plan *p = &s->plan;
    const tw_policy **pol = malloc(p->n_points * sizeof *pol);
    if (!pol)
        return CLI_FAILURE;
    for (size_t k = 0; k < p->n_points; k++)
        pol[k] = p->points[k].policy;
    tw_sweep_options o;
    tw_sweep_options_default(&o);
    o.draws = p->draws;
    o.seed = p->seed;
    o.theta = p->theta;
    o.psi = p->psi;
    o.draws_theta = p->file_theta;
    o.draws_psi = p->file_psi;
    o.max_psi_theta = p->max_psi_theta;
    o.keep_unstable = !p->stable_only;
    o.solver = p->opt;
    o.sector_outputs = p->sector_keys;
    o.n_sector_outputs = p->n_sector_keys;
    o.threads = env->threads;
    sweep_progress_options(env, &o);
    tw_error err = {0};
    p->sw = tw_sweep_create(p->base, pol, p->n_points, &o, &err);
    free(pol);
    if (p->sw)
        return CLI_OK;
    size_t j;
    if (sscanf(err.message, "sector [%zu]", &j) == 1 && j < p->J)
        cli_error("elasticity distribution: sector %s: %s", tw_model_sector_code(p->base, j),
                  strchr(err.message, ':') + 2);
    else
        cli_error("elasticity distribution: %s", err.message);
    return err.code == TW_ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
}

/* --quantiles 5,50,95 and --sector-outputs a,b */
static int plan_outputs(const sweep_args *a, sweep_state *s)
{
    const char *q = a->quantiles ? a->quantiles : "5,50,95";
    char *copy = strdup(q), *save = NULL;
    s->quantiles = calloc(strlen(q) + 1, sizeof *s->quantiles);
    if (!copy || !s->quantiles) {
        free(copy);
        return CLI_FAILURE;
    }
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        double v;
        if (!cli_parse_double(t, &v) || v < 0 || v > 100 ||
            (s->n_quantiles && v / 100 <= s->quantiles[s->n_quantiles - 1])) {
            free(copy);
            return flag_error("quantiles", q, "ascending percentages from 0 to 100");
        }
        s->quantiles[s->n_quantiles++] = v / 100;
    }
    free(copy);
    if (!s->n_quantiles)
        return flag_error("quantiles", q, "ascending percentages from 0 to 100");
    if (!a->sector_outputs)
        return CLI_OK;
    copy = strdup(a->sector_outputs);
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < TW_CS_COUNT && strcmp(tw_sector_output_key((tw_sector_output)k), t))
            k++;
        if (k == TW_CS_COUNT || s->plan.n_sector_keys == TW_CS_COUNT) {
            free(copy);
            return flag_error("sector-outputs", t, "keys of sectors.csv, e.g. output_pct");
        }
        s->plan.sector_keys[s->plan.n_sector_keys++] = (tw_sector_output)k;
    }
    free(copy);
    return CLI_OK;
}

static json_t *options_json(const tw_solver_options *o, tw_deficit_mode d,
                            const cli_elasticities *e)
{
    json_t *j = json_pack("{s:s, s:s, s:o, s:i, s:i, s:o, s:b}", "deficits", out_deficits_name(d),
                          "method", out_method_name(o->method), "tol", out_json_number(o->tol),
                          "max_iter", o->max_iter, "anderson_depth", o->anderson_depth, "damping",
                          out_json_number(o->damping), "fallback", o->fallback);
    out_elasticities_json(j, e);
    return j;
}

/* Everything a record's value depends on (the number of draws is not: more
 * draws may be added to a finished run). */
static json_t *make_identity(const sweep_args *a, sweep_state *s, json_t *scenarios,
                             const char *policy_hash, uint64_t file_hash)
{
    sweep_plan *p = &s->plan;
    char base_sum[17], seed[32], fh[17];
    tw_model_checksum(s->base, base_sum);
    snprintf(seed, sizeof seed, "%llu", p->seed);
    snprintf(fh, sizeof fh, "%016llx", (unsigned long long)file_hash);
    json_t *grids = json_array(), *sectors = json_array();
    for (size_t g = 0; g < p->n_grids; g++) {
        json_t *v = json_array();
        for (size_t k = 0; k < p->grids[g].n; k++)
            json_array_append_new(v, json_real(p->grids[g].values[k]));
        json_array_append_new(grids,
                              json_pack("{s:s, s:o}", "name", p->grids[g].name, "values", v));
    }
    for (size_t k = 0; k < p->n_sector_keys; k++)
        json_array_append_new(sectors, json_string(tw_sector_output_key(
                                           (tw_sector_output)p->sector_keys[k])));
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s?, s:s, s:o, s:o, s:o, s:b, s:s?, "
                     "s:o, s:I}",
                     "command", "sweep", "data_checksum", s->data_checksum, "base_checksum",
                     base_sum, "options", options_json(&p->opt, p->deficits, &p->elast),
                     "scenarios", scenarios, "grid", grids, "policy_checksum", policy_hash, "stage",
                     a->stage, "seed", seed, "theta", spec_json(&p->theta, p->J), "psi",
                     spec_json(&p->psi, p->J), "max_psi_theta", out_json_number(p->max_psi_theta),
                     "unstable_redrawn", has_scale(p->base) && p->stable_only, "draws_file",
                     a->draws_file ? fh : NULL, "sector_outputs", sectors, "values_per_record",
                     (json_int_t)tw_sweep_value_count(p->sw));
}

static int build_baseline(const cli_ctx *ctx, sweep_state *s)
{
    tw_error err = {0};
    tw_baseline_report rep;
    cli_note(ctx, 1, "building the baseline (%s deficits)", out_deficits_name(s->plan.deficits));
    tw_status st = tw_baseline_build(s->raw, s->plan.deficits, &s->plan.opt, &s->base, &rep, &err);
    if (st == TW_ERR_NUMERICAL)
        cli_error("the baseline could not be built: %s", err.message);
    if (st != TW_OK)
        return st == TW_ERR_NUMERICAL ? CLI_NO_CONVERGENCE : cli_fail(&err, st);
    s->plan.base = s->base;
    s->plan.N = tw_model_countries(s->base);
    s->plan.J = tw_model_sectors(s->base);
    return CLI_OK;
}

/* Arguments to a plan: scenarios, options, data, baseline, policies, draws, identity. */
static int prepare(const sweep_args *a, const cli_ctx *ctx, const sweep_env *env, sweep_state *s)
{
    sweep_plan *p = &s->plan;
    uint64_t file_hash = 0;
    char policy_hash[17];
    int rc = CLI_OK;
    p->grids = calloc(a->n_grid + 1, sizeof *p->grids);
    if (!p->grids)
        return CLI_FAILURE;
    for (; p->n_grids < a->n_grid && rc == CLI_OK; p->n_grids++)
        rc = parse_grid(a->grid[p->n_grids], &p->grids[p->n_grids]);
    json_t *scenarios = json_array();
    if (rc == CLI_OK)
        rc = load_points(a, s, scenarios);
    tw_solver_options_default(&p->opt);
    p->deficits = TW_DEFICIT_FIXED;
    if (rc == CLI_OK) {
        tw_scenario_apply_options(p->points[0].sc, &p->opt, &p->deficits);
        rc = cli_solver_flags_apply("sweep", &a->solver, &p->opt, &p->deficits);
    }
    if (rc == CLI_OK)
        rc = plan_outputs(a, s);
    if (rc == CLI_OK)
        rc = cli_load_data(ctx, a->data_dir, &s->raw);
    if (rc == CLI_OK) {
        tw_model_checksum(s->raw, s->data_checksum);
        rc = cli_elasticities_apply("sweep", &a->solver, p->points[0].sc, s->raw, &p->elast);
    }
    if (rc == CLI_OK) {
        rc = build_baseline(ctx, s);
    }
    if (rc == CLI_OK)
        rc = build_policies(a, s, policy_hash);
    if (rc == CLI_OK)
        rc = diagnose_points(s);
    if (rc == CLI_OK)
        rc = plan_draws(a, s, &file_hash);
    if (rc == CLI_OK)
        rc = make_sweep(env, s);
    if (rc != CLI_OK) {
        json_decref(scenarios);
        return rc;
    }
    s->identity = make_identity(a, s, scenarios, policy_hash, file_hash);
    return s->identity ? CLI_OK : CLI_FAILURE;
}

/* ---- running -------------------------------------------------------------------- */

/* Rank 0: open the output directory and list what is missing. */
static int open_store(const sweep_args *a, const cli_ctx *ctx, sweep_state *s)
{
    int rc = sweep_open_output(s->plan.sw, a->output, s->identity);
    if (rc != CLI_OK)
        return rc;
    tw_error err = {0};
    tw_status st = tw_sweep_pending(s->plan.sw, &s->items, &s->n_items, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    size_t total = s->plan.n_points * (s->plan.draws + 1);
    if (s->n_items < total)
        cli_note(ctx, 1, "resuming: %zu of %zu solves already in %s", total - s->n_items, total,
                 a->output);
    return CLI_OK;
}

static int report(const sweep_args *a, const cli_ctx *ctx, sweep_state *s)
{
    char why[700];
    sweep_report r = {&s->plan,     a->output,      s->identity, a->data_dir,
                      s->quantiles, s->n_quantiles, !a->no_chart};
    tw_sweep_counts n;
    tw_sweep_get_counts(s->plan.sw, &n);
    if (sweep_write_report(&r, why, sizeof why) != 0) {
        cli_error("%s", why);
        return CLI_FAILURE;
    }
    if (a->html && sweep_write_html(&r, a->html, why, sizeof why) != 0) {
        cli_error("%s (nothing written to %s)", why, a->html);
        return CLI_FAILURE;
    }
    if (n.failed)
        cli_error("%zu of %zu solves failed even after a retry: counted in the summary "
                  "(\"failed\"), left out of the statistics",
                  n.failed, n.solved);
    cli_note(ctx, 1, "%zu solves (%zu retried, %zu failed); summary in %s/summary.csv", n.solved,
             n.retried, n.failed, a->output);
    if (sweep_print(&r, a->format) != 0) {
        cli_error("cannot write the summary to standard output");
        return CLI_FAILURE;
    }
    return CLI_OK;
}

static int run(const sweep_args *a, cli_ctx *ctx, sweep_env *env, sweep_state *s)
{
    int rc = env->rank == 0 ? open_store(a, ctx, s) : CLI_OK;
    for (size_t k = 0; env->rank == 0 && k < s->plan.n_points; k++) /* one voice: rank 0's */
        for (size_t w = 0; s->plan.points[k].has_diag && w < s->plan.points[k].diag.n_warnings; w++)
            fprintf(stderr, "tradewar: warning [%s] (%s): %s\n",
                    s->plan.points[k].diag.warnings[w].code, s->plan.points[k].label,
                    s->plan.points[k].diag.warnings[w].message);
    rc = sweep_agree(env, rc);
    if (rc == CLI_OK && sweep_share_items(env, &s->items, &s->n_items) != 0)
        rc = CLI_FAILURE;
    if (rc == CLI_OK) {
        cli_note(ctx, 1, "%zu solves to do on %d rank%s x %d thread%s", s->n_items, env->size,
                 env->size > 1 ? "s" : "", env->threads, env->threads > 1 ? "s" : "");
        rc = sweep_run(env, &s->plan, s->items, s->n_items, ctx);
    }
    rc = sweep_agree(env, rc);
    if (rc == CLI_OK && env->rank == 0)
        rc = report(a, ctx, s);
    return rc;
}

int cmd_sweep(int argc, char **argv, int first, cli_ctx ctx)
{
    sweep_args args;
    sweep_env env;
    memset(&args, 0, sizeof args);
    sweep_env_init(&env, &argc, &argv);
    if (env.rank != 0)
        ctx.verbosity = 0; /* one voice: rank 0's */
    int rc = parse_args(argc, argv, first, &ctx, &args);
    if (rc == -1) { /* --help */
        sweep_env_finish(&env);
        return CLI_OK;
    }
    if (rc == CLI_OK && args.threads &&
        (!cli_parse_int(args.threads, &env.threads) || env.threads < 1 || env.threads > 1024))
        rc = flag_error("threads", args.threads, "an integer from 1 to 1024");
    env.progress = ctx.verbosity >= 1 && env.rank == 0 && isatty(STDERR_FILENO);
    char data_buf[4096];
    if (!args.data_dir)
        args.data_dir = cli_default_data(data_buf, sizeof data_buf);
    sweep_state s;
    memset(&s, 0, sizeof s);
    if (rc == CLI_OK)
        rc = prepare(&args, &ctx, &env, &s);
    rc = sweep_agree(&env, rc);
    if (rc == CLI_OK)
        rc = run(&args, &ctx, &env, &s);
    state_free(&s);
    sweep_env_finish(&env);
    return rc;
}
