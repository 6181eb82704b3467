/*
 * elasticities.c - replacing and scaling a model's trade and scale
 * elasticities (issue 10). tw_model_apply_elasticities reads a CSV file
 * `sector,theta[,psi]` with the model's own sector codes; the bundled named
 * sets belong to the data layer (issue 9), and this version answers a name
 * with a clear error.
 */
#include "io_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A bundled set's name: letters, digits, '-' and '_' only (no '.' or '/'). */
static int is_set_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static tw_status read_file_set(tw_model *m, const char *path, tw_error *err)
{
    size_t J = m->J;
    tw_csv c = {0};
    tw_status st = tw_csv_read(path, &c, err);
    if (st != TW_OK)
        return st;
    static const char *const names[] = {"sector", "theta", "psi"};
    long col[3];
    double *theta = malloc(J * sizeof(double)), *psi = malloc(J * sizeof(double));
    size_t *line = calloc(J, sizeof(size_t));
    if (!theta || !psi || !line) {
        st = tw_fail(err, TW_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(theta, m->arr[TW_THETA], J * sizeof(double));
    memcpy(psi, m->arr[TW_PSI], J * sizeof(double));
    if ((st = tw_csv_columns(&c, names, 3, 2, col, err)) != TW_OK)
        goto done;
    for (size_t r = 1; r < c.nrows; r++) {
        const tw_csv_row *row = &c.rows[r];
        const char *code = row->fields[col[0]];
        long j = tw_model_find_sector(m, code);
        if (j < 0) {
            st = tw_fail(err, TW_ERR_UNKNOWN_NAME, "%s:%zu: unknown sector '%s'", path, row->line,
                         code);
            goto done;
        }
        if (line[j]) {
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: sector '%s' again (first on line %zu)", path,
                         row->line, code, line[j]);
            goto done;
        }
        line[j] = row->line;
        double v;
        if ((st = tw_csv_number(&c, r, col[1], "theta", 0, &v, err)) != TW_OK)
            goto done;
        if (!(v > 0)) {
            st = tw_fail(err, TW_ERR_DATA, "%s:%zu: column 'theta': %s is not positive", path,
                         row->line, row->fields[col[1]]);
            goto done;
        }
        theta[j] = v;
        if (col[2] >= 0) {
            if ((st = tw_csv_number(&c, r, col[2], "psi", 0, &v, err)) != TW_OK)
                goto done;
            if (!(v >= 0)) {
                st = tw_fail(err, TW_ERR_DATA, "%s:%zu: column 'psi': %s is negative", path,
                             row->line, row->fields[col[2]]);
                goto done;
            }
            psi[j] = v;
        }
    }
    for (size_t j = 0; j < J; j++)
        if (!line[j]) {
            st = tw_fail(err, TW_ERR_DATA, "%s: no row for sector '%s' (every sector once)", path,
                         m->sector_code[j]);
            goto done;
        }
    memcpy(m->arr[TW_THETA], theta, J * sizeof(double));
    memcpy(m->arr[TW_PSI], psi, J * sizeof(double));
done:
    free(theta);
    free(psi);
    free(line);
    tw_csv_free(&c);
    return st;
}

tw_status tw_model_apply_elasticities(tw_model *m, const char *spec, const char *sets_dir,
                                      tw_error *err)
{
    if (!m || !spec || !*spec)
        return tw_fail(err, TW_ERR_INVALID, "elasticities: no file or set named");
    (void)sets_dir;
    if (is_set_name(spec))
        return tw_fail(err, TW_ERR_UNKNOWN_NAME,
                       "elasticities '%s': no such file, and this build has no bundled "
                       "elasticity sets (give a CSV file sector,theta[,psi])",
                       spec);
    return read_file_set(m, spec, err);
}

tw_status tw_model_scale_elasticities(tw_model *m, double theta_scale, double psi_scale,
                                      tw_error *err)
{
    if (!m)
        return tw_fail(err, TW_ERR_INVALID, "scale elasticities: no model");
    if (!(theta_scale > 0) || !isfinite(theta_scale))
        return tw_fail(err, TW_ERR_INVALID, "theta scale %g: must be a positive number",
                       theta_scale);
    if (!(psi_scale >= 0) || !isfinite(psi_scale))
        return tw_fail(err, TW_ERR_INVALID, "psi scale %g: must be a number >= 0", psi_scale);
    for (size_t j = 0; j < m->J; j++) {
        m->arr[TW_THETA][j] *= theta_scale;
        m->arr[TW_PSI][j] *= psi_scale;
    }
    return TW_OK;
}
