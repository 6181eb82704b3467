/* game.c - what the strategic commands share: options, setup, the MFN
 * warm-up, the war procedure, and the reports (cli/game.h). */
#include "game.h"
#include "html.h"
#include "outdir.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h> /* sysconf */

/* ---- argument parsing ---------------------------------------------------- */

typedef struct {
    const char *name;
    size_t off;
    unsigned which;
} value_option;

#define GA(field) offsetof(game_args, field)
static const value_option value_options[] = {
    {"--output", GA(output), G_ALL},
    {"--html", GA(html), G_ALL},
    {"--scenario", GA(scenario), G_OPTIMAL | G_WAR | G_TALKS},
    {"--stage", GA(stage), G_ALL},
    {"--country", GA(country), G_OPTIMAL},
    {"--players", GA(players), G_WAR | G_TALKS | G_ENFORCE},
    {"--partners", GA(partners), G_ALL},
    {"--sectors", GA(sectors), G_ALL},
    {"--instruments", GA(instruments), G_ALL},
    {"--lower", GA(lower), G_ALL},
    {"--upper", GA(upper), G_ALL},
    {"--xtol-rel", GA(xtol), G_ALL},
    {"--ftol-rel", GA(ftol), G_ALL},
    {"--gtol", GA(gtol), G_ALL},
    {"--max-eval", GA(max_eval), G_ALL},
    {"--threads", GA(threads), G_WAR | G_TALKS | G_ENFORCE},
    {"--max-rounds", GA(max_rounds), G_WAR | G_TALKS | G_ENFORCE},
    {"--war-tol", GA(war_tol), G_WAR | G_TALKS | G_ENFORCE},
    {"--weights", GA(weights), G_TALKS | G_ENFORCE},
    {"--punishment", GA(punishment), G_ENFORCE},
    {"--snapback", GA(snapback), G_ENFORCE},
    {"--delta", GA(delta), G_ENFORCE},
    {"--cooperation", GA(cooperation), G_TALKS | G_ENFORCE},
    {"--time-limit", GA(time_limit), G_ALL},
};
#undef GA

/* 1: a value option of this command was read; 0: not one; -1: its value is missing. */
static int value_option_of(cli_args *ca, game_args *a)
{
    int f = cli_solver_flag(ca, &a->solver);
    if (f)
        return f;
    for (size_t k = 0; k < sizeof value_options / sizeof value_options[0]; k++) {
        const value_option *o = &value_options[k];
        if (!(o->which & a->which) || !cli_is(ca, o->name, NULL, 1))
            continue;
        *(const char **)((char *)a + o->off) = ca->value;
        return ca->value ? 1 : -1;
    }
    return 0;
}

int game_parse(int argc, char **argv, int first, cli_ctx *ctx, game_args *a, unsigned which,
               const char *command, void (*help)(FILE *f))
{
    memset(a, 0, sizeof *a);
    a->command = command;
    a->which = which;
    a->format = FORMAT_TABLE;
    cli_args ca;
    cli_args_init(&ca, argc, argv, first, command);
    for (cli_arg_kind kind; (kind = cli_args_next(&ca)) != ARG_END;) {
        int st;
        if (kind == ARG_OPERAND) {
            if (!(which & G_ENFORCE))
                return cli_usage_error(command, "unexpected argument '%s'", ca.arg);
            if (a->agreement)
                return cli_usage_error(command, "one agreement at a time ('%s' and '%s')",
                                       a->agreement, ca.arg);
            a->agreement = ca.arg;
        } else if (cli_is(&ca, "--help", "-h", 0)) {
            help(stdout);
            exit(CLI_OK);
        } else if (cli_common_option(&ca, ctx, &a->data_dir)) {
            if (!a->data_dir && strcmp(ca.arg, "--data") == 0)
                return cli_bad_value(&ca, "a directory");
        } else if (cli_is(&ca, "--format", NULL, 1)) {
            if (!ca.value || !out_parse_format(ca.value, &a->format))
                return cli_bad_value(&ca, "table, csv or json");
        } else if (cli_is(&ca, "--mfn", NULL, 0)) {
            a->mfn = 1;
        } else if (cli_is(&ca, "--no-warmup", NULL, 0)) {
            a->no_warmup = 1;
        } else if ((which & G_TALKS) && cli_is(&ca, "--no-bargain", NULL, 0)) {
            a->no_bargain = 1;
        } else if ((st = value_option_of(&ca, a)) != 0) {
            if (st < 0)
                return cli_bad_value(&ca, "see --help");
        } else {
            return cli_usage_error(command, "unknown option '%s'", ca.arg);
        }
    }
    if ((which & G_OPTIMAL) && !a->country)
        return cli_usage_error(command, "no --country given");
    if ((which & G_ENFORCE) && !a->agreement)
        return cli_usage_error(command, "no agreement given (a scenario file, 'talks' or "
                                        "'cooperative')");
    if (a->html && (!*a->html || strcmp(a->html, "-") == 0))
        return cli_usage_error(command, "--html names a file (standard output carries the "
                                        "results)");
    if (a->output && strcmp(a->output, "-") == 0)
        return cli_usage_error(command, "--output names a directory; results already go to "
                                        "stdout (use --format)");
    return CLI_OK;
}

/* ---- option values ------------------------------------------------------- */

static int bad_flag(const game *g, const char *flag, const char *value, const char *expected)
{
    return cli_usage_error(g->a.command, "bad value '%s' for --%s (%s)", value, flag, expected);
}

/* "tariffs,export-taxes,subsidies" */
static int parse_instruments(game *g, const char *s, unsigned *out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    *out = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        for (char *c = t; *c; c++)
            if (*c == '-')
                *c = '_';
        if (strcmp(t, "tariffs") == 0)
            *out |= TW_INSTRUMENT_IMPORT_TARIFFS;
        else if (strcmp(t, "export_taxes") == 0)
            *out |= TW_INSTRUMENT_EXPORT_TAXES;
        else if (strcmp(t, "subsidies") == 0)
            *out |= TW_INSTRUMENT_SUBSIDIES;
        else
            return bad_flag(g, "instruments", s, "a list of tariffs, export-taxes, subsidies");
    }
    return *out ? CLI_OK : bad_flag(g, "instruments", s, "at least one instrument");
}

static int positive_double(game *g, const char *flag, const char *v, double *out)
{
    if (v && (!cli_parse_double(v, out) || !(*out > 0)))
        return bad_flag(g, flag, v, "a positive number");
    return CLI_OK;
}

static int positive_int(game *g, const char *flag, const char *v, int *out)
{
    if (v && (!cli_parse_int(v, out) || *out < 1))
        return bad_flag(g, flag, v, "a positive integer");
    if (v && strcmp(flag, "threads") == 0 && *out > 1024) /* as tradewar sweep */
        return bad_flag(g, flag, v, "an integer from 1 to 1024");
    return CLI_OK;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* Optimiser, war and enforcement flags (everything that needs no data). */
static int game_flags(game *g)
{
    const game_args *a = &g->a;
    tw_optimal_options *o = &g->go.best;
    int rc = CLI_OK;
    tw_game_options_default(&g->go);
    g->go.threads = default_threads();
    if (a->instruments && (rc = parse_instruments(g, a->instruments, &o->instruments)) != CLI_OK)
        return rc;
    o->mfn = a->mfn;
    /* the MFN warm-up only means something for rates set by partner */
    g->warmup = !a->no_warmup && !a->mfn &&
                (!o->instruments ||
                 (o->instruments & (TW_INSTRUMENT_IMPORT_TARIFFS | TW_INSTRUMENT_EXPORT_TAXES)));
    if (a->lower && (!cli_parse_double(a->lower, &o->lower) || !(o->lower > -1)))
        return bad_flag(g, "lower", a->lower, "a number greater than -1");
    if (a->upper && (!cli_parse_double(a->upper, &o->upper) || !(o->upper > o->lower)))
        return bad_flag(g, "upper", a->upper, "a number greater than --lower");
    if ((rc = positive_double(g, "xtol-rel", a->xtol, &o->xtol_rel)) != CLI_OK ||
        (rc = positive_double(g, "ftol-rel", a->ftol, &o->ftol_rel)) != CLI_OK ||
        (rc = positive_double(g, "gtol", a->gtol, &o->gtol)) != CLI_OK ||
        (rc = positive_int(g, "max-eval", a->max_eval, &o->max_eval)) != CLI_OK ||
        (rc = positive_int(g, "threads", a->threads, &g->go.threads)) != CLI_OK ||
        (rc = positive_int(g, "max-rounds", a->max_rounds, &g->go.max_rounds)) != CLI_OK ||
        (rc = positive_double(g, "war-tol", a->war_tol, &g->go.tol)) != CLI_OK)
        return rc;
    if (g->go.threads > 64)
        return bad_flag(g, "threads", a->threads, "at most 64");
    double x;
    if (a->punishment && strcmp(a->punishment, "war") && strcmp(a->punishment, "snapback"))
        return bad_flag(g, "punishment", a->punishment, "war or snapback");
    if (a->punishment && !strcmp(a->punishment, "snapback") && !a->snapback)
        return cli_usage_error(g->a.command, "--punishment snapback needs --snapback X");
    if (a->snapback && !(a->punishment && strcmp(a->punishment, "snapback") == 0))
        return cli_usage_error(g->a.command, "--snapback needs --punishment snapback");
    if (a->snapback && (!cli_parse_double(a->snapback, &x) || !(x >= 0)))
        return bad_flag(g, "snapback", a->snapback, "a rate >= 0, e.g. 0.25");
    if (a->delta && (!cli_parse_double(a->delta, &x) || !(x > 0 && x < 1)))
        return bad_flag(g, "delta", a->delta, "a discount factor in (0, 1)");
    g->coop_rule = GAME_COOP_WEIGHTED;
    if (a->cooperation) {
        if (!strcmp(a->cooperation, "weighted"))
            g->coop_rule = GAME_COOP_WEIGHTED;
        else if (!strcmp(a->cooperation, "equal-gains"))
            g->coop_rule = GAME_COOP_EQUAL;
        else if (!strcmp(a->cooperation, "equal-gains-over-war"))
            g->coop_rule = GAME_COOP_EQUAL_WAR;
        else
            return bad_flag(g, "cooperation", a->cooperation,
                            "weighted, equal-gains or equal-gains-over-war");
        if (g->coop_rule != GAME_COOP_WEIGHTED && a->weights)
            return cli_usage_error(g->a.command, "--weights needs --cooperation weighted");
    }
    if ((rc = positive_double(g, "time-limit", a->time_limit, &g->time_limit)) != CLI_OK)
        return rc;
    return CLI_OK;
}

/* ---- codes --------------------------------------------------------------- */

static int unknown_code(const game *g, const char *what, const char *code)
{
    return cli_usage_error(g->a.command, "no %s '%s' in the data (see tradewar info)", what, code);
}

/* --players: "all" or codes, in the order given. */
static int resolve_players(game *g)
{
    size_t N = tw_model_countries(g->raw);
    const char *s = g->a.players ? g->a.players : "all";
    g->players = calloc(N, sizeof *g->players);
    if (!g->players)
        return CLI_FAILURE;
    if (strcmp(s, "all") == 0) {
        for (size_t i = 0; i < N; i++)
            g->players[i] = i;
        g->nplayers = N;
    } else {
        char *buf = strdup(s);
        if (!buf)
            return CLI_FAILURE;
        int rc = CLI_OK;
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && rc == CLI_OK;
             t = strtok_r(NULL, ",", &save)) {
            long i = tw_model_find_country(g->raw, t);
            if (i < 0)
                rc = unknown_code(g, "country", t);
            for (size_t k = 0; rc == CLI_OK && k < g->nplayers; k++)
                if (g->players[k] == (size_t)i)
                    rc = cli_usage_error(g->a.command, "player %s listed twice", t);
            if (rc == CLI_OK && g->nplayers < N)
                g->players[g->nplayers++] = (size_t)i;
        }
        free(buf);
        if (rc != CLI_OK)
            return rc;
    }
    if (g->nplayers < ((g->a.which & (G_TALKS | G_ENFORCE)) ? 2u : 1u))
        return cli_usage_error(g->a.command, "--players: at least %s", 
                               (g->a.which & (G_TALKS | G_ENFORCE)) ? "two players" : "one player");
    return CLI_OK;
}

/* A list of codes into a mask: "all", "A,B", and for sectors "FIRST..LAST". */
static int code_mask(game *g, const char *flag, const char *s, int sectors, unsigned char **out)
{
    size_t n = sectors ? tw_model_sectors(g->raw) : tw_model_countries(g->raw);
    unsigned char *m = calloc(n, 1);
    char *buf = strdup(s);
    int rc = CLI_OK, any = 0;
    if (!m || !buf) {
        free(m);
        free(buf);
        return CLI_FAILURE;
    }
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && rc == CLI_OK;
         t = strtok_r(NULL, ",", &save)) {
        char *dots = strstr(t, "..");
        if (dots)
            *dots = '\0';
        long lo = sectors ? tw_model_find_sector(g->raw, t) : tw_model_find_country(g->raw, t);
        long hi = lo;
        if (dots && sectors)
            hi = tw_model_find_sector(g->raw, dots + 2);
        if (strcmp(t, "all") == 0 && !dots) {
            lo = 0;
            hi = (long)n - 1;
        } else if (lo < 0 || hi < 0 || (dots && !sectors)) {
            rc = unknown_code(g, sectors ? "sector" : "country", lo < 0 ? t : dots + 2);
            break;
        }
        for (long k = lo; k <= hi; k++, any = 1)
            m[k] = 1;
        if (hi < lo)
            rc = bad_flag(g, flag, s, "a range FIRST..LAST in data order");
    }
    free(buf);
    if (rc == CLI_OK && !any)
        rc = bad_flag(g, flag, s, "at least one code");
    if (rc != CLI_OK) {
        free(m);
        return rc;
    }
    *out = m;
    return CLI_OK;
}

static int resolve_codes(game *g)
{
    int rc = CLI_OK;
    const game_args *a = &g->a;
    if (a->which & G_OPTIMAL) {
        long c = tw_model_find_country(g->raw, a->country);
        if (c < 0)
            return unknown_code(g, "country", a->country);
        g->country = (size_t)c;
    } else if ((rc = resolve_players(g)) != CLI_OK) {
        return rc;
    }
    /* talks are about the players' tariffs on each other: so is their war */
    const char *partners = a->partners;
    if (!partners && (a->which & (G_TALKS | G_ENFORCE)))
        partners = "players";
    if (partners && strcmp(partners, "players") == 0) {
        if (a->which & G_OPTIMAL)
            return bad_flag(g, "partners", a->partners, "codes or all");
        size_t N = tw_model_countries(g->raw);
        g->partner_mask = calloc(N, 1);
        if (!g->partner_mask)
            return CLI_FAILURE;
        for (size_t k = 0; k < g->nplayers; k++)
            g->partner_mask[g->players[k]] = 1;
        g->partners_players = 1;
    } else if (partners && (rc = code_mask(g, "partners", partners, 0, &g->partner_mask)) != CLI_OK) {
        return rc;
    }
    if (a->sectors && (rc = code_mask(g, "sectors", a->sectors, 1, &g->sector_mask)) != CLI_OK)
        return rc;
    g->go.best.partners = g->partner_mask;
    g->go.best.sectors = g->sector_mask;
    return CLI_OK;
}

/* --weights: "1,2,..." in the order of --players, or "USA=2,CHN=1" (others 1). */
static int resolve_weights(game *g)
{
    const char *s = g->a.weights;
    if (!s)
        return CLI_OK;
    g->weights = calloc(g->nplayers, sizeof *g->weights);
    char *buf = strdup(s);
    int rc = CLI_OK;
    size_t count = 0;
    if (!g->weights || !buf) {
        free(buf);
        return CLI_FAILURE;
    }
    int pairs = strchr(s, '=') != NULL;
    for (size_t k = 0; k < g->nplayers; k++)
        g->weights[k] = pairs ? 1.0 : NAN;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && rc == CLI_OK;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        size_t k = count++;
        if (pairs) {
            if (!eq) {
                rc = bad_flag(g, "weights", s, "CODE=W pairs or one number per player");
                break;
            }
            *eq = '\0';
            long i = tw_model_find_country(g->raw, t);
            for (k = 0; k < g->nplayers && (long)g->players[k] != i; k++)
                ;
            if (k == g->nplayers) {
                rc = cli_usage_error(g->a.command, "--weights: %s is not a player", t);
                break;
            }
        } else if (k >= g->nplayers) {
            rc = bad_flag(g, "weights", s, "one number per player");
            break;
        }
        double w;
        if (!cli_parse_double(pairs ? eq + 1 : t, &w) || !(w > 0))
            rc = bad_flag(g, "weights", s, "positive numbers");
        else
            g->weights[k] = w;
    }
    if (rc == CLI_OK && !pairs && count != g->nplayers)
        rc = bad_flag(g, "weights", s, "one number per player");
    free(buf);
    return rc;
}

/* ---- setup --------------------------------------------------------------- */

static int load_scenario(game *g, const char *path)
{
    tw_error err = {0};
    tw_status st = tw_scenario_load(path, &g->sc, &err);
    if (st != TW_OK)
        return cli_fail(&err, st);
    return cli_pick_stage(g->a.command, g->sc, g->a.stage, 1, &g->stage);
}

static const char *scenario_path(const game *g)
{
    return (g->a.which & G_ENFORCE) ? g->a.agreement : g->a.scenario;
}

static int is_talks_agreement(const game *g)
{
    return (g->a.which & G_ENFORCE) &&
           (strcmp(g->a.agreement, "talks") == 0 || strcmp(g->a.agreement, "cooperative") == 0);
}

static int build(game *g)
{
    tw_error err = {0};
    cli_note(&g->ctx, 1, "building the baseline (%s deficits)", out_deficits_name(g->deficits));
    tw_status st = tw_baseline_build(g->raw, g->deficits, &g->so, &g->base, &g->report, &err);
    if (st == TW_ERR_NUMERICAL) {
        cli_error("the baseline could not be built: %s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    if (st != TW_OK)
        return cli_fail(&err, st);
    g->solver = tw_solver_create(g->base, &g->so, &err);
    if (!g->solver)
        return cli_fail(&err, err.code != TW_OK ? err.code : TW_ERR_NOMEM);
    g->start = tw_policy_create(g->base, NULL);
    if (!g->start) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    if (g->sc && (st = tw_scenario_policy(g->sc, g->stage, g->base, g->start, &err)) != TW_OK)
        return cli_fail(&err, st);
    return CLI_OK;
}

/* ---- progress, signals and the time limit --------------------------------- */

/* The signal that asked the strategic command to stop (0: none). The one
 * global of the strategic commands: a signal handler can set nothing else. */
static volatile sig_atomic_t game_signal;

static void on_signal(int sig) { game_signal = sig; }

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* "12 s", "3.5 min", "1.2 h" */
static const char *duration(double s, char *buf, size_t n)
{
    if (s < 90)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 5400)
        snprintf(buf, n, "%.1f min", s / 60);
    else
        snprintf(buf, n, "%.1f h", s / 3600);
    return buf;
}

/* The library's progress callback: a line on stderr at most every 2 s (not
 * with -q), and a stop on a signal or past the time limit. */
static int game_progress(void *user, const tw_progress *p)
{
    game *g = user;
    double now = mono_now();
    if (game_signal && !g->stop_reason)
        g->stop_reason = game_signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)";
    if (g->time_limit > 0 && now - g->t_start >= g->time_limit && !g->stop_reason)
        g->stop_reason = "time limit reached (--time-limit)";
    if (g->stop_reason)
        return 1;
    if (g->ctx.verbosity >= 1 && now - g->t_note >= 2) {
        char b1[32], b2[32], left[64] = "";
        g->t_note = now;
        if (p->seconds_left >= 0 && p->seconds_left <= 20 * p->seconds + 60)
            /* an estimate far beyond the time spent is noise of the first rounds */
            snprintf(left, sizeof left, ", about %s left", duration(p->seconds_left, b2, sizeof b2));
        char round[32] = "";
        if (p->round > 0)
            snprintf(round, sizeof round, "round %d, ", p->round);
        if (isnan(p->best))
            cli_note(&g->ctx, 1, "%s: %s%ld evaluations, %s%s", g->stage_label ? g->stage_label : p->stage,
                     round, p->evaluations, duration(p->seconds, b1, sizeof b1), left);
        else
            cli_note(&g->ctx, 1, "%s: %s%ld evaluations, best %.6g, %s%s",
                     g->stage_label ? g->stage_label : p->stage, round, p->evaluations, p->best,
                     duration(p->seconds, b1, sizeof b1), left);
    }
    return 0;
}

int game_stopped(game *g)
{
    if (!g->stop_reason)
        g->stop_reason = "stopped";
    cli_error("%s: writing what was computed, marked incomplete", g->stop_reason);
    return CLI_INCOMPLETE;
}

/* ---- checkpoints ----------------------------------------------------------- */

static json_t *policy_json(const tw_policy *p, size_t N, size_t J)
{
    json_t *t = json_array(), *e = json_array(), *sub = json_array();
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                json_array_append_new(t, json_real(tw_policy_tariff(p, i, n, j)));
                json_array_append_new(e, json_real(tw_policy_export_tax(p, i, n, j)));
            }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++)
            json_array_append_new(sub, json_real(tw_policy_subsidy(p, i, j)));
    return json_pack("{s:o, s:o, s:o}", "tariffs", t, "export_taxes", e, "subsidies", sub);
}

/* 0, or -1 when the arrays do not fit the model. */
static int policy_from_json(const json_t *pj, tw_policy *p, size_t N, size_t J)
{
    const json_t *t = json_object_get(pj, "tariffs"), *e = json_object_get(pj, "export_taxes"),
                 *sub = json_object_get(pj, "subsidies");
    if (json_array_size(t) != N * N * J || json_array_size(e) != N * N * J ||
        json_array_size(sub) != N * J)
        return -1;
    size_t x = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++, x++)
                if (i != n) {
                    tw_policy_set_tariff(p, i, n, j, json_number_value(json_array_get(t, x)));
                    tw_policy_set_export_tax(p, i, n, j, json_number_value(json_array_get(e, x)));
                }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++)
            tw_policy_set_subsidy(p, i, j, json_number_value(json_array_get(sub, i * J + j)));
    return 0;
}

/* What must agree for a checkpoint to be resumed: the command, the data,
 * the scenario and every option (not --time-limit, not --output). */
static json_t *fingerprint(const game *g)
{
    json_t *h = game_header_json(g);
    if (!h)
        return NULL;
    json_object_del(h, "version");
    json_object_del(h, "data");
    if (g->a.agreement)
        json_object_set_new(h, "agreement", json_string(g->a.agreement));
    return h;
}

void game_checkpoint(game *g, const char *name, const char *phase, const tw_policy *p)
{
    if (!g->a.output)
        return;
    if (!g->checkpoint)
        g->checkpoint = json_object();
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    json_t *st = json_pack("{s:s, s:o}", "phase", phase, "policy", policy_json(p, N, J));
    if (g->checkpoint && st)
        json_object_set_new(g->checkpoint, name, st);
}

const char *game_resume(game *g, const char *name, tw_policy *p)
{
    const json_t *st = g->resume ? json_object_get(g->resume, name) : NULL;
    const char *phase = st ? json_string_value(json_object_get(st, "phase")) : NULL;
    size_t N = tw_model_countries(g->base), J = tw_model_sectors(g->base);
    if (!phase || policy_from_json(json_object_get(st, "policy"), p, N, J) != 0)
        return NULL;
    cli_note(&g->ctx, 1, "resuming the %s (%s) from %s/checkpoint.json", name, phase,
             g->a.output);
    return phase;
}

/* Read OUTPUT/checkpoint.json when it was written by a run with the same options. */
static void load_resume(game *g)
{
    if (!g->a.output)
        return;
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoint.json", g->a.output);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        return;
    json_t *fp = fingerprint(g);
    if (fp && json_equal(fp, json_object_get(j, "fingerprint"))) {
        g->resume = json_incref(json_object_get(j, "stages"));
    } else {
        cli_note(&g->ctx, 1, "%s: made with other options or data: not resumed (starting over)",
                 path);
    }
    json_decref(fp);
    json_decref(j);
}

int game_setup(game *g, const game_args *a, const cli_ctx *ctx)
{
    memset(g, 0, sizeof *g);
    g->a = *a;
    g->ctx = *ctx;
    g->t_start = g->t_note = mono_now();
    install_signals();
    tw_solver_options_default(&g->so);
    g->deficits = TW_DEFICIT_BALANCED; /* Ossa's convention: purge imbalances first */
    int rc = game_flags(g);
    if (rc != CLI_OK)
        return rc;
    g->go.best.progress = game_progress;
    g->go.best.progress_user = g;
    if (a->stage && !scenario_path(g))
        return cli_usage_error(a->command, "--stage needs a scenario");
    if (scenario_path(g) && !is_talks_agreement(g)) {
        if ((rc = load_scenario(g, scenario_path(g))) != CLI_OK)
            return rc;
        tw_scenario_apply_options(g->sc, &g->so, &g->deficits);
    } else if (a->stage) {
        return cli_usage_error(a->command, "--stage needs a scenario file");
    }
    if ((rc = cli_solver_flags_apply(g->a.command, &g->a.solver, &g->so, &g->deficits)) != CLI_OK)
        return rc;
    if (!g->a.data_dir)
        g->a.data_dir = cli_default_data(g->data_dir_buf, sizeof g->data_dir_buf);
    if ((rc = cli_load_data(&g->ctx, g->a.data_dir, &g->raw)) != CLI_OK)
        return rc;
    tw_model_checksum(g->raw, g->data_checksum);
    if ((rc = cli_elasticities_apply(g->a.command, &g->a.solver, g->sc, g->raw, &g->elast)) != CLI_OK)
        return rc;
    if ((rc = resolve_codes(g)) != CLI_OK || (rc = resolve_weights(g)) != CLI_OK)
        return rc;
    if ((rc = build(g)) != CLI_OK)
        return rc;
    load_resume(g);
    return CLI_OK;
}

void game_free(game *g)
{
    tw_policy_free(g->start);
    tw_solver_free(g->solver);
    tw_model_free(g->base);
    tw_model_free(g->raw);
    tw_scenario_free(g->sc);
    free(g->players);
    free(g->partner_mask);
    free(g->sector_mask);
    free(g->weights);
    json_decref(g->resume);
    json_decref(g->checkpoint);
}

/* ---- procedures ---------------------------------------------------------- */

static const char *country_code(const game *g, size_t i)
{
    return tw_model_country_code(g->base, i);
}

int game_best_response(game *g, size_t country, tw_policy *policy, tw_result *res,
                       game_opt_run *run)
{
    tw_error err = {0};
    tw_optimal_options o = g->go.best;
    tw_status st;
    memset(run, 0, sizeof *run);
    const char *ph = game_resume(g, "optimum", policy);
    if (g->warmup && !(ph && strcmp(ph, "bilateral") == 0)) {
        o.mfn = 1;
        g->stage_label = "MFN warm-up";
        st = tw_best_response(g->solver, country, &o, policy, res, &run->warm, &err);
        if (st != TW_OK)
            return cli_fail(&err, st);
        if (run->warm.outcome == TW_OUTCOME_STOPPED) {
            run->warmed = 1;
            game_checkpoint(g, "optimum", "mfn", policy);
            return game_stopped(g);
        }
        if (run->warm.outcome != TW_OUTCOME_CONVERGED)
            cli_note(&g->ctx, 1, "%s: the MFN warm-up did not converge (%s); going on",
                     country_code(g, country), err.message);
        cli_note(&g->ctx, 2, "%s: MFN warm-up: %ld evaluations, %.3g s", country_code(g, country),
                 run->warm.evaluations, run->warm.seconds);
        run->warmed = 1;
        o.mfn = 0;
    }
    g->stage_label = "optimum";
    st = tw_best_response(g->solver, country, &o, policy, res, &run->rep, &err);
    g->stage_label = NULL;
    game_checkpoint(g, "optimum", "bilateral", policy);
    if (st != TW_OK)
        return cli_fail(&err, st);
    if (run->rep.outcome == TW_OUTCOME_STOPPED)
        return game_stopped(g);
    if (run->rep.outcome != TW_OUTCOME_CONVERGED) {
        cli_error("%s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    return CLI_OK;
}

typedef struct {
    const cli_ctx *ctx;
    const char *label;
} progress_user;

static void war_progress(void *user, int round, double change)
{
    const progress_user *u = user;
    cli_note(u->ctx, 1, "%s: round %d, largest rate change %.3g", u->label, round, change);
}

int game_war(game *g, tw_policy *policy, tw_result *res, game_war_run *run)
{
    tw_error err = {0};
    tw_game_options go = g->go;
    progress_user pu = {&g->ctx, "MFN war"};
    tw_status st;
    memset(run, 0, sizeof *run);
    go.progress = war_progress;
    go.progress_user = &pu;
    const char *ph = game_resume(g, "war", policy);
    if (g->warmup && !(ph && strcmp(ph, "bilateral") == 0)) {
        go.best.mfn = 1;
        g->stage_label = "MFN war";
        st = tw_nash(g->base, &g->so, g->players, g->nplayers, &go, policy, res, &run->warm, &err);
        if (st != TW_OK)
            return cli_fail(&err, st);
        if (run->warm.outcome == TW_OUTCOME_STOPPED) {
            run->warmed = 1;
            game_checkpoint(g, "war", "mfn", policy);
            return game_stopped(g);
        }
        if (run->warm.outcome != TW_OUTCOME_CONVERGED)
            cli_note(&g->ctx, 1, "the MFN war did not settle (%s); going on", err.message);
        run->warmed = 1;
        go.best.mfn = 0;
    }
    pu.label = go.best.mfn ? "MFN war" : "war";
    g->stage_label = pu.label;
    st = tw_nash(g->base, &g->so, g->players, g->nplayers, &go, policy, res, &run->rep, &err);
    g->stage_label = NULL;
    game_checkpoint(g, "war", "bilateral", policy);
    if (st != TW_OK)
        return cli_fail(&err, st);
    if (run->rep.outcome == TW_OUTCOME_STOPPED)
        return game_stopped(g);
    cli_note(&g->ctx, 2, "war: %d rounds, %ld equilibria, %.3g s", run->rep.rounds,
             run->rep.evaluations, run->rep.seconds);
    if (run->rep.outcome != TW_OUTCOME_CONVERGED) {
        cli_error("%s", err.message);
        return CLI_NO_CONVERGENCE;
    }
    return CLI_OK;
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
                          "partners", g->partners_players ? json_string("players")
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
                            json_string(g->coop_rule == GAME_COOP_EQUAL       ? "equal-gains"
                                        : g->coop_rule == GAME_COOP_EQUAL_WAR ? "equal-gains-over-war"
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
    const char *sp = scenario_path(g);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "version", TW_VERSION_STRING,
                          "command", g->a.command, "data", g->a.data_dir, "data_checksum",
                          g->data_checksum, "base_checksum", base_sum, "options",
                          options_json(g), "game", game_options_json(g));
    if (!j)
        return NULL;
    json_object_set_new(j, "currency_unit", json_string(tw_model_currency_unit(g->base)));
    json_object_set_new(j, "scenario", sp && g->sc ? json_string(sp) : json_null());
    json_object_set_new(j, "scenario_name", g->sc ? json_string(tw_scenario_name(g->sc)) : json_null());
    json_object_set_new(j, "stage", g->sc ? json_string(tw_scenario_stage_name(g->sc, g->stage))
                                          : json_null());
    return j;
}

json_t *game_stats_json(tw_solver_stats s)
{
    return json_pack("{s:b, s:I, s:o, s:s, s:s, s:o, s:I}", "converged",
                     s.outcome == TW_OUTCOME_CONVERGED,
                     "iterations", (json_int_t)s.iterations, "residual",
                     out_json_number(s.residual), "method", out_method_name(s.method), "outcome",
                     tw_outcome_name(s.outcome), "seconds", out_json_number(s.seconds),
                     "evaluations", (json_int_t)s.evaluations);
}

json_t *game_baseline_json(const game *g)
{
    const tw_baseline_report *b = &g->report;
    return json_pack("{s:b, s:o, s:b, s:o, s:o}", "calibrated", b->calibrated,
                     "calibration_gap", out_json_number(b->calibration_gap), "balanced",
                     b->balanced, "calibration", game_stats_json(b->calibration), "balancing",
                     game_stats_json(b->balancing));
}

json_t *game_optimal_json(const tw_optimal_report *r)
{
    return json_pack("{s:b, s:s, s:I, s:I, s:o, s:o, s:o}", "converged",
                     r->outcome == TW_OUTCOME_CONVERGED, "outcome", tw_outcome_name(r->outcome),
                     "evaluations",
                     (json_int_t)r->evaluations, "variables", (json_int_t)r->variables,
                     "objective", out_json_number(r->objective), "projected_gradient",
                     out_json_number(r->projected_gradient), "seconds",
                     out_json_number(r->seconds));
}

json_t *game_war_json(const tw_game_report *r)
{
    return json_pack("{s:b, s:s, s:i, s:o, s:I, s:o}", "converged",
                     r->outcome == TW_OUTCOME_CONVERGED, "outcome", tw_outcome_name(r->outcome),
                     "rounds", r->rounds,
                     "change", out_json_number(r->change), "evaluations",
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
        json_object_set_new(c, "median_tariff_pct", out_json_number(game_median_tariff_pct(g, p, i)));
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
           : kind == TW_INSTRUMENT_EXPORT_TAXES ? "export_tax" : "subsidy";
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
        fprintf(f, " scenario=%s stage=%s", scenario_path(g), tw_scenario_stage_name(g->sc, g->stage));
    else if (g->a.which & G_ENFORCE)
        fprintf(f, " agreement=%s", g->a.agreement);
    char el[4200];
    cli_elasticities_text(&g->elast, el, sizeof el);
    fprintf(f, " options=deficits=%s,method=%s,tol=%.15g,max_iter=%d,anderson_depth=%d,"
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

static int emit_json(FILE *f, void *user)
{
    return out_json_dump(f, ((emit_ctx *)user)->r->json);
}

static int emit_checkpoint(FILE *f, void *user)
{
    const game *g = ((emit_ctx *)user)->g;
    json_t *fp = fingerprint(g);
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
static int welfare_chart(const game *g, const json_t *j, plot_capture *cap, char *why,
                         size_t size)
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
                 g->sc ? tw_scenario_name(g->sc) : slash && slash[1] ? slash + 1 : dd);
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
            fprintf(stdout, "\nAt the %s: ",
                    strcmp(last, "rate") == 0 ? "reported outcome" : last);
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
        fprintf(f, "INCOMPLETE (%s): partial results; rerun with the same options and "
                   "--output to resume\n", g->stop_reason);
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
