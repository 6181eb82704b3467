/* io_icio.h - the OECD ICIO industry lists, shared by the importer and the
 * elasticity sets (internal). */
#ifndef TW_IO_ICIO_H
#define TW_IO_ICIO_H

#include "io_dataset.h"

#define TW_ICIO_INDUSTRIES 45
/* The same 45 industries, in the same order, as each edition codes them. */
extern const char *const tw_icio_industries_2021[TW_ICIO_INDUSTRIES];
extern const char *const tw_icio_industries_2023[TW_ICIO_INDUSTRIES];
/* Position of an industry code of either edition in those lists, or -1. */
long tw_icio_industry_index(const char *code);

#endif
