/*
 * game.h - what the strategic commands (`optimal`, `war`, `talks`, `enforce`)
 * share: their options, the base economy they start from and the players
 * (cli/game.c); progress, stops, checkpoints and the calls of the library's
 * strategic layer (cli/game_run.c); the reports: JSON, CSV, terminal tables,
 * output directories (cli/game_report.c).
 */
#ifndef TW_CLI_GAME_H
#define TW_CLI_GAME_H

#include "output.h"

/* Which command an option belongs to (bit flags). */
enum { G_OPTIMAL = 1, G_WAR = 2, G_TALKS = 4, G_ENFORCE = 8, G_ALL = 15 };

/* The cooperative rule of talks (--cooperation). */
enum { GAME_COOP_WEIGHTED = 0, GAME_COOP_EQUAL = 1, GAME_COOP_EQUAL_WAR = 2 };

/* The command line, as given (values are checked in game_setup()). */
typedef struct game_args {
    const char *command;
    unsigned which; /* G_* of the command */
    const char *data_dir, *output, *scenario, *stage;
    const char *html; /* --html FILE: one self-contained page (cli/html.c) */
    out_format format;
    cli_solver_flags solver; /* the names of `solve` */
    /* what governments choose */
    const char *country, *players, *partners, *sectors, *instruments;
    const char *lower, *upper, *xtol, *ftol, *gtol, *max_eval;
    int mfn, no_warmup;
    /* wars */
    const char *threads, *max_rounds, *war_tol;
    /* talks and enforcement */
    const char *weights, *punishment, *snapback, *delta, *agreement;
    /* issue 12: the cooperative rule, bargaining, the time limit */
    const char *cooperation, *time_limit;
    int no_bargain;
} game_args;

/* Parse argv of a strategic command; `help` prints its --help. Operands are
 * refused except by `enforce` (the agreement). Returns CLI_OK or an exit code. */
int game_parse(int argc, char **argv, int first, cli_ctx *ctx, game_args *a, unsigned which,
               const char *command, void (*help)(FILE *f));

/* Everything a strategic command works with. */
typedef struct game {
    game_args a;
    cli_ctx ctx;
    tw_solver_options so;
    tw_deficit_mode deficits;
    tw_game_options go;        /* go.best: the instruments and the optimiser's tolerances */
    int warmup;                /* 1: MFN warm-up before bilateral tariffs (tariffs only) */
    size_t *players, nplayers; /* war, talks, enforce: sorted country indices */
    size_t country;            /* optimal */
    unsigned char *partner_mask, *sector_mask; /* NULL: the default */
    int partners_players;                      /* --partners players */
    double *weights;                           /* talks: one per player (NULL: equal) */
    int coop_rule;                             /* talks: GAME_COOP_* (--cooperation) */
    double time_limit;                         /* --time-limit in seconds; 0: none */
    double t_start, t_note;                    /* monotonic seconds: start, last progress line */
    const char *stage_label;                   /* what is being computed, for progress lines */
    const char *label_mfn, *label_bilateral;   /* the same in the phases of a warmed-up call
                                                (tw_progress.phase); NULL: stage_label */
    int phase_mfn;           /* 1: the last progress report was of an MFN warm-up */
    const char *stop_reason; /* why the work stopped early; NULL: it did not */
    json_t *resume;          /* stages of OUTPUT/checkpoint.json from a stopped run with
                                  the same options (NULL: none) */
    json_t *checkpoint;      /* stages of this run, written on a stop */
    char data_dir_buf[4096];
    char data_checksum[17];
    tw_scenario *sc; /* --scenario or the agreement file */
    size_t stage;
    tw_model *raw, *base;
    tw_baseline_report report;
    tw_solver *solver;
    tw_policy *start;       /* the base policy, or the scenario's */
    cli_elasticities elast; /* what the run used */
} game;

/* Parse options, load data and scenario, build the baseline and the solver,
 * resolve players, partners and sectors. On error prints it and returns the
 * exit code; game_free() in any case. */
int game_setup(game *g, const game_args *a, const cli_ctx *ctx);
void game_free(game *g);

/* ---- procedures ---------------------------------------------------------- */

/* cli/game_run.c: start the clock, catch SIGINT and SIGTERM, and set the
 * progress callback (g->go.best.progress) that prints progress and stops on
 * them or past --time-limit; read OUTPUT/checkpoint.json when it was written
 * with the same options. */
void game_run_start(game *g);
void game_load_resume(game *g);
/* What must agree for a checkpoint to be resumed (cli/game_run.c). */
json_t *game_fingerprint(const game *g);
/* The scenario file of the run (--scenario or the agreement), or NULL (cli/game.c). */
const char *game_scenario_path(const game *g);

/* 1 when a command's work may be reported: it finished, did not converge, or
 * was stopped (SIGINT, SIGTERM, --time-limit: rc CLI_INCOMPLETE). */
static inline int game_reportable(int rc)
{
    return rc == CLI_OK || rc == CLI_NO_CONVERGENCE || rc == CLI_INCOMPLETE;
}
/* The library's TW_OUTCOME_STOPPED as the command's exit: note it, CLI_INCOMPLETE. */
int game_stopped(game *g);

/* Resuming (OUTPUT/checkpoint.json, written with the partial results of a
 * stopped run): game_checkpoint records stage NAME (war, optimum,
 * cooperative, bargain) at policy p, in `phase` ("mfn" or "bilateral" for
 * the warm-up and the requested instruments); game_resume puts a recorded
 * stage's policy into p and returns its phase, or NULL when there is none. */
void game_checkpoint(game *g, const char *name, const char *phase, const tw_policy *p);
const char *game_resume(game *g, const char *name, tw_policy *p);

/* A best response or an optimisation, with its MFN warm-up when there was one. */
typedef struct game_opt_run {
    tw_optimal_report rep, warm; /* rep.outcome: how the requested optimisation ended */
    int warmed;
} game_opt_run;

/* `country`'s best response from `policy` (in: the start; out: the optimum):
 * MFN optimum first when g->warmup, then the requested instruments. Returns
 * CLI_OK, CLI_NO_CONVERGENCE (policy and res hold the last point) or an error
 * exit code (printed). */
int game_best_response(game *g, size_t country, tw_policy *policy, tw_result *res,
                       game_opt_run *run);

/* A tariff war among g->players from `policy` (in: the start; out: the
 * equilibrium): the MFN war first when g->warmup, then the requested
 * instruments. Progress on stderr after each round. Same returns. */
typedef struct game_war_run {
    tw_game_report rep, warm; /* rep.outcome: how the requested war ended */
    int warmed;
} game_war_run;
int game_war(game *g, tw_policy *policy, tw_result *res, game_war_run *run);

/* Trade talks among g->players from g->start (the status quo): the war (the
 * threat point), the cooperative outcome and, when `bargain`, the Nash
 * bargaining outcome. cli/cmd_talks.c. */
typedef struct game_talks_run {
    tw_talks *talks; /* the library's talks (tw_talks_run); owns what follows */
    tw_talks_report rep;
    const tw_policy *sq, *war, *coop, *barg;
    const tw_result *sq_res, *war_res, *coop_res, *barg_res;
    game_war_run war_run;
    tw_optimal_report coop_rep, barg_rep;
    const char *barg_start; /* "status quo", "cooperative", "reweighted cooperative" or
                               "point of the stopped run" */
    int resumed_bargain;
    int bargained;
    int warred, cooperated; /* the war and the cooperative point are there (when the work
                               was stopped: as far as they got) */
} game_talks_run;
/* Same returns as game_war(); on CLI_OK or CLI_NO_CONVERGENCE every computed
 * outcome is in `t`. game_talks_free() in any case. */
int game_talks(game *g, game_talks_run *t, int bargain);
void game_talks_free(game_talks_run *t);
/* The program's progress lines for a war inside `go` (its round callback, and
 * labels for its MFN phase); go NULL: back to none. */
void game_war_progress(game *g, tw_game_options *go);

/* ---- figures ------------------------------------------------------------- */

/* 1 when importer n's tariff on i in sector j is one a government may move
 * here: i != n, a positive base flow, the sector allowed. */
int game_tariff_cell(const game *g, size_t i, size_t n, size_t j);
/* Median and mean (percent) of importer n's tariffs over its partners and
 * sectors with positive base flows; NAN when there are none. */
double game_median_tariff_pct(const game *g, const tw_policy *p, size_t n);
double game_mean_tariff_pct(const game *g, const tw_policy *p, size_t n);
/* 1 when country i is a player (war, talks, enforce) or the country (optimal). */
int game_is_player(const game *g, size_t i);
/* 1 when `setter` may move the cell (importer for tariffs, exporter for
 * export taxes) towards `other` under the partner rules. */
int game_targets(const game *g, size_t setter, size_t other);

/* ---- reports ------------------------------------------------------------- */

json_t *game_header_json(const game *g);   /* the "tradewar" provenance block */
json_t *game_baseline_json(const game *g); /* the "baseline" block */
json_t *game_stats_json(tw_solver_stats s);
json_t *game_optimal_json(const tw_optimal_report *r);
json_t *game_war_json(const tw_game_report *r);
/* Every per-country output of `res` plus median_tariff_pct and mean_tariff_pct of `p`. */
json_t *game_country_json(const game *g, const tw_result *res, const tw_policy *p, size_t i);

/* Instruments: every cell governments could move, with base and rates under
 * up to three policies (named, e.g. "rate", "war", "cooperative"). */
typedef struct game_columns {
    size_t n;
    const char *name[3];
    const tw_policy *p[3];
} game_columns;
json_t *game_instruments_json(const game *g, const game_columns *c);
/* tariffs.csv (exporter,importer,sector,base,<columns>; usable as a scenario's
 * from_file), export_taxes.csv, subsidies.csv. */
void game_tariffs_csv(FILE *f, const game *g, const game_columns *c);
void game_export_taxes_csv(FILE *f, const game *g, const game_columns *c);
void game_subsidies_csv(FILE *f, const game *g, const game_columns *c);

/* The provenance comment line of every CSV file. */
void game_csv_provenance(FILE *f, const game *g, int converged);

/* The files every strategic command writes, the result first and stdout last:
 * --output DIR (result.json, countries.csv, the instruments' CSVs and `extra`)
 * then stdout in g->a.format. `json` is the whole result; `countries_csv` and
 * `table` print to a FILE. Returns CLI_OK or CLI_FAILURE (printed). */
typedef struct game_report {
    json_t *json;
    void (*countries_csv)(FILE *f, void *user);
    void (*table)(FILE *f, void *user);
    const game_columns *columns; /* NULL: no instrument files */
    void *user;
} game_report;
int game_emit(const game *g, const game_report *r);
/* Emit r (an r->json of NULL means the result could not be built: out of
 * memory), release r->json, and return rc unless writing failed. */
int game_finish(const game *g, game_report *r, int rc);
/* A policy to play with, a copy of the start, and a result for it: CLI_OK, or
 * CLI_FAILURE (printed) with both NULL. */
int game_alloc_play(const game *g, tw_policy **p, tw_result **res);

/* countries.csv of optimal and war: code,name,player, every per-country
 * output, median_tariff_pct, mean_tariff_pct. */
void game_countries_csv(FILE *f, const game *g, const tw_result *res, const tw_policy *p,
                        int converged);
/* The first lines of a terminal table: title, data, scenario, baseline, instruments. */
void game_table_header(FILE *f, const game *g, const char *title);
double game_tidy(double x);

/* Percent from a welfare hat. */
static inline double game_pct(double hat) { return 100 * (hat - 1); }

#endif
