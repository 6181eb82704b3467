/*
 * tradewar.h - the public interface of libtradewar.
 *
 * Counterfactual equilibria of multi-country, multi-sector trade models with
 * input-output links, tariffs, export taxes, production subsidies, trade-cost
 * shocks, scale economies and markups ("exact hat algebra"), welfare
 * accounting, and loaders for the bundled data sets.
 *
 * Conventions
 *   - N countries (index i = exporter/origin, n = importer/destination),
 *     J sectors (j, k).
 *   - Arrays are flat, row-major, double precision:
 *       N*N*J arrays (flows, tariffs, ...) are indexed [i][n][j] by tw_idx3();
 *       N*J arrays (shares by country and sector) are indexed [i][j] by tw_idx2();
 *       N*J*J input-output shares are indexed [i][k][j] by tw_idx3io():
 *         the share of input k in the intermediate cost of sector j in country i.
 *   - Rates (tariffs, taxes, subsidies) are fractions: 0.25 means 25%.
 *   - Inputs are borrowed and never modified; every pointer a getter returns is
 *     owned by the handle it came from and stays valid until that handle is
 *     freed or modified.
 *   - Every function that can fail returns a tw_status: whether the call ran.
 *     Where a tw_error * is accepted it may be NULL; when not NULL it receives
 *     a one-line message with the detail (file, line and value where there is
 *     one).
 *   - How an iterative call ended (a solve, an optimisation, a war, a bargain,
 *     an enforcement check) is a tw_outcome in its result or report, apart
 *     from the status: converged, iteration limit, stalled, infeasible, a user
 *     stop, ... A call that ran returns TW_OK whatever its outcome; its outputs
 *     then hold the last (or best) point, and when the outcome is not
 *     TW_OUTCOME_CONVERGED the tw_error (code TW_OK) receives a message saying
 *     why. Check the outcome: a non-converged answer is never a success.
 *   - Constructors (tw_*_create, tw_*_clone, tw_result_to_model) are the one
 *     exception to returning a status: they return the new handle, or NULL
 *     with the reason in their trailing tw_error *err (which may be NULL).
 *     Calls that read or build something from files or data (tw_load_*,
 *     tw_scenario_load/parse, tw_table_read, tw_icio_import, ...) are working
 *     calls like the others: they return a tw_status and hand the new handle
 *     back through an out-pointer. Every handle is freed by its tw_*_free,
 *     which accepts NULL.
 *   - The library never prints, never exits, never aborts and keeps no global
 *     state: handles are independent and may be used from different threads
 *     (one thread per handle at a time).
 */
#ifndef TRADEWAR_H
#define TRADEWAR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TW_VERSION_MAJOR 0
#define TW_VERSION_MINOR 2
#define TW_VERSION_PATCH 0
#define TW_VERSION_STRING "0.2.0"

/** The library's version string (may differ from the header's if linked dynamically). */
const char *tw_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes: whether a call worked.                                     */
/* ------------------------------------------------------------------------ */

/* X(name, message). The order is the ABI: append only (0.2.0 replaced
 * TW_ERR_NO_CONVERGENCE by TW_ERR_NUMERICAL and removed TW_ERR_STOPPED: how
 * a call ended is a tw_outcome, below). TW_ERR_NUMERICAL: a step without
 * which the call has nothing to return failed (the baseline's solve did not
 * converge, a singular equilibrium Jacobian for a gradient); the message
 * says which. */
#define TW_STATUS_LIST(X)                                           \
    X(TW_OK, "success")                                             \
    X(TW_ERR_NOMEM, "out of memory")                                \
    X(TW_ERR_INVALID, "invalid argument")                           \
    X(TW_ERR_IO, "cannot read or write a file")                     \
    X(TW_ERR_PARSE, "malformed input")                              \
    X(TW_ERR_DATA, "invalid data")                                  \
    X(TW_ERR_UNKNOWN_NAME, "unknown country, sector or group")      \
    X(TW_ERR_NUMERICAL, "a step the call needs failed numerically") \
    X(TW_ERR_INTERNAL, "internal error")

/* (not formatted: an X-macro list expands to the members) */
/* clang-format off */
typedef enum {
#define TW_X_ENUM(name, msg) name,
    TW_STATUS_LIST(TW_X_ENUM)
#undef TW_X_ENUM
    TW_STATUS_COUNT
} tw_status;
/* clang-format on */

/** A static message for a status code ("unknown status" when out of range). */
const char *tw_strerror(tw_status status);

/** Detail of a failed call: the code and a one-line message. */
#define TW_ERROR_MESSAGE_MAX 512
typedef struct tw_error {
    tw_status code;
    char message[TW_ERROR_MESSAGE_MAX];
} tw_error;

/* ------------------------------------------------------------------------ */
/* Outcomes: how an iterative call ended (docs/outcomes.md).                */
/* ------------------------------------------------------------------------ */

/* X(name, key, description). Keys are stable (JSON and CSV files use them);
 * the order is the ABI: append only. */
#define TW_OUTCOME_LIST(X)                                                              \
    X(TW_OUTCOME_NONE, "none", "not run")                                               \
    X(TW_OUTCOME_CONVERGED, "converged", "converged: every tolerance met")              \
    X(TW_OUTCOME_ITERATION_LIMIT, "iteration-limit",                                    \
      "stopped at the iteration, evaluation or round limit before converging")          \
    X(TW_OUTCOME_STALLED, "stalled",                                                    \
      "stalled: no further progress possible (line search failed, step too small)")     \
    X(TW_OUTCOME_NON_FINITE, "non-finite", "a NaN or infinity appeared")                \
    X(TW_OUTCOME_SOLVER_FAILED, "solver-failed",                                        \
      "the underlying method failed (a singular Jacobian, an optimiser error)")         \
    X(TW_OUTCOME_INFEASIBLE, "infeasible",                                              \
      "no feasible point: nothing found gives every player more than its threat point") \
    X(TW_OUTCOME_INNER_NOT_CONVERGED, "inner-not-converged",                            \
      "an equilibrium or best response inside the call did not converge")               \
    X(TW_OUTCOME_STOPPED, "stopped",                                                    \
      "stopped at the caller's request (progress callback); the best point so far kept")

/* (not formatted: an X-macro list expands to the members) */
/* clang-format off */
typedef enum {
#define TW_X_ENUM(name, key, desc) name,
    TW_OUTCOME_LIST(TW_X_ENUM)
#undef TW_X_ENUM
    TW_OUTCOME_COUNT
} tw_outcome;
/* clang-format on */

/** The outcome's stable key ("converged", "iteration-limit", ...; "unknown"
 *  when out of range) and a one-line description. Static strings. */
const char *tw_outcome_name(tw_outcome o);
const char *tw_outcome_description(tw_outcome o);
/** The outcome whose key is `name`, or TW_OUTCOME_COUNT when none is. */
tw_outcome tw_outcome_from_name(const char *name);

/* ------------------------------------------------------------------------ */
/* Index helpers                                                            */
/* ------------------------------------------------------------------------ */

/** [i][n][j] in an N*N*J array. */
static inline size_t tw_idx3(size_t N, size_t J, size_t i, size_t n, size_t j)
{
    return (i * N + n) * J + j;
}
/** [i][j] in an N*J array. */
static inline size_t tw_idx2(size_t J, size_t i, size_t j) { return i * J + j; }
/** [i][k][j] in an N*J*J input-output array (input k, using sector j). */
static inline size_t tw_idx3io(size_t J, size_t i, size_t k, size_t j)
{
    return (i * J + k) * J + j;
}

/* ------------------------------------------------------------------------ */
/* The model: a base economy.                                               */
/* ------------------------------------------------------------------------ */

/**
 * A base-year economy: N countries, J sectors, bilateral flows, shares,
 * elasticities and the base policy. Deficits, gross output, spending, value
 * added and tariff revenue are derived from these (see docs/model.md).
 *
 * Flows are recorded before tariffs: X[i][n][j] is what importer n pays
 * exporter i for sector-j goods at the border, tariff excluded (domestic
 * sales on the diagonal). Loaders convert data recorded after tariffs.
 */
typedef struct tw_model tw_model;

/** A model with all flows, tariffs and shares zero, theta 1, psi 0, no markups.
 *  Returns NULL (err: TW_ERR_INVALID) when N < 1 or J < 1, or when N*N*J or
 *  N*J*J exceeds TW_LIMIT_CELLS, and NULL (TW_ERR_NOMEM) when out of memory. */
tw_model *tw_model_create(size_t n_countries, size_t n_sectors, tw_error *err);
void tw_model_free(tw_model *m); /* accepts NULL */
/** A deep copy, or NULL (err says why) when out of memory. */
tw_model *tw_model_clone(const tw_model *m, tw_error *err);

size_t tw_model_countries(const tw_model *m);
size_t tw_model_sectors(const tw_model *m);

/** Codes are short identifiers (letters, digits, '_' or '-', at most 31
 *  characters, unique); names are free text (may be NULL: the code is used). */
tw_status tw_model_set_country(tw_model *m, size_t i, const char *code, const char *name,
                               tw_error *err);
tw_status tw_model_set_sector(tw_model *m, size_t j, const char *code, const char *name,
                              tw_error *err);
const char *tw_model_country_code(const tw_model *m, size_t i);
const char *tw_model_country_name(const tw_model *m, size_t i);
const char *tw_model_sector_code(const tw_model *m, size_t j);
const char *tw_model_sector_name(const tw_model *m, size_t j);
/** Index of a country or sector by code (case-sensitive), or -1. */
long tw_model_find_country(const tw_model *m, const char *code);
long tw_model_find_sector(const tw_model *m, const char *code);

/** Which array tw_model_set / tw_model_get address, and each one's length. */
typedef enum {
    TW_FLOWS,        /* N*N*J, [i][n][j], currency units, before tariffs */
    TW_TARIFFS,      /* N*N*J, [i][n][j], tariff importer n levies on i */
    TW_EXPORT_TAXES, /* N*N*J, [i][n][j], tax exporter i levies on sales to n */
    TW_TRADE_COSTS,  /* N*N*J, [i][n][j], iceberg cost level d (base 1) */
    TW_SUBSIDIES,    /* N*J,   [i][j],    production subsidy paid by i to sector j */
    TW_VA_SHARES,    /* N*J,   [i][j],    value-added share of gross output */
    TW_FINAL_SHARES, /* N*J,   [n][j],    share of sector j in final spending */
    TW_IO_SHARES,    /* N*J*J, [i][k][j], share of input k in intermediate cost of j */
    TW_THETA,        /* J,     trade elasticity (> 0) */
    TW_PSI,          /* J,     scale elasticity (>= 0) */
    TW_MARKUP,       /* J,     profit share of sales pi (0 <= pi < 1) */
    TW_ARRAY_COUNT
} tw_array;

/** Number of doubles in an array of the model's dimensions. */
size_t tw_model_array_length(const tw_model *m, tw_array which);
/** Name of an array ("flows", "tariffs", ...), for messages and files. */
const char *tw_array_name(tw_array which);
/** Copy `len` doubles into the model; len must equal tw_model_array_length(). */
tw_status tw_model_set(tw_model *m, tw_array which, const double *values, size_t len,
                       tw_error *err);
/** The model's array, read-only, of tw_model_array_length() doubles. */
const double *tw_model_get(const tw_model *m, tw_array which);

/** Tolerance used by tw_model_validate for shares that must sum to one. */
#define TW_SHARE_TOLERANCE 1e-6

/**
 * Check the model: finite, non-negative values; shares in [0,1] summing to
 * one within TW_SHARE_TOLERANCE; theta > 0; psi >= 0; 0 <= markup < 1;
 * positive gross output and spending; country and sector codes set and unique.
 * The message names the first problem with codes, e.g.
 * "final_shares: USA: shares sum to 0.93 (tolerance 1e-06)".
 */
tw_status tw_model_validate(const tw_model *m, tw_error *err);

/** Derived base-year quantities, each written to `out` (caller's storage). */
typedef enum {
    TW_DERIVED_GROSS_OUTPUT,   /* N*J  producer revenue Y[i][j] */
    TW_DERIVED_SPENDING,       /* N*J  spending E[n][j] including tariffs */
    TW_DERIVED_VALUE_ADDED,    /* N    labour income plus profits */
    TW_DERIVED_TARIFF_REVENUE, /* N    */
    TW_DERIVED_INCOME,         /* N    final spending: value added + net tax revenue + deficit */
    TW_DERIVED_DEFICIT,        /* N    imports minus exports, before tariffs */
    TW_DERIVED_EXPORTS,        /* N    before tariffs */
    TW_DERIVED_IMPORTS,        /* N    before tariffs */
    TW_DERIVED_COUNT
} tw_derived;
size_t tw_model_derived_length(const tw_model *m, tw_derived which);
tw_status tw_model_derive(const tw_model *m, tw_derived which, double *out, size_t len);

/** A checksum (FNV-1a 64 over dimensions, codes and arrays) as 16 hex digits
 *  written into `hex` (at least 17 bytes): results record which data made them. */
void tw_model_checksum(const tw_model *m, char hex[17]);

/**
 * A seeded synthetic economy for tests and benchmarks: N countries, J sectors
 * (the first 60% goods with tariffs, the rest services), every sector's scale
 * elasticity psi, drawn from the fixed distributions documented in
 * docs/model.md ("Synthetic economies"), with flows that make it an exact
 * equilibrium with balanced trade. Same arguments, same economy.
 */
tw_status tw_model_synthetic(size_t n_countries, size_t n_sectors, unsigned long seed, double psi,
                             tw_model **out, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Policy: the counterfactual instruments.                                  */
/* ------------------------------------------------------------------------ */

/**
 * A counterfactual policy for one model: tariffs, export taxes, production
 * subsidies, trade-cost changes and deficits. Created equal to the model's
 * base policy (no change). Wedge on a shipment (docs/model.md):
 *   kappa[i][n][j] = d[i][n][j] (1 + t[i][n][j]) (1 + e[i][n][j]) / (1 + s[i][j]).
 */
typedef struct tw_policy tw_policy;

/** NULL (err says why) when m is NULL or out of memory. */
tw_policy *tw_policy_create(const tw_model *m, tw_error *err);
void tw_policy_free(tw_policy *p); /* accepts NULL */
tw_policy *tw_policy_clone(const tw_policy *p, tw_error *err);
/** Back to the base policy of the model it was created for. */
void tw_policy_reset(tw_policy *p);
size_t tw_policy_countries(const tw_policy *p);
size_t tw_policy_sectors(const tw_policy *p);

/** Tariff importer n levies on exporter i's sector-j goods (fraction, > -1). */
tw_status tw_policy_set_tariff(tw_policy *p, size_t exporter, size_t importer, size_t sector,
                               double rate);
double tw_policy_tariff(const tw_policy *p, size_t exporter, size_t importer, size_t sector);
/** Export tax exporter i levies on sales to n (fraction, > -1; negative: export subsidy). */
tw_status tw_policy_set_export_tax(tw_policy *p, size_t exporter, size_t importer, size_t sector,
                                   double rate);
double tw_policy_export_tax(const tw_policy *p, size_t exporter, size_t importer, size_t sector);
/** Production subsidy paid by country i to its sector j (fraction, > -1). */
tw_status tw_policy_set_subsidy(tw_policy *p, size_t country, size_t sector, double rate);
double tw_policy_subsidy(const tw_policy *p, size_t country, size_t sector);
/** Change in the iceberg trade cost d (factor, > 0; INFINITY bans the flow).
 *  The domestic flow's cost cannot change. */
tw_status tw_policy_set_trade_cost_change(tw_policy *p, size_t exporter, size_t importer,
                                          size_t sector, double factor);
double tw_policy_trade_cost_change(const tw_policy *p, size_t exporter, size_t importer,
                                   size_t sector);
/** Counterfactual trade deficit of country n in base-year currency units.
 *  Default: the base deficit (held fixed relative to the numeraire). */
tw_status tw_policy_set_deficit(tw_policy *p, size_t country, double deficit);
double tw_policy_deficit(const tw_policy *p, size_t country);
/** Whole arrays (same layouts as the model's), read-only. */
const double *tw_policy_get(const tw_policy *p, tw_array which);
/** 1 when the policy equals the model's base policy in every entry. */
int tw_policy_is_base(const tw_policy *p);

/* ------------------------------------------------------------------------ */
/* Solver                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum {
    TW_METHOD_ANDERSON,     /* damped fixed point with Anderson acceleration (KINSOL) */
    TW_METHOD_NEWTON_KRYLOV /* Newton-GMRES with line search on the same system (KINSOL) */
} tw_method;

struct tw_solve_progress;
typedef struct tw_solver_options {
    tw_method method;   /* default TW_METHOD_ANDERSON */
    double tol;         /* max scaled residual accepted, default 1e-10 */
    int max_iter;       /* default 2000 */
    int anderson_depth; /* default 8 */
    double damping;     /* 0 < damping <= 1 for Anderson, default 1 */
    int fallback;       /* 1: if the method fails, retry with the other one; default 1 */
    /* Optional progress callback: called on the solving thread every
       progress_every evaluations of the equilibrium map (default 10) with the
       residual there; a non-zero return stops the solve, which returns
       TW_OK with the last iterate in its result and outcome TW_OUTCOME_STOPPED. */
    int (*progress)(void *user, const struct tw_solve_progress *p);
    void *progress_user;
    int progress_every;
} tw_solver_options;

/** What tw_solve reports to tw_solver_options.progress (borrowed for the call). */
typedef struct tw_solve_progress {
    long evaluations; /* evaluations of the equilibrium map so far in this solve */
    tw_method method; /* the method running */
    double residual;  /* max scaled equilibrium residual at the latest evaluation */
    double tol;       /* the residual that counts as converged */
    double seconds;   /* since the solve started */
} tw_solve_progress;
void tw_solver_options_default(tw_solver_options *o);

/** Statistics of the last solve. */
typedef struct tw_solver_stats {
    tw_outcome outcome; /* TW_OUTCOME_NONE (not solved yet), CONVERGED (every
                             equilibrium residual below tol), ITERATION_LIMIT,
                             STALLED, NON_FINITE or SOLVER_FAILED */
    tw_method method;   /* the method that produced the answer */
    long iterations;    /* nonlinear iterations (all attempts) */
    long evaluations;   /* evaluations of the equilibrium map */
    double residual;    /* max scaled equilibrium residual at the answer */
    double seconds;     /* wall time of the solve */
} tw_solver_stats;

/** A workspace to solve counterfactuals of one model. The model is borrowed and
 *  must outlive the solver. All memory is allocated here, none while solving. */
typedef struct tw_solver tw_solver;
tw_solver *tw_solver_create(const tw_model *m, const tw_solver_options *opt, tw_error *err);
void tw_solver_free(tw_solver *s);

/**
 * Replace the trade and scale elasticities the solver uses (J values each;
 * NULL keeps the current ones) without rebuilding it: for sensitivity
 * analysis and Monte Carlo draws on one base economy (the base is an
 * equilibrium for any elasticities). psi > 0 needs a solver created for a
 * model with some psi > 0. tw_result_check still uses the model's values.
 */
tw_status tw_solver_set_elasticities(tw_solver *s, const double *theta, const double *psi,
                                     tw_error *err);

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

/** The counterfactual equilibrium and what follows from it. */
typedef struct tw_result tw_result;
/** NULL (err says why) when m is NULL or out of memory. */
tw_result *tw_result_create(const tw_model *m, tw_error *err);
void tw_result_free(tw_result *r); /* accepts NULL */

/**
 * Solve the counterfactual equilibrium of `policy` (created for the solver's
 * model) into `res`. Returns TW_OK when the solve ran, whether or not it
 * converged: tw_result_stats(res).outcome says how it ended (when not
 * converged the result holds the last iterate, and err a message with the
 * detail; TW_OUTCOME_STOPPED when the options' progress callback asked to
 * stop); another code on bad arguments or out of memory. `res` must have
 * been created for the same model.
 */
tw_status tw_solve(tw_solver *s, const tw_policy *policy, tw_result *res, tw_error *err);

/** Warm start: begin the next tw_solve from a previous result's equilibrium
 *  (of the same model) instead of from "no change". NULL clears it. */
tw_status tw_solver_set_start(tw_solver *s, const tw_result *start);

/**
 * Whether the base equilibrium is a stable one under the solver's current
 * elasticities (tw_solver_set_elasticities). The base solves the model for any
 * elasticities, but with scale economies a sector's employment can feed on
 * itself (psi theta near 1, amplified through input-output links): then a
 * small shock grows instead of dying out and tw_solve finds no counterfactual
 * equilibrium near the base. *growth receives the largest real part among the
 * estimated eigenvalues of the Jacobian of the plain fixed-point map at the
 * base (Arnoldi, 31 evaluations of the map): below 1 the base is stable; 1 or
 * more, a self-reinforcing mode exists. An estimate: within about 0.01 of the
 * exact value on the bundled data. Uses the solver's work space, not its start.
 */
tw_status tw_solver_base_stability(tw_solver *s, double *growth, tw_error *err);

tw_solver_stats tw_result_stats(const tw_result *r);

/** Per-country outcomes (arrays of N). Percent changes are 100 (hat - 1).
 *  Nominal GDP is final spending plus exports minus imports (before tariffs),
 *  i.e. income minus the trade deficit. Real GDP is a quantity index at base
 *  prices from the expenditure side, as GTAP's qgdp: base final spending
 *  times its real change (the real-income hat) plus exports minus imports,
 *  each flow at base value times its quantity change, the flow's border price
 *  moving as the importer's sector price index times (1 + t0) / (1 + t')
 *  (docs/model.md, "Real GDP"). Appended keys: the order is the ABI. */
#define TW_COUNTRY_OUTPUT_LIST(X)                                                          \
    X(TW_C_WELFARE_PCT, "welfare_pct", "real income change, %")                            \
    X(TW_C_EV, "ev", "equivalent variation, base currency units")                          \
    X(TW_C_CP_WELFARE_PCT, "cp_welfare_pct", "Caliendo-Parro welfare: tot + vot, %")       \
    X(TW_C_TOT_PCT, "tot_pct", "terms-of-trade effect (Caliendo-Parro), % of income")      \
    X(TW_C_VOT_PCT, "vot_pct", "volume-of-trade effect (Caliendo-Parro), % of income")     \
    X(TW_C_WAGE_PCT, "wage_pct", "nominal wage change, %")                                 \
    X(TW_C_REAL_WAGE_PCT, "real_wage_pct", "real wage change, %")                          \
    X(TW_C_PRICE_INDEX_PCT, "price_index_pct", "consumer price index change, %")           \
    X(TW_C_INCOME_BASE, "income_base", "income (final spending), base")                    \
    X(TW_C_INCOME, "income", "income (final spending), counterfactual")                    \
    X(TW_C_TARIFF_REVENUE_BASE, "tariff_revenue_base", "tariff revenue, base")             \
    X(TW_C_TARIFF_REVENUE, "tariff_revenue", "tariff revenue, counterfactual")             \
    X(TW_C_EXPORT_TAX_REVENUE, "export_tax_revenue", "export-tax revenue, counterfactual") \
    X(TW_C_SUBSIDY_COST, "subsidy_cost", "production-subsidy outlays, counterfactual")     \
    X(TW_C_EXPORTS_BASE, "exports_base", "exports before tariffs, base")                   \
    X(TW_C_EXPORTS, "exports", "exports before tariffs, counterfactual")                   \
    X(TW_C_IMPORTS_BASE, "imports_base", "imports before tariffs, base")                   \
    X(TW_C_IMPORTS, "imports", "imports before tariffs, counterfactual")                   \
    X(TW_C_TRADE_BALANCE_BASE, "trade_balance_base", "exports minus imports, base")        \
    X(TW_C_TRADE_BALANCE, "trade_balance", "exports minus imports, counterfactual")        \
    X(TW_C_GDP_BASE, "gdp_base", "nominal GDP (final spending + exports - imports), base") \
    X(TW_C_GDP, "gdp", "nominal GDP (final spending + exports - imports), counterfactual") \
    X(TW_C_REAL_GDP_PCT, "real_gdp_pct", "real GDP change at base prices (expenditure side), %")

/* (not formatted: an X-macro list expands to the members) */
/* clang-format off */
typedef enum {
#define TW_X_ENUM(name, key, desc) name,
    TW_COUNTRY_OUTPUT_LIST(TW_X_ENUM)
#undef TW_X_ENUM
    TW_C_COUNT
} tw_country_output;
/* clang-format on */

/** Per country-and-sector outcomes (arrays of N*J, [i][j]). */
#define TW_SECTOR_OUTPUT_LIST(X)                                                                   \
    X(TW_CS_OUTPUT_BASE, "output_base", "gross output, base")                                      \
    X(TW_CS_OUTPUT, "output", "gross output, counterfactual")                                      \
    X(TW_CS_OUTPUT_PCT, "output_pct", "gross output change, %")                                    \
    X(TW_CS_EMPLOYMENT_SHARE_BASE, "employment_share_base", "share of the country's labour, base") \
    X(TW_CS_EMPLOYMENT_SHARE, "employment_share", "share of the country's labour, counterfactual") \
    X(TW_CS_PRICE_PCT, "price_pct", "sector price index change, %")                                \
    X(TW_CS_COST_PCT, "cost_pct", "unit cost of the input bundle change, %")                       \
    X(TW_CS_EXPORTS_BASE, "exports_base", "sector exports, base")                                  \
    X(TW_CS_EXPORTS, "exports", "sector exports, counterfactual")

/* (not formatted: an X-macro list expands to the members) */
/* clang-format off */
typedef enum {
#define TW_X_ENUM(name, key, desc) name,
    TW_SECTOR_OUTPUT_LIST(TW_X_ENUM)
#undef TW_X_ENUM
    TW_CS_COUNT
} tw_sector_output;
/* clang-format on */

const double *tw_result_country(const tw_result *r, tw_country_output which);
const double *tw_result_sector(const tw_result *r, tw_sector_output which);
/** Counterfactual flows before tariffs, N*N*J [i][n][j]. */
const double *tw_result_flows(const tw_result *r);
const char *tw_country_output_key(tw_country_output which);
const char *tw_country_output_description(tw_country_output which);
const char *tw_sector_output_key(tw_sector_output which);
const char *tw_sector_output_description(tw_sector_output which);

/** Hats of the solver's unknowns: wages (N), sector prices (N*J), sector
 *  employment (N*J), for checks and advanced use. */
const double *tw_result_wage_hat(const tw_result *r);
const double *tw_result_price_hat(const tw_result *r);
const double *tw_result_employment_hat(const tw_result *r);

/**
 * Residuals of every equilibrium condition at the result, recomputed from
 * scratch (independently of the solver's own stopping test): goods markets,
 * labour markets, price indices, income, trade balances and Walras' law,
 * each as a max relative error. Written to `out` (TW_CHECK_COUNT doubles).
 */
typedef enum {
    TW_CHECK_GOODS,   /* spending = final + intermediate demand */
    TW_CHECK_LABOUR,  /* wage bill = labour share of sales, employment adds up */
    TW_CHECK_PRICES,  /* price index equation */
    TW_CHECK_SHARES,  /* trade shares sum to one */
    TW_CHECK_BALANCE, /* imports - exports = deficit */
    TW_CHECK_WALRAS,  /* world spending = world production + tariffs */
    TW_CHECK_COUNT
} tw_check;
const char *tw_check_name(tw_check c);
tw_status tw_result_check(const tw_result *r, const tw_model *m, const tw_policy *p,
                          double out[TW_CHECK_COUNT]);

/** A new model whose base is the counterfactual equilibrium in `res` under
 *  `policy`: its flows are the new flows and its base policy is `policy`.
 *  Returns NULL (err says why) on a missing argument, dimensions that differ,
 *  or out of memory. */
tw_model *tw_result_to_model(const tw_result *res, const tw_model *m, const tw_policy *policy,
                             tw_error *err);

/* ------------------------------------------------------------------------ */
/* Baselines                                                                */
/* ------------------------------------------------------------------------ */

typedef enum {
    TW_DEFICIT_FIXED, /* keep base deficits fixed relative to the numeraire (Caliendo-Parro) */
    TW_DEFICIT_BALANCED /* first solve the economy with zero deficits and use it as base (DEK, Ossa) */
} tw_deficit_mode;

/** What building a baseline did. */
typedef struct tw_baseline_report {
    int calibrated;         /* 1 when a calibration solve was needed */
    double calibration_gap; /* max |log hat| of wages and prices in the calibration solve */
    int balanced;           /* 1 when deficits were removed */
    tw_solver_stats calibration;
    tw_solver_stats balancing;
} tw_baseline_report;

/**
 * Build the base economy that counterfactuals start from: (1) calibrate: when
 * a no-change solve of the raw data does not return every hat equal to 1
 * (the data are not an equilibrium of the model, e.g. final shares adjusted),
 * use that solve's equilibrium as the base (Caliendo-Parro's first step);
 * (2) with TW_DEFICIT_BALANCED, solve with all deficits zero and use that.
 * The result is a new model in *out (caller frees). When either solve does
 * not converge there is no base: TW_ERR_NUMERICAL, *out NULL, and the
 * report's calibration or balancing statistics say how the solve ended.
 */
tw_status tw_baseline_build(const tw_model *raw, tw_deficit_mode mode, const tw_solver_options *opt,
                            tw_model **out, tw_baseline_report *report, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Data loaders                                                             */
/* ------------------------------------------------------------------------ */

/** Load a tradewar data set: a directory with manifest.yaml and long-form CSV
 *  files (docs/data-format.md). Validates everything; messages name file,
 *  line and value. */
tw_status tw_load_dataset(const char *dir, tw_model **out, tw_error *err);
/** Write a model as a tradewar data set into `dir` (created if missing). */
tw_status tw_write_dataset(const tw_model *m, const char *dir, tw_error *err);
/** Load Caliendo & Parro's 1993 text files (the cp1993 layout), building
 *  domestic sales and final shares as the authors do. */
tw_status tw_load_cp1993(const char *dir, tw_model **out, tw_error *err);
/** Read a cp1993 tariff file (e.g. tariffs2005.txt: 20 tradable-sector blocks
 *  of N importer rows by N exporter columns, percent) into `tariffs`, an
 *  N*N*J array [i][n][j] of fractions for the model `m` from tw_load_cp1993
 *  (len = N*N*J; services and the diagonal 0), for use as a scenario. */
tw_status tw_read_cp1993_tariffs(const char *path, const tw_model *m, double *tariffs, size_t len,
                                 tw_error *err);
/** Load the us-china-2017 CSV layout (TradeFlow2017.csv, IOshare.csv, ...). */
tw_status tw_load_uschina(const char *dir, tw_model **out, tw_error *err);
/** Load Ossa (2014)'s data (the ossa2007 layout: trade_ijs.csv, tariff_ijs.csv,
 *  sigma_s.csv, ...) as his Krugman model: no input-output links, theta =
 *  sigma - 1, psi = 0, markups 1/sigma; `sigma_column` (1-5) picks the
 *  elasticity variant of sigma_s.csv (1: the paper's baseline). */
tw_status tw_load_ossa(const char *dir, int sigma_column, tw_model **out, tw_error *err);
/** Load whatever `dir` holds: a manifest.yaml, the cp1993 layout, the
 *  us-china-2017 layout or the ossa2007 layout (sigma column 1), detected by
 *  the files present. */
tw_status tw_load_any(const char *dir, tw_model **out, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Strategic layer: optimal policy, trade wars, talks, enforcement          */
/* ------------------------------------------------------------------------ */

/* Instruments a government may choose (bit flags). */
#define TW_INSTRUMENT_IMPORT_TARIFFS 1u /* its tariffs on imports, by partner and sector */
#define TW_INSTRUMENT_EXPORT_TAXES 2u   /* its taxes on exports, by destination and sector */
#define TW_INSTRUMENT_SUBSIDIES 4u      /* its production subsidies, by sector */

struct tw_progress; /* defined near the end of this header */

/** What a government may choose and how the optimiser stops. */
typedef struct tw_optimal_options {
    unsigned instruments;          /* TW_INSTRUMENT_* flags; default import tariffs */
    int mfn;                       /* 1: one rate per sector for all partners; default 0 */
    double lower, upper;           /* bounds on every rate; default 0 and 10 (1000%) */
    const unsigned char *partners; /* N flags: partners the instruments may target; NULL: all
                                      for a best response or a war, the other players for
                                      tw_cooperate and tw_bargain */
    const unsigned char *sectors;  /* J flags: sectors whose rates may move; NULL: all */
    double xtol_rel;               /* relative tolerance on the rates, default 1e-8 */
    double ftol_rel;               /* relative tolerance on welfare, default 1e-13 */
    double gtol;                   /* also converged when the projected gradient's largest
                                      entry is below gtol (default 1e-5, in percentage points
                                      of welfare per unit of rate: a 10-point rate change
                                      then moves welfare by less than 1e-6 points): the line
                                      search can stall at the optimum, on round-off, before
                                      the optimiser's own tests are met */
    int max_eval;                  /* welfare-and-gradient evaluations; 0 (default):
                                      1000 + 3 per instrument */
    /* optional progress callback (see tw_progress near the end of this header):
       called after each evaluation; a non-zero return stops the call, which
       returns TW_OK with outcome TW_OUTCOME_STOPPED and the best point so far
       in its outputs */
    int (*progress)(void *user, const struct tw_progress *p);
    void *progress_user;
} tw_optimal_options;
void tw_optimal_options_default(tw_optimal_options *o);

/** How an optimisation ended. */
typedef struct tw_optimal_report {
    tw_outcome outcome; /* CONVERGED: the optimiser stopped on a tolerance, or at a point
                            whose projected gradient is below gtol; ITERATION_LIMIT
                            (max_eval), STALLED, SOLVER_FAILED, NON_FINITE,
                            INNER_NOT_CONVERGED (an equilibrium on the way did not
                            converge: the outputs hold that point), STOPPED (user stop:
                            the best point so far), INFEASIBLE (tw_bargain only) */
    long evaluations;   /* objective evaluations, each an equilibrium and a gradient */
    size_t variables;   /* number of instruments chosen */
    double objective;   /* the objective at the optimum (welfare hat, or sum, or Nash product) */
    double projected_gradient; /* largest entry of the projected gradient at the optimum */
    double seconds;
} tw_optimal_report;

/** Number of instruments the options give `country` (0: nothing to choose:
 *  instruments on flows that are zero in the base are left out). */
size_t tw_optimal_variables(const tw_model *m, size_t country, const tw_optimal_options *o);

/**
 * Real income of `country` (W_hat, 1 = base) under policy `p` and its
 * gradient with respect to the country's instruments (len =
 * tw_optimal_variables(), in the order documented in docs/strategy.md), by the
 * adjoint of the equilibrium conditions (implicit-function theorem).
 */
tw_status tw_welfare_gradient(tw_solver *s, const tw_policy *p, size_t country,
                              const tw_optimal_options *o, double *welfare, double *grad,
                              size_t len, tw_error *err);

/**
 * `country`'s best response: the instruments that maximise its real income,
 * everyone else's policy as in `policy` (which also gives the start point).
 * On TW_OK `policy` holds the optimum (or, by rep->outcome, the point where
 * the optimiser stopped) and `res` its equilibrium.
 */
tw_status tw_best_response(tw_solver *s, size_t country, const tw_optimal_options *o,
                           tw_policy *policy, tw_result *res, tw_optimal_report *rep,
                           tw_error *err);

/**
 * A best response with the MFN warm-up the program uses: when `warmup` is 1
 * and the options leave rates free by partner (o->mfn 0, import tariffs or
 * export taxes among the instruments), first the optimum with one rate per
 * sector for all partners (o->mfn = 1), then tw_best_response from it. The
 * bilateral problem is non-concave; started from the MFN optimum it finds
 * the optimum the program reports. `warm` (may be NULL) receives the
 * warm-up's report (outcome TW_OUTCOME_NONE when there was none); a warm-up
 * short of convergence still starts the second phase. A user stop in the
 * warm-up ends the call: rep->outcome and warm->outcome TW_OUTCOME_STOPPED,
 * `policy` the warm-up's best point (resume with warmup 0 only once the
 * warm-up has finished). Progress reports carry phase "mfn" or "bilateral".
 */
tw_status tw_optimal(tw_solver *s, size_t country, const tw_optimal_options *o, int warmup,
                     tw_policy *policy, tw_result *res, tw_optimal_report *rep,
                     tw_optimal_report *warm, tw_error *err);

/** Options of the games (wars and talks) beyond each player's instruments. */
typedef struct tw_game_options {
    tw_optimal_options best; /* the players' instruments and the optimiser's tolerances */
    double tol;              /* war: stop when no rate moves more than tol in a round (1e-6) */
    int max_rounds;          /* war: rounds of best responses (default 100) */
    int threads;             /* war: best responses of a round in parallel (default 1) */
    void (*progress)(void *user, int round, double change); /* optional, after each round */
    void *progress_user;
} tw_game_options;
void tw_game_options_default(tw_game_options *o);

typedef struct tw_game_report {
    tw_outcome outcome; /* CONVERGED: the best responses reached a fixed point within tol
                           (and the last round's best responses and the final equilibrium
                           converged); ITERATION_LIMIT (max_rounds); INNER_NOT_CONVERGED (a
                           fixed point, but a best response of its last round or its
                           equilibrium did not converge); STOPPED (user stop: the policy
                           after the last completed round) */
    long best_responses_not_converged; /* over all rounds */
    int rounds;
    double change;    /* largest change of a rate in the last round */
    long evaluations; /* equilibria solved */
    double seconds;
} tw_game_report;

/**
 * The Nash equilibrium of a tariff war among `players` (country indices):
 * each sets its optimal instruments against all others, non-players keep
 * their policy. Iterated simultaneous best responses from `policy`; on return
 * `policy` holds the equilibrium and `res` (created for m) its economy.
 */
tw_status tw_nash(const tw_model *m, const tw_solver_options *so, const size_t *players,
                  size_t n_players, const tw_game_options *go, tw_policy *policy, tw_result *res,
                  tw_game_report *rep, tw_error *err);

/**
 * The trade war the program computes: with `warmup` 1 (and rates free by
 * partner, as for tw_optimal), first the war in MFN tariffs (go->best.mfn =
 * 1), then tw_nash from its equilibrium; otherwise tw_nash alone. `warm` (may
 * be NULL) receives the MFN war's report (outcome TW_OUTCOME_NONE when there
 * was none); an MFN war that did not settle still starts the second. A user
 * stop in the MFN war ends the call with rep->outcome and warm->outcome
 * TW_OUTCOME_STOPPED and `policy` after its last completed round. Progress
 * reports carry phase "mfn" or "bilateral".
 */
tw_status tw_war(const tw_model *m, const tw_solver_options *so, const size_t *players,
                 size_t n_players, const tw_game_options *go, int warmup, tw_policy *policy,
                 tw_result *res, tw_game_report *rep, tw_game_report *warm, tw_error *err);

/**
 * Cooperative policy: the players' instruments on each other jointly maximise
 * sum_k weights[k] W_hat[players[k]] (weights NULL: equal weights). `policy`
 * is the start point and receives the optimum.
 */
tw_status tw_cooperate(tw_solver *s, const size_t *players, size_t n_players, const double *weights,
                       const tw_optimal_options *o, tw_policy *policy, tw_result *res,
                       tw_optimal_report *rep, tw_error *err);

/**
 * Nash bargaining: the players' instruments maximise
 * sum_k log(W_hat[players[k]] - threat[k]), where threat[k] is player k's
 * welfare hat at the threat point (the war). Any start point will do (the
 * logarithm is continued smoothly below a slack of 1e-5). When the point
 * found gives some player no more than its threat (by less than the slack),
 * rep->outcome is TW_OUTCOME_INFEASIBLE (status TW_OK; err names the player):
 * there may be no gains from talks.
 */
tw_status tw_bargain(tw_solver *s, const size_t *players, size_t n_players, const double *threat,
                     const tw_optimal_options *o, tw_policy *policy, tw_result *res,
                     tw_optimal_report *rep, tw_error *err);

/** Whether an agreement enforces itself for one player (Bagwell-Staiger). */
typedef struct tw_enforcement {
    double agreement_welfare;      /* W_hat under the agreement */
    double deviation_welfare;      /* W_hat of its best response to the agreement (one period) */
    double punishment_welfare;     /* W_hat in each period of the punishment */
    double deviation_gain;         /* deviation - agreement */
    double punishment_loss;        /* agreement - punishment, per period */
    double critical_discount;      /* gain / (gain + loss): self-enforcing for discount factors
                                  at or above it; 0 when deviating gains nothing; INFINITY
                                  when the punishment costs nothing */
    tw_outcome agreement_outcome;  /* the agreement's equilibrium */
    tw_outcome deviation_outcome;  /* the best response to the agreement */
    tw_outcome punishment_outcome; /* the punishment's equilibrium (tw_enforce) or the
                                      deviator's best response to the snapback */
} tw_enforcement;

/** The first of e's three outcomes that is not TW_OUTCOME_CONVERGED, or
 *  TW_OUTCOME_CONVERGED: whether the figures rest on converged answers. */
tw_outcome tw_enforcement_outcome(const tw_enforcement *e);

/**
 * For each of the players: the one-shot gain from deviating to its best
 * response to `agreement`, the per-period loss when `punishment` (e.g. the
 * Nash war) follows forever, and the critical discount factor. out has
 * n_players entries.
 */
tw_status tw_enforce(tw_solver *s, const size_t *players, size_t n_players,
                     const tw_optimal_options *o, const tw_policy *agreement,
                     const tw_policy *punishment, tw_enforcement *out, tw_error *err);

/**
 * Snapback punishment: after `player` deviates, every other player raises its
 * import tariffs on `player` to the agreement's rates plus `snapback` (the
 * deviator best-responds). Fills `out` for that punishment.
 */
tw_status tw_enforce_snapback(tw_solver *s, size_t player, const size_t *players, size_t n_players,
                              const tw_optimal_options *o, const tw_policy *agreement,
                              double snapback, tw_enforcement *out, tw_error *err);

/** The smallest snapback (in [0, o->upper], by bisection to 1e-4) that makes
 *  the agreement self-enforcing for `player` at discount factor `delta`;
 *  INFINITY when even the largest does not. `outcome` (may be NULL) receives
 *  TW_OUTCOME_CONVERGED when every equilibrium and best response it used
 *  converged, otherwise the first other outcome (the search then goes on). */
tw_status tw_min_snapback(tw_solver *s, size_t player, const size_t *players, size_t n_players,
                          const tw_optimal_options *o, const tw_policy *agreement, double delta,
                          double *snapback, tw_outcome *outcome, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                */
/* ------------------------------------------------------------------------ */

/**
 * A scenario file (YAML, docs/scenarios.md): solver options, named groups of
 * countries and sectors, and one or more stages of policy rules (tariffs,
 * export taxes, trade costs, subsidies, deficits). Loading checks the syntax
 * only; codes and groups are resolved against a model by tw_scenario_policy(),
 * so options can be read before the base economy is built.
 */
typedef struct tw_scenario tw_scenario;

/** Read and check a scenario file. Messages name the file and line:
 *  "scenario.yaml:12: unknown key 'improter' in tariff". */
tw_status tw_scenario_load(const char *path, tw_scenario **out, tw_error *err);
/** The same from a buffer of `len` bytes; `name` is used in messages and its
 *  directory for relative paths in the scenario (e.g. "<stdin>": the current directory). */
tw_status tw_scenario_parse(const char *text, size_t len, const char *name, tw_scenario **out,
                            tw_error *err);
void tw_scenario_free(tw_scenario *sc); /* accepts NULL */

/** The `name:` of the file (the file name when absent) and its `description:`
 *  ("" when absent). Owned by the scenario. */
const char *tw_scenario_name(const tw_scenario *sc);
const char *tw_scenario_description(const tw_scenario *sc);

/** Stages: a file with `policies:` has one stage; with `stages:` one per entry,
 *  in order. Names default to the scenario's name ("stage K" in `stages:`),
 *  dates to "". NULL when k is out of range. */
size_t tw_scenario_stage_count(const tw_scenario *sc);
const char *tw_scenario_stage_name(const tw_scenario *sc, size_t k);
const char *tw_scenario_stage_date(const tw_scenario *sc, size_t k);

/** Overwrite the options the file sets in its `options:` section (only those;
 *  either pointer may be NULL). */
void tw_scenario_apply_options(const tw_scenario *sc, tw_solver_options *opt,
                               tw_deficit_mode *deficits);

/**
 * The cumulative policy after stage `stage` (stages 0..stage applied in
 * order, each on top of the previous ones, starting from m's base policy)
 * written into `p`, which must have been created for `m`. Resolves codes and
 * groups; a rule that matches no cell is an error ("names nothing"), as is a
 * resulting rate <= -1. Errors name the scenario file, line and value.
 * On error `p` holds a partial policy.
 */
tw_status tw_scenario_policy(const tw_scenario *sc, size_t stage, const tw_model *m, tw_policy *p,
                             tw_error *err);

/* ------------------------------------------------------------------------ */
/* Monte Carlo draws and quantiles (sweeps)                                 */
/* ------------------------------------------------------------------------ */

/** How an elasticity is drawn in a Monte Carlo run. */
typedef enum {
    TW_DIST_FIXED,  /* always the central value a[j] */
    TW_DIST_NORMAL, /* normal with mean a[j] and standard error b[j], truncated to
                        positive values (theta) or non-negative values (psi) */
    TW_DIST_UNIFORM /* uniform on [a[j], b[j]] */
} tw_dist;

/** The distribution of one elasticity, sector by sector (a and b: J values each,
 *  borrowed; b unused for TW_DIST_FIXED). */
typedef struct tw_draw_spec {
    tw_dist dist;
    const double *a;
    const double *b;
} tw_draw_spec;

/**
 * Draw number k of theta and psi (J values each, into theta_out and psi_out).
 * Draw 0 is the central values (every a[j]); draws k >= 1 are random. The
 * numbers come from a counter-based generator keyed by (seed, k, sector), so
 * a draw is the same whichever thread or process makes it, in whatever order.
 * Sectors and the two elasticities are drawn independently. TW_ERR_INVALID
 * names the first bad value (theta means <= 0, psi means < 0, negative
 * standard errors, empty ranges).
 */
tw_status tw_draw_elasticities(const tw_draw_spec *theta, const tw_draw_spec *psi, size_t J,
                               unsigned long long seed, unsigned long long k, double *theta_out,
                               double *psi_out, tw_error *err);

/**
 * As tw_draw_elasticities, truncated to psi[j] * theta[j] < max_psi_theta in
 * every sector: a sector whose pair falls on or above the bound is drawn again
 * (both elasticities, from fresh random numbers) until it falls below, which
 * samples the distribution conditional on the bound exactly. With scale
 * economies the model has an interior equilibrium only where psi theta < 1
 * (Kucheryavyy, Lyn and Rodriguez-Clare 2023), so 1 is the natural bound;
 * INFINITY draws without one. Draw 0 (the central values) is never changed.
 * Where a draw agrees with the bound at once it equals tw_draw_elasticities'
 * draw. `rejected` (may be NULL) gets how many sector pairs were redrawn.
 * TW_ERR_INVALID as tw_draw_elasticities, for a bound <= 0, and when 1000
 * candidates in a row for a sector all miss the bound.
 */
tw_status tw_draw_elasticities_bounded(const tw_draw_spec *theta, const tw_draw_spec *psi, size_t J,
                                       double max_psi_theta, unsigned long long seed,
                                       unsigned long long k, double *theta_out, double *psi_out,
                                       unsigned long long *rejected, tw_error *err);

/** The standard normal quantile function (Wichura's AS 241, relative error
 *  about 1e-16): -INFINITY at 0, INFINITY at 1, NaN outside [0, 1]. */
double tw_normal_quantile(double p);

/**
 * The p-quantile (0 <= p <= 1) of n values sorted in ascending order, by
 * linear interpolation between order statistics (Hyndman and Fan's type 7,
 * R's and NumPy's default): with h = (n - 1) p, x[floor h] + (h - floor h)
 * (x[floor h + 1] - x[floor h]). NaN when n is 0 or p is outside [0, 1].
 */
double tw_quantile_sorted(const double *sorted, size_t n, double p);

/* ------------------------------------------------------------------------ */
/* Sweeps: many solves of one base economy (src/sweep_*.c, docs/sweeps.md)  */
/* ------------------------------------------------------------------------ */

/**
 * A sweep solves n_points policies ("points", e.g. a grid over a scenario's
 * parameters) on one base economy, each under the data's elasticities (draw
 * 0, the central solve) and under Monte Carlo draws 1..D of theta and psi.
 * Every draw is a function of (seed, draw, sector) only, and every solve
 * starts from a point fixed by the plan (a draw warm-starts from its point's
 * central solution), so the answers do not depend on threads, processes or
 * interruptions. A solve that does not converge is retried once with safer
 * options (from "no change", damping at most 0.5, twice the iterations, the
 * fallback method as the options say); one that fails again is counted as
 * failed, its values NaN.
 *
 * Finished solves can go to a record file (tw_sweep_open_store) as they
 * finish, so that a run stopped by its progress callback, killed, or cut by
 * a full disk resumes where it was: the library writes that one file in a
 * directory the caller names (as tw_write_dataset writes a data set); the
 * caller writes whatever else it wants there (the program: run.json with the
 * run's description, the summaries). A file rather than callbacks because
 * resuming must be right for every caller: the file's format, checksums and
 * torn-tail repair are the library's, not each caller's.
 */
typedef struct tw_sweep tw_sweep;

/** How one solve of a sweep ended. */
typedef enum {
    TW_SWEEP_CONVERGED = 0, /* at the first attempt */
    TW_SWEEP_RETRIED = 1,   /* at the second, safer attempt */
    TW_SWEEP_FAILED = 2     /* neither converged: values NaN, left out of the statistics */
} tw_sweep_status;
/** "converged", "retried", "failed". */
const char *tw_sweep_status_name(tw_sweep_status s);

/** What a run reports to tw_sweep_options.progress (borrowed for the call). */
typedef struct tw_sweep_progress {
    size_t done;            /* solves finished in this run (here and, with a driver, elsewhere) */
    size_t total;           /* solves this run has to do */
    size_t retried, failed; /* of those done */
    double seconds;         /* since the run started */
    double seconds_left;    /* an estimate (the rate so far); NAN before the first solve */
    int final;              /* 1 at the run's last call (its return value is then ignored) */
} tw_sweep_progress;

typedef struct tw_sweep_options {
    size_t draws;            /* Monte Carlo draws per point, 0 (default): the central solves only */
    unsigned long long seed; /* of the draws, default 1 */
    tw_draw_spec theta, psi; /* their distributions (arrays borrowed, copied by
                                 tw_sweep_create); a NULL `a` means the base's values
                                 (default: both fixed at the base's values) */
    const double *draws_theta, *draws_psi; /* or the draws themselves: draws x J each,
                                 row k-1 is draw k (both or neither; copied); theta,
                                 psi then give only draw 0 */
    double max_psi_theta;                  /* random draws keep psi theta below this in every sector
                                 (tw_draw_elasticities_bounded); default 1, INFINITY: none */
    int keep_unstable;                     /* with scale economies each draw's base stability is
                                 estimated (tw_solver_base_stability); 0 (default): a
                                 random draw under which the base is unstable is replaced
                                 by a fresh one, 1: solved as it is */
    tw_solver_options solver; /* the first attempt (warm-started, without the fallback);
                                 the retry is derived from it. Its progress callback is
                                 not used (solves run on worker threads). */
    const tw_sector_output *sector_outputs; /* per-sector outputs kept too (may be NULL) */
    size_t n_sector_outputs;
    int threads; /* worker threads; 0 (default): the machine's cores */
    /* Optional: called on the thread that called tw_sweep_run while it runs (as
       solves end, and at least every 0.2 s), at most every progress_interval
       seconds (default 0.2; 0: no limit), and once at the end (final = 1); a
       non-zero return stops the run: solves under way are finished and kept,
       the rest left for the next run (tw_sweep_run: outcome TW_OUTCOME_STOPPED). */
    int (*progress)(void *user, const tw_sweep_progress *p);
    void *progress_user;
    double progress_interval;
} tw_sweep_options;
void tw_sweep_options_default(tw_sweep_options *o);

/**
 * A sweep of `points` (n_points policies made for `base`, borrowed like the
 * model: both must outlive the sweep). Every random draw is made here, so a
 * bad distribution is an error now (TW_ERR_INVALID naming the sector as
 * "sector [j]", as tw_draw_elasticities_bounded does), never in the middle
 * of a run. NULL on error.
 */
tw_sweep *tw_sweep_create(const tw_model *base, const tw_policy *const *points, size_t n_points,
                          const tw_sweep_options *o, tw_error *err);
void tw_sweep_free(tw_sweep *s);

/** Draw k's elasticities (k = 0: the central ones; J values each), before any
 *  stability redraw. */
tw_status tw_sweep_elasticities(const tw_sweep *s, size_t k, double *theta, double *psi,
                                tw_error *err);

/**
 * Keep finished solves in DIR/records.twr (DIR must exist) and take those
 * already there: a header names the sweep (a 64-bit hash of `identity`, text
 * the caller makes from everything the values depend on; NULL: the library's
 * own description of the plan), then fixed-size records, each with its own
 * checksum, appended with one write(2) as each solve ends and synced at most
 * once a second and at the end of a run. A torn or corrupt tail is cut off
 * and solved again. TW_ERR_DATA when the file belongs to another sweep,
 * TW_ERR_IO when it is not a regular file or cannot be read or written.
 */
tw_status tw_sweep_open_store(tw_sweep *s, const char *dir, const char *identity, tw_error *err);

/**
 * Solve every (point, draw) not solved yet, on the options' threads: first
 * the central solves, then the draws. TW_OK when the run ran; *outcome (may
 * be NULL) is then TW_OUTCOME_CONVERGED when every solve of the sweep is done
 * (whether each converged is its tw_sweep_status), TW_OUTCOME_STOPPED when
 * the progress callback stopped the run (what is done is kept: run again to
 * finish; err, code TW_OK, says how far it got). TW_ERR_DATA when 1000
 * candidates of a draw in a row leave the base unstable; another code on
 * errors (the store: TW_ERR_IO).
 */
tw_status tw_sweep_run(tw_sweep *s, tw_outcome *outcome, tw_error *err);

/** Solves done and their outcomes (in memory: taken from the store and run). */
typedef struct tw_sweep_counts {
    size_t solved, converged, retried, failed;
    unsigned long long redrawn_pairs; /* sector pairs the psi theta bound redrew, over all draws */
    size_t draws_redrawn;             /* draws with at least one such redraw */
    unsigned long long unstable_set_aside; /* over point 0's draws: candidates replaced
                                              because the base was unstable under them */
    size_t unstable_kept;                  /* point 0's draws solved under an unstable base */
    int stability_checked;                 /* 1: the data have scale economies */
} tw_sweep_counts;
void tw_sweep_get_counts(const tw_sweep *s, tw_sweep_counts *c);

/**
 * The values kept of each solve, V = tw_sweep_value_count(s) doubles: every
 * country output (value c N + i: tw_country_output c of country i), then each
 * chosen sector output k (at TW_C_COUNT N + (k N + i) J + j), then the draw's
 * theta (J) and psi (J).
 */
size_t tw_sweep_value_count(const tw_sweep *s);
/** Solve (point, draw)'s V values, or NULL when not solved; valid until the
 *  next tw_sweep_run or tw_sweep_add_records. */
const double *tw_sweep_values(const tw_sweep *s, size_t point, size_t draw);

/** How one solve went. */
typedef struct tw_sweep_solve {
    int done; /* 0: not solved (the rest unset) */
    tw_sweep_status status;
    long long iterations; /* of both attempts */
    double residual;
    unsigned redraws; /* candidates set aside for an unstable base */
    double growth;    /* the base's stability estimate under the draw (NaN: not checked) */
} tw_sweep_solve;
void tw_sweep_get_solve(const tw_sweep *s, size_t point, size_t draw, tw_sweep_solve *out);

/** Statistics of one value over a point's converged draws. */
typedef struct tw_sweep_stat {
    double central;  /* the central solve's value (NaN when it failed or is missing) */
    double mean, sd; /* over draws 1..D that converged with a finite value (sd: n - 1) */
    size_t n;        /* how many */
} tw_sweep_stat;

/**
 * Summarise a point: for each of its V values, stats[v] and quantiles
 * q[v * n_quantiles + k] at the fractions p[k] (0..1, tw_quantile_sorted,
 * type 7). TW_ERR_INVALID for a point out of range or a fraction outside
 * [0, 1]; TW_ERR_NOMEM.
 */
tw_status tw_sweep_summarise(const tw_sweep *s, size_t point, const double *p, size_t n_quantiles,
                             tw_sweep_stat *stats, double *q, tw_error *err);

/* ---- distributed runs (the program's MPI driver; optional) ---- */

/** Bytes of one serialised record (records carry their own checksum). */
size_t tw_sweep_record_bytes(const tw_sweep *s);

/** The (point, draw) pairs a run would solve, 2 uint32 each, into a malloc'd
 *  array (the caller frees it). */
tw_status tw_sweep_pending(const tw_sweep *s, uint32_t **items, size_t *n, tw_error *err);

/**
 * A run shared with other processes, through the caller's transport. The
 * storing process (with the store) lists the pending solves
 * (tw_sweep_pending) and sends the list to the helpers; each helper (no
 * store) solves blocks of that list's draws that it asks the storing process
 * for, and sends its records back. Every helper first solves the central
 * solve of each point itself, for its warm starts. The hooks are called only
 * on the thread that called tw_sweep_run_shared, never at once.
 */
typedef struct tw_sweep_driver {
    void *user;
    /* The storing process: called every 5 ms during the run, to take helpers'
       records (tw_sweep_add_records) and answer their requests for draws
       (tw_sweep_grant); returns how many helpers said they had finished. An
       error (err set) stops handing out draws; the run still waits for every
       helper. */
    int (*poll)(void *user, tw_sweep *s, tw_error *err);
    int helpers;
    /* A helper: `send` takes n finished records (0, or -1 with err set);
       `fetch` asks for more draws (non-blocking: 1 with a block of the
       pending list [*first, *first + *count), *count 0 when none are left; 0
       when no answer yet; -1 with err set). */
    int (*send)(void *user, const void *records, size_t n, tw_error *err);
    int (*fetch)(void *user, size_t *first, size_t *count, tw_error *err);
} tw_sweep_driver;

/** tw_sweep_run with other processes: as the storing process (d->poll set;
 *  the list is tw_sweep_pending's) or as a helper (d->send and d->fetch set;
 *  `items`: the storing process's list, n of them). */
tw_status tw_sweep_run_shared(tw_sweep *s, const tw_sweep_driver *d, const uint32_t *items,
                              size_t n, tw_outcome *outcome, tw_error *err);
/** The storing process, from its poll hook: a block of draws for a helper
 *  (a quarter of an even share of what is left among `processes`, 1 to 512;
 *  *count 0 when none are left). */
void tw_sweep_grant(tw_sweep *s, int processes, size_t *first, size_t *count);
/** The storing process: n records from a helper (checked, stored, counted).
 *  TW_ERR_IO for a record that fails its checksum (a broken transport). */
tw_status tw_sweep_add_records(tw_sweep *s, const void *records, size_t n, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Comparing two policies: stage k-1 -> stage k                             */
/* ------------------------------------------------------------------------ */

/**
 * Express `target` (a policy for model m) as a policy for the model
 * tw_result_to_model(res, m, from), whose base policy is `from`: `out`
 * (created for that model) gets target's tariffs, export taxes, subsidies and
 * deficits, and trade-cost changes relative to from's. TW_ERR_INVALID when
 * the dimensions differ or a flow banned in `from` is open in `target`.
 */
tw_status tw_policy_rebase(const tw_policy *target, const tw_policy *from, tw_policy *out,
                           tw_error *err);

/**
 * The counterfactual of moving from policy `from` to policy `to` (both
 * created for m, e.g. the cumulative policies after two stages of a
 * scenario): solve `from`, make its equilibrium the base (tw_result_to_model)
 * and solve `to` on it. Every outcome in *res is then a change from `from`'s
 * equilibrium (EV in the data's currency at that equilibrium's income). On
 * TW_OK, *rebased (the new base) and *res (created for it) are the caller's
 * to free (result first), and tw_result_stats(*res).outcome says whether the
 * second solve converged; on an error both are NULL. TW_ERR_NUMERICAL when
 * `from` itself does not converge (no base to compare from).
 */
tw_status tw_compare(const tw_model *m, const tw_solver_options *opt, const tw_policy *from,
                     const tw_policy *to, tw_model **rebased, tw_result **res, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Sensitivity: one comparison under other elasticities (src/sensitivity.c)  */
/* ------------------------------------------------------------------------ */

/** What a variant does to psi when it scales theta. */
typedef enum {
    TW_PSI_DATA,        /* psi as in the data */
    TW_PSI_ZERO,        /* psi = 0: constant returns */
    TW_PSI_KEEP_PRODUCT /* psi / theta_scale: psi * theta as in the data */
} tw_psi_rule;
/** "data", "zero", "data / theta_scale". */
const char *tw_psi_rule_name(tw_psi_rule r);

/** An elasticity variant: every theta times theta_scale, psi by the rule. */
typedef struct tw_elasticity_variant {
    const char *key;    /* a name for files, e.g. "theta_x1.5_psi0" */
    const char *label;  /* a short column heading, e.g. "th*1.5,psi=0" */
    double theta_scale; /* > 0 */
    tw_psi_rule psi;
} tw_elasticity_variant;

/**
 * The variants of `tradewar report`'s sensitivity table (*n of them, a
 * constant table, first the data's own): psi = 0, theta times 0.5 and 1.5
 * with psi * theta kept (with psi > 0 the model is well behaved only while
 * psi * theta < 1, so theta is not scaled alone), and both with psi = 0.
 */
const tw_elasticity_variant *tw_sensitivity_variants(size_t *n);

/** A copy of m with the variant's elasticities (the base is an equilibrium
 *  for any elasticities): *out is the caller's. TW_ERR_INVALID for a
 *  theta_scale <= 0 or an unknown rule. */
tw_status tw_model_variant(const tw_model *m, const tw_elasticity_variant *v, tw_model **out,
                           tw_error *err);

/**
 * tw_compare of `from` -> `to` (both made for m) under each of n variants
 * of m's elasticities. For variant v: outcome[v] is how its comparison ended
 * (the second solve's outcome, its result holding the last iterate when not
 * converged; TW_OUTCOME_INNER_NOT_CONVERGED when `from` itself did not
 * converge, with no result); rebased[v] and res[v] are the caller's to free
 * (result first; NULL when there are none); errors[v] (may be NULL: n
 * entries) the message when it did not converge. Returns TW_OK when every
 * variant was tried, whatever its outcome, else the first real error (bad
 * arguments, memory), in err, with the variants after it not tried. opt's
 * progress callback, if any, sees every solve; a stop ends that solve
 * (outcome TW_OUTCOME_STOPPED) and the variants after it are not tried
 * (TW_OUTCOME_NONE).
 */
tw_status tw_compare_variants(const tw_model *m, const tw_solver_options *opt,
                              const tw_elasticity_variant *variants, size_t n,
                              const tw_policy *from, const tw_policy *to, tw_model **rebased,
                              tw_result **res, tw_outcome *outcome, tw_error *errors,
                              tw_error *err);

/* ------------------------------------------------------------------------ */
/* Answers a referee would accept (issue 10): elasticities under control,    */
/* the data's currency unit, diagnostics and warnings near the model's edge  */
/* ------------------------------------------------------------------------ */

/**
 * Replace m's elasticities from spec: a CSV file `sector,theta[,psi]` with m's
 * own sector codes (every sector once; psi kept as it is when the file has no
 * psi column), or the name of a bundled set (letters, digits, '-', '_'),
 * looked up under sets_dir (NULL = default) and mapped to m's sectors. On
 * error m is unchanged and err names the file, line and value.
 */
tw_status tw_model_apply_elasticities(tw_model *m, const char *spec, const char *sets_dir,
                                      tw_error *err);

/** Multiply every sector's theta by theta_scale (> 0) and psi by psi_scale
 *  (>= 0; 0 = constant returns). TW_ERR_INVALID (m unchanged) otherwise. */
tw_status tw_model_scale_elasticities(tw_model *m, double theta_scale, double psi_scale,
                                      tw_error *err);

/** The unit of the model's currency values ("millions of US dollars", ...): set by
 *  every loader from the data's documentation or manifest (`currency_unit`);
 *  "currency units" when unknown. Never NULL; owned by m. */
const char *tw_model_currency_unit(const tw_model *m);
/** Set it (free text, at most 63 bytes, not empty). */
tw_status tw_model_set_currency_unit(tw_model *m, const char *unit);

/** A scenario's elasticity options (`options:` keys elasticities, theta_scale,
 *  psi_scale): the file (resolved against the scenario's directory) or set
 *  name, NULL when absent; the scales, NaN when absent. Owned by sc. */
void tw_scenario_elasticity_options(const tw_scenario *sc, const char **elasticities,
                                    double *theta_scale, double *psi_scale);

/**
 * Named groups of countries (sectors = 0) or sectors (sectors = 1) that the
 * data define (a manifest's `groups:`; the bundled layouts define `goods` and
 * `services`), usable in scenarios like a scenario's own groups. A name is a
 * code-like identifier that is not `all`, a code or another group. Members:
 * n indices (duplicates merged, stored ascending). Copied by tw_model_clone.
 */
tw_status tw_model_add_group(tw_model *m, int sectors, const char *name, const size_t *members,
                             size_t n, tw_error *err);
size_t tw_model_group_count(const tw_model *m, int sectors);
/** The k-th group's name (NULL when out of range), owned by m. */
const char *tw_model_group_name(const tw_model *m, int sectors, size_t k);
/** The k-th group's members (*members: an array of the returned count, owned by m). */
size_t tw_model_group_members(const tw_model *m, int sectors, size_t k, const size_t **members);
/** Index of a group by name, or -1. */
long tw_model_find_group(const tw_model *m, int sectors, const char *name);

/* Documented thresholds of the warnings (docs/model.md, "Near the model's edge"). */
#define TW_WARN_PSI_THETA \
    0.8                          /* psi theta above this in a sector the policy moves:
                                      supply elasticity theta/(1 - psi theta) > 5 theta */
#define TW_WARN_BASE_GROWTH 0.95 /* base stability estimate at or above: close to unstable */
#define TW_WARN_OUTPUT_PCT \
    50.0 /* a sector with scale economies (psi > 0): its gross
                                      output moves by more than 50% */

/** A warning: a machine-readable code ("high-psi-theta", ...) and a one-line
 *  message that says what to try. */
typedef struct tw_warning {
    char code[32];
    char message[TW_ERROR_MESSAGE_MAX];
} tw_warning;

#define TW_WARNINGS_MAX 8
/** What tw_result_diagnose finds. */
typedef struct tw_diagnostics {
    double max_psi_theta;      /* largest psi theta over all sectors */
    long max_psi_theta_sector; /* its sector (-1 when J = 0) */
    double base_growth;        /* tw_solver_base_stability at the base; NaN when not estimated */
    long largest_country;      /* country and sector of the largest |output change| (-1: none) */
    long largest_sector;
    double largest_output_pct; /* that change, % (signed) */
    size_t n_warnings;
    tw_warning warnings[TW_WARNINGS_MAX];
} tw_diagnostics;

/**
 * Diagnostics and warnings of a solved result `res` (of policy p on model m):
 * the largest psi theta, the base's stability estimate (with solver s, whose
 * elasticities should be m's; s NULL: a solver with default options is made
 * for the estimate) and the largest sector output change; warnings
 * "base-near-unstable" (growth >= TW_WARN_BASE_GROWTH), "high-psi-theta"
 * (psi theta > TW_WARN_PSI_THETA in a sector whose instruments p changes from
 * m's base) and "large-output-change" (|output change| > TW_WARN_OUTPUT_PCT in
 * a sector with psi > 0; with constant returns large reallocations are the
 * model's ordinary specialisation). "base-near-unstable" only with some psi > 0.
 */
tw_status tw_result_diagnose(tw_solver *s, const tw_model *m, const tw_policy *p,
                             const tw_result *res, tw_diagnostics *out, tw_error *err);

/** Append a warning to d (dropped silently when TW_WARNINGS_MAX are there). */
void tw_diagnostics_add_warning(tw_diagnostics *d, const char *code, const char *fmt, ...);

/**
 * Warnings about the rules of stages first..last of a scenario on model m,
 * appended to d's warnings (its other fields untouched):
 * "tariff-on-untariffed-sectors" when a tariff rule that adds or sets a
 * non-zero rate reaches sectors that carry no tariff anywhere in m's base
 * (services, typically) besides sectors that do. Names the file and line.
 */
tw_status tw_scenario_warnings(const tw_scenario *sc, size_t first, size_t last, const tw_model *m,
                               tw_diagnostics *d, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Gravity: data tables and PPML with high-dimensional fixed effects        */
/* (docs/gravity.md)                                                        */
/* ------------------------------------------------------------------------ */

/** A rectangular table of named columns read from a long CSV file or a Stata
 *  .dta file (through ReadStat). Opaque; free with tw_table_free. */
typedef struct tw_table tw_table;

/**
 * Read `path`: a Stata .dta file when its name ends in ".dta" (any case),
 * otherwise CSV with a header row ('#' comment lines before it are skipped:
 * tradewar's own CSV output starts with one). A column is numeric when every non-empty
 * cell parses as a finite number (a .dta column: when Stata stores it as a
 * number); otherwise it is text. Empty cells and Stata missing values are
 * missing (NaN in the numeric view). *out is the caller's (tw_table_free).
 * TW_ERR_IO (cannot open), TW_ERR_PARSE (malformed: the message names
 * file:line), TW_ERR_DATA (no rows, duplicate column names).
 */
tw_status tw_table_read(const char *path, tw_table **out, tw_error *err);
void tw_table_free(tw_table *t);
size_t tw_table_rows(const tw_table *t);
size_t tw_table_cols(const tw_table *t);
/** Column k's name (borrowed), or NULL when k is out of range. */
const char *tw_table_col_name(const tw_table *t, size_t k);
/** The index of the column named `name`, or -1. */
long tw_table_find(const tw_table *t, const char *name);
/** 1 when column k is numeric. */
int tw_table_is_numeric(const tw_table *t, size_t k);
/** Column k as rows() numbers (borrowed; NaN where missing); NULL for a text column. */
const double *tw_table_numeric(const tw_table *t, size_t k);
/** Cell (row, k) as text (borrowed; "" when missing). A numeric cell is its %.17g. */
const char *tw_table_text(const tw_table *t, size_t row, size_t k, char *buf, size_t size);
/**
 * Codes for column k as a factor: codes[row] in 0..*levels-1 in order of first
 * appearance (codes has rows() entries), UINT32_MAX where the cell is missing.
 * When names is not NULL, *names gets *levels newly allocated level names
 * (the caller frees each and the array). TW_ERR_NOMEM only.
 */
tw_status tw_table_factor(const tw_table *t, size_t k, uint32_t *codes, size_t *levels,
                          char ***names, tw_error *err);

/** Why an observation was left out (tw_ppml_result.dropped). */
typedef enum {
    TW_PPML_KEPT = 0,
    TW_PPML_MISSING = 1,      /* y, a regressor, a fixed effect or a cluster missing */
    TW_PPML_SEPARATED_FE = 2, /* its group in some fixed effect has only y = 0 */
    TW_PPML_SINGLETON = 3,    /* alone in a fixed-effect group (only with drop_singletons) */
    TW_PPML_SEPARATED_X = 4   /* separated by the regressors (ReLU check, Correia et al.) */
} tw_ppml_drop;

typedef enum { TW_VCOV_IID = 0, TW_VCOV_ROBUST = 1, TW_VCOV_CLUSTER = 2 } tw_vcov_kind;

typedef struct tw_ppml_options {
    double tol;    /* IRLS: stop when |dev - dev_old| / max(min(dev, dev_old), 0.1) < tol; 1e-10 */
    int max_iter;  /* IRLS iterations; 100 */
    double fe_tol; /* projections: max change of a group effect below fe_tol; 1e-10 */
    int fe_max_iter;     /* sweeps per projection; 10000 */
    int separation;      /* 1: FE-group check and the ReLU check (default); 0: none */
    int drop_singletons; /* 1: drop observations alone in a group (ppmlhdfe's default); 0 (default) */
    tw_vcov_kind vcov;   /* default TW_VCOV_ROBUST */
} tw_ppml_options;
void tw_ppml_options_default(tw_ppml_options *o);

/**
 * A PPML problem: E[y | x, FE] = exp(x'b + sum_d alpha_d[fe_d]). All borrowed.
 * x is column-major: regressor c of observation i is x[c * n + i]. Each fe[d]
 * and cluster[g] holds n codes below its levels count (UINT32_MAX: missing).
 * With n_fe == 0 a constant is fitted (and not reported).
 */
typedef struct tw_ppml_problem {
    size_t n;
    const double *y; /* n, >= 0 (NaN: missing) */
    size_t k;        /* regressors */
    const double *x; /* k * n, column-major */
    size_t n_fe;
    const uint32_t *const *fe;      /* n_fe arrays of n codes */
    const size_t *fe_levels;        /* n_fe */
    size_t n_cluster;               /* 0, 1 or 2 (two-way: Cameron-Gelbach-Miller) */
    const uint32_t *const *cluster; /* n_cluster arrays of n codes */
    const size_t *cluster_levels;   /* n_cluster */
} tw_ppml_problem;

/** The fit; arrays owned by the result (tw_ppml_result_free). */
typedef struct tw_ppml_result {
    size_t n, k;
    double *beta;           /* k; NaN for a regressor omitted as collinear with the FE */
    double *se;             /* k; NaN where omitted */
    double *vcov;           /* k * k, row-major */
    unsigned char *dropped; /* n, tw_ppml_drop codes */
    double *mu;             /* n fitted means (NaN where dropped) */
    size_t n_used;          /* observations in the fit */
    size_t n_dropped[5];    /* by tw_ppml_drop code */
    size_t n_omitted;       /* regressors omitted as collinear */
    size_t clusters[2];     /* groups per cluster dimension */
    tw_outcome outcome;     /* converged (relative deviance change below tol), iteration-limit
                           (IRLS iterations), inner-not-converged (a fixed-effect projection
                           hit its limit) or non-finite (the fit became non-finite) */
    int iterations;         /* IRLS iterations */
    long fe_sweeps;         /* projection sweeps over all IRLS iterations */
    double deviance, null_deviance, pseudo_r2, log_likelihood;
    tw_vcov_kind vcov_kind;
    double seconds;
} tw_ppml_result;

/**
 * Fit by iteratively reweighted least squares, the fixed effects absorbed in
 * each step by weighted alternating projections (block Gauss-Seidel over the
 * FE dimensions with Irons-Tuck acceleration), warm-started from the previous
 * step's effects, as ppmlhdfe and fixest do. Observations in an FE group whose
 * outcomes are all zero are dropped first (the MLE does not exist for them),
 * then those the ReLU check of Correia, Guimaraes & Zylkin (2019) finds
 * separated by the regressors. Standard errors: IID (model-based), robust
 * (sandwich times n/(n-1)) or clustered (G/(G-1); two-way as V1 + V2 - V12).
 * TW_OK even when the iterations did not converge: res->outcome says how
 * they ended. TW_ERR_INVALID (dimensions, y < 0),
 * TW_ERR_DATA (no observation left, collinear regressors), TW_ERR_NOMEM.
 * *res is initialised by the call; free it with tw_ppml_result_free even on error.
 */
tw_status tw_ppml_fit(const tw_ppml_problem *p, const tw_ppml_options *opt, tw_ppml_result *res,
                      tw_error *err);
void tw_ppml_result_free(tw_ppml_result *res);


/* ------------------------------------------------------------------------ */
/* One-sector structural gravity counterfactuals (docs/gravity.md)          */
/* ------------------------------------------------------------------------ */

/**
 * A one-sector structural gravity counterfactual with the baseline built from
 * estimated trade costs (Anderson & van Wincoop 2003; Larch & Yotov 2016):
 * T[i*N + j] = t_ij^(1-sigma) = exp(b'x_ij) of exporter i, importer j, before
 * (T0) and after (T1) the change; Y (output) and E (expenditure) by country.
 * All borrowed.
 */
typedef struct tw_gravity_ge_problem {
    size_t N;
    const double *Y, *E;   /* N each, > 0 */
    const double *T0, *T1; /* N*N each, row-major, > 0 */
    double sigma;          /* elasticity of substitution, > 1 */
    size_t reference;      /* the reference importer: inward resistance P = 1 */
} tw_gravity_ge_problem;

/** Results by country (arrays of N, owned; tw_gravity_ge_result_free). */
typedef struct tw_gravity_ge_result {
    size_t N;
    double *price_pct;   /* factory-gate price p'/p - 1, % */
    double *imr_pct;     /* inward multilateral resistance P'/P - 1, % */
    double *omr_pct;     /* outward multilateral resistance Pi'/Pi - 1, % */
    double *gdp_pct;     /* real GDP (Y/P)'/(Y/P) - 1, % (Y' = p Y) */
    double *welfare;     /* (E/P)/(E'/P'), E' = (E/Y) Y' (Arkolakis et al.'s statistic) */
    double *imr0, *omr0; /* baseline P and Pi (levels) */
    int iterations;      /* of the last resistance solve */
    tw_outcome outcome;  /* converged, or iteration-limit (the resistances, or the
                            guide's iteration, within their limits) */
    double residual;     /* largest relative residual of the resistance equations */
} tw_gravity_ge_result;

/**
 * gegravity's OneSectorGE convention (its documented method): solve the
 * multilateral resistances P_j^(1-sigma) = sum_i T_ij (Y_i/Y) / Pi_i^(1-sigma),
 * Pi_i^(1-sigma) = sum_j T_ij (E_j/E) / P_j^(1-sigma) with P_reference = 1,
 * for T0 and for T1 (output and expenditure shares held at the baseline's),
 * and factory-gate prices p_i = Pi_i / Pi'_i (Y'_i = p_i Y_i, E'_i = (E_i/Y_i)
 * Y'_i). The resistances are found by alternating scaling (Sinkhorn) to
 * relative residual 1e-13. TW_ERR_INVALID (sizes, non-positive values, sigma
 * <= 1, reference out of range), TW_ERR_NOMEM; TW_OK with converged = 0 when
 * the scaling stopped at its limit. *res is the caller's to free.
 */
tw_status tw_gravity_ge_gegravity(const tw_gravity_ge_problem *p, tw_gravity_ge_result *res,
                                  tw_error *err);
void tw_gravity_ge_result_free(tw_gravity_ge_result *res);

/**
 * The guide's convention (Yotov, Piermartini, Monteiro & Larch 2016, chapter
 * 2, "GEPPML"): the baseline, conditional and full-endowment general
 * equilibrium by repeated PPML fits with exporter and importer fixed effects
 * and the trade costs as offset, output updated from the fitted flows and
 * expenditure as E = phi Y (phi = E/Y of the data), factory-gate prices from
 * the exporter effects relative to the reference country's expenditure,
 * iterated until the standard deviation and the maximum of the change in the
 * price changes fall below `tol` (the guide's Stata code: 0.01; its R
 * solutions manual: 1e-5). A PPML fit with only two-way fixed effects is a
 * biproportional scaling, which is how each fit is computed here.
 * X[i*N + j] are the observed flows (the data's Y and E are their sums);
 * T0 and T1 as in tw_gravity_ge_problem. Results: price_pct (p_full),
 * imr_pct (P_full / P - 1), omr_pct (Pi_full / Pi - 1), gdp_pct (real GDP,
 * Y/P), welfare unused (NaN), and in the extra arrays the change of each
 * country's international exports, conditional and full (xi_cdl_pct,
 * xi_full_pct). Errors as tw_gravity_ge_gegravity.
 */
typedef struct tw_gravity_geppml_problem {
    size_t N;
    const double *X;       /* N*N observed flows, >= 0, every row and column sum > 0 */
    const double *T0, *T1; /* N*N */
    double sigma;
    size_t reference;
    double tol;   /* 0: 1e-5 */
    int max_iter; /* 0: 1000 */
} tw_gravity_geppml_problem;

tw_status tw_gravity_ge_geppml(const tw_gravity_geppml_problem *p, tw_gravity_ge_result *res,
                               double *xi_cdl_pct, double *xi_full_pct, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Input limits (docs/data-format.md, "Limits")                             */
/* ------------------------------------------------------------------------ */

/* Every file the library reads must be a regular file (not a directory, FIFO
 * or device) no larger than the limit for its kind; a larger one is refused
 * with TW_ERR_DATA before it is read. */
#define TW_LIMIT_SCENARIO_BYTES ((size_t)4 << 20) /* a scenario file: 4 MiB */
#define TW_LIMIT_MANIFEST_BYTES ((size_t)1 << 20) /* a data set's manifest.yaml: 1 MiB */
#define TW_LIMIT_TABLE_BYTES ((size_t)512 << 20)  /* a data table or from_file table: 512 MiB */
/* A model has at most this many cells in its largest arrays (N*N*J flows
 * and N*J*J input shares): 16 777 216, 128 MiB per array. */
#define TW_LIMIT_CELLS ((size_t)1 << 24)
/* Values every loader accepts (native and raw layouts alike; out of range
 * is TW_ERR_DATA naming file, line, column and value): flows and gross
 * output 0..TW_MAX_FLOW in the file's unit; tariffs, export taxes and
 * subsidies as fractions above -1 and at most TW_MAX_RATE (10 000 %);
 * trade-cost factors above 0 and at most TW_MAX_TRADE_COST (or inf, a ban);
 * theta above 0 and psi from 0, both at most TW_MAX_ELASTICITY; shares 0..1. */
#define TW_MAX_FLOW 1e15
#define TW_MAX_RATE 100.0
#define TW_MAX_TRADE_COST 1e6
#define TW_MAX_ELASTICITY 1000.0
/* YAML (scenarios, manifests) nests at most this deep. */
#define TW_LIMIT_YAML_DEPTH 64
/* A scenario: at most this many groups (countries and sectors together),
 * group members, stages, rules in all stages and from_file rules; resolving
 * the selectors of the stages applied by one tw_scenario_policy call visits
 * at most TW_LIMIT_GROUP_VISITS names (a group is expanded once per selector
 * however often, and however deep, it is named). */
#define TW_LIMIT_GROUPS 1000
#define TW_LIMIT_GROUP_MEMBERS 100000 /* names listed in all groups together */
#define TW_LIMIT_STAGES 1000
#define TW_LIMIT_RULES 10000
#define TW_LIMIT_FILES 256
#define TW_LIMIT_GROUP_VISITS 1000000 /* per tw_scenario_policy call */

/**
 * Read a whole file into a NUL-terminated buffer (*text, `*len` bytes without
 * the NUL; the caller frees it). `path` "-" reads standard input. The file
 * must be a regular file (TW_ERR_IO naming what it is otherwise: directory,
 * FIFO, character device, ...) of at most `max_bytes` (TW_ERR_DATA naming the
 * limit and `what`, e.g. "a scenario file"); standard input is read up to
 * `max_bytes` and refused beyond. Messages start with the path.
 */
tw_status tw_read_text(const char *path, size_t max_bytes, const char *what, char **text,
                       size_t *len, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Trade talks: Ossa's cooperative rule; progress and stopping              */
/* (docs/strategy.md)                                                       */
/* ------------------------------------------------------------------------ */

/**
 * What a long strategic call reports to tw_optimal_options.progress (also
 * used by tw_nash through go->best.progress). Borrowed for the call only.
 * The callback runs on the calling thread; a non-zero return asks the call
 * to stop ("user stop"): it returns TW_OK with outcome TW_OUTCOME_STOPPED
 * and leaves the best point it has in its outputs (a war: the policy after
 * the last completed round).
 */
typedef struct tw_progress {
    const char *stage;   /* "optimise", "cooperate", "equal gains", "bargain", "war" */
    int round;           /* war: the round under way (1, 2, ...); 0 otherwise */
    long evaluations;    /* equilibria solved so far in this call */
    double best;         /* best objective so far (percentage points of welfare for
                            optimise and cooperate; the smallest player's gain, in
                            percentage points, for equal gains; log
                            Nash product for bargain; largest rate change of the last
                            completed round for a war; NAN when none yet) */
    double seconds;      /* since the call started */
    double seconds_left; /* an estimate of the time left (from the rate at which the
                            projected gradient, or a war's rate change, has been
                            falling); NAN when there is no basis for one yet */
    const char *phase;   /* tw_optimal and tw_war with a warm-up: "mfn" during the
                            MFN warm-up, "bilateral" after it; NULL otherwise */
} tw_progress;

/**
 * Ossa's (2014) cooperative rule: the players' instruments on each other
 * maximise world welfare, sum_k W_hat[players[k]], subject to equal welfare
 * changes for every player over a reference point: W_hat[players[k]] -
 * ref[k] the same for every k. ref NULL is the factual (the status quo of
 * the model's base, ref[k] = 1: every player gains the same percentage of
 * its base real income, as in his Table 5); pass the war's welfare hats to
 * split the gains over the war equally instead (n_players values). Up to
 * 400 instruments: NLopt's SLSQP with n_players - 1 equality constraints;
 * more: the weighted optimum (L-BFGS) whose weights give equal gains, found
 * by Newton's method on the weights (the constrained optimum is a weighted
 * one, its weights the multipliers). `policy` is the start point and
 * receives the optimum, `res` its equilibrium. rep->outcome is not
 * TW_OUTCOME_CONVERGED when the optimiser stops short or the gains differ
 * by more than 1e-6 (SLSQP) or 1e-4 (weights) percentage points (STALLED,
 * or ITERATION_LIMIT at the evaluation limit or after 40 weight updates).
 * In `rep`, objective is the common gain (the smallest
 * player's, in percentage points) and projected_gradient the largest gap
 * between two players' gains (percentage points), not a gradient.
 */
tw_status tw_cooperate_equal(tw_solver *s, const size_t *players, size_t n_players,
                             const double *ref, const tw_optimal_options *o, tw_policy *policy,
                             tw_result *res, tw_optimal_report *rep, tw_error *err);

/* ------------------------------------------------------------------------ */
/* Trade talks as the program runs them (src/talks.c)                       */
/* ------------------------------------------------------------------------ */

/** The cooperative rule of talks. */
typedef enum {
    TW_COOPERATION_WEIGHTED,            /* tw_cooperate with tw_talks_options.weights */
    TW_COOPERATION_EQUAL_GAINS,         /* tw_cooperate_equal over the status quo (Ossa) */
    TW_COOPERATION_EQUAL_GAINS_OVER_WAR /* tw_cooperate_equal over each player's war welfare */
} tw_cooperation;

/** The stages of talks, in the order they are computed. */
typedef enum {
    TW_TALKS_STATUS_QUO,  /* the start: the status quo's equilibrium */
    TW_TALKS_WAR,         /* the threat point: the war (tw_war) */
    TW_TALKS_COOPERATIVE, /* the cooperative outcome by the rule */
    TW_TALKS_BARGAIN,     /* the Nash bargaining outcome, the war as threat point */
    TW_TALKS_STAGES
} tw_talks_stage;

typedef struct tw_talks_options {
    tw_game_options game;       /* the war; game.best: the instruments, tolerances and
                                   progress callback of every optimisation of the talks */
    int warmup;                 /* 1 (default): the MFN war first (tw_war) */
    tw_cooperation cooperation; /* default TW_COOPERATION_WEIGHTED */
    const double *weights;      /* n_players weights of the weighted rule (NULL: equal) */
    int bargain;                /* 1 (default): bargaining after cooperation; 0: stop there */
} tw_talks_options;
void tw_talks_options_default(tw_talks_options *o);

/** How talks went: each stage's report, and the whole. */
typedef struct tw_talks_report {
    tw_outcome outcome;           /* STOPPED (user stop), INFEASIBLE (no start for bargaining
                                      beats the war for every player), otherwise the first
                                      stage outcome that is not CONVERGED, or CONVERGED */
    tw_talks_stage stage;         /* the last stage reached */
    int reached[TW_TALKS_STAGES]; /* 1: the stage's policy and result are there (after a
                                      stop: as far as it got) */
    tw_outcome status_quo;        /* the status quo's solve (when not CONVERGED the talks
                                      stop there) */
    tw_game_report war, war_warmup;
    tw_optimal_report cooperative, bargain;
    const char *bargain_start; /* static: "status quo", "cooperative", "reweighted
                                      cooperative", "given" (tw_talks_resume); NULL: none */
} tw_talks_report;

/**
 * Talks among n_players countries from `status_quo` (copied): the status
 * quo's equilibrium; the war as threat point (tw_war, so its own solvers with
 * `so`); the cooperative outcome by the rule (with solver `s`, borrowed, of
 * the same model); and Nash bargaining over the war, started from the status
 * quo if it beats the war for every player, else the cooperative outcome if
 * it does, else cooperative outcomes with the weights of the players left
 * below their threat raised by a quarter (up to 16 times) and blends of
 * successive ones. The handle owns a policy and a result per stage.
 */
typedef struct tw_talks tw_talks;
tw_talks *tw_talks_create(tw_solver *s, const tw_solver_options *so, const size_t *players,
                          size_t n_players, const tw_policy *status_quo, tw_error *err);
void tw_talks_free(tw_talks *t); /* accepts NULL */
/** Start `stage` (war, cooperative or bargain) from `p` instead (to resume a
 *  stopped run); for the war `warmed_up` 1 skips its MFN war. */
tw_status tw_talks_resume(tw_talks *t, tw_talks_stage stage, const tw_policy *p, int warmed_up,
                          tw_error *err);
/**
 * Run the talks (o NULL: defaults). TW_OK when they ran; rep->outcome says how
 * they ended (a user stop through o->game.best.progress: STOPPED, the stages
 * so far in the handle, the stopped one at its best point). err's message
 * (code TW_OK) says why when the outcome is not CONVERGED.
 */
tw_status tw_talks_run(tw_talks *t, const tw_talks_options *o, tw_talks_report *rep, tw_error *err);
/** A stage's policy and its equilibrium (owned by t), NULL before it is reached. */
const tw_policy *tw_talks_policy(const tw_talks *t, tw_talks_stage stage);
const tw_result *tw_talks_result(const tw_talks *t, tw_talks_stage stage);

/* ------------------------------------------------------------------------ */
/* Importing the world: OECD ICIO tables, tariff lines, elasticity sets      */
/* (docs/import.md)                                                         */
/* ------------------------------------------------------------------------ */

/** The ICIO industries a sector aggregates, as a space-separated list of
 *  codes ("C10T12 C13T15"; NULL or "" clears it). An imported data set
 *  records them (manifest `industries:`), so a named elasticity set keyed by
 *  ICIO industries can be mapped to its sectors. The string is copied. */
tw_status tw_model_set_sector_industries(tw_model *m, size_t j, const char *industries,
                                         tw_error *err);
/** The list set above, or NULL when none (owned by the model). */
const char *tw_model_sector_industries(const tw_model *m, size_t j);

/** Options of tw_icio_import (NULL pointers: not given). */
typedef struct tw_icio_options {
    const char *regions_map; /* CSV `economy,region`: every economy of the table once */
    const char *sectors_map; /* CSV `industry,sector`: every industry of the table once */
    int drop_inventories;    /* 1: leave the INVNT final-demand columns out */
    int year;                /* 0: taken from the file name (four digits 1990-2099) */
} tw_icio_options;

/** What an import found: provenance for the manifest, and counts. */
typedef struct tw_icio_info {
    char edition[16];         /* "2021", "2023", "2025" (by the industry list) or "unknown" */
    int year;                 /* from the options or the file name; 0 unknown */
    char sha256[65];          /* checksum of the source file, hex */
    unsigned long long bytes; /* size of the source file */
    size_t economies;         /* economies in the table after CN1/CN2 -> CHN, MX1/MX2 -> MEX */
    size_t industries;        /* industries in the table */
    size_t merged_splits;     /* economies merged back (CN1, CN2, MX1, MX2, ...) */
    size_t zero_output;       /* region x sector cells with zero output (value-added share
                                 set to 1, no inputs: see docs/import.md) */
    char regions_sha256[65];  /* checksums of the maps used, hex ("" without a map) */
    char sectors_sha256[65];
} tw_icio_info;

/** Default options: no maps, inventories kept, year from the file name. */
void tw_icio_options_default(tw_icio_options *o);

/**
 * Read an OECD ICIO CSV table (2021, 2023 or 2025 edition layout, docs/import.md)
 * and aggregate it to a model: flows X[i][n][j] = intermediate use by all of
 * importer n's industries + n's final-demand columns; value-added shares
 * (VA + TLS) / column total; input shares from the intermediate block; final
 * shares from the final-demand columns. Tariffs 0, theta 1 and psi 0 until set
 * (tw_model_read_tariffs, tw_model_apply_elasticities). Each sector records
 * its industries (tw_model_sector_industries). *out is the caller's to free;
 * `info` (may be NULL) receives provenance. Errors name the file, line and
 * value (a negative cell names its row and column labels).
 */
tw_status tw_icio_import(const char *path, const tw_icio_options *o, tw_model **out,
                         tw_icio_info *info, tw_error *err);

/** Read a tariff table `exporter,importer,sector,rate` (the data-set
 *  format's tariffs.csv) into m's base tariffs; cells without a row keep 0.
 *  On error m is unchanged. */
tw_status tw_model_read_tariffs(tw_model *m, const char *path, tw_error *err);

/** Provenance and labels for a written data set's manifest (NULL: "unspecified"
 *  or left out). `provenance` holds n_provenance key/value pairs written under
 *  the manifest's `provenance:` mapping (keys: letters, digits and '_'). */
typedef struct tw_dataset_meta {
    const char *title, *source, *currency_unit;
    const char *const *provenance; /* 2 * n_provenance strings: key, value, key, value, ... */
    size_t n_provenance;
} tw_dataset_meta;

/** tw_write_dataset with the manifest's title, source, unit and provenance
 *  from `meta` (may be NULL: as tw_write_dataset). */
tw_status tw_write_dataset_meta(const tw_model *m, const char *dir, const tw_dataset_meta *meta,
                                tw_error *err);

/* tw_model_apply_elasticities (declared above) reads a bundled set from sets_dir: the folder
 * holding one subfolder per set, NULL = the default compiled-in data/elasticities (installed
 * copy first). How a set keyed by ICIO industries is mapped to m's sectors: docs/import.md. */

/**
 * Tariff lines to sector tariffs. Each concordance entry k maps a product
 * code to a sector with a share (the part of the code's trade counted in the
 * sector, in (0, 1]). For one importer-exporter pair, rate[k] is the code's
 * applied rate (NaN: no line) and weight[k] its trade (NULL: a simple
 * average, weight 1). Sector s gets
 *   out_rate[s] = sum_k weight[k] share[k] rate[k] / sum_k weight[k] share[k]
 * over its entries with a line (summed in the order of k), NaN when none;
 * coverage[s] (may be NULL) = that denominator over the same sum taken over
 * all its entries (the share of the sector's trade its rate rests on; with
 * no weights, of its codes). out_rate and coverage have n_sectors entries.
 */
tw_status tw_tariff_aggregate(size_t n_entries, const size_t *sector, const double *share,
                              const double *rate, const double *weight, size_t n_sectors,
                              double *out_rate, double *coverage, tw_error *err);

/** A concordance read from CSV `code,sector[,share]` (share default 1). */
typedef struct tw_concordance tw_concordance;
/** Read a concordance; `sectors` (n_sectors codes, may be NULL: any sector
 *  code is accepted and listed in order of appearance) are the allowed sectors.
 *  Column names: `code_col` (NULL: "code") and "sector", optional "share". */
tw_status tw_concordance_read(const char *path, const char *code_col, const char *const *sectors,
                              size_t n_sectors, tw_concordance **out, tw_error *err);
void tw_concordance_free(tw_concordance *c);
size_t tw_concordance_entries(const tw_concordance *c);
size_t tw_concordance_sector_count(const tw_concordance *c);
const char *tw_concordance_sector(const tw_concordance *c, size_t s);
/** Entry k's code, sector index and share. */
const char *tw_concordance_code(const tw_concordance *c, size_t k);
size_t tw_concordance_entry_sector(const tw_concordance *c, size_t k);
double tw_concordance_share(const tw_concordance *c, size_t k);

/** The result of tw_tariffs_aggregate_files: one row per importer, exporter
 *  and sector that has a line, and the codes of the lines that did not map. */
typedef struct tw_tariff_report tw_tariff_report;
/**
 * Read tariff lines `importer,exporter,code,rate` (LINES), a concordance
 * (`code,sector[,share]`) and optional trade weights
 * `importer,exporter,code,value`, and aggregate every importer-exporter pair
 * with tw_tariff_aggregate. Rates are taken as written (fractions or percent:
 * the output is in the same unit).
 */
tw_status tw_tariffs_aggregate_files(const char *lines, const char *concordance,
                                     const char *weights, tw_tariff_report **out, tw_error *err);
void tw_tariff_report_free(tw_tariff_report *r);
size_t tw_tariff_report_rows(const tw_tariff_report *r);
/** Row k: codes (owned by the report), the rate, coverage, lines used and
 *  trade covered / total (with no weights: codes). */
void tw_tariff_report_row(const tw_tariff_report *r, size_t k, const char **importer,
                          const char **exporter, const char **sector, double *rate,
                          double *coverage, size_t *lines, double *covered, double *total);
/** Codes with a line but no concordance entry, with their line count and trade
 *  (with no weights: 0). */
size_t tw_tariff_report_unmapped(const tw_tariff_report *r);
void tw_tariff_report_unmapped_code(const tw_tariff_report *r, size_t k, const char **code,
                                    size_t *lines, double *trade);

/** Tariff series by product code (e.g. monthly rates by NAICS3 code, as
 *  data/us-china-tariffs): a CSV read whole; numbers are parsed when looked
 *  up, so rows never asked for may hold anything. Column names in `cols`
 *  (code and rate required; period and trade NULL when absent). */
typedef struct tw_lines_columns {
    const char *period, *code, *rate, *trade;
} tw_lines_columns;
typedef struct tw_tariff_lines tw_tariff_lines;
tw_status tw_tariff_lines_read(const char *path, const tw_lines_columns *cols,
                               tw_tariff_lines **out, tw_error *err);
void tw_tariff_lines_free(tw_tariff_lines *l);
size_t tw_tariff_lines_count(const tw_tariff_lines *l);
/** Row k's code (owned by l) and its line in the file. */
const char *tw_tariff_lines_code(const tw_tariff_lines *l, size_t k, size_t *line);
/** Row k's rate; the message names file, line and text when it is not a number. */
tw_status tw_tariff_lines_row_rate(const tw_tariff_lines *l, size_t k, double *rate, tw_error *err);
/** The rate of the first row with `code` whose period starts with `period`
 *  (NULL: any); TW_ERR_DATA when there is none. */
tw_status tw_tariff_lines_rate(const tw_tariff_lines *l, const char *period, const char *code,
                               double *rate, tw_error *err);
/** The sum of the trade column over the rows with `code` whose period starts
 *  with `period` (NULL: any), and how many rows that was; negative trade is an error. */
tw_status tw_tariff_lines_trade(const tw_tariff_lines *l, const char *period, const char *code,
                                double *sum, size_t *rows, tw_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TRADEWAR_H */
