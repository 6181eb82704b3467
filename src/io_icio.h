/* io_icio.h - the OECD ICIO industry lists, shared by the importer and the
 * elasticity sets (internal). */
#ifndef TW_IO_ICIO_H
#define TW_IO_ICIO_H

#include "io_dataset.h"

#define TW_ICIO_INDUSTRIES 45
/* The same 45 industries, in the same order, as each edition codes them. */
extern const char *const tw_icio_industries_2021[TW_ICIO_INDUSTRIES];
extern const char *const tw_icio_industries_2023[TW_ICIO_INDUSTRIES];
/* The 2025 edition's 50: the 45 with A01/A02, B05/B06, B07/B08, C24 and C30 split. */
#define TW_ICIO_INDUSTRIES_2025 50
extern const char *const tw_icio_industries_2025[TW_ICIO_INDUSTRIES_2025];
/* Position of an industry code of any edition in the 45 (a split 2025 industry:
 * the position of the industry it belongs to), or -1. */
long tw_icio_industry_index(const char *code);

#endif
