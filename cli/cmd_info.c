/* cmd_info.c - `tradewar info`: describe a data set. */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#define TOP_FLOWS 10

void cmd_info_help(FILE *f)
{
    fputs("Usage: tradewar info [OPTIONS]\n"
          "\n"
          "Describe a data set: dimensions, countries and sectors, world gross output and\n"
          "trade, value added, tariff revenue and trade balance by country, the 10 largest\n"
          "bilateral flows (summed over sectors) and whether the data pass validation.\n"
          "\n"
          "Options:\n"
          "      --data DIR        data set (default: the bundled us-china-2017, or\n"
          "                        $TRADEWAR_DATA when set)\n"
          "      --format FORMAT   table (default) or json\n"
          "  -q, --quiet           no progress messages\n"
          "  -v, --verbose         more detail on stderr\n"
          "  -h, --help            show this help\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 bad data (also when the data load but\n"
          "fail validation: the report is printed first), 4 I/O or internal error.\n",
          f);
}

typedef struct {
    size_t exporter, importer;
    double flow;
} pair_flow;

/* What info reports, derived once for both formats. */
typedef struct {
    const tw_model *m;
    const char *dir;
    char checksum[17];
    size_t N, J;
    double *gross_output;  /* N*J */
    double *by_country[4]; /* N each: value added, tariff revenue, exports, imports */
    tw_status valid;
    tw_error why;
    pair_flow top[TOP_FLOWS];
    size_t ntop;
} info_data;

enum { VA, REVENUE, EXPORTS, IMPORTS };
static const tw_derived derived_of[4] = {TW_DERIVED_VALUE_ADDED, TW_DERIVED_TARIFF_REVENUE,
                                         TW_DERIVED_EXPORTS, TW_DERIVED_IMPORTS};
static const char *const key_of[4] = {"value_added", "tariff_revenue", "exports", "imports"};

static int by_flow_desc(const void *a, const void *b)
{
    double x = ((const pair_flow *)a)->flow, y = ((const pair_flow *)b)->flow;
    return (x < y) - (x > y);
}

/* The largest international flows, summed over sectors. */
static int largest_flows(info_data *d)
{
    const double *X = tw_model_get(d->m, TW_FLOWS);
    pair_flow *all = calloc(d->N * d->N, sizeof *all);
    if (!all)
        return -1;
    size_t count = 0;
    for (size_t i = 0; i < d->N; i++)
        for (size_t n = 0; n < d->N; n++) {
            if (i == n)
                continue;
            pair_flow p = {i, n, 0};
            for (size_t j = 0; j < d->J; j++)
                p.flow += X[tw_idx3(d->N, d->J, i, n, j)];
            all[count++] = p;
        }
    qsort(all, count, sizeof *all, by_flow_desc);
    d->ntop = count < TOP_FLOWS ? count : TOP_FLOWS;
    memcpy(d->top, all, d->ntop * sizeof *all);
    free(all);
    return 0;
}

static int derive_all(info_data *d)
{
    d->N = tw_model_countries(d->m);
    d->J = tw_model_sectors(d->m);
    tw_model_checksum(d->m, d->checksum);
    d->valid = tw_model_validate(d->m, &d->why);
    d->gross_output = calloc(d->N * d->J, sizeof(double));
    if (!d->gross_output)
        return -1;
    tw_model_derive(d->m, TW_DERIVED_GROSS_OUTPUT, d->gross_output, d->N * d->J);
    for (int k = 0; k < 4; k++) {
        d->by_country[k] = calloc(d->N, sizeof(double));
        if (!d->by_country[k])
            return -1;
        tw_model_derive(d->m, derived_of[k], d->by_country[k], d->N);
    }
    return largest_flows(d);
}

static void info_free(info_data *d)
{
    free(d->gross_output);
    for (int k = 0; k < 4; k++)
        free(d->by_country[k]);
}

static double country_output(const info_data *d, size_t i)
{
    double s = 0;
    for (size_t j = 0; j < d->J; j++)
        s += d->gross_output[tw_idx2(d->J, i, j)];
    return s;
}

static double world(const info_data *d, int k)
{
    double s = 0;
    for (size_t i = 0; i < d->N; i++)
        s += k < 0 ? country_output(d, i) : d->by_country[k][i];
    return s;
}

/* ---- table --------------------------------------------------------------- */

static void print_labels(const info_data *d, int sectors)
{
    size_t count = sectors ? d->J : d->N;
    printf("%s (%zu):\n", sectors ? "Sectors" : "Countries", count);
    for (size_t k = 0; k < count; k++)
        printf("  %-20s %s\n",
               sectors ? tw_model_sector_code(d->m, k) : tw_model_country_code(d->m, k),
               sectors ? tw_model_sector_name(d->m, k) : tw_model_country_name(d->m, k));
}

static void print_table(const info_data *d)
{
    printf("Data: %s\nChecksum: %s\nDimensions: %zu countries, %zu sectors\nCurrency unit: %s\n",
           d->dir, d->checksum, d->N, d->J, tw_model_currency_unit(d->m));
    printf("Valid: %s%s\n\n",
           d->valid == TW_OK ? "yes" : "NO: ", d->valid == TW_OK ? "" : d->why.message);
    print_labels(d, 0);
    print_labels(d, 1);
    printf("\nWorld gross output: %.6g\nWorld trade (exports before tariffs): %.6g\n"
           "World value added: %.6g\nWorld tariff revenue: %.6g\n\n",
           world(d, -1), world(d, EXPORTS), world(d, VA), world(d, REVENUE));
    printf("%-8s %14s %14s %14s %14s %14s %14s\n", "country", "gross output", "value added",
           "tariff revenue", "exports", "imports", "trade balance");
    for (size_t i = 0; i < d->N; i++)
        printf("%-8s %14.6g %14.6g %14.6g %14.6g %14.6g %14.6g\n", tw_model_country_code(d->m, i),
               country_output(d, i), d->by_country[VA][i], d->by_country[REVENUE][i],
               d->by_country[EXPORTS][i], d->by_country[IMPORTS][i],
               d->by_country[EXPORTS][i] - d->by_country[IMPORTS][i]);
    printf("\nLargest bilateral flows (exporter -> importer, summed over sectors):\n");
    for (size_t k = 0; k < d->ntop; k++)
        printf("  %2zu. %-8s -> %-8s %14.6g\n", k + 1,
               tw_model_country_code(d->m, d->top[k].exporter),
               tw_model_country_code(d->m, d->top[k].importer), d->top[k].flow);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *countries_json(const info_data *d)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < d->N; i++) {
        json_t *c = json_pack("{s:s, s:s, s:o}", "code", tw_model_country_code(d->m, i), "name",
                              tw_model_country_name(d->m, i), "gross_output",
                              out_json_number(country_output(d, i)));
        for (int k = 0; c && k < 4; k++)
            json_object_set_new(c, key_of[k], out_json_number(d->by_country[k][i]));
        if (c)
            json_object_set_new(c, "trade_balance",
                                out_json_number(d->by_country[EXPORTS][i] -
                                                d->by_country[IMPORTS][i]));
        json_array_append_new(list, c);
    }
    return list;
}

static json_t *sectors_json(const info_data *d)
{
    const double *theta = tw_model_get(d->m, TW_THETA), *psi = tw_model_get(d->m, TW_PSI);
    const double *markup = tw_model_get(d->m, TW_MARKUP);
    json_t *list = json_array();
    for (size_t j = 0; list && j < d->J; j++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:o, s:o, s:o}", "code",
                                        tw_model_sector_code(d->m, j), "name",
                                        tw_model_sector_name(d->m, j), "theta",
                                        out_json_number(theta[j]), "psi", out_json_number(psi[j]),
                                        "markup", out_json_number(markup[j])));
    return list;
}

static json_t *flows_json(const info_data *d)
{
    json_t *list = json_array();
    for (size_t k = 0; list && k < d->ntop; k++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:o}", "exporter",
                                        tw_model_country_code(d->m, d->top[k].exporter), "importer",
                                        tw_model_country_code(d->m, d->top[k].importer), "flow",
                                        out_json_number(d->top[k].flow)));
    return list;
}

static json_t *info_json(const info_data *d)
{
    json_t *j = json_pack(
        "{s:{s:s, s:s, s:s, s:s}, s:{s:I, s:I}, s:b, s:o, s:{s:o, s:o, s:o, s:o}, s:o, s:o, s:o}",
        "tradewar", "version", TW_VERSION_STRING, "command", "info", "data", d->dir,
        "data_checksum", d->checksum, "dimensions", "countries", (json_int_t)d->N, "sectors",
        (json_int_t)d->J, "valid", d->valid == TW_OK, "validation_error",
        d->valid == TW_OK ? json_null() : json_string(d->why.message), "world", "gross_output",
        out_json_number(world(d, -1)), "trade", out_json_number(world(d, EXPORTS)), "value_added",
        out_json_number(world(d, VA)), "tariff_revenue", out_json_number(world(d, REVENUE)),
        "countries", countries_json(d), "sectors", sectors_json(d), "largest_flows", flows_json(d));
    if (j)
        json_object_set_new(j, "currency_unit", json_string(tw_model_currency_unit(d->m)));
    return j;
}

/* ---- the command --------------------------------------------------------- */

static int parse_info_args(int argc, char **argv, int first, cli_ctx *ctx, const char **dir,
                           int *json)
{
    cli_args a;
    cli_args_init(&a, argc, argv, first, "info");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_OPERAND)
            return cli_usage_error("info", "unexpected argument '%s' (use --data DIR)", a.arg);
        if (cli_is(&a, "--help", "-h", 0)) {
            cmd_info_help(stdout);
            exit(CLI_OK);
        }
        if (cli_common_option(&a, ctx, dir)) {
            if (!*dir && strcmp(a.arg, "--data") == 0)
                return cli_bad_value(&a, "a directory");
        } else if (cli_is(&a, "--format", NULL, 1)) {
            if (!a.value || (strcmp(a.value, "table") && strcmp(a.value, "json")))
                return cli_bad_value(&a, "table or json");
            *json = strcmp(a.value, "json") == 0;
        } else
            return cli_usage_error("info", "unknown option '%s'", a.arg);
    }
    return CLI_OK;
}

static int print_info(const info_data *d, int json)
{
    int bad = 0;
    if (json) {
        json_t *j = info_json(d);
        bad = !j || out_json_dump(stdout, j) != 0;
        json_decref(j);
    } else
        print_table(d);
    if (bad || fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        return CLI_FAILURE;
    }
    return CLI_OK;
}

int cmd_info(int argc, char **argv, int first, cli_ctx ctx)
{
    const char *dir = NULL;
    int json = 0;
    int rc = parse_info_args(argc, argv, first, &ctx, &dir, &json);
    if (rc != CLI_OK)
        return rc;
    char buf[4096];
    if (!dir)
        dir = cli_default_data(buf, sizeof buf);
    tw_model *m = NULL;
    if ((rc = cli_load_data(&ctx, dir, &m)) != CLI_OK)
        return rc;
    info_data d;
    memset(&d, 0, sizeof d);
    d.m = m;
    d.dir = dir;
    if (derive_all(&d) != 0) {
        cli_error("out of memory");
        rc = CLI_FAILURE;
    } else
        rc = print_info(&d, json);
    if (rc == CLI_OK && d.valid != TW_OK) {
        cli_error("%s", d.why.message);
        rc = cli_exit_code(d.valid);
    }
    info_free(&d);
    tw_model_free(m);
    return rc;
}
