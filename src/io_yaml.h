/* io_yaml.h - checks of YAML text before it is loaded (internal). */
#ifndef TW_IO_YAML_H
#define TW_IO_YAML_H

#include "internal.h"

/* Scan the events of `text` (no document is built): fails fast with
 * TW_ERR_DATA, naming `name` and the line, when collections nest deeper than
 * TW_LIMIT_YAML_DEPTH, and with TW_ERR_PARSE when the text holds more than
 * one document. Syntax errors are left to the loader (TW_OK). */
tw_status tw_yaml_precheck(const char *name, const char *text, size_t len, tw_error *err);

#endif
