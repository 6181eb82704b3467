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
};

struct tw_policy {
    size_t N, J;
    const tw_model *model;        /* borrowed: the model it was created for */
    double *tariff;               /* N*N*J */
    double *export_tax;           /* N*N*J */
    double *subsidy;              /* N*J   */
    double *trade_cost_change;    /* N*N*J, factor, INFINITY = ban */
    double *deficit;              /* N     */
};

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
