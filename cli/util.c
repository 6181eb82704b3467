/* util.c - messages, exit codes, argument parsing and data location for the CLI. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TW_INSTALL_DATADIR
#define TW_INSTALL_DATADIR "share/tradewar/data"
#endif
#ifndef TW_SOURCE_DIR
#define TW_SOURCE_DIR "."
#endif

static void vmessage(const char *fmt, va_list ap)
{
    fputs("tradewar: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

void cli_note(const cli_ctx *ctx, int level, const char *fmt, ...)
{
    if (ctx->verbosity < level)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'tradewar %s%s--help'.\n", command ? command : "", command ? " " : "");
    return CLI_USAGE;
}

int cli_exit_code(tw_status st)
{
    switch (st) {
    case TW_OK:
        return CLI_OK;
    case TW_ERR_NUMERICAL: /* a solve the call needed did not converge */
        return CLI_NO_CONVERGENCE;
    case TW_ERR_PARSE:
    case TW_ERR_DATA:
    case TW_ERR_UNKNOWN_NAME:
        return CLI_BAD_INPUT;
    default: /* I/O, memory, invalid arguments (our bug), internal */
        return CLI_FAILURE;
    }
}

int cli_fail(const tw_error *err, tw_status st)
{
    /* The library's message already names file, line and value. */
    if (err && err->message[0])
        cli_error("%s", err->message);
    else
        cli_error("%s", tw_strerror(st));
    return cli_exit_code(st);
}

/* ---- argument parsing ---------------------------------------------------- */

void cli_args_init(cli_args *a, int argc, char **argv, int first, const char *command)
{
    memset(a, 0, sizeof *a);
    a->argc = argc;
    a->argv = argv;
    a->next = first;
    a->command = command;
}

cli_arg_kind cli_args_next(cli_args *a)
{
    a->value = NULL;
    if (a->next >= a->argc)
        return ARG_END;
    a->arg = a->argv[a->next++];
    if (a->options_done || a->arg[0] != '-' || a->arg[1] == '\0')
        return ARG_OPERAND;
    if (strcmp(a->arg, "--") == 0) {
        a->options_done = 1;
        return cli_args_next(a);
    }
    return ARG_OPTION;
}

/* "--max_iter" matches "--max-iter"; the name ends at '=' or the end. */
static int same_name(const char *arg, const char *name, const char **eq)
{
    size_t k = 0;
    for (; arg[k] && arg[k] != '='; k++) {
        char c = arg[k] == '_' ? '-' : arg[k];
        if (c != name[k])
            return 0;
    }
    *eq = arg[k] == '=' ? arg + k + 1 : NULL;
    return name[k] == '\0';
}

int cli_is(cli_args *a, const char *name, const char *alias, int takes_value)
{
    const char *eq = NULL;
    int hit = same_name(a->arg, name, &eq) || (alias && strcmp(a->arg, alias) == 0);
    if (!hit || (!takes_value && eq)) /* "--quiet=x" is no flag of ours */
        return 0;
    if (!takes_value)
        return 1;
    if (eq)
        a->value = eq;
    else if (a->next < a->argc)
        a->value = a->argv[a->next++];
    return 1;
}

int cli_bad_value(const cli_args *a, const char *expected)
{
    if (!a->value)
        return cli_usage_error(a->command, "option '%s' needs a value (%s)", a->arg, expected);
    return cli_usage_error(a->command, "bad value '%s' for %s (%s)", a->value, a->arg, expected);
}

int cli_common_option(cli_args *a, cli_ctx *ctx, const char **data_dir)
{
    if (cli_is(a, "--quiet", "-q", 0)) {
        ctx->verbosity = 0;
        return 1;
    }
    if (cli_is(a, "--verbose", "-v", 0)) {
        ctx->verbosity = 2;
        return 1;
    }
    if (data_dir && cli_is(a, "--data", NULL, 1)) {
        *data_dir = a->value;
        return 1;
    }
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int cli_parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX)
        return 0;
    *out = (int)v;
    return 1;
}

/* ---- data ---------------------------------------------------------------- */

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* <exe dir>/../data/us-china-2017 (a build tree) or
 * <exe dir>/../share/tradewar/data/us-china-2017 (an installed program), when
 * it exists: the program finds the data next to it without configuration. */
static int data_near_exe(char *buf, size_t size)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return 0;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    char *parent = strrchr(exe, '/'); /* <exe dir>/.. without "..", for readable messages */
    if (parent)
        *parent = '\0';
    const char *prefix = parent ? exe : "..";
    /* a build tree or checkout (<top>/data), then an installed program (<prefix>/share/tradewar/data) */
    int n = snprintf(buf, size, "%s/data/us-china-2017", prefix);
    if (n > 0 && (size_t)n < size && is_dir(buf))
        return 1;
    n = snprintf(buf, size, "%s/%s/us-china-2017", prefix, TW_INSTALL_DATADIR);
    return n > 0 && (size_t)n < size && is_dir(buf);
}

const char *cli_default_data(char *buf, size_t size)
{
    const char *env = getenv("TRADEWAR_DATA");
    if (env && *env)
        snprintf(buf, size, "%s", env);
    else if (!data_near_exe(buf, size))
        snprintf(buf, size, "%s/data/us-china-2017", TW_SOURCE_DIR);
    return buf;
}

int cli_load_data(const cli_ctx *ctx, const char *dir, tw_model **out)
{
    tw_error err = {0};
    cli_note(ctx, 1, "loading %s", dir);
    tw_status st = tw_load_any(dir, out, &err);
    if (st != TW_OK) {
        *out = NULL;
        return cli_fail(&err, st);
    }
    cli_note(ctx, 2, "%zu countries, %zu sectors", tw_model_countries(*out),
             tw_model_sectors(*out));
    return CLI_OK;
}

/* ---- options stored as given ---------------------------------------------- */

int cli_stored_option(cli_args *a, const char *const *names, const char **const *slots, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (cli_is(a, names[k], NULL, 1)) {
            *slots[k] = a->value;
            return a->value ? 1 : -1;
        }
    return 0;
}

/* ---- solver flags --------------------------------------------------------- */

int cli_solver_flag(cli_args *a, cli_solver_flags *f)
{
    static const char *const names[] = {"--method",   "--deficits",       "--tol",
                                        "--max-iter", "--anderson-depth", "--damping",
                                        "--fallback", "--elasticities",   "--theta-scale",
                                        "--psi-scale"};
    const char **const slots[] = {&f->method,      &f->deficits, &f->tol,      &f->max_iter,
                                  &f->depth,       &f->damping,  &f->fallback, &f->elasticities,
                                  &f->theta_scale, &f->psi_scale};
    return cli_stored_option(a, names, slots, sizeof names / sizeof names[0]);
}

static int bad_flag(const char *command, const char *flag, const char *value, const char *expected)
{
    return cli_usage_error(command, "bad value '%s' for --%s (%s)", value, flag, expected);
}

int cli_solver_flags_apply(const char *command, const cli_solver_flags *f, tw_solver_options *o,
                           tw_deficit_mode *d)
{
    const char *c = command;
    if (f->method && strcmp(f->method, "anderson") && strcmp(f->method, "newton"))
        return bad_flag(c, "method", f->method, "anderson or newton");
    if (f->method)
        o->method = strcmp(f->method, "newton") == 0 ? TW_METHOD_NEWTON_KRYLOV : TW_METHOD_ANDERSON;
    if (f->deficits && strcmp(f->deficits, "fixed") && strcmp(f->deficits, "balanced"))
        return bad_flag(c, "deficits", f->deficits, "fixed or balanced");
    if (f->deficits)
        *d = strcmp(f->deficits, "balanced") == 0 ? TW_DEFICIT_BALANCED : TW_DEFICIT_FIXED;
    if (f->tol && (!cli_parse_double(f->tol, &o->tol) || !(o->tol > 0)))
        return bad_flag(c, "tol", f->tol, "a positive number");
    if (f->max_iter && (!cli_parse_int(f->max_iter, &o->max_iter) || o->max_iter < 1))
        return bad_flag(c, "max-iter", f->max_iter, "a positive integer");
    if (f->depth && (!cli_parse_int(f->depth, &o->anderson_depth) || o->anderson_depth < 0 ||
                     o->anderson_depth > 1000))
        return bad_flag(c, "anderson-depth", f->depth, "an integer from 0 to 1000");
    if (f->damping &&
        (!cli_parse_double(f->damping, &o->damping) || !(o->damping > 0 && o->damping <= 1)))
        return bad_flag(c, "damping", f->damping, "a number in (0, 1]");
    if (f->fallback) {
        int yes = !strcmp(f->fallback, "yes") || !strcmp(f->fallback, "true");
        if (!yes && strcmp(f->fallback, "no") && strcmp(f->fallback, "false"))
            return bad_flag(c, "fallback", f->fallback, "yes or no");
        o->fallback = yes;
    }
    return CLI_OK;
}

/* ---- elasticities ---------------------------------------------------------- */

int cli_elasticities_apply(const char *command, const cli_solver_flags *f, const tw_scenario *sc,
                           tw_model *raw, cli_elasticities *used)
{
    const char *spec = NULL;
    double ts = NAN, ps = NAN;
    tw_scenario_elasticity_options(sc, &spec, &ts, &ps);
    if (f->elasticities)
        spec = f->elasticities;
    if (f->theta_scale && (!cli_parse_double(f->theta_scale, &ts) || !(ts > 0) || !isfinite(ts)))
        return bad_flag(command, "theta-scale", f->theta_scale, "a positive number");
    if (f->psi_scale && (!cli_parse_double(f->psi_scale, &ps) || !(ps >= 0) || !isfinite(ps)))
        return bad_flag(command, "psi-scale", f->psi_scale, "a number >= 0; 0: constant returns");
    used->spec = spec;
    used->theta_scale = isnan(ts) ? 1 : ts;
    used->psi_scale = isnan(ps) ? 1 : ps;
    tw_error err = {0};
    tw_status st = TW_OK;
    if (spec)
        st = tw_model_apply_elasticities(raw, spec, NULL, &err);
    if (st == TW_OK && (used->theta_scale != 1 || used->psi_scale != 1))
        st = tw_model_scale_elasticities(raw, used->theta_scale, used->psi_scale, &err);
    return st == TW_OK ? CLI_OK : cli_fail(&err, st);
}

void cli_elasticities_text(const cli_elasticities *e, char *buf, size_t size)
{
    snprintf(buf, size, "elasticities=%s,theta_scale=%.15g,psi_scale=%.15g",
             e->spec ? e->spec : "data", e->theta_scale, e->psi_scale);
}

/* ---- stages ---------------------------------------------------------------- */

int cli_pick_stage(const char *command, const tw_scenario *sc, const char *want, int last,
                   size_t *out)
{
    size_t count = tw_scenario_stage_count(sc);
    int k;
    *out = last ? count - 1 : 0;
    if (!want)
        return CLI_OK;
    if (cli_parse_int(want, &k) && k >= 1 && (size_t)k <= count) {
        *out = (size_t)k - 1;
        return CLI_OK;
    }
    for (size_t j = 0; j < count; j++)
        if (strcmp(tw_scenario_stage_name(sc, j), want) == 0) {
            *out = j;
            return CLI_OK;
        }
    return cli_usage_error(command, "no stage '%s' in the scenario '%s' (it has %zu)", want,
                           tw_scenario_name(sc), count);
}
