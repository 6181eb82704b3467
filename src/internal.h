/*
 * internal.h - definitions shared inside libtradewar; not installed.
 */
#ifndef TW_INTERNAL_H
#define TW_INTERNAL_H

#include "tradewar.h"

#include <stdarg.h>

#define TW_CODE_MAX 32
#define TW_NAME_MAX 96

struct tw_model {
    size_t N, J;
    char (*country_code)[TW_CODE_MAX];
    char (*country_name)[TW_NAME_MAX];
    char (*sector_code)[TW_CODE_MAX];
    char (*sector_name)[TW_NAME_MAX];
    double *arr[TW_ARRAY_COUNT]; /* one allocation per array, lengths by tw_model_array_length */
    char currency_unit[64];      /* tw_model_currency_unit; "" = unknown */
    struct tw_model_group *groups[2]; /* the data's groups: [0] countries, [1] sectors */
    size_t ngroups[2];
    char **sector_industries; /* J entries, each NULL or the space-separated ICIO industries
                                    the sector aggregates (tw_model_set_sector_industries) */
};

typedef struct tw_model_group {
    char name[TW_CODE_MAX];
    size_t *members; /* indices, ascending */
    size_t n;
} tw_model_group;

struct tw_policy {
    size_t N, J;
    const tw_model *model;     /* borrowed: the model it was created for */
    double *tariff;            /* N*N*J */
    double *export_tax;        /* N*N*J */
    double *subsidy;           /* N*J   */
    double *trade_cost_change; /* N*N*J, factor, INFINITY = ban */
    double *deficit;           /* N     */
};

/* "FIRST..LAST" (codes of m, in m's order; sectors = 1 for sector codes):
 * 1 with [*lo, *hi] filled, 0 when `text` has no "..", -1 when an end is not
 * a code or FIRST comes after LAST. */
int tw__code_range(const tw_model *m, int sectors, const char *text, size_t *lo, size_t *hi);

/* The groups `goods` (sectors 0..n_goods-1) and `services` (the rest, when
 * any) of a raw data layout whose goods come first. */
tw_status tw__add_goods_services(tw_model *m, size_t n_goods, tw_error *err);

/* Copy every instrument of src into dst (same model dimensions). */
void tw__policy_copy(tw_policy *dst, const tw_policy *src);

/* Fill err (may be NULL) with code and a printf-style message; returns code. */
tw_status tw_fail(tw_error *err, tw_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Monotonic wall clock in seconds. */
double tw_now(void);

/* Allocation helpers that check n*size overflow. */
void *tw_calloc(size_t n, size_t size);

#endif
