/*
 * scenario_internal.h - a parsed scenario, shared by its reader and its
 * applier (internal).
 *
 * scenario_read.c parses the YAML document and checks its syntax (keys, types,
 * numbers, ranges, group cycles) into these plain structs, which keep every
 * name unresolved with its line, so options can be read before a model
 * exists. scenario_apply.c resolves codes and groups against a model and
 * applies the rules to a tw_policy. The format: docs/scenarios.md.
 */
#ifndef TW_SCENARIO_INTERNAL_H
#define TW_SCENARIO_INTERNAL_H

#include "internal.h"

typedef struct {
    char *text;
    int line;
} sc_name;

/* A selector (importer: [CAN, NAFTA]) or a group's member list. */
typedef struct {
    sc_name *v;
    size_t n;
    int line; /* 0: the key was absent */
} sc_list;

typedef struct {
    char *name;
    int line;
    sc_list members;
} sc_group;

typedef enum {
    RK_TARIFF,
    RK_EXPORT_TAX,
    RK_TRADE_COST,
    RK_SUBSIDY,
    RK_DEFICIT,
    RK_COUNT
} rule_kind;
typedef enum { OP_NONE, OP_SET, OP_ADD, OP_SCALE, OP_BAN, OP_FILE } rule_op;
typedef enum { FF_CSV, FF_CP1993 } file_format;

typedef struct {
    rule_kind kind;
    rule_op op;
    double value;
    int line;
    sc_list importer, exporter, country, sectors;
    char *file;         /* resolved against the scenario's directory */
    char *file_written; /* as written, for messages */
    file_format format;
} sc_rule;

typedef struct {
    char *name, *date;
    sc_rule *rules;
    size_t n;
} sc_stage;

enum {
    OPT_METHOD,
    OPT_TOL,
    OPT_MAX_ITER,
    OPT_DEPTH,
    OPT_DAMPING,
    OPT_FALLBACK,
    OPT_DEFICITS,
    OPT_COUNT
};

struct tw_scenario {
    char *path; /* as given: messages name it */
    char *dir;  /* base of relative from_file paths */
    char *name, *description;
    int has_opt[OPT_COUNT];
    tw_solver_options opt;
    tw_deficit_mode deficits;
    sc_group *groups[2]; /* 0 countries, 1 sectors */
    size_t ngroups[2];
    sc_stage *stages;
    size_t nstages;
    char *elasticities; /* options: elasticities (a file resolved against dir, or a set name) */
    double theta_scale, psi_scale; /* options: theta_scale, psi_scale (NaN: not given) */
};

enum { G_COUNTRY = 0, G_SECTOR = 1 };
static const char *const group_what[2] = {"country", "sector"};

static const char *const rule_names[RK_COUNT] = {"tariff", "export_tax", "trade_cost", "subsidy",
                                                 "deficit"};

/* Fill err with "scenario.yaml:LINE: message" (the scenario's path); returns code. */
tw_status tw__scenario_fail(const tw_scenario *sc, tw_error *err, tw_status code, int line,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The scenario's own group `name` of countries (G_COUNTRY) or sectors, or NULL. */
const sc_group *tw__scenario_group(const tw_scenario *sc, int g, const char *name);

#endif
