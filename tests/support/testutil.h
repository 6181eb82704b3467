/* testutil.h - helpers shared by the cmocka test programs. */
#ifndef TW_TESTUTIL_H
#define TW_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tradewar.h"

/* Relative error test in the style of GSL's test_rel: NaN and Inf are only
 * equal to themselves; near zero the absolute error is used. Returns 1 when
 * |got - want| <= tol * max(|want|, 1e-300) or both are the same non-finite. */
int tt_close(double got, double want, double tol);

/* Fail the current test with a message when tt_close() is false. */
#define assert_close(got, want, tol)                                                \
    do {                                                                            \
        double tt_g_ = (got), tt_w_ = (want);                                       \
        if (!tt_close(tt_g_, tt_w_, (tol)))                                         \
            fail_msg("%s = %.17g, expected %.17g (rel tol %g)", #got, tt_g_, tt_w_, \
                     (double)(tol));                                                \
    } while (0)

/* Absolute-difference version. */
#define assert_near(got, want, atol)                                                \
    do {                                                                            \
        double tt_g_ = (got), tt_w_ = (want);                                       \
        if (!(tt_g_ - tt_w_ <= (atol) && tt_w_ - tt_g_ <= (atol)))                  \
            fail_msg("%s = %.17g, expected %.17g (abs tol %g)", #got, tt_g_, tt_w_, \
                     (double)(atol));                                               \
    } while (0)

/* tw_solve that also requires convergence: TW_OK only when the solve ran and
 * converged; TW_ERR_NUMERICAL when it ran without converging (err keeps the
 * library's message). For tests that need an equilibrium. */
tw_status tt_solve(tw_solver *s, const tw_policy *p, tw_result *r, tw_error *err);

/* Path of a file in the source tree: TW_SOURCE_DIR "/" rel, in a static buffer. */
const char *tt_src(const char *rel);

/* A fresh empty temporary directory (mkdtemp under $TMPDIR or /tmp); static buffer. */
const char *tt_tmpdir(void);

/* Write `text` to path; returns 0 on success. */
int tt_write_file(const char *path, const char *text);

#endif
