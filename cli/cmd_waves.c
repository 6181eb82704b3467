/*
 * cmd_waves.c - `tradewar waves`: the 2018-20 US-China tariff waves as scenario files.
 *
 * Reads the monthly trade-weighted tariffs by NAICS3 sector (both directions,
 * data/us-china-tariffs) and the NAICS3 -> sector concordance, averages the
 * NAICS3 codes of each sector of us-china-2017 with 2017 bilateral trade as
 * weights, and writes each dated stage as the change of that average since
 * the month before (so the stages are cumulative `add` rules on top of the
 * data's 2017 tariffs). The level reached after a stage (the sector's average
 * minus its average in the reference month) is floored at 0: the series also
 * carry China's MFN cuts of 1 July 2018 (cars from 25% to 15%, consumer
 * goods), which are not part of the war and would otherwise take some
 * tariffs below their 2017 level. The stage table below is the only
 * hand-made input; docs/us-china.md explains it. No economics here: the
 * files are read and averaged by the library (tw_concordance_read,
 * tw_tariff_lines_read, tw_tariff_aggregate: the path of `tradewar tariffs
 * aggregate`); this file picks the months and writes the scenarios.
 */
#include "cli.h"
#include "outdir.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cmd_waves_help(FILE *f)
{
    fputs("Usage: tradewar waves [--tariffs DIR] [--output DIR] [-q|-v]\n"
          "\n"
          "Turn the monthly US and Chinese tariffs by NAICS3 sector (DIR: imports_by_naics.csv,\n"
          "exports_by_naics.csv, naics3_to_sector.csv) into scenario files for the bundled\n"
          "us-china-2017 economy: the dated, cumulative tariff waves of 2018-20 and the\n"
          "scenarios built on them. Regenerating from the same files changes nothing.\n"
          "\n"
          "Writes into the output directory (all files or none):\n"
          "  waves-us.yaml      the US Section 301 stages (List 1 to List 4A cut to 7.5%)\n"
          "  waves-china.yaml   China's retaliation steps\n"
          "  waves-both.yaml    both, in date order (for `tradewar timeline`)\n"
          "  list3-25.yaml      List 3 from 10% to 25%, without and with China's answer\n"
          "                     (for `tradewar report`)\n"
          "  subsidies.yaml     China's industrial subsidies halved and removed, with and\n"
          "                     without the tariffs\n"
          "  subsidies-introduced.yaml  the same subsidies introduced on the 2017 economy\n"
          "  wave5-comparison.csv the generated end state against tariff_Trump.csv and\n"
          "                     tariff_China.csv of the bundled data\n"
          "\n"
          "Options:\n"
          "      --tariffs DIR   the tariff series (default: data/us-china-tariffs of the\n"
          "                      source tree, next to the bundled data)\n"
          "      --data DIR      the us-china-2017 data set, for tariff_Trump.csv and\n"
          "                      tariff_China.csv (default: the bundled one)\n"
          "      --output DIR    where to write (default: scenarios/us-china of the source tree)\n"
          "  -q, --quiet         no progress messages\n"
          "  -h, --help          show this help\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 bad input file, 4 I/O error.\n",
          f);
}

/* ---- the stages ---------------------------------------------------------- */

enum { US = 0, CN = 1 }; /* US tariffs on China (imports file), China's on the US (exports) */

typedef struct {
    const char *id, *name, *date;
    const char *month; /* first month of the series that shows the step */
    int side;
} wave_stage;

/* The month before the first wave: the changes are measured from it. */
static const char reference_month[] = "2018-06";

static const wave_stage stages[] = {
    {"us-list1", "US List 1: 25% on $34 billion", "2018-07-06", "2018-07", US},
    {"cn-list1", "China answers List 1: 25% on $34 billion", "2018-07-06", "2018-07", CN},
    {"us-list2", "US List 2: 25% on $16 billion", "2018-08-23", "2018-09", US},
    {"cn-list2", "China answers List 2: 25% on $16 billion", "2018-08-23", "2018-09", CN},
    {"us-list3-10", "US List 3: 10% on $200 billion", "2018-09-24", "2018-10", US},
    {"cn-list3", "China answers List 3: 5-10% on $60 billion", "2018-09-24", "2018-10", CN},
    {"cn-autos", "China suspends its extra tariffs on US cars", "2019-01-01", "2019-01", CN},
    {"us-list3-25", "US List 3 raised to 25%", "2019-05-10", "2019-06", US},
    {"cn-jun2019", "China raises its $60 billion list to 5-25%", "2019-06-01", "2019-06", CN},
    {"us-list4a", "US List 4A: 15% on $112 billion", "2019-09-01", "2019-09", US},
    {"cn-sep2019", "China: 5-10% on $75 billion (first part)", "2019-09-01", "2019-09", CN},
    {"us-list4a-cut", "US List 4A cut to 7.5% (phase one deal)", "2020-02-14", "2020-02", US},
    {"cn-feb2020", "China halves its September 2019 tariffs", "2020-02-14", "2020-02", CN},
};
#define N_STAGES (sizeof stages / sizeof stages[0])

/* The first answer: stages up to `before` are the starting point. */
static const char first_before[] = "cn-autos"; /* the state of May 2019 */
static const char first_us[] = "us-list3-25";
static const char first_cn[] = "cn-jun2019";
static const char wave5_stage[] = "cn-sep2019"; /* after List 4A (September 2019) */

/* Industrial policy (illustrative): the sectors and the assumed subsidy. */
static const char subsidy_sectors[] =
    "[computers, electrical, machinery, motor_vehicles, other_transport]";
static const double subsidy_rate = 0.10;

/* ---- the sectors ----------------------------------------------------------- */

#define N_GOODS 22
static const char *const goods[N_GOODS] = {"agriculture",     "fishing",
                                           "mining_energy",   "mining_nonenergy",
                                           "mining_support",  "food",
                                           "textiles",        "wood",
                                           "paper",           "petroleum",
                                           "chemicals",       "pharma",
                                           "rubber_plastics", "minerals",
                                           "basic_metals",    "fabricated_metals",
                                           "computers",       "electrical",
                                           "machinery",       "motor_vehicles",
                                           "other_transport", "other_manufacturing"};

/* ---- reading (the library's concordance and tariff-series readers) ---------------- */

/* A data error with a message (the library's errors come filled in). */
static tw_status data_error(tw_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static tw_status data_error(tw_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return err->code = TW_ERR_DATA;
}

#define MAX_CODES 64
typedef struct {
    tw_concordance *c; /* naics3 -> goods sector (index into goods[]), share */
    size_t n;
    size_t sector[MAX_CODES];
    double share[MAX_CODES]; /* the part of the code's trade counted in the sector */
} concordance;

typedef struct {
    char path[4200];
    tw_tariff_lines *lines; /* time, naics3, tariff_trd_w_avg, china_trade */
} series;

static tw_status read_concordance(const char *dir, concordance *c, tw_error *err)
{
    char path[4200];
    memset(c, 0, sizeof *c);
    if (snprintf(path, sizeof path, "%s/naics3_to_sector.csv", dir) >= (int)sizeof path)
        return data_error(err, "%s: path too long", dir);
    tw_status st = tw_concordance_read(path, "naics3", goods, N_GOODS, &c->c, err);
    if (st != TW_OK)
        return st;
    c->n = tw_concordance_entries(c->c);
    if (c->n > MAX_CODES)
        return data_error(err, "%s: more than %d rows", path, MAX_CODES);
    for (size_t k = 0; k < c->n; k++) {
        const char *code = tw_concordance_code(c->c, k);
        if (strlen(code) != 3 || strspn(code, "0123456789") != 3)
            return data_error(err, "%s: '%s' is not a NAICS3 code", path, code);
        c->sector[k] = tw_concordance_entry_sector(c->c, k);
        c->share[k] = tw_concordance_share(c->c, k);
    }
    return TW_OK;
}

static tw_status read_series(const char *dir, const char *file, series *s, tw_error *err)
{
    static const tw_lines_columns cols = {"time", "naics3", "tariff_trd_w_avg", "china_trade"};
    if (snprintf(s->path, sizeof s->path, "%s/%s", dir, file) >= (int)sizeof s->path)
        return data_error(err, "%s: path too long", dir);
    return tw_tariff_lines_read(s->path, &cols, &s->lines, err);
}

/* 2017 trade of `naics` (sum of the monthly china_trade): the weights. */
static tw_status series_weight(const series *s, const char *naics, double *out, tw_error *err)
{
    size_t months;
    tw_status st = tw_tariff_lines_trade(s->lines, "2017-", naics, out, &months, err);
    if (st == TW_OK && months != 12)
        return data_error(err, "%s: NAICS3 %s has %zu months of 2017, not 12", s->path, naics,
                          months);
    return st;
}

/* rate[s] (fraction): the trade-weighted average over the sector's NAICS3
 * codes (tw_tariff_aggregate); NAN for a sector no code feeds. */
static tw_status sector_rates(const series *s, const concordance *c, const double *weight,
                              const char *month, double rate[N_GOODS], tw_error *err)
{
    double v[MAX_CODES], avg[N_GOODS];
    for (size_t k = 0; k < c->n; k++) {
        /* the month as "YYYY-MM": the series' dates carry a day */
        tw_status st = tw_tariff_lines_rate(s->lines, month, tw_concordance_code(c->c, k), &v[k],
                                            err);
        if (st != TW_OK)
            return st;
    }
    tw_status st = tw_tariff_aggregate(c->n, c->sector, c->share, v, weight, N_GOODS, avg, NULL,
                                       err);
    for (int j = 0; st == TW_OK && j < N_GOODS; j++)
        rate[j] = isnan(avg[j]) ? NAN : avg[j] / 100;
    return st;
}

/* ---- the tariffs of every stage --------------------------------------------- */

typedef struct {
    double level[N_STAGES + 1][N_GOODS]; /* [0]: reference month; [k+1]: after stage k, own side */
    double change[N_STAGES][N_GOODS];    /* the stage's change (0 for the other side) */
    double wave5[2][N_GOODS];            /* tariff_Trump.csv, tariff_China.csv */
    double ref[2][N_GOODS];
} wave_table;

/* Levels and changes rounded to 1e-6 (0.0001 percentage points), so files
 * stay readable and the sum of the changes is the level. */
static double round6(double x) { return round(x * 1e6) / 1e6; }

static tw_status build_table(const series sides[2], const concordance *c, wave_table *t,
                             tw_error *err)
{
    double weight[2][MAX_CODES], prev[2][N_GOODS], now[N_GOODS];
    tw_status st = TW_OK;
    for (int side = 0; side < 2 && st == TW_OK; side++) {
        for (size_t k = 0; k < c->n && st == TW_OK; k++)
            st = series_weight(&sides[side], tw_concordance_code(c->c, k), &weight[side][k], err);
        if (st == TW_OK)
            st = sector_rates(&sides[side], c, weight[side], reference_month, t->ref[side], err);
        for (int j = 0; j < N_GOODS; j++)
            prev[side][j] = 0;
    }
    for (size_t k = 0; k < N_STAGES && st == TW_OK; k++) {
        int side = stages[k].side;
        st = sector_rates(&sides[side], c, weight[side], stages[k].month, now, err);
        for (int j = 0; st == TW_OK && j < N_GOODS; j++) {
            /* the level above the reference month, floored at 0 (see the header) */
            double level = isnan(now[j]) ? 0 : round6(fmax(0, now[j] - t->ref[side][j]));
            t->change[k][j] = round6(level - prev[side][j]);
            prev[side][j] = level;
        }
    }
    return st;
}

/* Cumulative change of `side`'s tariffs after stages 0..last. */
static double cumulative(const wave_table *t, int side, size_t last, int j)
{
    double sum = 0;
    for (size_t k = 0; k <= last && k < N_STAGES; k++)
        if (stages[k].side == side)
            sum += t->change[k][j];
    return round6(sum);
}

static size_t stage_index(const char *id)
{
    for (size_t k = 0; k < N_STAGES; k++)
        if (strcmp(stages[k].id, id) == 0)
            return k;
    return 0; /* the ids above are constants: not reached */
}

static tw_status read_wave5(const char *data_dir, wave_table *t, tw_error *err)
{
    static const char *const files[2] = {"tariff_Trump.csv", "tariff_China.csv"};
    static const char *const cols[2] = {"trump_tariff_wave5", "China_tariff_wave5"};
    for (int side = 0; side < 2; side++) {
        char path[4200];
        tw_tariff_lines *l = NULL;
        tw_lines_columns lc = {NULL, "indcode", cols[side], NULL};
        tw_status st = snprintf(path, sizeof path, "%s/%s", data_dir, files[side]) <
                               (int)sizeof path
                           ? tw_tariff_lines_read(path, &lc, &l, err)
                           : data_error(err, "%s: path too long", data_dir);
        for (int j = 0; j < N_GOODS; j++)
            t->wave5[side][j] = NAN;
        for (size_t r = 0; st == TW_OK && r < tw_tariff_lines_count(l); r++) {
            size_t line;
            const char *text = tw_tariff_lines_code(l, r, &line);
            double code, v;
            st = tw_tariff_lines_row_rate(l, r, &v, err);
            if (st == TW_OK && (!cli_parse_double(text, &code) || code < 1 || code > N_GOODS ||
                                code != floor(code)))
                st = data_error(err, "%s:%zu: indcode %s is not a goods sector 1-%d", path, line,
                                text, N_GOODS);
            if (st == TW_OK)
                t->wave5[side][(int)code - 1] = v;
        }
        tw_tariff_lines_free(l);
        if (st != TW_OK)
            return st;
    }
    return TW_OK;
}

/* ---- writing ------------------------------------------------------------------ */

static const char *importer_of(int side) { return side == US ? "USA" : "CHN"; }
static const char *exporter_of(int side) { return side == US ? "CHN" : "USA"; }

static void header(FILE *f, const char *what)
{
    fprintf(f,
            "# %s\n"
            "# GENERATED by `tradewar waves` from data/us-china-tariffs (imports_by_naics.csv,\n"
            "# exports_by_naics.csv, naics3_to_sector.csv): do not edit; copy it to ask another\n"
            "# question. Tariff changes are trade-weighted averages of the NAICS3 codes of each\n"
            "# sector (2017 weights), measured from %s and added to the data's 2017 tariffs.\n"
            "# See docs/us-china.md and data/us-china-tariffs/README.md.\n",
            what, reference_month);
}

/* One `add` rule per sector whose tariff moves; `changes` of N_GOODS. */
static int tariff_rules(FILE *f, int side, const double *changes)
{
    int rules = 0;
    for (int j = 0; j < N_GOODS; j++) {
        if (changes[j] == 0)
            continue;
        fprintf(f, "      - tariff: {importer: %s, exporter: %s, sectors: %s, add: %.6f}\n",
                importer_of(side), exporter_of(side), goods[j], changes[j]);
        rules++;
    }
    return rules;
}

static void stage_head(FILE *f, const char *name, const char *date, const char *source)
{
    fprintf(f, "  - name: \"%s\"\n    date: \"%s\"\n", name, date);
    if (source)
        fprintf(f, "    # %s\n", source);
    fputs("    policies:\n", f);
}

static void end_policies(FILE *f, int rules)
{
    if (rules == 0)
        fputs("      []\n", f);
}

static void write_timeline(FILE *f, const wave_table *t, int which /* US, CN or 2: both */)
{
    static const char *const titles[3] = {"US Section 301 tariffs on China, 2018-20",
                                          "China's retaliatory tariffs on the US, 2018-20",
                                          "The US-China trade war, 2018-20: both sides"};
    header(f, titles[which]);
    fprintf(f, "name: \"%s\"\n", titles[which]);
    fputs(
        "description: >-\n  Each stage is cumulative (on top of the ones before). Dates are when\n"
        "  the step took effect; the comment under each names the month of the series used.\n"
        "stages:\n",
        f);
    for (size_t k = 0; k < N_STAGES; k++) {
        if (which != 2 && stages[k].side != which)
            continue;
        char src[96];
        snprintf(src, sizeof src, "%s, series month %s", stages[k].id, stages[k].month);
        stage_head(f, stages[k].name, stages[k].date, src);
        end_policies(f, tariff_rules(f, stages[k].side, t->change[k]));
    }
}

/* Both sides' cumulative changes after stage `last` as rules. */
static int state_rules(FILE *f, const wave_table *t, size_t last)
{
    double c[N_GOODS];
    int rules = 0;
    for (int side = 0; side < 2; side++) {
        for (int j = 0; j < N_GOODS; j++)
            c[j] = cumulative(t, side, last, j);
        rules += tariff_rules(f, side, c);
    }
    return rules;
}

static void write_first_answer(FILE *f, const wave_table *t)
{
    size_t before = stage_index(first_before), us = stage_index(first_us),
           cn = stage_index(first_cn);
    header(f, "The first question: US List 3 from 10% to 25% (May 2019)");
    fputs("#\n#   tradewar report scenarios/us-china/list3-25.yaml --output out/list3\n#\n"
          "# `tradewar report` compares the first stage (the tariffs in force before the\n"
          "# step) with each later stage. To ask another question, copy this file and edit\n"
          "# the later stages: e.g. `- tariff: {importer: USA, exporter: CHN, sectors:\n"
          "# computers, add: 0.10}`.\n",
          f);
    fputs("name: \"US List 3 from 10% to 25%\"\n"
          "description: >-\n"
          "  The US raises its tariff on $200 billion of Chinese goods (Section 301 List 3)\n"
          "  from 10% to 25% (May 2019), first alone, then with China's answer (June 2019).\n"
          "  The starting point is the tariffs of May 2019: the 2017 tariffs plus Lists 1, 2\n"
          "  and 3 at 10% and China's retaliation to date.\n"
          "stages:\n",
          f);
    stage_head(f, "Before: May 2019 (List 3 at 10%)", stages[before].date,
               "2017 tariffs plus every step up to cn-autos");
    end_policies(f, state_rules(f, t, before));
    stage_head(f, "List 3 at 25%, no retaliation", stages[us].date, "adds us-list3-25");
    end_policies(f, tariff_rules(f, US, t->change[us]));
    stage_head(f, "List 3 at 25% and China's retaliation", stages[cn].date, "adds cn-jun2019");
    end_policies(f, tariff_rules(f, CN, t->change[cn]));
}

static void subsidy_rule(FILE *f, const char *op, double value)
{
    fprintf(f, "      - subsidy: {country: CHN, sectors: industrial, %s: %g}\n", op, value);
}

static void subsidy_preamble(FILE *f, const char *name, const char *description)
{
    header(f, name);
    fputs("#\n#   tradewar report scenarios/us-china/subsidies.yaml\n#\n"
          "# The subsidy rate is an assumption for illustration (no data set gives it).\n",
          f);
    fprintf(f, "name: \"%s\"\ndescription: >-\n  %s\n", name, description);
    fprintf(f, "groups:\n  sectors:\n    industrial: %s\n", subsidy_sectors);
    fputs("stages:\n", f);
}

static void write_subsidies(FILE *f, const wave_table *t)
{
    char desc[512];
    snprintf(desc, sizeof desc,
             "Washington's demand that China drop its industrial subsidies. Status quo: China\n"
             "  pays an assumed %g%% production subsidy to computers, electrical equipment,\n"
             "  machinery and transport equipment. Each later stage is compared with it.",
             100 * subsidy_rate);
    subsidy_preamble(f, "China's industrial subsidies halved and removed", desc);
    stage_head(f, "Status quo: Chinese subsidies (assumed)", "", NULL);
    subsidy_rule(f, "set", subsidy_rate);
    stage_head(f, "Subsidies halved", "", NULL);
    subsidy_rule(f, "scale", 0.5);
    stage_head(f, "Subsidies removed", "", NULL);
    subsidy_rule(f, "set", 0);
    stage_head(f, "Subsidies removed, tariffs of February 2020", "2020-02-14",
               "adds both sides' tariffs after every stage");
    end_policies(f, state_rules(f, t, N_STAGES - 1));
    stage_head(f, "Subsidies kept, tariffs of February 2020", "2020-02-14", NULL);
    subsidy_rule(f, "set", subsidy_rate);
}

static void write_subsidies_introduced(FILE *f, const wave_table *t)
{
    char desc[512];
    snprintf(desc, sizeof desc,
             "China introduces a %g%% production subsidy for computers, electrical equipment,\n"
             "  machinery and transport equipment on the 2017 economy, alone and with the\n"
             "  tariffs of February 2020; then the tariffs alone.",
             100 * subsidy_rate);
    subsidy_preamble(f, "China's industrial subsidies introduced", desc);
    stage_head(f, "2017: no subsidies, no trade war", "", NULL);
    fputs("      []\n", f);
    stage_head(f, "Subsidies introduced", "", NULL);
    subsidy_rule(f, "set", subsidy_rate);
    stage_head(f, "Subsidies and tariffs of February 2020", "2020-02-14", NULL);
    end_policies(f, state_rules(f, t, N_STAGES - 1));
    stage_head(f, "Tariffs of February 2020 alone", "2020-02-14", NULL);
    subsidy_rule(f, "set", 0);
}

static void write_comparison(FILE *f, const wave_table *t)
{
    size_t w5 = stage_index(wave5_stage);
    fputs("# GENERATED by `tradewar waves`: the generated tariff increases (fractions, from "
          "2018-06) against the bundled wave-5 files; gap = generated - wave5\n",
          f);
    fputs("side,sector,wave5,generated_sep2019,generated_feb2020,gap_sep2019,gap_feb2020\n", f);
    for (int side = 0; side < 2; side++)
        for (int j = 0; j < N_GOODS; j++) {
            double a = cumulative(t, side, w5, j), b = cumulative(t, side, N_STAGES - 1, j);
            fprintf(f, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f\n", side == US ? "US_on_CHN" : "CHN_on_US",
                    goods[j], t->wave5[side][j], a, b, a - t->wave5[side][j],
                    b - t->wave5[side][j]);
        }
}

/* ---- all files or none --------------------------------------------------------- */

/* The files, written all or none by cli/outdir.c's batch writer. */
static int write_us(FILE *f, void *t)
{
    write_timeline(f, t, US);
    return 0;
}
static int write_cn(FILE *f, void *t)
{
    write_timeline(f, t, CN);
    return 0;
}
static int write_both(FILE *f, void *t)
{
    write_timeline(f, t, 2);
    return 0;
}
static int write_list3(FILE *f, void *t)
{
    write_first_answer(f, t);
    return 0;
}
static int write_subs(FILE *f, void *t)
{
    write_subsidies(f, t);
    return 0;
}
static int write_subs_introduced(FILE *f, void *t)
{
    write_subsidies_introduced(f, t);
    return 0;
}
static int write_wave5(FILE *f, void *t)
{
    write_comparison(f, t);
    return 0;
}

static const batch_file outputs[] = {
    {"waves-us.yaml", write_us},           {"waves-china.yaml", write_cn},
    {"waves-both.yaml", write_both},       {"list3-25.yaml", write_list3},
    {"subsidies.yaml", write_subs},        {"subsidies-introduced.yaml", write_subs_introduced},
    {"wave5-comparison.csv", write_wave5},
};
#define N_OUT (sizeof outputs / sizeof outputs[0])

static int write_all(const char *dir, wave_table *t)
{
    char why[600];
    /* like every --output: missing parents made (mkdir -p) */
    if (batch_write_files(dir, 1, outputs, N_OUT, t, why, sizeof why) != 0) {
        cli_error("%s (nothing written to %s)", why, dir);
        return CLI_FAILURE;
    }
    return CLI_OK;
}

/* ---- the command ------------------------------------------------------------------- */

/* <root>/SUB where <root> holds the bundled data (<root>/data/us-china-2017). */
static const char *beside_data(const char *data, const char *sub, char *buf, size_t size)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", data);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(tmp, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(tmp, sizeof tmp, "%s", up == 0 ? "." : "..");
    }
    snprintf(buf, size, "%s/%s", tmp, sub);
    return buf;
}

int cmd_waves(int argc, char **argv, int first, cli_ctx ctx)
{
    const char *tariffs = NULL, *output = NULL, *data = NULL;
    cli_args a;
    cli_args_init(&a, argc, argv, first, "waves");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_OPERAND)
            return cli_usage_error("waves", "unexpected argument '%s'", a.arg);
        if (cli_is(&a, "--help", "-h", 0)) {
            cmd_waves_help(stdout);
            return CLI_OK;
        }
        if (cli_common_option(&a, &ctx, &data)) {
            if (!data && strcmp(a.arg, "--data") == 0)
                return cli_bad_value(&a, "a directory");
        } else if (cli_is(&a, "--tariffs", NULL, 1) || cli_is(&a, "--output", NULL, 1)) {
            if (!a.value)
                return cli_bad_value(&a, "a directory");
            *(strncmp(a.arg, "--t", 3) == 0 ? &tariffs : &output) = a.value;
        } else
            return cli_usage_error("waves", "unknown option '%s'", a.arg);
    }
    char tariffs_buf[4200], out_buf[4200];
    char bundled[4096];
    cli_default_data(bundled, sizeof bundled);
    if (!data)
        data = bundled;
    if (!tariffs)
        tariffs = beside_data(bundled, "data/us-china-tariffs", tariffs_buf, sizeof tariffs_buf);
    if (!output)
        output = beside_data(bundled, "scenarios/us-china", out_buf, sizeof out_buf);

    tw_error err = {0};
    concordance conc = {0};
    series sides[2];
    memset(sides, 0, sizeof sides);
    wave_table *t = calloc(1, sizeof *t);
    if (!t) {
        cli_error("out of memory");
        return CLI_FAILURE;
    }
    cli_note(&ctx, 1, "reading %s", tariffs);
    tw_status st = read_concordance(tariffs, &conc, &err);
    if (st == TW_OK)
        st = read_series(tariffs, "imports_by_naics.csv", &sides[US], &err);
    if (st == TW_OK)
        st = read_series(tariffs, "exports_by_naics.csv", &sides[CN], &err);
    if (st == TW_OK)
        st = build_table(sides, &conc, t, &err);
    if (st == TW_OK)
        st = read_wave5(data, t, &err);
    int rc = st == TW_OK ? CLI_OK : cli_fail(&err, st);
    if (rc == CLI_OK) {
        rc = write_all(output, t);
        if (rc == CLI_OK)
            cli_note(&ctx, 1, "wrote %zu files into %s", N_OUT, output);
    }
    tw_tariff_lines_free(sides[US].lines);
    tw_tariff_lines_free(sides[CN].lines);
    tw_concordance_free(conc.c);
    free(t);
    return rc;
}
