/* staged.c - the shared setup of `tradewar report` and `tradewar timeline`. */
#include "staged.h"
#include "html.h"
#include "plot.h"

#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double staged_pct(double now, double base) { return base != 0 ? 100 * (now / base - 1) : NAN; }

double staged_pair(const double *flows, size_t N, size_t J, size_t i, size_t n)
{
    double s = 0;
    for (size_t j = 0; j < J; j++)
        s += flows[tw_idx3(N, J, i, n, j)];
    return s;
}

/* ---- the command line ----------------------------------------------------- */

static int stored_option(cli_args *c, staged_args *a)
{
    int f = cli_solver_flag(c, &a->solver);
    if (f)
        return f;
    static const char *const names[] = {"--output", "--from", "--focus", "--html"};
    const char **const slots[] = {&a->output, &a->from, &a->focus, &a->html};
    return cli_stored_option(c, names, slots, sizeof names / sizeof names[0]);
}

int staged_parse(int argc, char **argv, int first, cli_ctx *ctx, staged_args *a,
                 void (*help)(FILE *f))
{
    cli_args c;
    const char *cmd = a->command;
    a->charts = 1;
    cli_args_init(&c, argc, argv, first, cmd);
    for (cli_arg_kind kind; (kind = cli_args_next(&c)) != ARG_END;) {
        if (kind == ARG_OPERAND) {
            if (a->scenario)
                return cli_usage_error(cmd, "one scenario at a time ('%s' and '%s')", a->scenario,
                                       c.arg);
            a->scenario = c.arg;
        } else if (cli_is(&c, "--help", "-h", 0)) {
            help(stdout);
            return -1;
        } else if (cli_common_option(&c, ctx, &a->data_dir)) {
            if (!a->data_dir && strcmp(c.arg, "--data") == 0)
                return cli_bad_value(&c, "a directory");
        } else if (cli_is(&c, "--format", NULL, 1)) {
            if (!c.value || (strcmp(c.value, "table") && strcmp(c.value, "json")))
                return cli_bad_value(&c, "table or json");
            a->json = strcmp(c.value, "json") == 0;
        } else if (cli_is(&c, "--charts", NULL, 1)) {
            if (!c.value || (strcmp(c.value, "png,svg") && strcmp(c.value, "none")))
                return cli_bad_value(&c, "png,svg or none");
            a->charts = strcmp(c.value, "none") != 0;
        } else {
            int st = stored_option(&c, a);
            if (st < 0)
                return cli_bad_value(&c, "see --help");
            if (st == 0)
                return cli_usage_error(cmd, "unknown option '%s'", c.arg);
        }
    }
    if (!a->scenario)
        return cli_usage_error(cmd, "no scenario file given");
    if (a->html && (!*a->html || strcmp(a->html, "-") == 0))
        return cli_usage_error(cmd, "--html names a file (standard output carries the results)");
    if (strcmp(a->scenario, "-") == 0)
        return cli_usage_error(cmd, "the scenario must be a file (its stages are read twice)");
    return CLI_OK;
}

static int find_focus(staged *s, const staged_args *a)
{
    char buf[80];
    snprintf(buf, sizeof buf, "%s", a->focus ? a->focus : "USA,CHN");
    char *comma = strchr(buf, ',');
    if (!comma)
        return cli_usage_error(a->command, "--focus takes two economies, e.g. USA,CHN");
    *comma = '\0';
    const char *names[2] = {buf, comma + 1};
    for (int k = 0; k < 2; k++) {
        long i = tw_model_find_country(s->raw, names[k]);
        if (i < 0) {
            cli_error("%s: no economy '%s' in the data%s", a->scenario, names[k],
                      a->focus ? "" : " (use --focus A,B for other data)");
            return CLI_BAD_INPUT;
        }
        s->focus[k] = (size_t)i;
    }
    return CLI_OK;
}

int staged_prepare(const cli_ctx *ctx, staged_args *a, staged *s)
{
    tw_error err = {0};
    tw_status st = tw_scenario_load(a->scenario, &s->sc, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    tw_solver_options_default(&s->opt);
    s->deficits = TW_DEFICIT_FIXED;
    tw_scenario_apply_options(s->sc, &s->opt, &s->deficits);
    int rc = cli_solver_flags_apply(a->command, &a->solver, &s->opt, &s->deficits);
    if (rc != CLI_OK)
        return rc;
    s->data_dir = a->data_dir ? a->data_dir : cli_default_data(s->data_buf, sizeof s->data_buf);
    if ((rc = cli_load_data(ctx, s->data_dir, &s->raw)) != CLI_OK)
        return rc;
    tw_model_checksum(s->raw, s->data_checksum);
    if ((rc = cli_elasticities_apply(a->command, &a->solver, s->sc, s->raw, &s->elast)) != CLI_OK)
        return rc;
    if ((rc = find_focus(s, a)) != CLI_OK)
        return rc;
    /* every stage resolves on the raw data before the baseline is built */
    for (size_t k = 0; s->deficits == TW_DEFICIT_FIXED && k < tw_scenario_stage_count(s->sc); k++) {
        tw_policy *p = staged_policy(s, k, s->raw, &rc);
        tw_policy_free(p);
        if (!p)
            return rc;
    }
    cli_note(ctx, 1, "building the baseline (%s deficits)", out_deficits_name(s->deficits));
    st = tw_baseline_build(s->raw, s->deficits, &s->opt, &s->base, &s->report, &err);
    if (st == TW_ERR_NUMERICAL) {
        cli_error("the baseline could not be built: %s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    if (st != TW_OK)
        return cli_fail(&err, st);
    tw_model_checksum(s->base, s->base_checksum);
    return CLI_OK;
}

void staged_free(staged *s)
{
    tw_model_free(s->base);
    tw_model_free(s->raw);
    tw_scenario_free(s->sc);
}

tw_policy *staged_policy(const staged *s, size_t k, const tw_model *m, int *rc)
{
    tw_error err = {0};
    tw_policy *p = tw_policy_create(m, NULL);
    if (!p) {
        cli_error("out of memory");
        *rc = CLI_FAILURE;
        return NULL;
    }
    tw_status st = tw_scenario_policy(s->sc, k, m, p, &err);
    if (st != TW_OK) {
        *rc = cli_fail(&err, st);
        tw_policy_free(p);
        return NULL;
    }
    return p;
}

int staged_pick(const staged *s, const char *want, const char *command, size_t *out)
{
    return cli_pick_stage(command, s->sc, want, 0, out);
}

/* ---- provenance ------------------------------------------------------------ */

json_t *staged_stats_json(tw_solver_stats st)
{
    return json_pack("{s:b, s:I, s:o, s:s, s:s, s:o, s:I}", "converged",
                     st.outcome == TW_OUTCOME_CONVERGED, "iterations", (json_int_t)st.iterations,
                     "residual", out_json_number(st.residual), "method", out_method_name(st.method),
                     "outcome", tw_outcome_name(st.outcome), "seconds", out_json_number(st.seconds),
                     "evaluations", (json_int_t)st.evaluations);
}

json_t *staged_header_json(const staged *s, const staged_args *a)
{
    json_t *opt = json_pack("{s:s, s:s, s:o, s:i, s:i, s:o, s:b}", "deficits",
                            out_deficits_name(s->deficits), "method",
                            out_method_name(s->opt.method), "tol", out_json_number(s->opt.tol),
                            "max_iter", s->opt.max_iter, "anderson_depth", s->opt.anderson_depth,
                            "damping", out_json_number(s->opt.damping), "fallback",
                            s->opt.fallback);
    out_elasticities_json(opt, &s->elast);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "version", TW_VERSION_STRING,
                     "command", a->command, "data", s->data_dir, "data_checksum", s->data_checksum,
                     "base_checksum", s->base_checksum, "scenario", a->scenario, "scenario_name",
                     tw_scenario_name(s->sc), "currency_unit", tw_model_currency_unit(s->base),
                     "options", opt);
}

void staged_provenance(FILE *f, const staged *s, const staged_args *a)
{
    char el[4200];
    cli_elasticities_text(&s->elast, el, sizeof el);
    fprintf(f,
            "# tradewar %s %s data=%s checksum=%s scenario=%s options=deficits=%s,method=%s,"
            "tol=%.15g,max_iter=%d,anderson_depth=%d,damping=%.15g,fallback=%s,%s\n",
            TW_VERSION_STRING, a->command, s->data_dir, s->data_checksum, a->scenario,
            out_deficits_name(s->deficits), out_method_name(s->opt.method), s->opt.tol,
            s->opt.max_iter, s->opt.anderson_depth, s->opt.damping,
            s->opt.fallback ? "true" : "false", el);
}


int staged_write_html(const staged *s, const staged_args *a, json_t *j,
                      int (*draw)(const void *user, char *why, size_t size), const void *user)
{
    plot_capture cap = {0};
    char why[600] = "out of memory";
    int st = j ? 0 : -1;
    if (st == 0 && a->charts) {
        plot_capture_set(&cap);
        st = draw(user, why, sizeof why);
        plot_capture_set(NULL);
    }
    if (st == 0) {
        html_page page = {a->command, tw_scenario_name(s->sc), j, &cap, s->base};
        st = html_write(a->html, &page, why, sizeof why);
    }
    json_decref(j);
    plot_capture_free(&cap);
    if (st != 0) {
        cli_error("%s (nothing written to %s)", why, a->html);
        return CLI_FAILURE;
    }
    return CLI_OK;
}
