/*
 * scenario_apply.c - applying a scenario to a model: tw_scenario_policy().
 *
 * Resolves the codes, ranges and groups a scenario read by scenario_read.c
 * names against a model (the scenario's groups and the data's own), reads
 * from_file tables (through the shared CSV reader, io_csv.h) and applies the
 * rules of each stage to a tw_policy, checking every value it makes.
 */
#include "scenario_internal.h"
#include "io_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const tw_scenario *sc;
    const tw_model *m;
    tw_policy *p;
    tw_error *err;
    size_t visits;       /* names visited resolving selectors: TW_LIMIT_GROUP_VISITS */
    unsigned char *seen; /* groups already expanded in the current selector */
} apply_ctx;

#define AFAIL(a, line, code, ...) tw__scenario_fail((a)->sc, (a)->err, (code), (line), __VA_ARGS__)

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
            return AFAIL(
                a, list->v[k].line, TW_ERR_DATA,
                "expanding groups visits more than %d names in all (TW_LIMIT_GROUP_VISITS)",
                TW_LIMIT_GROUP_VISITS);
        if (strcmp(name, "all") == 0) {
            memset(mark, 1, count);
            continue;
        }
        const sc_group *grp = tw__scenario_group(a->sc, g, name);
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

typedef struct {
    apply_ctx *a;
    const sc_rule *r;
    file_values *fv;
    long col[4]; /* column of exporter, importer, sector, rate */
} csv_reader;

static const char *const csv_columns[4] = {"exporter", "importer", "sector", "rate"};

static tw_status csv_row(csv_reader *cr, const tw_csv_row *row)
{
    const tw_model *m = cr->a->m;
    const char *file = cr->r->file_written;
    int line = (int)row->line;
    char *const *f = row->fields;
    const char *ex = f[cr->col[0]], *im = f[cr->col[1]], *se = f[cr->col[2]], *ra = f[cr->col[3]];
    long i = tw_model_find_country(m, ex), n = tw_model_find_country(m, im);
    long j = tw_model_find_sector(m, se);
    if (i < 0 || n < 0 || j < 0)
        return tw_fail(cr->a->err, TW_ERR_UNKNOWN_NAME, "%s:%d: unknown %s '%s'", file, line,
                       j < 0 && i >= 0 && n >= 0 ? "sector" : "country",
                       i < 0   ? ex
                       : n < 0 ? im
                               : se);
    double rate = 0;
    if (tw_parse_number(ra, 0, &rate) != 0 || rate <= -1 || rate > TW_MAX_RATE)
        return tw_fail(cr->a->err, TW_ERR_DATA,
                       "%s:%d: bad rate '%.64s' (a fraction greater than -1 and at most %g)", file,
                       line, ra, TW_MAX_RATE);
    size_t x = tw_idx3(m->N, m->J, (size_t)i, (size_t)n, (size_t)j);
    if (cr->fv->line[x])
        return tw_fail(cr->a->err, TW_ERR_DATA, "%s:%d: %s -> %s sector %s repeats line %d", file,
                       line, ex, im, se, cr->fv->line[x]);
    if (i == n && rate != 0)
        return tw_fail(cr->a->err, TW_ERR_DATA,
                       "%s:%d: tariff %g on %s's domestic sales (must be 0)", file, line, rate, ex);
    cr->fv->value[x] = rate;
    cr->fv->line[x] = line;
    return TW_OK;
}

/* A long CSV (the shared reader, io_csv.h): a header naming exporter,
 * importer, sector, rate; rates as fractions. Blank lines and lines starting
 * with '#' are skipped. Messages name the file as the scenario wrote it. */
static tw_status read_csv_rates(apply_ctx *a, const sc_rule *r, file_values *fv)
{
    char *text;
    size_t len;
    tw_error sub;
    tw_status st = tw_read_text(r->file, TW_LIMIT_TABLE_BYTES, "a from_file table", &text, &len,
                                &sub);
    if (st != TW_OK)
        return AFAIL(a, r->line, st, "from_file: %s", sub.message);
    tw_csv c;
    st = tw_csv_parse(r->file_written, text, len, &c, &sub);
    free(text);
    if (st == TW_OK)
        tw_csv_drop_comments(&c);
    csv_reader cr = {a, r, fv, {-1, -1, -1, -1}};
    if (st == TW_OK && c.nrows == 0)
        st = tw_fail(a->err, TW_ERR_DATA, "%s: empty file (from_file at %s:%d)", r->file_written,
                     a->sc->path, r->line);
    else if (st == TW_OK && (st = tw_csv_columns(&c, csv_columns, 4, 4, cr.col, &sub)) != TW_OK)
        st = tw_fail(a->err, st,
                     "%s (columns exporter, importer, sector, rate; from_file at %s:%d)",
                     sub.message, a->sc->path, r->line);
    else if (st != TW_OK)
        st = tw_fail(a->err, st, "%s (from_file at %s:%d)", sub.message, a->sc->path, r->line);
    for (size_t k = 1; k < c.nrows && st == TW_OK; k++)
        st = csv_row(&cr, &c.rows[k]);
    tw_csv_free(&c);
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
        return AFAIL(a, r->line, TW_ERR_DATA,
                     "subsidy of %s to %s would be %g (must be > -1 and <= 100)",
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

tw_status tw_scenario_warnings(const tw_scenario *sc, size_t first, size_t last, const tw_model *m,
                               tw_diagnostics *d, tw_error *err)
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
