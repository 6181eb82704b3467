/*
 * io_scenario.c - scenario files: YAML rules that build a counterfactual policy.
 *
 * Two phases. tw_scenario_load() parses the YAML document and checks its
 * syntax (keys, types, numbers, ranges, group cycles) into plain structs that
 * keep every name unresolved with its line, so options can be read before a
 * model exists. tw_scenario_policy() resolves codes and groups against a
 * model and applies the rules. The format is documented in docs/scenarios.md.
 */
#include "internal.h"
#include "io_csv.h"
#include "io_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- the parsed scenario ------------------------------------------------ */

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

typedef enum { RK_TARIFF, RK_EXPORT_TAX, RK_TRADE_COST, RK_SUBSIDY, RK_DEFICIT, RK_COUNT } rule_kind;
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

enum { OPT_METHOD, OPT_TOL, OPT_MAX_ITER, OPT_DEPTH, OPT_DAMPING, OPT_FALLBACK, OPT_DEFICITS,
       OPT_COUNT };

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
    char *elasticities;              /* options: elasticities (a file resolved against dir, or a set name) */
    double theta_scale, psi_scale;   /* options: theta_scale, psi_scale (NaN: not given) */
};

enum { G_COUNTRY = 0, G_SECTOR = 1 };
static const char *const group_what[2] = {"country", "sector"};

static const char *const rule_names[RK_COUNT] = {"tariff", "export_tax", "trade_cost", "subsidy",
                                                 "deficit"};

/* The keys a rule may hold, by kind: a bit per key in rule_keys[]. */
enum { K_IMPORTER, K_EXPORTER, K_COUNTRY, K_SECTORS, K_SET, K_ADD, K_SCALE, K_BAN, K_FROM_FILE,
       K_FILE_FORMAT, K_COUNT };
static const char *const rule_keys[K_COUNT] = {"importer", "exporter", "country", "sectors",
                                               "set", "add", "scale", "ban", "from_file",
                                               "file_format"};
#define KB(k) (1u << (k))
#define BILATERAL_KEYS (KB(K_IMPORTER) | KB(K_EXPORTER) | KB(K_SECTORS))
static const unsigned allowed_keys[RK_COUNT] = {
    BILATERAL_KEYS | KB(K_SET) | KB(K_ADD) | KB(K_SCALE) | KB(K_FROM_FILE) | KB(K_FILE_FORMAT),
    BILATERAL_KEYS | KB(K_SET) | KB(K_ADD) | KB(K_SCALE),
    BILATERAL_KEYS | KB(K_SET) | KB(K_SCALE) | KB(K_BAN),
    KB(K_COUNTRY) | KB(K_SECTORS) | KB(K_SET) | KB(K_ADD) | KB(K_SCALE),
    KB(K_COUNTRY) | KB(K_SET) | KB(K_ADD) | KB(K_SCALE),
};

/* ---- freeing ----------------------------------------------------------- */

static void list_free(sc_list *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k].text);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void rule_free(sc_rule *r)
{
    list_free(&r->importer);
    list_free(&r->exporter);
    list_free(&r->country);
    list_free(&r->sectors);
    free(r->file);
    free(r->file_written);
}

void tw_scenario_free(tw_scenario *sc)
{
    if (!sc)
        return;
    for (int g = 0; g < 2; g++) {
        for (size_t k = 0; k < sc->ngroups[g]; k++) {
            free(sc->groups[g][k].name);
            list_free(&sc->groups[g][k].members);
        }
        free(sc->groups[g]);
    }
    for (size_t s = 0; s < sc->nstages; s++) {
        for (size_t k = 0; k < sc->stages[s].n; k++)
            rule_free(&sc->stages[s].rules[k]);
        free(sc->stages[s].rules);
        free(sc->stages[s].name);
        free(sc->stages[s].date);
    }
    free(sc->stages);
    free(sc->path);
    free(sc->dir);
    free(sc->elasticities);
    free(sc->name);
    free(sc->description);
    free(sc);
}

/* ---- parsing helpers --------------------------------------------------- */

typedef struct {
    yaml_document_t *doc;
    tw_scenario *sc;
    tw_error *err;
    size_t members, rules, files; /* counted against the TW_LIMIT_* budgets */
} parse_ctx;

static int node_line(const yaml_node_t *node) { return (int)node->start_mark.line + 1; }

static tw_status vfail_at(tw_error *err, tw_status code, const char *file, int line,
                          const char *fmt, va_list ap)
{
    char msg[TW_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return tw_fail(err, code, "%s:%d: %s", file, line, msg);
}

/* "scenario.yaml:LINE: message" */
static tw_status fail_line(const tw_scenario *sc, tw_error *err, tw_status code, int line,
                           const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static tw_status fail_line(const tw_scenario *sc, tw_error *err, tw_status code, int line,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tw_status st = vfail_at(err, code, sc->path, line, fmt, ap);
    va_end(ap);
    return st;
}

#define FAIL_AT(c, node, code, ...) fail_line((c)->sc, (c)->err, (code), node_line(node), __VA_ARGS__)
#define NOMEM(c) tw_fail((c)->err, TW_ERR_NOMEM, "out of memory reading %s", (c)->sc->path)

static yaml_node_t *get_node(parse_ctx *c, int id) { return yaml_document_get_node(c->doc, id); }

static const char *node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "a single value";
    }
}

/* The text of a scalar node, or an error naming `what` when it is not one. */
static tw_status scalar_text(parse_ctx *c, yaml_node_t *node, const char *what, const char **out)
{
    if (node->type != YAML_SCALAR_NODE)
        return FAIL_AT(c, node, TW_ERR_PARSE, "%s must be a single value, not %s", what,
                       node_kind(node));
    *out = (const char *)node->data.scalar.value;
    return TW_OK;
}

static tw_status scalar_dup(parse_ctx *c, yaml_node_t *node, const char *what, char **out)
{
    const char *text = NULL;
    tw_status st = scalar_text(c, node, what, &text);
    if (st != TW_OK)
        return st;
    free(*out);
    *out = strdup(text);
    return *out ? TW_OK : NOMEM(c);
}

static tw_status parse_number(parse_ctx *c, yaml_node_t *node, const char *what, double *out)
{
    const char *text = NULL;
    tw_status st = scalar_text(c, node, what, &text);
    if (st != TW_OK)
        return st;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        /* A common slip: percentages. Rates are fractions. */
        if (end != text && strcmp(end, "%") == 0)
            return FAIL_AT(c, node, TW_ERR_PARSE,
                           "bad number '%s' in %s: rates are fractions (write %g for %s)", text,
                           what, v / 100, text);
        return FAIL_AT(c, node, TW_ERR_PARSE, "bad number '%s' in %s", text, what);
    }
    *out = v;
    return TW_OK;
}

static tw_status parse_int(parse_ctx *c, yaml_node_t *node, const char *what, long lo, long hi,
                           int *out)
{
    const char *text = NULL;
    tw_status st = scalar_text(c, node, what, &text);
    if (st != TW_OK)
        return st;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        return FAIL_AT(c, node, TW_ERR_PARSE, "bad integer '%s' in %s", text, what);
    if (v < lo || v > hi)
        return FAIL_AT(c, node, TW_ERR_DATA, "%s %ld out of range (%ld to %ld)", what, v, lo, hi);
    *out = (int)v;
    return TW_OK;
}

static tw_status parse_bool(parse_ctx *c, yaml_node_t *node, const char *what, int *out)
{
    const char *text = NULL;
    tw_status st = scalar_text(c, node, what, &text);
    if (st != TW_OK)
        return st;
    if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0)
        *out = 1;
    else if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0)
        *out = 0;
    else
        return FAIL_AT(c, node, TW_ERR_PARSE, "bad value '%s' in %s (true or false)", text, what);
    return TW_OK;
}

/* Pick a word from a list: returns its index, or an error listing the choices. */
static tw_status parse_choice(parse_ctx *c, yaml_node_t *node, const char *what,
                              const char *const *words, const char *choices, int *out)
{
    const char *text = NULL;
    tw_status st = scalar_text(c, node, what, &text);
    if (st != TW_OK)
        return st;
    for (int k = 0; words[k]; k++)
        if (strcmp(text, words[k]) == 0) {
            *out = k;
            return TW_OK;
        }
    return FAIL_AT(c, node, TW_ERR_PARSE, "bad value '%s' in %s (%s)", text, what, choices);
}

typedef tw_status (*pair_fn)(parse_ctx *c, const char *key, yaml_node_t *knode,
                             yaml_node_t *value, void *data);

/* Visit every pair of a mapping in order; keys must be distinct scalars. */
static tw_status each_pair(parse_ctx *c, yaml_node_t *map, const char *what, pair_fn fn,
                           void *data)
{
    if (map->type != YAML_MAPPING_NODE)
        return FAIL_AT(c, map, TW_ERR_PARSE, "%s must be a mapping (key: value), not %s", what,
                       node_kind(map));
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = get_node(c, p->key), *v = get_node(c, p->value);
        const char *key = NULL;
        tw_status st = scalar_text(c, k, "a key", &key);
        if (st != TW_OK)
            return st;
        for (yaml_node_pair_t *q = start; q < p; q++)
            if (strcmp((const char *)get_node(c, q->key)->data.scalar.value, key) == 0)
                return FAIL_AT(c, k, TW_ERR_PARSE, "duplicate key '%s' in %s", key, what);
        st = fn(c, key, k, v, data);
        if (st != TW_OK)
            return st;
    }
    return TW_OK;
}

/* A code, a group name, `all`, or a list of those. */
static tw_status parse_list(parse_ctx *c, yaml_node_t *node, const char *what, sc_list *out)
{
    list_free(out);
    out->line = node_line(node);
    size_t count = 1;
    if (node->type == YAML_SEQUENCE_NODE)
        count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    else if (node->type != YAML_SCALAR_NODE)
        return FAIL_AT(c, node, TW_ERR_PARSE, "%s must be a name or a list of names, not %s",
                       what, node_kind(node));
    if (count == 0)
        return FAIL_AT(c, node, TW_ERR_DATA, "empty list in %s", what);
    out->v = tw_calloc(count, sizeof *out->v);
    if (!out->v)
        return NOMEM(c);
    for (size_t k = 0; k < count; k++) {
        yaml_node_t *item =
            node->type == YAML_SEQUENCE_NODE ? get_node(c, node->data.sequence.items.start[k]) : node;
        out->v[k].line = node_line(item);
        out->n = k + 1;
        tw_status st = scalar_dup(c, item, what, &out->v[k].text);
        if (st != TW_OK)
            return st;
        if (out->v[k].text[0] == '\0')
            return FAIL_AT(c, item, TW_ERR_DATA, "empty name in %s", what);
    }
    return TW_OK;
}

/* ---- options ----------------------------------------------------------- */

static char *join_path(const char *dir, const char *file);

static tw_status option_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v,
                             void *data)
{
    (void)data;
    tw_scenario *sc = c->sc;
    static const char *const methods[] = {"anderson", "newton", NULL};
    static const char *const deficit_modes[] = {"fixed", "balanced", NULL};
    tw_status st;
    int choice = 0;
    if (strcmp(key, "deficits") == 0) {
        st = parse_choice(c, v, key, deficit_modes, "fixed or balanced", &choice);
        sc->deficits = choice ? TW_DEFICIT_BALANCED : TW_DEFICIT_FIXED;
        sc->has_opt[OPT_DEFICITS] = 1;
    } else if (strcmp(key, "method") == 0) {
        st = parse_choice(c, v, key, methods, "anderson or newton", &choice);
        sc->opt.method = choice ? TW_METHOD_NEWTON_KRYLOV : TW_METHOD_ANDERSON;
        sc->has_opt[OPT_METHOD] = 1;
    } else if (strcmp(key, "tol") == 0) {
        st = parse_number(c, v, key, &sc->opt.tol);
        if (st == TW_OK && !(sc->opt.tol > 0))
            st = FAIL_AT(c, v, TW_ERR_DATA, "tol must be positive, not %g", sc->opt.tol);
        sc->has_opt[OPT_TOL] = 1;
    } else if (strcmp(key, "max_iter") == 0) {
        st = parse_int(c, v, key, 1, 100000000, &sc->opt.max_iter);
        sc->has_opt[OPT_MAX_ITER] = 1;
    } else if (strcmp(key, "anderson_depth") == 0) {
        st = parse_int(c, v, key, 0, 1000, &sc->opt.anderson_depth);
        sc->has_opt[OPT_DEPTH] = 1;
    } else if (strcmp(key, "damping") == 0) {
        st = parse_number(c, v, key, &sc->opt.damping);
        if (st == TW_OK && !(sc->opt.damping > 0 && sc->opt.damping <= 1))
            st = FAIL_AT(c, v, TW_ERR_DATA, "damping must be in (0, 1], not %g", sc->opt.damping);
        sc->has_opt[OPT_DAMPING] = 1;
    } else if (strcmp(key, "fallback") == 0) {
        st = parse_bool(c, v, key, &sc->opt.fallback);
        sc->has_opt[OPT_FALLBACK] = 1;
    } else if (strcmp(key, "theta_scale") == 0 || strcmp(key, "psi_scale") == 0) {
        int is_theta = key[0] == 't';
        double x = NAN;
        st = parse_number(c, v, key, &x);
        if (st == TW_OK && (is_theta ? !(x > 0) : !(x >= 0)))
            st = FAIL_AT(c, v, TW_ERR_DATA, "%s must be %s, not %g", key,
                         is_theta ? "positive" : "0 or more", x);
        *(is_theta ? &sc->theta_scale : &sc->psi_scale) = x;
    } else if (strcmp(key, "elasticities") == 0) {
        char *text = NULL;
        st = scalar_dup(c, v, key, &text);
        if (st == TW_OK && !text[0])
            st = FAIL_AT(c, v, TW_ERR_DATA, "elasticities: empty file or set name");
        if (st == TW_OK) {
            /* a set name has no '.' or '/'; anything else is a file next to the scenario */
            free(sc->elasticities);
            sc->elasticities = strpbrk(text, "./") ? join_path(sc->dir, text) : strdup(text);
            if (!sc->elasticities)
                st = NOMEM(c);
        }
        free(text);
    } else {
        st = FAIL_AT(c, k, TW_ERR_PARSE,
                     "unknown key '%s' in options (deficits, method, tol, max_iter, "
                     "anderson_depth, damping, fallback, elasticities, theta_scale, psi_scale)",
                     key);
    }
    return st;
}

void tw_scenario_apply_options(const tw_scenario *sc, tw_solver_options *opt,
                               tw_deficit_mode *deficits)
{
    if (!sc)
        return;
    if (opt) {
        if (sc->has_opt[OPT_METHOD])
            opt->method = sc->opt.method;
        if (sc->has_opt[OPT_TOL])
            opt->tol = sc->opt.tol;
        if (sc->has_opt[OPT_MAX_ITER])
            opt->max_iter = sc->opt.max_iter;
        if (sc->has_opt[OPT_DEPTH])
            opt->anderson_depth = sc->opt.anderson_depth;
        if (sc->has_opt[OPT_DAMPING])
            opt->damping = sc->opt.damping;
        if (sc->has_opt[OPT_FALLBACK])
            opt->fallback = sc->opt.fallback;
    }
    if (deficits && sc->has_opt[OPT_DEFICITS])
        *deficits = sc->deficits;
}

void tw_scenario_elasticity_options(const tw_scenario *sc, const char **elasticities,
                                    double *theta_scale, double *psi_scale)
{
    if (elasticities)
        *elasticities = sc ? sc->elasticities : NULL;
    if (theta_scale)
        *theta_scale = sc ? sc->theta_scale : NAN;
    if (psi_scale)
        *psi_scale = sc ? sc->psi_scale : NAN;
}

/* ---- groups ------------------------------------------------------------ */

static tw_status group_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v,
                            void *data)
{
    int g = *(int *)data;
    tw_scenario *sc = c->sc;
    if (strcmp(key, "all") == 0)
        return FAIL_AT(c, k, TW_ERR_DATA, "'all' is reserved and cannot name a group");
    if (sc->ngroups[G_COUNTRY] + sc->ngroups[G_SECTOR] >= TW_LIMIT_GROUPS)
        return FAIL_AT(c, k, TW_ERR_DATA, "more than %d groups (TW_LIMIT_GROUPS)",
                       TW_LIMIT_GROUPS);
    sc_group *grown = realloc(sc->groups[g], (sc->ngroups[g] + 1) * sizeof *grown);
    if (!grown)
        return NOMEM(c);
    sc->groups[g] = grown;
    sc_group *grp = &grown[sc->ngroups[g]++];
    memset(grp, 0, sizeof *grp);
    grp->line = node_line(k);
    grp->name = strdup(key);
    if (!grp->name)
        return NOMEM(c);
    char what[80];
    snprintf(what, sizeof what, "group %s", key);
    tw_status st = parse_list(c, v, what, &grp->members);
    c->members += grp->members.n;
    if (st == TW_OK && c->members > TW_LIMIT_GROUP_MEMBERS)
        st = FAIL_AT(c, v, TW_ERR_DATA, "more than %d group members in all groups "
                     "(TW_LIMIT_GROUP_MEMBERS)", TW_LIMIT_GROUP_MEMBERS);
    return st;
}

static const sc_group *find_group(const tw_scenario *sc, int g, const char *name)
{
    for (size_t k = 0; k < sc->ngroups[g]; k++)
        if (strcmp(sc->groups[g][k].name, name) == 0)
            return &sc->groups[g][k];
    return NULL;
}

/* Groups may nest this deep: enough for any real use, and it bounds the
 * recursion here and in mark_list() whatever the file holds. */
#define GROUP_DEPTH_MAX 32

/* Depth-first walk from group `k`; state 1 = on the path, 2 = done. */
static tw_status check_cycle(parse_ctx *c, int g, size_t k, unsigned char *state, int depth)
{
    const sc_group *grp = &c->sc->groups[g][k];
    if (depth > GROUP_DEPTH_MAX)
        return fail_line(c->sc, c->err, TW_ERR_DATA, grp->line,
                         "%s groups nest more than %d deep", group_what[g], GROUP_DEPTH_MAX);
    state[k] = 1;
    for (size_t m = 0; m < grp->members.n; m++) {
        const sc_group *sub = find_group(c->sc, g, grp->members.v[m].text);
        if (!sub)
            continue;
        size_t s = (size_t)(sub - c->sc->groups[g]);
        if (state[s] == 1)
            return fail_line(c->sc, c->err, TW_ERR_DATA, grp->members.v[m].line,
                             "group cycle: %s group %s contains %s, which contains it", group_what[g],
                             grp->name, sub->name);
        if (state[s] == 0) {
            tw_status st = check_cycle(c, g, s, state, depth + 1);
            if (st != TW_OK)
                return st;
        }
    }
    state[k] = 2;
    return TW_OK;
}

static tw_status groups_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v,
                             void *data)
{
    (void)data;
    int g;
    if (strcmp(key, "countries") == 0)
        g = G_COUNTRY;
    else if (strcmp(key, "sectors") == 0)
        g = G_SECTOR;
    else
        return FAIL_AT(c, k, TW_ERR_PARSE, "unknown key '%s' in groups (countries, sectors)", key);
    tw_status st = each_pair(c, v, key, group_pair, &g);
    if (st != TW_OK)
        return st;
    unsigned char *state = tw_calloc(c->sc->ngroups[g], 1);
    if (!state)
        return NOMEM(c);
    for (size_t n = 0; n < c->sc->ngroups[g] && st == TW_OK; n++)
        if (state[n] == 0)
            st = check_cycle(c, g, n, state, 0);
    free(state);
    return st;
}

/* ---- rules ------------------------------------------------------------- */

typedef struct {
    sc_rule *r;
    unsigned seen;
    int nops;
    int format_line;
} rule_build;

static char *join_path(const char *dir, const char *file)
{
    if (file[0] == '/' || dir[0] == '\0')
        return strdup(file);
    size_t len = strlen(dir) + strlen(file) + 2;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s/%s", dir, file);
    return out;
}

/* Checks of an operation's value that need no model. */
static tw_status check_op_value(parse_ctx *c, yaml_node_t *v, const sc_rule *r, const char *key)
{
    double x = r->value;
    int rate = r->kind == RK_TARIFF || r->kind == RK_EXPORT_TAX || r->kind == RK_SUBSIDY;
    if (rate && r->op == OP_SET && !(x > -1))
        return FAIL_AT(c, v, TW_ERR_DATA, "%s %g: a rate must be greater than -1", key, x);
    if (rate && r->op == OP_SCALE && x < 0)
        return FAIL_AT(c, v, TW_ERR_DATA, "scale %g must not be negative", x);
    if (r->kind == RK_TRADE_COST && !(x > 0))
        return FAIL_AT(c, v, TW_ERR_DATA,
                       "trade_cost %s %g must be positive (use ban: true to prohibit trade)", key,
                       x);
    return TW_OK;
}

static tw_status rule_op_pair(parse_ctx *c, rule_build *b, int key, yaml_node_t *v)
{
    sc_rule *r = b->r;
    b->nops++;
    if (key == K_BAN) {
        int ban;
        tw_status st = parse_bool(c, v, "ban", &ban);
        if (st != TW_OK)
            return st;
        if (!ban)
            return FAIL_AT(c, v, TW_ERR_DATA, "ban: false does nothing; remove the rule");
        r->op = OP_BAN;
        r->value = INFINITY;
        return TW_OK;
    }
    if (key == K_FROM_FILE) {
        r->op = OP_FILE;
        tw_status st = scalar_dup(c, v, "from_file", &r->file_written);
        if (st != TW_OK)
            return st;
        if (r->file_written[0] == '\0')
            return FAIL_AT(c, v, TW_ERR_DATA, "empty file name in from_file");
        if (++c->files > TW_LIMIT_FILES)
            return FAIL_AT(c, v, TW_ERR_DATA, "more than %d from_file rules (TW_LIMIT_FILES)",
                           TW_LIMIT_FILES);
        r->file = join_path(c->sc->dir, r->file_written);
        return r->file ? TW_OK : NOMEM(c);
    }
    r->op = key == K_SET ? OP_SET : key == K_ADD ? OP_ADD : OP_SCALE;
    tw_status st = parse_number(c, v, rule_keys[key], &r->value);
    return st != TW_OK ? st : check_op_value(c, v, r, rule_keys[key]);
}

static tw_status rule_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v,
                           void *data)
{
    rule_build *b = data;
    sc_rule *r = b->r;
    int kk = 0;
    while (kk < K_COUNT && strcmp(rule_keys[kk], key) != 0)
        kk++;
    if (kk == K_COUNT || !(allowed_keys[r->kind] & KB(kk)))
        return FAIL_AT(c, k, TW_ERR_PARSE, "unknown key '%s' in %s", key, rule_names[r->kind]);
    b->seen |= KB(kk);
    switch (kk) {
    case K_IMPORTER:
        return parse_list(c, v, key, &r->importer);
    case K_EXPORTER:
        return parse_list(c, v, key, &r->exporter);
    case K_COUNTRY:
        return parse_list(c, v, key, &r->country);
    case K_SECTORS:
        return parse_list(c, v, key, &r->sectors);
    case K_FILE_FORMAT: {
        static const char *const formats[] = {"csv", "cp1993", NULL};
        int f = 0;
        b->format_line = node_line(v);
        tw_status st = parse_choice(c, v, key, formats, "csv or cp1993", &f);
        r->format = f ? FF_CP1993 : FF_CSV;
        return st;
    }
    default:
        return rule_op_pair(c, b, kk, v);
    }
}

/* What a complete rule must have: one operation and its countries. */
static tw_status check_rule(parse_ctx *c, yaml_node_t *node, rule_build *b)
{
    const sc_rule *r = b->r;
    const char *kind = rule_names[r->kind];
    if (b->nops == 0)
        return FAIL_AT(c, node, TW_ERR_DATA, "empty %s rule: give one of %s", kind,
                       r->kind == RK_TARIFF       ? "set, add, scale or from_file"
                       : r->kind == RK_TRADE_COST ? "set, scale or ban"
                                                  : "set, add or scale");
    if (b->nops > 1)
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule has more than one of set, add, scale, ban, "
                       "from_file: give one per rule", kind);
    if ((b->seen & KB(K_FILE_FORMAT)) && r->op != OP_FILE)
        return fail_line(c->sc, c->err, TW_ERR_DATA, b->format_line,
                         "file_format without from_file");
    int bilateral = allowed_keys[r->kind] & KB(K_IMPORTER);
    if (bilateral && !(b->seen & KB(K_IMPORTER)))
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule needs an importer (a code, group or all)", kind);
    if (bilateral && !(b->seen & KB(K_EXPORTER)))
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule needs an exporter (a code, group or all)", kind);
    if (!bilateral && !(b->seen & KB(K_COUNTRY)))
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule needs a country (a code, group or all)", kind);
    return TW_OK;
}

/* One item of a policies list: {tariff: {...}}. */
static tw_status parse_rule(parse_ctx *c, yaml_node_t *item, sc_rule *r)
{
    if (item->type != YAML_MAPPING_NODE ||
        item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
        return FAIL_AT(c, item, TW_ERR_PARSE,
                       "each policy must be one rule such as 'tariff: {...}' "
                       "(tariff, export_tax, trade_cost, subsidy, deficit)");
    yaml_node_t *k = get_node(c, item->data.mapping.pairs.start->key);
    yaml_node_t *v = get_node(c, item->data.mapping.pairs.start->value);
    const char *kind = NULL;
    tw_status st = scalar_text(c, k, "a rule kind", &kind);
    if (st != TW_OK)
        return st;
    int rk = 0;
    while (rk < RK_COUNT && strcmp(rule_names[rk], kind) != 0)
        rk++;
    if (rk == RK_COUNT)
        return FAIL_AT(c, k, TW_ERR_PARSE,
                       "unknown rule '%s' (tariff, export_tax, trade_cost, subsidy, deficit)",
                       kind);
    r->kind = (rule_kind)rk;
    r->line = node_line(k);
    rule_build b = {r, 0, 0, 0};
    st = each_pair(c, v, kind, rule_pair, &b);
    return st != TW_OK ? st : check_rule(c, k, &b);
}

/* A policies list; `policies: []` is a deliberate no-change stage. */
static tw_status parse_policies(parse_ctx *c, yaml_node_t *node, sc_stage *stage)
{
    if (node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0)
        return FAIL_AT(c, node, TW_ERR_DATA,
                       "policies is empty: write 'policies: []' for a deliberate no-change "
                       "scenario");
    if (node->type != YAML_SEQUENCE_NODE)
        return FAIL_AT(c, node, TW_ERR_PARSE, "policies must be a list of rules, not %s",
                       node_kind(node));
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    c->rules += count;
    if (c->rules > TW_LIMIT_RULES)
        return FAIL_AT(c, node, TW_ERR_DATA, "more than %d rules in all stages (TW_LIMIT_RULES)",
                       TW_LIMIT_RULES);
    stage->rules = tw_calloc(count ? count : 1, sizeof *stage->rules);
    if (!stage->rules)
        return NOMEM(c);
    for (size_t k = 0; k < count; k++) {
        stage->n = k + 1;
        tw_status st = parse_rule(c, get_node(c, node->data.sequence.items.start[k]),
                                  &stage->rules[k]);
        if (st != TW_OK)
            return st;
    }
    return TW_OK;
}

/* ---- stages and the top level ------------------------------------------ */

static tw_status stage_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v,
                            void *data)
{
    sc_stage *stage = data;
    if (strcmp(key, "name") == 0)
        return scalar_dup(c, v, key, &stage->name);
    if (strcmp(key, "date") == 0)
        return scalar_dup(c, v, key, &stage->date);
    if (strcmp(key, "policies") == 0)
        return parse_policies(c, v, stage);
    return FAIL_AT(c, k, TW_ERR_PARSE, "unknown key '%s' in a stage (name, date, policies)", key);
}

static tw_status parse_stages(parse_ctx *c, yaml_node_t *node)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return FAIL_AT(c, node, TW_ERR_PARSE, "stages must be a list, not %s", node_kind(node));
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (count == 0)
        return FAIL_AT(c, node, TW_ERR_DATA, "stages is an empty list");
    if (count > TW_LIMIT_STAGES)
        return FAIL_AT(c, node, TW_ERR_DATA, "%zu stages, more than %d (TW_LIMIT_STAGES)", count,
                       TW_LIMIT_STAGES);
    c->sc->stages = tw_calloc(count, sizeof *c->sc->stages);
    if (!c->sc->stages)
        return NOMEM(c);
    for (size_t s = 0; s < count; s++) {
        sc_stage *stage = &c->sc->stages[s];
        c->sc->nstages = s + 1;
        yaml_node_t *item = get_node(c, node->data.sequence.items.start[s]);
        tw_status st = each_pair(c, item, "a stage", stage_pair, stage);
        if (st != TW_OK)
            return st;
        if (!stage->rules)
            return FAIL_AT(c, item, TW_ERR_DATA,
                           "stage has no policies (write 'policies: []' for none)");
    }
    return TW_OK;
}

typedef struct {
    yaml_node_t *policies, *stages;
} top_nodes;

static tw_status top_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v,
                          void *data)
{
    top_nodes *top = data;
    if (strcmp(key, "name") == 0)
        return scalar_dup(c, v, key, &c->sc->name);
    if (strcmp(key, "description") == 0)
        return scalar_dup(c, v, key, &c->sc->description);
    if (strcmp(key, "options") == 0)
        return each_pair(c, v, key, option_pair, NULL);
    if (strcmp(key, "groups") == 0)
        return each_pair(c, v, key, groups_pair, NULL);
    /* Rules are parsed after the whole mapping, whatever the key order. */
    if (strcmp(key, "policies") == 0)
        top->policies = v;
    else if (strcmp(key, "stages") == 0)
        top->stages = v;
    else
        return FAIL_AT(c, k, TW_ERR_PARSE,
                       "unknown key '%s' (name, description, options, groups, policies, stages)",
                       key);
    return TW_OK;
}

static tw_status parse_root(parse_ctx *c, yaml_node_t *root)
{
    top_nodes top = {NULL, NULL};
    tw_status st = each_pair(c, root, "a scenario", top_pair, &top);
    if (st != TW_OK)
        return st;
    if (top.policies && top.stages)
        return FAIL_AT(c, top.stages, TW_ERR_PARSE, "give either policies or stages, not both");
    if (!top.policies && !top.stages)
        return FAIL_AT(c, root, TW_ERR_DATA,
                       "no policies or stages (write 'policies: []' for a no-change scenario)");
    if (top.stages)
        return parse_stages(c, top.stages);
    c->sc->stages = tw_calloc(1, sizeof *c->sc->stages);
    if (!c->sc->stages)
        return NOMEM(c);
    c->sc->nstages = 1;
    return parse_policies(c, top.policies, &c->sc->stages[0]);
}

/* Defaults that depend on the file name, once everything parsed. */
static tw_status fill_defaults(tw_scenario *sc, tw_error *err)
{
    if (!sc->name) {
        const char *base = strrchr(sc->path, '/');
        sc->name = strdup(base ? base + 1 : sc->path);
        if (sc->name && strrchr(sc->name, '.') && strrchr(sc->name, '.') != sc->name)
            *strrchr(sc->name, '.') = '\0';
    }
    if (!sc->description)
        sc->description = strdup("");
    for (size_t s = 0; s < sc->nstages && sc->name; s++) {
        sc_stage *stage = &sc->stages[s];
        if (!stage->name) {
            char buf[32];
            snprintf(buf, sizeof buf, "stage %zu", s + 1);
            stage->name = strdup(sc->nstages == 1 ? sc->name : buf);
        }
        if (!stage->date)
            stage->date = strdup("");
        if (!stage->name || !stage->date)
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    if (!sc->name || !sc->description)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    return TW_OK;
}

static tw_scenario *scenario_new(const char *name)
{
    tw_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->path = strdup(name);
    const char *slash = strrchr(name, '/');
    size_t dirlen = slash ? (size_t)(slash - name) : 0;
    sc->dir = malloc(dirlen + 2);
    if (!sc->path || !sc->dir) {
        tw_scenario_free(sc);
        return NULL;
    }
    /* "/x.yaml" lives in "/"; "x.yaml" in the current directory (""). */
    sc->theta_scale = sc->psi_scale = NAN;
    if (slash && dirlen == 0)
        strcpy(sc->dir, "/");
    else
        snprintf(sc->dir, dirlen + 1, "%s", name);
    return sc;
}

static tw_status load_document(tw_scenario *sc, const char *text, size_t len, tw_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    tw_status pre = tw_yaml_precheck(sc->path, text, len, err);
    if (pre != TW_OK)
        return pre;
    if (!yaml_parser_initialize(&parser))
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    tw_status st = TW_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        /* libyaml notices a problem where it gets stuck; the context says where
         * the unfinished construct began, which is usually the line to fix. */
        char context[160] = "";
        if (parser.context)
            snprintf(context, sizeof context, " (%s that starts on line %d)", parser.context,
                     (int)parser.context_mark.line + 1);
        st = tw_fail(err, TW_ERR_PARSE, "%s:%d: malformed YAML: %s%s", sc->path,
                     (int)parser.problem_mark.line + 1, parser.problem ? parser.problem : "error",
                     context);
        yaml_parser_delete(&parser);
        return st;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    parse_ctx c = {&doc, sc, err, 0, 0, 0};
    if (!root)
        st = tw_fail(err, TW_ERR_PARSE, "%s:1: empty scenario file", sc->path);
    else
        st = parse_root(&c, root);
    yaml_document_delete(&doc);
    if (st == TW_OK) {
        /* A second document is almost surely a mistake (a stray '---'). */
        if (!yaml_parser_load(&parser, &doc))
            st = tw_fail(err, TW_ERR_PARSE, "%s:%d: malformed YAML: %s", sc->path,
                         (int)parser.problem_mark.line + 1,
                         parser.problem ? parser.problem : "error");
        else {
            if (yaml_document_get_root_node(&doc))
                st = tw_fail(err, TW_ERR_PARSE, "%s:%d: more than one YAML document", sc->path,
                             (int)doc.start_mark.line + 1);
            yaml_document_delete(&doc);
        }
    }
    yaml_parser_delete(&parser);
    return st;
}

tw_status tw_scenario_parse(const char *text, size_t len, const char *name, tw_scenario **out,
                            tw_error *err)
{
    if (!out || (!text && len))
        return tw_fail(err, TW_ERR_INVALID, "tw_scenario_parse: bad arguments");
    *out = NULL;
    tw_scenario *sc = scenario_new(name && *name ? name : "<scenario>");
    if (!sc)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_solver_options_default(&sc->opt);
    tw_status st = load_document(sc, text ? text : "", len, err);
    if (st == TW_OK)
        st = fill_defaults(sc, err);
    if (st != TW_OK) {
        tw_scenario_free(sc);
        return st;
    }
    *out = sc;
    return TW_OK;
}

tw_status tw_scenario_load(const char *path, tw_scenario **out, tw_error *err)
{
    if (!path || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_scenario_load: bad arguments");
    *out = NULL;
    char *text;
    size_t len;
    tw_status st = tw_read_text(path, TW_LIMIT_SCENARIO_BYTES, "a scenario file", &text, &len, err);
    if (st != TW_OK)
        return st;
    st = tw_scenario_parse(text, len, path, out, err);
    free(text);
    return st;
}

const char *tw_scenario_name(const tw_scenario *sc) { return sc ? sc->name : NULL; }
const char *tw_scenario_description(const tw_scenario *sc) { return sc ? sc->description : NULL; }
size_t tw_scenario_stage_count(const tw_scenario *sc) { return sc ? sc->nstages : 0; }
const char *tw_scenario_stage_name(const tw_scenario *sc, size_t k)
{
    return (sc && k < sc->nstages) ? sc->stages[k].name : NULL;
}
const char *tw_scenario_stage_date(const tw_scenario *sc, size_t k)
{
    return (sc && k < sc->nstages) ? sc->stages[k].date : NULL;
}

/* ======================================================================== */
/* Applying a scenario to a model                                           */
/* ======================================================================== */

typedef struct {
    const tw_scenario *sc;
    const tw_model *m;
    tw_policy *p;
    tw_error *err;
    size_t visits;         /* names visited resolving selectors: TW_LIMIT_GROUP_VISITS */
    unsigned char *seen;   /* groups already expanded in the current selector */
} apply_ctx;

#define AFAIL(a, line, code, ...) fail_line((a)->sc, (a)->err, (code), (line), __VA_ARGS__)

static long find_code(const tw_model *m, int g, const char *code)
{
    return g == G_COUNTRY ? tw_model_find_country(m, code) : tw_model_find_sector(m, code);
}

/* Mark every country (g = G_COUNTRY) or sector named by `list` in `mark`.
 * Groups nest; load() has ruled out cycles, so the recursion ends. */
static tw_status mark_list(apply_ctx *a, int g, const sc_list *list, const char *where,
                           unsigned char *mark, size_t count)
{
    for (size_t k = 0; k < list->n; k++) {
        const char *name = list->v[k].text;
        if (++a->visits > TW_LIMIT_GROUP_VISITS)
            return AFAIL(a, list->v[k].line, TW_ERR_DATA,
                         "expanding groups visits more than %d names in all (TW_LIMIT_GROUP_VISITS)",
                         TW_LIMIT_GROUP_VISITS);
        if (strcmp(name, "all") == 0) {
            memset(mark, 1, count);
            continue;
        }
        const sc_group *grp = find_group(a->sc, g, name);
        if (grp) {
            /* each group once per selector: a group named many times, many
             * levels deep, must not expand exponentially */
            size_t gi = (size_t)(grp - a->sc->groups[g]);
            if (a->seen[gi])
                continue;
            a->seen[gi] = 1;
            char what[80];
            snprintf(what, sizeof what, "group %s", grp->name);
            tw_status st = mark_list(a, g, &grp->members, what, mark, count);
            if (st != TW_OK)
                return st;
            continue;
        }
        /* the data's own groups (goods, services, a manifest's groups:) */
        long dg = tw_model_find_group(a->m, g, name);
        if (dg >= 0) {
            const size_t *mem;
            size_t nm = tw_model_group_members(a->m, g, (size_t)dg, &mem);
            for (size_t x = 0; x < nm; x++)
                mark[mem[x]] = 1;
            continue;
        }
        /* FIRST..LAST: codes in the data's order */
        size_t lo, hi;
        int range = tw__code_range(a->m, g, name, &lo, &hi);
        if (range < 0)
            return AFAIL(a, list->v[k].line, TW_ERR_UNKNOWN_NAME,
                         "bad range '%s' in %s: FIRST..LAST with %s codes of the data, FIRST "
                         "not after LAST",
                         name, where, group_what[g]);
        if (range > 0) {
            for (size_t x = lo; x <= hi; x++)
                mark[x] = 1;
            continue;
        }
        long idx = find_code(a->m, g, name);
        if (idx < 0)
            return AFAIL(a, list->v[k].line, TW_ERR_UNKNOWN_NAME, "unknown %s '%s' in %s",
                         group_what[g], name, where);
        mark[idx] = 1;
    }
    return TW_OK;
}

/* A selector; an absent `sectors` means all sectors. */
static tw_status resolve(apply_ctx *a, int g, const sc_list *list, const char *where,
                         unsigned char *mark, size_t count)
{
    memset(mark, 0, count);
    if (list->line == 0) {
        memset(mark, 1, count);
        return TW_OK;
    }
    a->seen = tw_calloc(a->sc->ngroups[g] + 1, 1);
    if (!a->seen)
        return tw_fail(a->err, TW_ERR_NOMEM, "out of memory");
    tw_status st = mark_list(a, g, list, where, mark, count);
    free(a->seen);
    a->seen = NULL;
    return st;
}

/* A group must not hide a code of the model: "USA" would mean two things. */
static tw_status check_group_names(apply_ctx *a)
{
    for (int g = 0; g < 2; g++)
        for (size_t k = 0; k < a->sc->ngroups[g]; k++)
            if (find_code(a->m, g, a->sc->groups[g][k].name) >= 0)
                return AFAIL(a, a->sc->groups[g][k].line, TW_ERR_DATA,
                             "group '%s' has the name of a %s code of the data",
                             a->sc->groups[g][k].name, group_what[g]);
    return TW_OK;
}

static double apply_op(const sc_rule *r, double current, double file_value)
{
    switch (r->op) {
    case OP_SET:
    case OP_BAN:
        return r->value;
    case OP_ADD:
        return current + r->value;
    case OP_SCALE:
        return current * r->value;
    case OP_FILE:
        return file_value;
    default:
        return NAN;
    }
}

/* ---- values from a file ------------------------------------------------ */

/* Per-cell values read for a from_file rule; line[x] > 0 where the file set cell x. */
typedef struct {
    double *value;
    int *line;
} file_values;

static void file_values_free(file_values *fv)
{
    free(fv->value);
    free(fv->line);
}

/* Split a CSV line in place on commas, trimming blanks and surrounding quotes.
 * Codes and numbers never contain commas, so quoting need not nest. */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *end = strchr(p, ',');
        if (end)
            *end = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len > 0 && strchr(" \t\r\n", p[len - 1]))
            p[--len] = '\0';
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        fields[n++] = p;
        if (!end)
            break;
        p = end + 1;
    }
    return n;
}

typedef struct {
    apply_ctx *a;
    const sc_rule *r;
    file_values *fv;
    int col[4]; /* column of exporter, importer, sector, rate */
} csv_reader;

static const char *const csv_columns[4] = {"exporter", "importer", "sector", "rate"};

static tw_status csv_header(csv_reader *cr, char **f, size_t nf, int line)
{
    for (int c = 0; c < 4; c++) {
        cr->col[c] = -1;
        for (size_t k = 0; k < nf; k++)
            if (strcmp(f[k], csv_columns[c]) == 0)
                cr->col[c] = (int)k;
        if (cr->col[c] < 0)
            return tw_fail(cr->a->err, TW_ERR_PARSE,
                           "%s:%d: no column '%s' (the header must name exporter, importer, "
                           "sector, rate; from_file at %s:%d)",
                           cr->r->file_written, line, csv_columns[c], cr->a->sc->path, cr->r->line);
    }
    return TW_OK;
}

static tw_status csv_row(csv_reader *cr, char **f, size_t nf, int line)
{
    const tw_model *m = cr->a->m;
    const char *file = cr->r->file_written;
    for (int c = 0; c < 4; c++)
        if (cr->col[c] >= (int)nf)
            return tw_fail(cr->a->err, TW_ERR_PARSE, "%s:%d: %zu fields, expected at least %d",
                           file, line, nf, cr->col[c] + 1);
    const char *ex = f[cr->col[0]], *im = f[cr->col[1]], *se = f[cr->col[2]], *ra = f[cr->col[3]];
    long i = tw_model_find_country(m, ex), n = tw_model_find_country(m, im);
    long j = tw_model_find_sector(m, se);
    if (i < 0 || n < 0 || j < 0)
        return tw_fail(cr->a->err, TW_ERR_UNKNOWN_NAME, "%s:%d: unknown %s '%s'", file, line,
                       j < 0 && i >= 0 && n >= 0 ? "sector" : "country",
                       i < 0 ? ex : n < 0 ? im : se);
    char *end;
    double rate = strtod(ra, &end);
    if (end == ra || *end != '\0' || !isfinite(rate) || rate <= -1 || rate > TW_MAX_RATE)
        return tw_fail(cr->a->err, TW_ERR_DATA,
                       "%s:%d: bad rate '%.64s' (a fraction greater than -1 and at most %g)", file,
                       line, ra, TW_MAX_RATE);
    size_t x = tw_idx3(m->N, m->J, (size_t)i, (size_t)n, (size_t)j);
    if (cr->fv->line[x])
        return tw_fail(cr->a->err, TW_ERR_DATA, "%s:%d: %s -> %s sector %s repeats line %d",
                       file, line, ex, im, se, cr->fv->line[x]);
    if (i == n && rate != 0)
        return tw_fail(cr->a->err, TW_ERR_DATA,
                       "%s:%d: tariff %g on %s's domestic sales (must be 0)", file, line, rate, ex);
    cr->fv->value[x] = rate;
    cr->fv->line[x] = line;
    return TW_OK;
}

/* A long CSV: header naming exporter, importer, sector, rate; rates as fractions.
 * Blank lines and lines starting with '#' are skipped. */
static tw_status read_csv_rates(apply_ctx *a, const sc_rule *r, file_values *fv)
{
    char *text;
    size_t len;
    tw_error sub;
    tw_status st = tw_read_text(r->file, TW_LIMIT_TABLE_BYTES, "a from_file table", &text, &len, &sub);
    if (st != TW_OK)
        return AFAIL(a, r->line, st, "from_file: %s", sub.message);
    csv_reader cr = {a, r, fv, {-1, -1, -1, -1}};
    int header_seen = 0, line = 0;
    char *p = text;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0) /* a byte-order mark from spreadsheets */
        p += 3;
    while (st == TW_OK && p && *p) {
        char *next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        line++;
        char *fields[16];
        size_t nf = split_csv(p, fields, 16);
        p = next;
        if (nf == 0 || (nf == 1 && fields[0][0] == '\0') || fields[0][0] == '#')
            continue;
        st = header_seen ? csv_row(&cr, fields, nf, line) : csv_header(&cr, fields, nf, line);
        header_seen = 1;
    }
    if (st == TW_OK && !header_seen)
        st = tw_fail(a->err, TW_ERR_DATA, "%s: empty file (from_file at %s:%d)", r->file_written,
                     a->sc->path, r->line);
    free(text);
    return st;
}

static tw_status read_cp1993_rates(apply_ctx *a, const sc_rule *r, file_values *fv)
{
    size_t len = a->m->N * a->m->N * a->m->J;
    tw_error sub;
    if (tw_read_cp1993_tariffs(r->file, a->m, fv->value, len, &sub) != TW_OK)
        return AFAIL(a, r->line, sub.code, "from_file: %s", sub.message);
    for (size_t x = 0; x < len; x++)
        fv->line[x] = 1;
    return TW_OK;
}

static tw_status read_file_values(apply_ctx *a, const sc_rule *r, file_values *fv)
{
    size_t len = a->m->N * a->m->N * a->m->J;
    fv->value = tw_calloc(len, sizeof(double));
    fv->line = tw_calloc(len, sizeof(int));
    if (!fv->value || !fv->line)
        return tw_fail(a->err, TW_ERR_NOMEM, "out of memory");
    return r->format == FF_CP1993 ? read_cp1993_rates(a, r, fv) : read_csv_rates(a, r, fv);
}

/* ---- applying one rule ------------------------------------------------- */

static double get_cell(const tw_policy *p, rule_kind kind, size_t i, size_t n, size_t j)
{
    switch (kind) {
    case RK_TARIFF:
        return tw_policy_tariff(p, i, n, j);
    case RK_EXPORT_TAX:
        return tw_policy_export_tax(p, i, n, j);
    case RK_TRADE_COST:
        return tw_policy_trade_cost_change(p, i, n, j);
    case RK_SUBSIDY:
        return tw_policy_subsidy(p, i, j);
    default:
        return tw_policy_deficit(p, i);
    }
}

static tw_status set_cell(tw_policy *p, rule_kind kind, size_t i, size_t n, size_t j, double v)
{
    switch (kind) {
    case RK_TARIFF:
        return tw_policy_set_tariff(p, i, n, j, v);
    case RK_EXPORT_TAX:
        return tw_policy_set_export_tax(p, i, n, j, v);
    case RK_TRADE_COST:
        return tw_policy_set_trade_cost_change(p, i, n, j, v);
    case RK_SUBSIDY:
        return tw_policy_set_subsidy(p, i, j, v);
    default:
        return tw_policy_set_deficit(p, i, v);
    }
}

/* Change one cell; `who` describes it for the message when the result is invalid. */
static tw_status change_cell(apply_ctx *a, const sc_rule *r, size_t i, size_t n, size_t j,
                             double file_value)
{
    double next = apply_op(r, get_cell(a->p, r->kind, i, n, j), file_value);
    int ok = r->kind == RK_TRADE_COST ? next > 0 && (next <= TW_MAX_TRADE_COST || next == INFINITY)
             : r->kind == RK_DEFICIT  ? fabs(next) <= TW_MAX_FLOW
                                      : (isfinite(next) && next > -1 && next <= TW_MAX_RATE);
    if (ok && set_cell(a->p, r->kind, i, n, j, next) == TW_OK)
        return TW_OK;
    const tw_model *m = a->m;
    if (r->kind == RK_DEFICIT)
        return AFAIL(a, r->line, TW_ERR_DATA, "deficit of %s would be %g (must be within +-1e+15)",
                     m->country_code[i], next);
    if (r->kind == RK_SUBSIDY)
        return AFAIL(a, r->line, TW_ERR_DATA, "subsidy of %s to %s would be %g (must be > -1 and <= 100)",
                     m->country_code[i], m->sector_code[j], next);
    return AFAIL(a, r->line, TW_ERR_DATA, "%s on %s -> %s, sector %s would be %g (must be %s)",
                 rule_names[r->kind], m->country_code[i], m->country_code[n], m->sector_code[j],
                 next, r->kind == RK_TRADE_COST ? "> 0 and <= 1e+06, or inf" : "> -1 and <= 100");
}

typedef struct {
    unsigned char *imp, *exp, *sec;
} masks;

static tw_status bilateral_masks(apply_ctx *a, const sc_rule *r, masks *mk)
{
    size_t N = a->m->N, J = a->m->J;
    mk->imp = tw_calloc(N, 1);
    mk->exp = tw_calloc(N, 1);
    mk->sec = tw_calloc(J, 1);
    if (!mk->imp || !mk->exp || !mk->sec)
        return tw_fail(a->err, TW_ERR_NOMEM, "out of memory");
    tw_status st = resolve(a, G_COUNTRY, &r->importer, "importer", mk->imp, N);
    if (st == TW_OK)
        st = resolve(a, G_COUNTRY, &r->exporter, "exporter", mk->exp, N);
    if (st == TW_OK)
        st = resolve(a, G_SECTOR, &r->sectors, "sectors", mk->sec, J);
    return st;
}

/* Tariffs, export taxes and trade costs: every selected international flow. */
static tw_status apply_bilateral(apply_ctx *a, const sc_rule *r)
{
    size_t N = a->m->N, J = a->m->J, hits = 0;
    masks mk = {NULL, NULL, NULL};
    file_values fv = {NULL, NULL};
    tw_status st = bilateral_masks(a, r, &mk);
    if (st == TW_OK && r->op == OP_FILE)
        st = read_file_values(a, r, &fv);
    for (size_t i = 0; i < N && st == TW_OK; i++)
        for (size_t n = 0; n < N && st == TW_OK; n++) {
            if (i == n || !mk.exp[i] || !mk.imp[n])
                continue;
            for (size_t j = 0; j < J && st == TW_OK; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                if (!mk.sec[j] || (fv.line && !fv.line[x]))
                    continue;
                st = change_cell(a, r, i, n, j, fv.value ? fv.value[x] : 0);
                hits++;
            }
        }
    if (st == TW_OK && hits == 0)
        st = AFAIL(a, r->line, TW_ERR_DATA,
                   r->op == OP_FILE ? "%s rule names nothing: no row of its file is an "
                                      "international flow from its exporter to its importer "
                                      "in its sectors"
                                    : "%s rule names nothing: no international flow goes from "
                                      "its exporter to its importer",
                   rule_names[r->kind]);
    file_values_free(&fv);
    free(mk.imp);
    free(mk.exp);
    free(mk.sec);
    return st;
}

/* Subsidies (by country and sector) and deficits (by country). */
static tw_status apply_national(apply_ctx *a, const sc_rule *r)
{
    size_t N = a->m->N, J = r->kind == RK_SUBSIDY ? a->m->J : 1;
    unsigned char *cty = tw_calloc(N, 1), *sec = tw_calloc(J, 1);
    tw_status st = (cty && sec) ? TW_OK : tw_fail(a->err, TW_ERR_NOMEM, "out of memory");
    if (st == TW_OK)
        st = resolve(a, G_COUNTRY, &r->country, "country", cty, N);
    if (st == TW_OK && r->kind == RK_SUBSIDY)
        st = resolve(a, G_SECTOR, &r->sectors, "sectors", sec, J);
    else if (st == TW_OK)
        sec[0] = 1;
    for (size_t i = 0; i < N && st == TW_OK; i++)
        for (size_t j = 0; j < J && st == TW_OK; j++)
            if (cty[i] && sec[j])
                st = change_cell(a, r, i, i, j, 0);
    free(cty);
    free(sec);
    return st;
}

/* World deficits must add up to zero (they are imports minus exports). The
 * tolerance is relative to world trade, so hand-typed rounded figures pass. */
static tw_status check_deficits(apply_ctx *a, int line)
{
    size_t N = a->m->N;
    double *exports = tw_calloc(N, sizeof(double));
    if (!exports)
        return tw_fail(a->err, TW_ERR_NOMEM, "out of memory");
    tw_model_derive(a->m, TW_DERIVED_EXPORTS, exports, N);
    double sum = 0, trade = 0;
    for (size_t n = 0; n < N; n++) {
        sum += tw_policy_deficit(a->p, n);
        trade += exports[n];
    }
    free(exports);
    if (fabs(sum) <= 1e-6 * (trade > 1 ? trade : 1))
        return TW_OK;
    return AFAIL(a, line, TW_ERR_DATA,
                 "deficits would sum to %g over the world; they must sum to zero", sum);
}

static tw_status apply_stage(apply_ctx *a, const sc_stage *stage)
{
    int deficit_line = 0;
    for (size_t k = 0; k < stage->n; k++) {
        const sc_rule *r = &stage->rules[k];
        tw_status st = r->kind == RK_SUBSIDY || r->kind == RK_DEFICIT ? apply_national(a, r)
                                                                      : apply_bilateral(a, r);
        if (st != TW_OK)
            return st;
        if (r->kind == RK_DEFICIT)
            deficit_line = r->line;
    }
    return deficit_line ? check_deficits(a, deficit_line) : TW_OK;
}

tw_status tw_scenario_warnings(const tw_scenario *sc, size_t first, size_t last,
                               const tw_model *m, tw_diagnostics *d, tw_error *err)
{
    if (!sc || !m || !d || first > last || last >= sc->nstages)
        return tw_fail(err, TW_ERR_INVALID, "tw_scenario_warnings: bad arguments");
    size_t N = m->N, J = m->J;
    unsigned char *sec = tw_calloc(J, 1), *untaxed = tw_calloc(J, 1);
    if (!sec || !untaxed) {
        free(sec);
        free(untaxed);
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    }
    for (size_t j = 0; j < J; j++) {
        untaxed[j] = 1;
        for (size_t i = 0; i < N && untaxed[j]; i++)
            for (size_t n = 0; n < N; n++)
                if (i != n && m->arr[TW_TARIFFS][tw_idx3(N, J, i, n, j)] != 0) {
                    untaxed[j] = 0;
                    break;
                }
    }
    apply_ctx a = {sc, m, NULL, err, 0, NULL};
    tw_status st = TW_OK;
    for (size_t s = first; s <= last && st == TW_OK; s++)
        for (size_t k = 0; k < sc->stages[s].n && st == TW_OK; k++) {
            const sc_rule *r = &sc->stages[s].rules[k];
            /* a rule that can make a zero tariff positive */
            if (r->kind != RK_TARIFF || !((r->op == OP_ADD || r->op == OP_SET) && r->value != 0))
                continue;
            if ((st = resolve(&a, G_SECTOR, &r->sectors, "sectors", sec, J)) != TW_OK)
                break;
            size_t hits = 0, first_hit = 0;
            for (size_t j = 0; j < J; j++)
                if (sec[j] && untaxed[j] && hits++ == 0)
                    first_hit = j;
            if (hits == 0 || hits == J)
                continue;
            tw_diagnostics_add_warning(
                d, "tariff-on-untariffed-sectors",
                "%s:%d: this tariff rule reaches %zu sector(s) that carry no tariff anywhere in "
                "the base (e.g. %s: services?); a tariff there is seldom meant and can change "
                "the answer a lot: name the sectors (e.g. `sectors: goods`)",
                sc->path, r->line, hits, m->sector_code[first_hit]);
        }
    free(sec);
    free(untaxed);
    return st;
}

tw_status tw_scenario_policy(const tw_scenario *sc, size_t stage, const tw_model *m, tw_policy *p,
                             tw_error *err)
{
    if (!sc || !m || !p || p->model != m)
        return tw_fail(err, TW_ERR_INVALID,
                       "tw_scenario_policy: needs a scenario, a model and a policy created for it");
    if (stage >= sc->nstages)
        return tw_fail(err, TW_ERR_INVALID, "%s: no stage %zu (it has %zu)", sc->path, stage,
                       sc->nstages);
    apply_ctx a = {sc, m, p, err, 0, NULL};
    tw_status st = check_group_names(&a);
    tw_policy_reset(p);
    for (size_t s = 0; s <= stage && st == TW_OK; s++)
        st = apply_stage(&a, &sc->stages[s]);
    return st;
}
