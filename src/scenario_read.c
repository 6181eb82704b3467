/*
 * scenario_read.c - reading scenario files: YAML into a tw_scenario.
 *
 * tw_scenario_load() parses the YAML document and checks its syntax (keys,
 * types, numbers, ranges, group cycles) into the plain structs of
 * scenario_internal.h, keeping every name unresolved with its line, so
 * options can be read before a model exists; scenario_apply.c applies it to
 * a model. The format is documented in docs/scenarios.md.
 */
#include "scenario_internal.h"
#include "io_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* The keys a rule may hold, by kind: a bit per key in rule_keys[]. */
enum {
    K_IMPORTER,
    K_EXPORTER,
    K_COUNTRY,
    K_SECTORS,
    K_SET,
    K_ADD,
    K_SCALE,
    K_BAN,
    K_FROM_FILE,
    K_FILE_FORMAT,
    K_COUNT
};
static const char *const rule_keys[K_COUNT] = {"importer",  "exporter",   "country", "sectors",
                                               "set",       "add",        "scale",   "ban",
                                               "from_file", "file_format"};
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

tw_status tw__scenario_fail(const tw_scenario *sc, tw_error *err, tw_status code, int line,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tw_status st = vfail_at(err, code, sc->path, line, fmt, ap);
    va_end(ap);
    return st;
}

#define FAIL_AT(c, node, code, ...) \
    tw__scenario_fail((c)->sc, (c)->err, (code), node_line(node), __VA_ARGS__)
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

typedef tw_status (*pair_fn)(parse_ctx *c, const char *key, yaml_node_t *knode, yaml_node_t *value,
                             void *data);

/* Visit every pair of a mapping in order; keys must be distinct scalars. */
static tw_status each_pair(parse_ctx *c, yaml_node_t *map, const char *what, pair_fn fn, void *data)
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
        return FAIL_AT(c, node, TW_ERR_PARSE, "%s must be a name or a list of names, not %s", what,
                       node_kind(node));
    if (count == 0)
        return FAIL_AT(c, node, TW_ERR_DATA, "empty list in %s", what);
    out->v = tw_calloc(count, sizeof *out->v);
    if (!out->v)
        return NOMEM(c);
    for (size_t k = 0; k < count; k++) {
        yaml_node_t *item = node->type == YAML_SEQUENCE_NODE
                                ? get_node(c, node->data.sequence.items.start[k])
                                : node;
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
        return FAIL_AT(c, k, TW_ERR_DATA, "more than %d groups (TW_LIMIT_GROUPS)", TW_LIMIT_GROUPS);
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
        st = FAIL_AT(c, v, TW_ERR_DATA,
                     "more than %d group members in all groups "
                     "(TW_LIMIT_GROUP_MEMBERS)",
                     TW_LIMIT_GROUP_MEMBERS);
    return st;
}

const sc_group *tw__scenario_group(const tw_scenario *sc, int g, const char *name)
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
        return tw__scenario_fail(c->sc, c->err, TW_ERR_DATA, grp->line,
                                 "%s groups nest more than %d deep", group_what[g],
                                 GROUP_DEPTH_MAX);
    state[k] = 1;
    for (size_t m = 0; m < grp->members.n; m++) {
        const sc_group *sub = tw__scenario_group(c->sc, g, grp->members.v[m].text);
        if (!sub)
            continue;
        size_t s = (size_t)(sub - c->sc->groups[g]);
        if (state[s] == 1)
            return tw__scenario_fail(c->sc, c->err, TW_ERR_DATA, grp->members.v[m].line,
                                     "group cycle: %s group %s contains %s, which contains it",
                                     group_what[g], grp->name, sub->name);
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
        return FAIL_AT(c, node, TW_ERR_DATA,
                       "%s rule has more than one of set, add, scale, ban, "
                       "from_file: give one per rule",
                       kind);
    if ((b->seen & KB(K_FILE_FORMAT)) && r->op != OP_FILE)
        return tw__scenario_fail(c->sc, c->err, TW_ERR_DATA, b->format_line,
                                 "file_format without from_file");
    int bilateral = allowed_keys[r->kind] & KB(K_IMPORTER);
    if (bilateral && !(b->seen & KB(K_IMPORTER)))
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule needs an importer (a code, group or all)",
                       kind);
    if (bilateral && !(b->seen & KB(K_EXPORTER)))
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule needs an exporter (a code, group or all)",
                       kind);
    if (!bilateral && !(b->seen & KB(K_COUNTRY)))
        return FAIL_AT(c, node, TW_ERR_DATA, "%s rule needs a country (a code, group or all)",
                       kind);
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

static tw_status top_pair(parse_ctx *c, const char *key, yaml_node_t *k, yaml_node_t *v, void *data)
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
