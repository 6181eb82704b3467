/* io_dataset.h - shared by the data-set reader and writer (internal). */
#ifndef TW_IO_DATASET_H
#define TW_IO_DATASET_H

#include "io_csv.h"

#define TW_DS_FORMAT "tradewar-dataset"

/* The tables of a data set, in the order of tw_ds_table_keys (the keys of
 * the manifest's `files` mapping; the default file is "<key>.csv"). */
enum {
    TW_DS_FLOWS,
    TW_DS_TARIFFS,
    TW_DS_EXPORT_TAXES,
    TW_DS_SUBSIDIES,
    TW_DS_TRADE_COSTS,
    TW_DS_VA_SHARES,
    TW_DS_IO_SHARES,
    TW_DS_FINAL_SHARES,
    TW_DS_ELASTICITIES,
    TW_DS_TABLE_COUNT
};
extern const char *const tw_ds_table_keys[TW_DS_TABLE_COUNT];

/* tw_model_validate with its message prefixed by `label` (a path). */
tw_status tw_ds_validate(const tw_model *m, const char *label, tw_error *err);

/* Final shares sum to one by country, input shares by country and using
 * sector (where the sector buys inputs); `lines` holds each cell's line in
 * `file` for the message. */
tw_status tw_check_final_sums(const tw_model *m, const char *file, const size_t *lines,
                              tw_error *err);
tw_status tw_check_io_sums(const tw_model *m, const char *file, const size_t *lines, tw_error *err);

#endif
