/* TEMPORARY stubs so the tree links while the loaders are written; delete when io_*.c exist. */
#include "internal.h"
tw_status tw_load_dataset(const char *dir, tw_model **out, tw_error *err)
{ (void)dir; (void)out; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
tw_status tw_write_dataset(const tw_model *m, const char *dir, tw_error *err)
{ (void)m; (void)dir; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
tw_status tw_load_cp1993(const char *dir, tw_model **out, tw_error *err)
{ (void)dir; (void)out; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
tw_status tw_load_uschina(const char *dir, tw_model **out, tw_error *err)
{ (void)dir; (void)out; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
tw_status tw_load_any(const char *dir, tw_model **out, tw_error *err)
{ (void)dir; (void)out; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
