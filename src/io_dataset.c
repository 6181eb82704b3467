/* io_dataset.c - the tradewar data-set format: manifest.yaml + long-form CSV
 * files (docs/data-format.md). Reader here; writer in io_dataset_write.c. */
#include "io_dataset.h"
#include "io_yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const tw_ds_table_keys[TW_DS_TABLE_COUNT] = {
    "flows",     "tariffs",   "export_taxes", "subsidies",    "trade_costs",
    "va_shares", "io_shares", "final_shares", "elasticities",
};

/* ---- manifest.yaml ------------------------------------------------------ */

typedef struct manifest {
    const char *path; /* for messages */
    yaml_document_t doc;
    int after_tariffs;
    char files[TW_DS_TABLE_COUNT][256];
    int listed[TW_DS_TABLE_COUNT];
    int has_files; /* a `files` mapping lists every table present */
} manifest;

static size_t node_line(const yaml_node_t *n) { return n->start_mark.line + 1; }

static const char *scalar(const yaml_node_t *n)
{
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = scalar(yaml_document_get_node(doc, p->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

/* Every key of `map` must be one of `allowed` (catches misspelt keys). */
static tw_status check_keys(manifest *mf, yaml_node_t *map, const char *const *allowed, size_t n,
                            const char *where, tw_error *err)
{
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(&mf->doc, p->key);
        const char *k = scalar(kn);
        size_t a = 0;
        while (k && a < n && strcmp(k, allowed[a]) != 0)
            a++;
        if (!k || a == n)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: unknown key '%.64s' in %s", mf->path,
                           node_line(kn), k ? k : "(not a scalar)", where);
        /* keys are known words here, so this loop is short */
        for (yaml_node_pair_t *q = start; q < p; q++)
            if (strcmp(scalar(yaml_document_get_node(&mf->doc, q->key)), k) == 0)
                return tw_fail(err, TW_ERR_PARSE, "%s:%zu: duplicate key '%s' in %s", mf->path,
                               node_line(kn), k, where);
    }
    return TW_OK;
}

/* A required (or optional, when req is 0) scalar field of `map`. */
static tw_status get_scalar(manifest *mf, yaml_node_t *map, const char *key, int req,
                            const char **out, tw_error *err)
{
    yaml_node_t *n = map_get(&mf->doc, map, key);
    *out = NULL;
    if (!n) {
        if (req)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: missing key '%s'", mf->path, node_line(map),
                           key);
        return TW_OK;
    }
    if (!(*out = scalar(n)))
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: '%s' must be a single value", mf->path,
                       node_line(n), key);
    return TW_OK;
}

static tw_status get_list(manifest *mf, yaml_node_t *root, const char *key, yaml_node_t **out,
                          tw_error *err)
{
    yaml_node_t *n = map_get(&mf->doc, root, key);
    if (!n)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: missing key '%s'", mf->path, node_line(root),
                       key);
    if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: '%s' must be a non-empty list", mf->path,
                       node_line(n), key);
    *out = n;
    return TW_OK;
}

static size_t list_len(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

/* Set country or sector labels from a list of {code, name} mappings. */
static tw_status read_labels(manifest *mf, yaml_node_t *seq, tw_model *m, int sectors,
                             tw_error *err)
{
    static const char *const keys[] = {"code", "name", "industries"};
    size_t k = 0;
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top;
         it++, k++) {
        yaml_node_t *e = yaml_document_get_node(&mf->doc, *it);
        if (!e || e->type != YAML_MAPPING_NODE)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: each entry needs 'code' and 'name'",
                           mf->path, e ? node_line(e) : 0);
        const char *code, *name, *industries = NULL;
        tw_status st;
        if ((st = check_keys(mf, e, keys, sectors ? 3 : 2, sectors ? "a sector" : "a country",
                             err)) ||
            (st = get_scalar(mf, e, "code", 1, &code, err)) ||
            (st = get_scalar(mf, e, "name", 0, &name, err)) ||
            (sectors && (st = get_scalar(mf, e, "industries", 0, &industries, err))))
            return st;
        tw_error sub;
        st = sectors ? tw_model_set_sector(m, k, code, name, &sub)
                     : tw_model_set_country(m, k, code, name, &sub);
        if (st == TW_OK && industries)
            st = tw_model_set_sector_industries(m, k, industries, &sub);
        if (st != TW_OK)
            return tw_fail(err, st, "%s:%zu: %s", mf->path, node_line(e), sub.message);
    }
    return TW_OK;
}

/* Optional `dimensions: {countries: N, sectors: J}` must agree with the lists. */
static tw_status check_dimensions(manifest *mf, yaml_node_t *root, size_t N, size_t J,
                                  tw_error *err)
{
    yaml_node_t *d = map_get(&mf->doc, root, "dimensions");
    if (!d)
        return TW_OK;
    static const char *const keys[] = {"countries", "sectors"};
    if (d->type != YAML_MAPPING_NODE)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: 'dimensions' must be a mapping", mf->path,
                       node_line(d));
    tw_status st = check_keys(mf, d, keys, 2, "dimensions", err);
    for (size_t a = 0; a < 2 && st == TW_OK; a++) {
        const char *v;
        if ((st = get_scalar(mf, d, keys[a], 1, &v, err)) != TW_OK)
            break;
        size_t want = a ? J : N;
        char *end;
        unsigned long long got = strtoull(v, &end, 10);
        if (*v == '\0' || *end != '\0' || got != want)
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: dimensions: %s is '%.32s' but %zu are listed",
                         mf->path, node_line(map_get(&mf->doc, d, keys[a])), keys[a], v, want);
    }
    return st;
}

static tw_status read_files(manifest *mf, yaml_node_t *root, tw_error *err)
{
    for (int t = 0; t < TW_DS_TABLE_COUNT; t++)
        snprintf(mf->files[t], sizeof mf->files[t], "%s.csv", tw_ds_table_keys[t]);
    yaml_node_t *f = map_get(&mf->doc, root, "files");
    if (!f)
        return TW_OK;
    if (f->type != YAML_MAPPING_NODE)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: 'files' must be a mapping", mf->path,
                       node_line(f));
    mf->has_files = 1;
    tw_status st = check_keys(mf, f, tw_ds_table_keys, TW_DS_TABLE_COUNT, "files", err);
    for (int t = 0; t < TW_DS_TABLE_COUNT && st == TW_OK; t++) {
        const char *v;
        if ((st = get_scalar(mf, f, tw_ds_table_keys[t], 0, &v, err)) != TW_OK || !v)
            continue;
        if (!*v || v[0] == '/' || strlen(v) >= sizeof mf->files[t])
            return tw_fail(err, TW_ERR_PARSE,
                           "%s:%zu: files: %s: '%.64s' is not a relative file name", mf->path,
                           node_line(map_get(&mf->doc, f, tw_ds_table_keys[t])),
                           tw_ds_table_keys[t], v);
        snprintf(mf->files[t], sizeof mf->files[t], "%s", v);
        mf->listed[t] = 1;
    }
    return st;
}

/* format and version first: a later version may change everything else. */
static tw_status read_version(manifest *mf, yaml_node_t *root, tw_error *err)
{
    const char *format, *version;
    tw_status st;
    if ((st = get_scalar(mf, root, "format", 1, &format, err)) ||
        (st = get_scalar(mf, root, "version", 1, &version, err)))
        return st;
    if (strcmp(format, TW_DS_FORMAT) != 0)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: format is '%.64s', expected '%s'", mf->path,
                       node_line(map_get(&mf->doc, root, "format")), format, TW_DS_FORMAT);
    if (strcmp(version, "1") != 0)
        return tw_fail(err, TW_ERR_PARSE,
                       "%s:%zu: version '%.32s' is not supported (this "
                       "library reads version 1)",
                       mf->path, node_line(map_get(&mf->doc, root, "version")), version);
    return TW_OK;
}

static tw_status read_header(manifest *mf, yaml_node_t *root, tw_error *err)
{
    static const char *const keys[] = {"format",        "version",     "title",      "source",
                                       "currency_unit", "flows_basis", "dimensions", "countries",
                                       "sectors",       "files",       "groups",     "provenance"};
    const char *basis, *dummy;
    tw_status st;
    if ((st = read_version(mf, root, err)) ||
        (st = check_keys(mf, root, keys, sizeof keys / sizeof *keys, "the manifest", err)) ||
        (st = get_scalar(mf, root, "flows_basis", 1, &basis, err)) ||
        (st = get_scalar(mf, root, "title", 0, &dummy, err)) ||
        (st = get_scalar(mf, root, "source", 0, &dummy, err)) ||
        (st = get_scalar(mf, root, "currency_unit", 0, &dummy, err)))
        return st;
    yaml_node_t *prov = map_get(&mf->doc, root, "provenance");
    if (prov && prov->type != YAML_MAPPING_NODE)
        return tw_fail(err, TW_ERR_PARSE,
                       "%s:%zu: 'provenance' must be a mapping of keys to "
                       "single values",
                       mf->path, node_line(prov));
    for (yaml_node_pair_t *p = prov ? prov->data.mapping.pairs.start : NULL;
         prov && p < prov->data.mapping.pairs.top; p++) {
        yaml_node_t *v = yaml_document_get_node(&mf->doc, p->value);
        if (!scalar(v))
            return tw_fail(err, TW_ERR_PARSE,
                           "%s:%zu: provenance: each entry must be a single "
                           "value",
                           mf->path, v ? node_line(v) : node_line(prov));
    }
    if (strcmp(basis, "before_tariffs") != 0 && strcmp(basis, "after_tariffs") != 0)
        return tw_fail(err, TW_ERR_PARSE,
                       "%s:%zu: flows_basis is '%.64s', expected before_tariffs or after_tariffs",
                       mf->path, node_line(map_get(&mf->doc, root, "flows_basis")), basis);
    mf->after_tariffs = strcmp(basis, "after_tariffs") == 0;
    return TW_OK;
}

static tw_status yaml_load(manifest *mf, const char *text, size_t len, tw_error *err)
{
    yaml_parser_t parser;
    tw_status pre = tw_yaml_precheck(mf->path, text, len, err);
    if (pre != TW_OK) /* deep nesting (fast), a second document */
        return pre;
    if (!yaml_parser_initialize(&parser))
        return tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", mf->path);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    tw_status st = TW_OK;
    if (!yaml_parser_load(&parser, &mf->doc)) {
        st = tw_fail(err, parser.error == YAML_MEMORY_ERROR ? TW_ERR_NOMEM : TW_ERR_PARSE,
                     "%s:%zu: YAML error: %s", mf->path, parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "unknown");
        memset(&mf->doc, 0, sizeof mf->doc);
    }
    yaml_parser_delete(&parser);
    return st;
}

/* Optional `groups: {countries: {NAME: [CODE|FIRST..LAST, ...]}, sectors: {...}}`. */
static tw_status read_groups(manifest *mf, yaml_node_t *root, tw_model *m, tw_error *err)
{
    static const char *const kinds[] = {"countries", "sectors"};
    yaml_node_t *gs = map_get(&mf->doc, root, "groups");
    if (!gs)
        return TW_OK;
    if (gs->type != YAML_MAPPING_NODE)
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: 'groups' must be a mapping (countries, sectors)",
                       mf->path, node_line(gs));
    tw_status st = check_keys(mf, gs, kinds, 2, "groups", err);
    for (int g = 0; g < 2 && st == TW_OK; g++) {
        yaml_node_t *map = map_get(&mf->doc, gs, kinds[g]);
        if (!map)
            continue;
        if (map->type != YAML_MAPPING_NODE)
            return tw_fail(err, TW_ERR_PARSE, "%s:%zu: 'groups: %s' must map names to lists",
                           mf->path, node_line(map), kinds[g]);
        size_t count = g ? m->J : m->N;
        size_t *idx = malloc(count * sizeof(size_t));
        if (!idx)
            return tw_fail(err, TW_ERR_NOMEM, "out of memory");
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
             p < map->data.mapping.pairs.top && st == TW_OK; p++) {
            yaml_node_t *kn = yaml_document_get_node(&mf->doc, p->key);
            yaml_node_t *vn = yaml_document_get_node(&mf->doc, p->value);
            const char *name = scalar(kn);
            if (!name || !vn || vn->type != YAML_SEQUENCE_NODE) {
                st = tw_fail(err, TW_ERR_PARSE, "%s:%zu: a group is NAME: [codes]", mf->path,
                             node_line(vn ? vn : kn));
                break;
            }
            size_t n = 0;
            for (yaml_node_item_t *it = vn->data.sequence.items.start;
                 it < vn->data.sequence.items.top && st == TW_OK; it++) {
                yaml_node_t *e = yaml_document_get_node(&mf->doc, *it);
                const char *code = scalar(e);
                size_t lo, hi;
                int range = code ? tw__code_range(m, g, code, &lo, &hi) : -1;
                long k = code && range == 0
                             ? (g ? tw_model_find_sector(m, code) : tw_model_find_country(m, code))
                             : -1;
                if (range < 0 || (range == 0 && k < 0)) {
                    st = tw_fail(err, TW_ERR_UNKNOWN_NAME, "%s:%zu: group '%s': unknown %s '%.64s'",
                                 mf->path, node_line(e ? e : vn), name, g ? "sector" : "country",
                                 code ? code : "(not a scalar)");
                    break;
                }
                for (size_t x = range ? lo : (size_t)k; x <= (range ? hi : (size_t)k) && n < count;
                     x++)
                    idx[n++] = x;
            }
            tw_error sub;
            if (st == TW_OK && tw_model_add_group(m, g, name, idx, n, &sub) != TW_OK)
                st = tw_fail(err, TW_ERR_PARSE, "%s:%zu: %s", mf->path, node_line(kn), sub.message);
        }
        free(idx);
    }
    return st;
}

/* Parse the manifest and create the model with its codes. */
static tw_status read_manifest(manifest *mf, const char *text, size_t len, tw_model **out,
                               tw_error *err)
{
    *out = NULL;
    tw_status st = yaml_load(mf, text, len, err);
    if (st != TW_OK)
        return st;
    yaml_node_t *root = yaml_document_get_root_node(&mf->doc), *cs = NULL, *ss = NULL;
    if (!root || root->type != YAML_MAPPING_NODE)
        return tw_fail(err, TW_ERR_PARSE, "%s:1: the manifest must be a mapping of keys", mf->path);
    if ((st = read_header(mf, root, err)) || (st = get_list(mf, root, "countries", &cs, err)) ||
        (st = get_list(mf, root, "sectors", &ss, err)) ||
        (st = check_dimensions(mf, root, list_len(cs), list_len(ss), err)) ||
        (st = read_files(mf, root, err)))
        return st;
    if ((st = tw_check_dimensions(mf->path, list_len(cs), list_len(ss), err)) != TW_OK)
        return st;
    tw_error e = {0};
    tw_model *m = tw_model_create(list_len(cs), list_len(ss), &e);
    if (!m)
        return tw_fail(err, e.code, "%s: %s", mf->path, e.message);
    if ((st = read_labels(mf, cs, m, 0, err)) || (st = read_labels(mf, ss, m, 1, err)) ||
        (st = read_groups(mf, root, m, err))) {
        tw_model_free(m);
        return st;
    }
    const char *unit = NULL; /* checked by read_header */
    get_scalar(mf, root, "currency_unit", 0, &unit, err);
    if (unit && *unit && strcmp(unit, "unspecified") != 0 &&
        tw_model_set_currency_unit(m, unit) != TW_OK) {
        tw_model_free(m);
        return tw_fail(err, TW_ERR_PARSE, "%s:%zu: currency_unit '%.80s' is longer than 63 bytes",
                       mf->path, node_line(map_get(&mf->doc, root, "currency_unit")), unit);
    }
    *out = m;
    return TW_OK;
}

/* ---- the CSV tables ------------------------------------------------------ */

typedef struct ds_ctx {
    const char *dir;
    manifest *mf;
    tw_model *m;
    tw_keyset countries, sectors;
    const char **ccodes, **scodes;
} ds_ctx;

static tw_status table_path(ds_ctx *c, int t, char *buf, size_t size, tw_error *err)
{
    return tw_path_join(buf, size, c->dir, c->mf->files[t], err);
}

/* An optional table is read when the manifest lists it; a manifest without
 * `files` reads optional tables whose default-named file exists. */
static int table_present(ds_ctx *c, int t)
{
    if (c->mf->listed[t] || c->mf->has_files)
        return c->mf->listed[t];
    char path[4096];
    if (table_path(c, t, path, sizeof path, NULL) != TW_OK)
        return 0;
    return tw_file_exists(path); /* not opened: a FIFO would block */
}

static void spec_keys(ds_ctx *c, tw_long_spec *s, const char *k0, const char *k1, const char *k2)
{
    const char *names[3] = {k0, k1, k2};
    s->nkeys = 0;
    for (int k = 0; k < 3 && names[k]; k++) {
        s->key_cols[k] = names[k];
        int is_country = strcmp(names[k], "sector") != 0 && strcmp(names[k], "input") != 0;
        s->keys[k] = is_country ? &c->countries : &c->sectors;
        s->nkeys++;
    }
}

/* Read one value column of a table into the model array `a`. */
static tw_status read_table(ds_ctx *c, const tw_csv *csv, const tw_long_spec *s, tw_array a,
                            size_t *lines, tw_error *err)
{
    return tw_long_read(csv, s, c->m->arr[a], tw_model_array_length(c->m, a), lines, err);
}

static tw_status load_csv(ds_ctx *c, int t, tw_csv *csv, tw_error *err)
{
    char path[4096];
    tw_status st = table_path(c, t, path, sizeof path, err);
    return st ? st : tw_csv_read(path, csv, err);
}

/* Tables of the form keys + one value column. */
static tw_status simple_table(ds_ctx *c, int t, tw_array a, const char *k0, const char *k1,
                              const char *k2, const char *value, int complete, double lo,
                              int lo_open, double hi, int hi_open, size_t *lines, tw_error *err)
{
    tw_long_spec s = {.value_col = value,
                      .complete = complete,
                      .lo = lo,
                      .lo_open = lo_open,
                      .hi = hi,
                      .hi_open = hi_open,
                      .allow_inf = a == TW_TRADE_COSTS};
    spec_keys(c, &s, k0, k1, k2);
    tw_csv csv;
    tw_status st = load_csv(c, t, &csv, err);
    if (st == TW_OK)
        st = read_table(c, &csv, &s, a, lines, err);
    tw_csv_free(&csv);
    return st;
}

static tw_status read_elasticities(ds_ctx *c, tw_error *err)
{
    static const char *const cols[] = {"sector", "theta", "psi", "markup"};
    tw_csv csv;
    long idx[4];
    tw_status st = load_csv(c, TW_DS_ELASTICITIES, &csv, err);
    if (st == TW_OK)
        st = tw_csv_columns(&csv, cols, 4, 2, idx, err);
    tw_long_spec s = {.value_col = "theta",
                      .complete = 1,
                      .lo = 0,
                      .lo_open = 1,
                      .hi = TW_MAX_ELASTICITY,
                      .hi_open = 0};
    spec_keys(c, &s, "sector", NULL, NULL);
    if (st == TW_OK)
        st = read_table(c, &csv, &s, TW_THETA, NULL, err);
    s.value_col = "psi";
    s.lo_open = 0;
    if (st == TW_OK && idx[2] >= 0)
        st = read_table(c, &csv, &s, TW_PSI, NULL, err);
    s.value_col = "markup";
    s.hi = 1;
    s.hi_open = 1;
    if (st == TW_OK && idx[3] >= 0)
        st = read_table(c, &csv, &s, TW_MARKUP, NULL, err);
    tw_csv_free(&csv);
    return st;
}

/* A country does not levy tariffs on itself. */
static tw_status check_tariff_diagonal(ds_ctx *c, const size_t *lines, tw_error *err)
{
    size_t N = c->m->N, J = c->m->J;
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            size_t x = tw_idx3(N, J, n, n, j);
            if (c->m->arr[TW_TARIFFS][x] != 0)
                return tw_fail(err, TW_ERR_DATA,
                               "%s/%s:%zu: tariff %.17g of %s on itself "
                               "(sector %s) must be 0",
                               c->dir, c->mf->files[TW_DS_TARIFFS], lines[x],
                               c->m->arr[TW_TARIFFS][x], c->m->country_code[n],
                               c->m->sector_code[j]);
        }
    return TW_OK;
}

static tw_status read_policy_tables(ds_ctx *c, tw_error *err)
{
    size_t len = tw_model_array_length(c->m, TW_TARIFFS);
    size_t *lines = tw_calloc(len, sizeof *lines);
    if (!lines)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_status st = TW_OK;
    if (table_present(c, TW_DS_TARIFFS)) {
        st = simple_table(c, TW_DS_TARIFFS, TW_TARIFFS, "exporter", "importer", "sector", "rate", 0,
                          -1, 1, TW_MAX_RATE, 0, lines, err);
        if (st == TW_OK)
            st = check_tariff_diagonal(c, lines, err);
    }
    if (st == TW_OK && table_present(c, TW_DS_EXPORT_TAXES))
        st = simple_table(c, TW_DS_EXPORT_TAXES, TW_EXPORT_TAXES, "exporter", "importer", "sector",
                          "rate", 0, -1, 1, TW_MAX_RATE, 0, NULL, err);
    if (st == TW_OK && table_present(c, TW_DS_TRADE_COSTS))
        st = simple_table(c, TW_DS_TRADE_COSTS, TW_TRADE_COSTS, "exporter", "importer", "sector",
                          "cost", 0, 0, 1, TW_MAX_TRADE_COST, 0, NULL, err);
    if (st == TW_OK && table_present(c, TW_DS_SUBSIDIES))
        st = simple_table(c, TW_DS_SUBSIDIES, TW_SUBSIDIES, "country", "sector", NULL, "rate", 0,
                          -1, 1, TW_MAX_RATE, 0, NULL, err);
    free(lines);
    return st;
}

static tw_status share_sum_error(const char *file, size_t line, const char *where, double sum,
                                 tw_error *err)
{
    return tw_fail(err, TW_ERR_DATA,
                   "%s:%zu: %s: shares sum to %.10g, not 1 (tolerance "
                   "TW_SHARE_TOLERANCE = %g)",
                   file, line, where, sum, TW_SHARE_TOLERANCE);
}

tw_status tw_check_final_sums(const tw_model *m, const char *file, const size_t *lines,
                              tw_error *err)
{
    size_t N = m->N, J = m->J;
    for (size_t n = 0; n < N; n++) {
        double sum = 0;
        size_t last = 0;
        for (size_t j = 0; j < J; j++) {
            sum += m->arr[TW_FINAL_SHARES][tw_idx2(J, n, j)];
            last = lines[tw_idx2(J, n, j)] > last ? lines[tw_idx2(J, n, j)] : last;
        }
        if (fabs(sum - 1) > TW_SHARE_TOLERANCE) {
            char where[64];
            snprintf(where, sizeof where, "country %s", m->country_code[n]);
            return share_sum_error(file, last, where, sum, err);
        }
    }
    return TW_OK;
}

/* Input shares of a sector sum to one, except where the sector buys no
 * inputs (value-added share 1) or produces nothing, as tw_model_validate. */
tw_status tw_check_io_sums(const tw_model *m, const char *file, const size_t *lines, tw_error *err)
{
    size_t N = m->N, J = m->J;
    const double *X = m->arr[TW_FLOWS];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < J; j++) {
            double out = 0, sum = 0;
            size_t last = 0;
            for (size_t n = 0; n < N; n++)
                out += X[tw_idx3(N, J, i, n, j)];
            if (m->arr[TW_VA_SHARES][tw_idx2(J, i, j)] >= 1 || out == 0)
                continue;
            for (size_t k = 0; k < J; k++) {
                size_t x = tw_idx3io(J, i, k, j);
                sum += m->arr[TW_IO_SHARES][x];
                last = lines[x] > last ? lines[x] : last;
            }
            if (fabs(sum - 1) > TW_SHARE_TOLERANCE) {
                char where[96];
                snprintf(where, sizeof where, "country %s, sector %s", m->country_code[i],
                         m->sector_code[j]);
                return share_sum_error(file, last, where, sum, err);
            }
        }
    return TW_OK;
}

static tw_status check_sums(ds_ctx *c, int t, const size_t *lines, tw_error *err)
{
    char path[4096];
    tw_status st = table_path(c, t, path, sizeof path, err);
    if (st != TW_OK)
        return st;
    return t == TW_DS_IO_SHARES ? tw_check_io_sums(c->m, path, lines, err)
                                : tw_check_final_sums(c->m, path, lines, err);
}

static tw_status read_share_tables(ds_ctx *c, tw_error *err)
{
    size_t len = tw_model_array_length(c->m, TW_IO_SHARES);
    size_t *lines = tw_calloc(len, sizeof *lines);
    if (!lines)
        return tw_fail(err, TW_ERR_NOMEM, "out of memory");
    tw_status st = simple_table(c, TW_DS_VA_SHARES, TW_VA_SHARES, "country", "sector", NULL,
                                "share", 1, 0, 0, 1, 0, NULL, err);
    if (st == TW_OK)
        st = simple_table(c, TW_DS_FINAL_SHARES, TW_FINAL_SHARES, "country", "sector", NULL,
                          "share", 1, 0, 0, 1, 0, lines, err);
    if (st == TW_OK)
        st = check_sums(c, TW_DS_FINAL_SHARES, lines, err);
    if (st == TW_OK)
        st = simple_table(c, TW_DS_IO_SHARES, TW_IO_SHARES, "country", "input", "sector", "share",
                          0, 0, 0, 1, 0, lines, err);
    if (st == TW_OK)
        st = check_sums(c, TW_DS_IO_SHARES, lines, err);
    free(lines);
    return st;
}

static void flows_to_before_tariffs(tw_model *m)
{
    size_t len = tw_model_array_length(m, TW_FLOWS);
    for (size_t x = 0; x < len; x++)
        m->arr[TW_FLOWS][x] /= 1 + m->arr[TW_TARIFFS][x];
}

static tw_status read_tables(ds_ctx *c, tw_error *err)
{
    tw_status st = simple_table(c, TW_DS_FLOWS, TW_FLOWS, "exporter", "importer", "sector", "value",
                                1, 0, 0, TW_MAX_FLOW, 0, NULL, err);
    if (st == TW_OK)
        st = read_policy_tables(c, err);
    if (st == TW_OK && c->mf->after_tariffs)
        flows_to_before_tariffs(c->m);
    if (st == TW_OK)
        st = read_share_tables(c, err);
    if (st == TW_OK)
        st = read_elasticities(c, err);
    return st;
}

static tw_status load_with_manifest(const char *dir, manifest *mf, const char *text, size_t len,
                                    tw_model **out, tw_error *err)
{
    tw_model *m;
    tw_status st = read_manifest(mf, text, len, &m, err);
    if (st != TW_OK)
        return st;
    ds_ctx c = {.dir = dir, .mf = mf, .m = m};
    c.ccodes = tw_calloc(m->N, sizeof *c.ccodes);
    c.scodes = tw_calloc(m->J, sizeof *c.scodes);
    if (!c.ccodes || !c.scodes) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < m->N; i++)
            c.ccodes[i] = m->country_code[i];
        for (size_t j = 0; j < m->J; j++)
            c.scodes[j] = m->sector_code[j];
        c.countries = (tw_keyset){"country", m->N, c.ccodes};
        c.sectors = (tw_keyset){"sector", m->J, c.scodes};
        st = read_tables(&c, err);
    }
    free(c.ccodes);
    free(c.scodes);
    if (st == TW_OK)
        st = tw_ds_validate(m, dir, err);
    if (st != TW_OK)
        tw_model_free(m);
    else
        *out = m;
    return st;
}

tw_status tw_ds_validate(const tw_model *m, const char *label, tw_error *err)
{
    tw_error sub;
    tw_status st = tw_model_validate(m, &sub);
    if (st != TW_OK)
        return tw_fail(err, st, "%s: %s", label, sub.message);
    return TW_OK;
}

tw_status tw_load_dataset(const char *dir, tw_model **out, tw_error *err)
{
    if (!dir || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_load_dataset: no directory or output");
    *out = NULL;
    char path[4096];
    char *text;
    size_t len;
    tw_status st = tw_path_join(path, sizeof path, dir, "manifest.yaml", err);
    if (st == TW_OK)
        st = tw_read_text(path, TW_LIMIT_MANIFEST_BYTES, "a manifest", &text, &len, err);
    if (st != TW_OK)
        return st;
    manifest mf = {.path = path};
    st = load_with_manifest(dir, &mf, text, len, out, err);
    yaml_document_delete(&mf.doc);
    free(text);
    return st;
}
