/*
 * cmd_import.c - `tradewar import SOURCE ...`: turn a published table into a
 * tradewar data set. One subcommand per source, in the table below: `icio`
 * here (its economics in the library, src/io_icio.c: this file parses flags,
 * calls it and writes the data set) and `gravity` (cli/cmd_import_gravity.c).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void import_icio_help(FILE *f)
{
    fputs(
        "Usage: tradewar import icio FILE --output DIR [--regions MAP.csv] [--sectors MAP.csv]\n"
        "                               [--year Y] [--tariffs FILE] [--elasticities SET|FILE]\n"
        "                               [--inventories keep|drop] [-q|-v]\n"
        "\n"
        "Read an OECD Inter-Country Input-Output table (CSV; 2021, 2023 or 2025 edition)\n"
        "and write a tradewar data set (docs/data-format.md) that every command reads.\n"
        "CN1/CN2 and MX1/MX2 are merged into CHN and MEX. docs/import.md explains each choice.\n"
        "\n"
        "Options:\n"
        "      --output DIR      the data set to write (required)\n"
        "      --regions MAP     CSV economy,region: merge economies into regions (every\n"
        "                        economy of the table once; e.g. data/maps/icio-tradewar.csv)\n"
        "      --sectors MAP     CSV industry,sector: merge industries into sectors\n"
        "      --year Y          the table's year (default: four digits in the file name)\n"
        "      --tariffs FILE    base tariffs, CSV exporter,importer,sector,rate (fractions)\n"
        "                        in the data set's codes (e.g. from `tradewar tariffs aggregate`)\n"
        "      --elasticities S  a bundled set (cp2015, ll2023, ossa2014) or a file\n"
        "                        sector,theta[,psi]; default: theta 1, psi 0 (set one!)\n"
        "      --inventories M   keep (default): flows include the INVNT final-demand\n"
        "                        columns; drop: leave them out\n"
        "  -q, --quiet           no progress messages\n"
        "  -h, --help            show this help\n"
        "\n"
        "Exit status: 0 success, 2 usage error, 3 bad input file, 4 I/O error.\n",
        f);
}

void cmd_import_help(FILE *f)
{
    fputs("Usage: tradewar import SOURCE [OPTIONS]\n"
          "\n"
          "Turn a published table into a tradewar data set. Sources:\n"
          "  icio FILE     an OECD Inter-Country Input-Output table (CSV)\n"
          "  gravity FILE  a long bilateral trade table (CSV or Stata .dta): one sector\n"
          "\n"
          "Run 'tradewar import SOURCE --help' for its options; docs/import.md has a guide\n"
          "to the ICIO tables.\n",
          f);
}

/* The folder of bundled elasticity sets beside the bundled data, or NULL
 * (the library's compiled-in default). */
static const char *sets_dir(char *buf, size_t size)
{
    char data[4096];
    cli_default_data(data, sizeof data);
    char *slash = strrchr(data, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    snprintf(buf, size, "%s/elasticities", data);
    struct stat sb;
    return (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode)) ? buf : NULL;
}

/* The base name of a path (for the manifest: no local directories in it). */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

typedef struct icio_flags {
    const char *file, *output, *regions, *sectors, *year, *tariffs, *elasticities, *inventories;
} icio_flags;

static int parse_icio(int argc, char **argv, int first, cli_ctx *ctx, icio_flags *fl)
{
    static const char *const names[] = {"--output",  "--regions",      "--sectors",    "--year",
                                        "--tariffs", "--elasticities", "--inventories"};
    const char **const slots[] = {&fl->output,  &fl->regions,      &fl->sectors,    &fl->year,
                                  &fl->tariffs, &fl->elasticities, &fl->inventories};
    cli_args a;
    cli_args_init(&a, argc, argv, first, "import icio");
    for (cli_arg_kind kind; (kind = cli_args_next(&a)) != ARG_END;) {
        if (kind == ARG_ERROR)
            return CLI_USAGE;
        if (kind == ARG_OPERAND) {
            if (fl->file)
                return cli_usage_error("import icio", "unexpected argument '%s'", a.arg);
            fl->file = a.arg;
            continue;
        }
        if (cli_is(&a, "--help", "-h", 0)) {
            import_icio_help(stdout);
            return -1;
        }
        int got = cli_stored_option(&a, names, slots, sizeof names / sizeof *names);
        if (got < 0)
            return cli_bad_value(&a, "a value");
        if (got == 0 && !cli_common_option(&a, ctx, NULL))
            return cli_usage_error("import icio", "unknown option '%s'", a.arg);
    }
    if (!fl->file)
        return cli_usage_error("import icio", "no ICIO file given");
    if (!fl->output)
        return cli_usage_error("import icio", "--output DIR is required");
    if (fl->inventories && strcmp(fl->inventories, "keep") != 0 &&
        strcmp(fl->inventories, "drop") != 0)
        return cli_usage_error("import icio", "--inventories '%s': expected keep or drop",
                               fl->inventories);
    return CLI_OK;
}

static int run_icio(const cli_ctx *ctx, const icio_flags *fl, tw_icio_options *o)
{
    tw_error err = {0};
    tw_icio_info info;
    tw_model *m = NULL;
    cli_note(ctx, 1, "reading %s", fl->file);
    tw_status st = tw_icio_import(fl->file, o, &m, &info, &err);
    char dir[4200];
    const char *sets = sets_dir(dir, sizeof dir);
    if (st == TW_OK && fl->tariffs)
        st = tw_model_read_tariffs(m, fl->tariffs, &err);
    if (st == TW_OK && fl->elasticities)
        st = tw_model_apply_elasticities(m, fl->elasticities, sets, &err);
    if (st != TW_OK) {
        tw_model_free(m);
        return cli_fail(&err, st);
    }
    char year[16], bytes[32], econ[32], ind[32], zero[32];
    snprintf(year, sizeof year, "%d", info.year);
    snprintf(bytes, sizeof bytes, "%llu", info.bytes);
    snprintf(econ, sizeof econ, "%zu", info.economies);
    snprintf(ind, sizeof ind, "%zu", info.industries);
    snprintf(zero, sizeof zero, "%zu", info.zero_output);
    const char *prov[] = {
        "tool",
        "tradewar import icio",
        "tradewar_version",
        tw_version(),
        "source_file",
        base_name(fl->file),
        "source_sha256",
        info.sha256,
        "source_bytes",
        bytes,
        "edition",
        info.edition,
        "year",
        info.year ? year : "unknown",
        "economies",
        econ,
        "industries",
        ind,
        "regions_map",
        fl->regions ? base_name(fl->regions) : "none (every economy kept)",
        "regions_map_sha256",
        fl->regions ? info.regions_sha256 : "",
        "sectors_map",
        fl->sectors ? base_name(fl->sectors) : "none (every industry kept)",
        "sectors_map_sha256",
        fl->sectors ? info.sectors_sha256 : "",
        "inventories",
        o->drop_inventories ? "drop" : "keep",
        "tariffs",
        fl->tariffs ? base_name(fl->tariffs) : "none (all 0)",
        "elasticities",
        fl->elasticities ? fl->elasticities : "none (theta 1, psi 0)",
        "zero_output_cells",
        zero,
    };
    char title[256];
    snprintf(title, sizeof title, "OECD ICIO %s edition, %s", info.edition,
             info.year ? year : "year unknown");
    tw_dataset_meta meta = {.title = title,
                            .source = "OECD Inter-Country Input-Output tables (ICIO), imported by "
                                      "tradewar import icio",
                            .currency_unit = "millions of US dollars",
                            .provenance = prov,
                            .n_provenance = sizeof prov / sizeof *prov / 2};
    st = tw_write_dataset_meta(m, fl->output, &meta, &err);
    if (st == TW_OK)
        cli_note(ctx, 1, "wrote %s: %zu regions, %zu sectors (edition %s, %zu zero-output cells)",
                 fl->output, tw_model_countries(m), tw_model_sectors(m), info.edition,
                 info.zero_output);
    tw_model_free(m);
    return st == TW_OK ? CLI_OK : cli_fail(&err, st);
}

static int cmd_import_icio(int argc, char **argv, int first, cli_ctx ctx)
{
    icio_flags fl = {0};
    int rc = parse_icio(argc, argv, first, &ctx, &fl);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    tw_icio_options o;
    tw_icio_options_default(&o);
    o.regions_map = fl.regions;
    o.sectors_map = fl.sectors;
    o.drop_inventories = fl.inventories && strcmp(fl.inventories, "drop") == 0;
    if (fl.year && (!cli_parse_int(fl.year, &o.year) || o.year < 1900 || o.year > 2100))
        return cli_usage_error("import icio", "--year '%s': expected a year such as 2020", fl.year);
    return run_icio(&ctx, &fl, &o);
}

/* ---- the subcommands ---------------------------------------------------------- */

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv, int first, cli_ctx ctx);
} import_source;

static const import_source sources[] = {
    {"icio", cmd_import_icio},
    {"gravity", cmd_import_gravity},
};

int cmd_import(int argc, char **argv, int first, cli_ctx ctx)
{
    if (first >= argc) {
        cmd_import_help(stderr);
        return CLI_USAGE;
    }
    const char *what = argv[first];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
        cmd_import_help(stdout);
        return CLI_OK;
    }
    for (size_t k = 0; k < sizeof sources / sizeof *sources; k++)
        if (strcmp(sources[k].name, what) == 0)
            return sources[k].run(argc, argv, first + 1, ctx);
    return cli_usage_error("import", "no source '%s' (icio, gravity)", what);
}
