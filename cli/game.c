/* game.c - what the strategic commands share: parsing their options, loading
 * the data and scenario, building the baseline and the solver, resolving the
 * players (cli/game.h). Running them: cli/game_run.c; reporting: cli/game_report.c. */
#include "game.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
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
    } else if (partners &&
               (rc = code_mask(g, "partners", partners, 0, &g->partner_mask)) != CLI_OK) {
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

const char *game_scenario_path(const game *g)
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

int game_setup(game *g, const game_args *a, const cli_ctx *ctx)
{
    memset(g, 0, sizeof *g);
    g->a = *a;
    g->ctx = *ctx;
    tw_solver_options_default(&g->so);
    g->deficits = TW_DEFICIT_BALANCED; /* Ossa's convention: purge imbalances first */
    int rc = game_flags(g);
    if (rc != CLI_OK)
        return rc;
    game_run_start(g); /* after the flags: they set g->go, which gets the callback */
    if (a->stage && !game_scenario_path(g))
        return cli_usage_error(a->command, "--stage needs a scenario");
    if (game_scenario_path(g) && !is_talks_agreement(g)) {
        if ((rc = load_scenario(g, game_scenario_path(g))) != CLI_OK)
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
    if ((rc = cli_elasticities_apply(g->a.command, &g->a.solver, g->sc, g->raw, &g->elast)) !=
        CLI_OK)
        return rc;
    if ((rc = resolve_codes(g)) != CLI_OK || (rc = resolve_weights(g)) != CLI_OK)
        return rc;
    if ((rc = build(g)) != CLI_OK)
        return rc;
    game_load_resume(g);
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
