/* cmd_solve.c - `tradewar solve`: load data and scenario, build the baseline, solve, report. */
#include "output.h"

#include <stdlib.h>
#include <string.h>

void cmd_solve_help(FILE *f)
{
    fputs("Usage: tradewar solve [OPTIONS] SCENARIO\n"
          "\n"
          "Solve the counterfactual equilibrium of a scenario file (docs/scenarios.md) and\n"
          "report welfare, trade and output changes. SCENARIO '-' reads standard input.\n"
          "\n"
          "Options:\n"
          "      --data DIR           data set (default: the bundled us-china-2017, or\n"
          "                           $TRADEWAR_DATA when set)\n"
          "      --format FORMAT      table (default), csv (the countries table) or json\n"
          "      --output DIR         also write countries.csv, sectors.csv, bilateral.csv,\n"
          "                           flows.csv and result.json into DIR (all or none)\n"
          "      --stage K|NAME       solve the policy after stage K (1-based) or NAME of a\n"
          "                           staged scenario (default: the last stage)\n"
          "Solver options (override the scenario's `options:`; same names, '-' or '_'):\n"
          "      --deficits MODE      fixed (keep base deficits) or balanced (remove first)\n"
          "      --method METHOD      anderson or newton\n"
          "      --tol X              largest scaled residual accepted (default 1e-10)\n"
          "      --max-iter N         iteration limit (default 2000)\n"
          "      --anderson-depth N   Anderson acceleration depth (default 8)\n"
          "      --damping X          damping in (0, 1] (default 1)\n"
          "      --fallback yes|no    retry with the other method on failure (default yes)\n"
          "      --elasticities FILE|NAME  replace theta (and psi) from a CSV file\n"
          "                           sector,theta[,psi] or a bundled set\n"
          "      --theta-scale X      multiply every theta by X (> 0)\n"
          "      --psi-scale X        multiply every psi by X (0: constant returns)\n"
          "  -q, --quiet              no progress messages\n"
          "  -v, --verbose            more detail on stderr\n"
          "  -h, --help               show this help\n"
          "\n"
          "Exit status: 0 success, 1 did not converge, 2 usage error, 3 bad data or\n"
          "scenario, 4 I/O or internal error.\n",
          f);
}

/* The command line: what it names and which solver options it sets. */
typedef struct {
    const char *data_dir, *scenario, *output, *stage;
    out_format format;
    cli_solver_flags solver; /* win over the scenario file */
} solve_args;

/* Options taking a value that is only stored here (checked later). */
static int stored_option(cli_args *a, solve_args *s)
{
    int f = cli_solver_flag(a, &s->solver);
    if (f)
        return f;
    static const char *const names[] = {"--output", "--stage"};
    const char **const slots[] = {&s->output, &s->stage};
    return cli_stored_option(a, names, slots, sizeof names / sizeof names[0]);
}

static int parse_solve_args(int argc, char **argv, int first, cli_ctx *ctx, solve_args *s)
{
    cli_args a;
    cli_args_init(&a, argc, argv, first, "solve");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_OPERAND) {
            if (s->scenario)
                return cli_usage_error("solve", "one scenario at a time ('%s' and '%s')",
                                       s->scenario, a.arg);
            s->scenario = a.arg;
        } else if (cli_is(&a, "--help", "-h", 0)) {
            cmd_solve_help(stdout);
            exit(CLI_OK);
        } else if (cli_common_option(&a, ctx, &s->data_dir)) {
            if (!s->data_dir && strcmp(a.arg, "--data") == 0)
                return cli_bad_value(&a, "a directory");
        } else if (cli_is(&a, "--format", NULL, 1)) {
            if (!a.value || !out_parse_format(a.value, &s->format))
                return cli_bad_value(&a, "table, csv or json");
        } else {
            int st = stored_option(&a, s);
            if (st < 0)
                return cli_bad_value(&a, "see tradewar solve --help");
            if (st == 0)
                return cli_usage_error("solve", "unknown option '%s'", a.arg);
        }
    }
    if (!s->scenario)
        return cli_usage_error("solve", "no scenario file given");
    if (s->output && strcmp(s->output, "-") == 0)
        return cli_usage_error("solve", "--output names a directory; results already go to "
                                        "stdout (use --format)");
    return CLI_OK;
}

/* SCENARIO, or standard input for "-". */
static int load_scenario(const char *path, tw_scenario **out)
{
    tw_error err = {0};
    tw_status st;
    if (strcmp(path, "-") != 0)
        st = tw_scenario_load(path, out, &err);
    else {
        char *buf = NULL;
        size_t len = 0;
        st = tw_read_text("-", TW_LIMIT_SCENARIO_BYTES, "a scenario", &buf, &len, &err);
        if (st == TW_OK)
            st = tw_scenario_parse(buf, len, "<stdin>", out, &err);
        free(buf);
    }
    return st == TW_OK ? CLI_OK : cli_fail(&err, st);
}

/* What a solve owns; freed together. */
typedef struct {
    tw_scenario *sc;
    tw_model *raw, *base;
    tw_solver *solver;
    tw_policy *policy;
    tw_result *res;
} solve_state;

static void state_free(solve_state *s)
{
    tw_result_free(s->res);
    tw_policy_free(s->policy);
    tw_solver_free(s->solver);
    tw_model_free(s->base);
    tw_model_free(s->raw);
    tw_scenario_free(s->sc);
}

static int options_from(const solve_args *a, const cli_ctx *ctx, const tw_scenario *sc,
                        run_info *run)
{
    /* defaults, then the scenario file, then the command line */
    tw_solver_options_default(&run->opt);
    run->deficits = TW_DEFICIT_FIXED;
    tw_scenario_apply_options(sc, &run->opt, &run->deficits);
    int rc = cli_solver_flags_apply("solve", &a->solver, &run->opt, &run->deficits);
    if (rc == CLI_OK)
        cli_note(ctx, 2,
                 "options: deficits=%s method=%s tol=%g max_iter=%d anderson_depth=%d "
                 "damping=%g fallback=%s",
                 out_deficits_name(run->deficits), out_method_name(run->opt.method), run->opt.tol,
                 run->opt.max_iter, run->opt.anderson_depth, run->opt.damping,
                 run->opt.fallback ? "yes" : "no");
    return rc;
}

/* Resolve the scenario on the raw data before the (slow) baseline is built,
 * so a misspelt code fails at once. With balanced deficits the base's
 * deficits differ from the raw data's, so deficit rules could check
 * differently: the check then waits for the baseline. */
static int precheck_policy(const solve_state *s, const run_info *run)
{
    if (run->deficits != TW_DEFICIT_FIXED)
        return CLI_OK;
    tw_error err = {0};
    tw_policy *p = tw_policy_create(s->raw, NULL);
    if (!p) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    tw_status st = tw_scenario_policy(s->sc, run->stage, s->raw, p, &err);
    tw_policy_free(p);
    return st == TW_OK ? CLI_OK : cli_fail(&err, st);
}

static int build_baseline(const cli_ctx *ctx, solve_state *s, run_info *run)
{
    tw_error err = {0};
    cli_note(ctx, 1, "building the baseline (%s deficits)", out_deficits_name(run->deficits));
    tw_status st = tw_baseline_build(s->raw, run->deficits, &run->opt, &s->base, &run->report,
                                     &err);
    if (st == TW_ERR_NUMERICAL)
        cli_error("the baseline could not be built: %s", err.message);
    if (st != TW_OK)
        return st == TW_ERR_NUMERICAL ? CLI_NO_CONVERGENCE : cli_fail(&err, st);
    if (run->report.calibrated)
        cli_note(ctx, 2, "baseline calibrated: largest |log change| %g",
                 run->report.calibration_gap);
    run->base = s->base;
    return CLI_OK;
}

/* Scenario, options, data, baseline, solver and policy: everything before the solve. */
static int prepare(const solve_args *a, const cli_ctx *ctx, solve_state *s, run_info *run)
{
    tw_error err = {0};
    int rc = load_scenario(a->scenario, &s->sc);
    if (rc == CLI_OK)
        rc = cli_pick_stage("solve", s->sc, a->stage, 1, &run->stage);
    if (rc == CLI_OK)
        rc = options_from(a, ctx, s->sc, run);
    if (rc == CLI_OK)
        rc = cli_load_data(ctx, a->data_dir, &s->raw);
    if (rc != CLI_OK)
        return rc;
    run->sc = s->sc;
    run->scenario_path = a->scenario;
    run->data_dir = a->data_dir;
    tw_model_checksum(s->raw, run->data_checksum);
    if ((rc = cli_elasticities_apply("solve", &a->solver, s->sc, s->raw, &run->elast)) != CLI_OK)
        return rc;
    if ((rc = precheck_policy(s, run)) != CLI_OK || (rc = build_baseline(ctx, s, run)) != CLI_OK)
        return rc;
    s->solver = tw_solver_create(s->base, &run->opt, &err);
    if (!s->solver)
        return cli_fail(&err, err.code != TW_OK ? err.code : TW_ERR_NOMEM);
    s->res = tw_result_create(s->base, NULL);
    s->policy = tw_policy_create(s->base, NULL);
    if (!s->res || !s->policy) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    tw_status st = tw_scenario_policy(s->sc, run->stage, s->base, s->policy, &err);
    return st == TW_OK ? CLI_OK : cli_fail(&err, st);
}

/* Files first: when they cannot be written, stdout stays empty too. */
static int report(const solve_args *a, const run_info *run)
{
    char why[512];
    if (a->output && out_write_dir(run, a->output, why, sizeof why) != 0) {
        cli_error("%s (nothing written to %s)", why, a->output);
        return CLI_FAILURE;
    }
    if (out_print(a->format, run) != 0) {
        cli_error("cannot write the results to standard output");
        return CLI_FAILURE;
    }
    return CLI_OK;
}

static int solve_and_report(const solve_args *a, const cli_ctx *ctx, solve_state *s, run_info *run)
{
    tw_error err = {0};
    cli_note(ctx, 1, "solving '%s'", tw_scenario_stage_name(s->sc, run->stage));
    tw_status st = tw_solve(s->solver, s->policy, s->res, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    run->res = s->res;
    tw_status dst = tw_result_diagnose(s->solver, s->base, s->policy, s->res, &run->diag, &err);
    if (dst == TW_OK)
        dst = tw_scenario_warnings(s->sc, 0, run->stage, s->base, &run->diag, &err);
    if (dst != TW_OK)
        return cli_fail(&err, dst);
    out_warnings_stderr(&run->diag);
    int rc = report(a, run);
    tw_solver_stats stats = tw_result_stats(s->res);
    if (stats.outcome != TW_OUTCOME_CONVERGED) {
        cli_error("the solver did not converge (%s after %ld iterations, residual %g): the "
                  "results are its last iterate",
                  tw_outcome_name(stats.outcome), stats.iterations, stats.residual);
        return rc == CLI_OK ? CLI_NO_CONVERGENCE : rc;
    }
    cli_note(ctx, 2, "converged in %ld iterations (%s), residual %g, %.3g s", stats.iterations,
             out_method_name(stats.method), stats.residual, stats.seconds);
    return rc;
}

int cmd_solve(int argc, char **argv, int first, cli_ctx ctx)
{
    solve_args args;
    memset(&args, 0, sizeof args);
    args.format = FORMAT_TABLE;
    int rc = parse_solve_args(argc, argv, first, &ctx, &args);
    if (rc != CLI_OK)
        return rc;
    char data_buf[4096];
    if (!args.data_dir)
        args.data_dir = cli_default_data(data_buf, sizeof data_buf);
    solve_state s;
    run_info run;
    memset(&s, 0, sizeof s);
    memset(&run, 0, sizeof run);
    rc = prepare(&args, &ctx, &s, &run);
    if (rc == CLI_OK)
        rc = solve_and_report(&args, &ctx, &s, &run);
    state_free(&s);
    return rc;
}
