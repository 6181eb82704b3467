/* testutil.c - helpers shared by the cmocka test programs. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TW_SOURCE_DIR
#define TW_SOURCE_DIR "."
#endif

int tt_close(double got, double want, double tol)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (isinf(want) || isinf(got))
        return got == want;
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1.0;
    return fabs(got - want) <= tol * scale;
}

const char *tt_src(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", TW_SOURCE_DIR, rel);
    return buf;
}

const char *tt_tmpdir(void)
{
    static char buf[4096];
    const char *base = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/tradewar-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        return NULL;
    return buf;
}

int tt_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

tw_status tt_solve(tw_solver *s, const tw_policy *p, tw_result *r, tw_error *err)
{
    tw_status st = tw_solve(s, p, r, err);
    if (st == TW_OK && tw_result_stats(r).outcome != TW_OUTCOME_CONVERGED) {
        if (err)
            err->code = TW_ERR_NUMERICAL;
        return TW_ERR_NUMERICAL;
    }
    return st;
}
