/* io_uschina.c - the us-china-2017 layout (data/us-china-2017/README.md):
 * 7 economies, 44 sectors, long-form CSV files keyed by ISO-like codes and
 * sector numbers 1..44. Flows are taken as recorded before tariffs
 * (docs/data-format.md says why). */
#include "io_dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UC_N 7
#define UC_J 44
#define UC_GOODS 22

static const char *const uc_countries[UC_N][2] = {
    {"BRA", "Brazil"},        {"CHN", "China"}, {"EU", "European Union"},
    {"IND", "India"},         {"JPN", "Japan"}, {"ROW", "Rest of the world"},
    {"USA", "United States"},
};

/* Codes and names inferred from the OECD ICIO (2021 edition) industry order
 * without the household sector T; see data/us-china-2017/README.md. */
static const char *const uc_sectors[UC_J][2] = {
    {"agriculture", "Agriculture, forestry"},
    {"fishing", "Fishing and aquaculture"},
    {"mining_energy", "Mining of energy products"},
    {"mining_nonenergy", "Mining of non-energy products"},
    {"mining_support", "Mining support services"},
    {"food", "Food, beverages, tobacco"},
    {"textiles", "Textiles, apparel, leather"},
    {"wood", "Wood and cork products"},
    {"paper", "Paper and printing"},
    {"petroleum", "Coke and refined petroleum"},
    {"chemicals", "Chemicals"},
    {"pharma", "Pharmaceuticals"},
    {"rubber_plastics", "Rubber and plastics"},
    {"minerals", "Other non-metallic minerals"},
    {"basic_metals", "Basic metals"},
    {"fabricated_metals", "Fabricated metal products"},
    {"computers", "Computers and electronics"},
    {"electrical", "Electrical equipment"},
    {"machinery", "Machinery n.e.c."},
    {"motor_vehicles", "Motor vehicles"},
    {"other_transport", "Other transport equipment"},
    {"other_manufacturing", "Other manufacturing, repair"},
    {"electricity_gas", "Electricity, gas, steam"},
    {"water_waste", "Water supply, sewerage, waste"},
    {"construction", "Construction"},
    {"wholesale_retail", "Wholesale and retail trade"},
    {"land_transport", "Land transport"},
    {"water_transport", "Water transport"},
    {"air_transport", "Air transport"},
    {"warehousing", "Warehousing, transport support"},
    {"postal", "Postal and courier"},
    {"accommodation_food", "Accommodation and food services"},
    {"publishing_media", "Publishing, audiovisual, broadcasting"},
    {"telecom", "Telecommunications"},
    {"it_services", "IT and information services"},
    {"finance", "Finance and insurance"},
    {"real_estate", "Real estate"},
    {"professional", "Professional, scientific, technical"},
    {"admin_support", "Administrative and support services"},
    {"public_admin", "Public administration, defence"},
    {"education", "Education"},
    {"health", "Health and social work"},
    {"arts_recreation", "Arts, entertainment, recreation"},
    {"other_services", "Other service activities"},
};

typedef struct uc_ctx {
    const char *dir;
    tw_model *m;
    const char *ccodes[UC_N];
    char num[UC_J][4]; /* "1".."44": the files' sector keys */
    const char *scodes[UC_J];
    tw_keyset countries, sectors;
} uc_ctx;

static tw_status uc_table(uc_ctx *c, const char *file, const char *const *keys,
                          const tw_keyset *const *sets, size_t nkeys, const char *value, tw_array a,
                          double lo, int lo_open, double hi, size_t *lines, tw_error *err)
{
    char path[4096];
    tw_csv csv;
    tw_status st = tw_path_join(path, sizeof path, c->dir, file, err);
    if (st == TW_OK)
        st = tw_csv_read(path, &csv, err);
    if (st != TW_OK)
        return st;
    tw_long_spec s = {.nkeys = nkeys,
                      .value_col = value,
                      .complete = 1,
                      .lo = lo,
                      .lo_open = lo_open,
                      .hi = hi,
                      .hi_open = isinf(hi)};
    for (size_t k = 0; k < nkeys; k++) {
        s.key_cols[k] = keys[k];
        s.keys[k] = sets[k];
    }
    st = tw_long_read(&csv, &s, c->m->arr[a], tw_model_array_length(c->m, a), lines, err);
    if (st == TW_OK && a == TW_FINAL_SHARES)
        st = tw_check_final_sums(c->m, path, lines, err);
    if (st == TW_OK && a == TW_IO_SHARES)
        st = tw_check_io_sums(c->m, path, lines, err);
    tw_csv_free(&csv);
    return st;
}

static tw_status uc_tables(uc_ctx *c, size_t *lines, tw_error *err)
{
    const tw_keyset *C = &c->countries, *S = &c->sectors;
    const char *const k3[] = {"iso_o", "iso_d", "indcode"};
    const char *const kio[] = {"iso_o", "input_ind", "output_ind"};
    const char *const k2[] = {"iso_o", "indcode"};
    const char *const kf[] = {"iso_o", "input_ind"};
    const char *const ke[] = {"industry"};
    const tw_keyset *const ccs[] = {C, C, S}, *const css[] = {C, S, S}, *const cs[] = {C, S};
    const tw_keyset *const s1[] = {S};
    tw_status st;
    if ((st = uc_table(c, "TradeFlow2017.csv", k3, ccs, 3, "tradevalue", TW_FLOWS, 0, 0,
                       TW_MAX_FLOW, NULL, err)) ||
        (st = uc_table(c, "tariff_prewar2017.csv", k3, ccs, 3, "AHS_simple", TW_TARIFFS, -1, 1,
                       TW_MAX_RATE, NULL, err)) ||
        (st = uc_table(c, "vashare.csv", k2, cs, 2, "vashare", TW_VA_SHARES, 0, 0, 1, NULL, err)) ||
        (st = uc_table(c, "IOshare.csv", kio, css, 3, "valueshare", TW_IO_SHARES, 0, 0, 1, lines,
                       err)) ||
        (st = uc_table(c, "finalshare.csv", kf, cs, 2, "finalshare", TW_FINAL_SHARES, 0, 0, 1,
                       lines, err)) ||
        (st = uc_table(c, "cal_elasticities.csv", ke, s1, 1, "\\theta", TW_THETA, 0, 1,
                       TW_MAX_ELASTICITY, NULL, err)) ||
        (st = uc_table(c, "cal_elasticities.csv", ke, s1, 1, "\\psi", TW_PSI, 0, 0,
                       TW_MAX_ELASTICITY, NULL, err)))
        return st;
    return TW_OK;
}

static void uc_setup(uc_ctx *c)
{
    for (size_t i = 0; i < UC_N; i++)
        c->ccodes[i] = uc_countries[i][0];
    for (size_t j = 0; j < UC_J; j++) {
        snprintf(c->num[j], sizeof c->num[j], "%zu", j + 1);
        c->scodes[j] = c->num[j];
    }
    c->countries = (tw_keyset){"country", UC_N, c->ccodes};
    c->sectors = (tw_keyset){"sector number", UC_J, c->scodes};
}

static tw_status uc_labels(tw_model *m, tw_error *err)
{
    tw_status st = TW_OK;
    for (size_t i = 0; i < UC_N && st == TW_OK; i++)
        st = tw_model_set_country(m, i, uc_countries[i][0], uc_countries[i][1], err);
    for (size_t j = 0; j < UC_J && st == TW_OK; j++)
        st = tw_model_set_sector(m, j, uc_sectors[j][0], uc_sectors[j][1], err);
    return st;
}

tw_status tw_load_uschina(const char *dir, tw_model **out, tw_error *err)
{
    if (!dir || !out)
        return tw_fail(err, TW_ERR_INVALID, "tw_load_uschina: no directory or output");
    *out = NULL;
    uc_ctx c = {.dir = dir, .m = tw_model_create(UC_N, UC_J, NULL)};
    size_t *lines = tw_calloc((size_t)UC_N * UC_J * UC_J, sizeof *lines);
    tw_status st = TW_OK;
    if (!c.m || !lines)
        st = tw_fail(err, TW_ERR_NOMEM, "us-china-2017: out of memory");
    if (st == TW_OK)
        st = uc_labels(c.m, err);
    if (st == TW_OK) {
        uc_setup(&c);
        st = uc_tables(&c, lines, err);
    }
    if (st == TW_OK) /* the data set has zeros there already; a country never taxes itself */
        for (size_t n = 0; n < UC_N; n++)
            for (size_t j = 0; j < UC_J; j++)
                c.m->arr[TW_TARIFFS][tw_idx3(UC_N, UC_J, n, n, j)] = 0;
    if (st == TW_OK)
        st = tw_ds_validate(c.m, dir, err);
    free(lines);
    if (st == TW_OK) {
        tw_model_set_currency_unit(c.m,
                                   "millions of US dollars"); /* data/us-china-2017/README.md */
        /* README: sectors 1..22 are goods (tariffs apply), 23..44 services */
        st = tw__add_goods_services(c.m, 22, err);
    }
    if (st != TW_OK)
        tw_model_free(c.m);
    else
        *out = c.m;
    return st;
}
