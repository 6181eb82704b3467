/* TEMPORARY stubs so the tree links while the solver is written; deleted when equilibrium.c lands. */
#include "internal.h"
const char *tw_stop_reason_name(tw_stop_reason r) { (void)r; return "none"; }
void tw_solver_options_default(tw_solver_options *o) { (void)o; }
tw_solver *tw_solver_create(const tw_model *m, const tw_solver_options *opt, tw_error *err)
{ (void)m; (void)opt; tw_fail(err, TW_ERR_INTERNAL, "not implemented"); return NULL; }
void tw_solver_free(tw_solver *s) { (void)s; }
tw_result *tw_result_create(const tw_model *m) { (void)m; return NULL; }
void tw_result_free(tw_result *r) { (void)r; }
tw_status tw_solve(tw_solver *s, const tw_policy *p, tw_result *r, tw_error *err)
{ (void)s; (void)p; (void)r; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
tw_status tw_solver_set_start(tw_solver *s, const tw_result *r) { (void)s; (void)r; return TW_ERR_INTERNAL; }
tw_solver_stats tw_result_stats(const tw_result *r) { (void)r; tw_solver_stats z = {0}; return z; }
const double *tw_result_country(const tw_result *r, tw_country_output w) { (void)r; (void)w; return NULL; }
const double *tw_result_sector(const tw_result *r, tw_sector_output w) { (void)r; (void)w; return NULL; }
const double *tw_result_flows(const tw_result *r) { (void)r; return NULL; }
const char *tw_country_output_key(tw_country_output w) { (void)w; return ""; }
const char *tw_country_output_description(tw_country_output w) { (void)w; return ""; }
const char *tw_sector_output_key(tw_sector_output w) { (void)w; return ""; }
const char *tw_sector_output_description(tw_sector_output w) { (void)w; return ""; }
const double *tw_result_wage_hat(const tw_result *r) { (void)r; return NULL; }
const double *tw_result_price_hat(const tw_result *r) { (void)r; return NULL; }
const double *tw_result_employment_hat(const tw_result *r) { (void)r; return NULL; }
const char *tw_check_name(tw_check c) { (void)c; return ""; }
tw_status tw_result_check(const tw_result *r, const tw_model *m, const tw_policy *p, double out[TW_CHECK_COUNT])
{ (void)r; (void)m; (void)p; (void)out; return TW_ERR_INTERNAL; }
tw_model *tw_result_to_model(const tw_result *r, const tw_model *m, const tw_policy *p) { (void)r; (void)m; (void)p; return NULL; }
tw_status tw_baseline_build(const tw_model *raw, tw_deficit_mode mode, const tw_solver_options *opt, tw_model **out, tw_baseline_report *rep, tw_error *err)
{ (void)raw; (void)mode; (void)opt; (void)out; (void)rep; return tw_fail(err, TW_ERR_INTERNAL, "not implemented"); }
