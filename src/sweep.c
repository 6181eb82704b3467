/*
 * sweep.c - Monte Carlo draws of elasticities and quantiles of their results.
 *
 * Draws come from a counter-based generator: the uniform number for
 * (seed, draw k, variable v, sector j) is a bijective 64-bit mix (the
 * splitmix64 finaliser) applied in turn to the seed, k and (v, j), so a draw
 * depends only on its coordinates, never on which thread, process or order
 * made it. Normal draws truncated to positive values use the inverse CDF
 * (Wichura's AS 241, relative accuracy about 1e-16) on the part of (0,1)
 * above Phi(-mean/se): exact truncation, one uniform per value, no rejection.
 *
 * A bound on psi*theta (the model has an interior equilibrium only below 1)
 * is kept by rejection, sector by sector: a sector's pair is redrawn from
 * fresh streams until psi*theta is below the bound, which samples the joint
 * distribution truncated to that set exactly.
 */
#include "internal.h"

#include <math.h>
#include <stdint.h>

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform number in (0, 1) for the coordinates: 53 random bits, centred. */
static double counter_uniform(uint64_t seed, uint64_t k, uint64_t stream)
{
    uint64_t h = mix64(seed + 0x9E3779B97F4A7C15ULL);
    h = mix64(h ^ (k * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
    h = mix64(h ^ ((stream + 1) * 0x9E3779B97F4A7C15ULL));
    return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Wichura (1988), Algorithm AS 241 (PPND16): the standard normal quantile. */
static double poly(const double *c, int n, double x)
{
    double s = c[n - 1];
    for (int k = n - 2; k >= 0; k--)
        s = s * x + c[k];
    return s;
}

double tw_normal_quantile(double p)
{
    static const double a[8] = {3.3871328727963666080e0, 1.3314166789178437745e2,
                                1.9715909503065514427e3, 1.3731693765509461125e4,
                                4.5921953931549871457e4, 6.7265770927008700853e4,
                                3.3430575583588128105e4, 2.5090809287301226727e3};
    static const double b[8] = {1.0,
                                4.2313330701600911252e1,
                                6.8718700749205790830e2,
                                5.3941960214247511077e3,
                                2.1213794301586595867e4,
                                3.9307895800092710610e4,
                                2.8729085735721942674e4,
                                5.2264952788528545610e3};
    static const double c[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,
                                5.76949722146069140550e0,  3.64784832476320460504e0,
                                1.27045825245236838258e0,  2.41780725177450611770e-1,
                                2.27238449892691845833e-2, 7.74545014278341407640e-4};
    static const double d[8] = {1.0,
                                2.05319162663775882187e0,
                                1.67638483018380384940e0,
                                6.89767334985100004550e-1,
                                1.48103976427480074590e-1,
                                1.51986665636164571966e-2,
                                5.47593808499534494600e-4,
                                1.05075007164441684324e-9};
    static const double e[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,
                                1.78482653991729133580e0,  2.96560571828504891230e-1,
                                2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
    static const double f[8] = {1.0,
                                5.99832206555887937690e-1,
                                1.36929880922735805310e-1,
                                1.48753612908506148525e-2,
                                7.86869131145613259100e-4,
                                1.84631831751005468180e-5,
                                1.42151175831644588870e-7,
                                2.04426310338993978564e-15};
    if (!(p > 0 && p < 1))
        return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        return q * poly(a, 8, r) / poly(b, 8, r);
    }
    double r = sqrt(-log(q < 0 ? p : 1 - p)), x;
    if (r <= 5) {
        r -= 1.6;
        x = poly(c, 8, r) / poly(d, 8, r);
    } else {
        r -= 5;
        x = poly(e, 8, r) / poly(f, 8, r);
    }
    return q < 0 ? -x : x;
}

/* One value of one variable in sector j: its uniform is stream `off + j`. */
static double draw_one(const tw_draw_spec *s, size_t j, uint64_t off, uint64_t seed, uint64_t k)
{
    if (s->dist == TW_DIST_FIXED || k == 0)
        return s->a[j];
    double u = counter_uniform(seed, k, off + j);
    if (s->dist == TW_DIST_UNIFORM)
        return s->a[j] + u * (s->b[j] - s->a[j]);
    double mean = s->a[j], se = s->b[j];
    if (se == 0)
        return mean;
    double p0 = 0.5 * erfc(mean / (se * 1.4142135623730951)); /* Phi(-mean/se): mass below 0 */
    double x = mean + se * tw_normal_quantile(p0 + u * (1 - p0));
    return x > 0 ? x : 1e-300; /* x <= 0 only by round-off at the bound */
}

/* theta must be positive (strict), psi non-negative. */
static tw_status check_spec(const tw_draw_spec *s, size_t J, const char *name, int strict,
                            tw_error *err)
{
    if (s->dist != TW_DIST_FIXED && s->dist != TW_DIST_NORMAL && s->dist != TW_DIST_UNIFORM)
        return tw_fail(err, TW_ERR_INVALID, "%s: unknown distribution %d", name, (int)s->dist);
    if (!s->a || (s->dist != TW_DIST_FIXED && !s->b))
        return tw_fail(err, TW_ERR_INVALID, "%s: missing values", name);
    for (size_t j = 0; j < J; j++) {
        double a = s->a[j], b = s->dist == TW_DIST_FIXED ? a : s->b[j];
        int a_ok = strict ? a > 0 : a >= 0;
        if (!isfinite(a) || !isfinite(b) || !a_ok)
            return tw_fail(err, TW_ERR_INVALID, "%s[%zu] = %g must be %s", name, j, a,
                           strict ? "positive" : "non-negative");
        if (s->dist == TW_DIST_NORMAL && !(b >= 0))
            return tw_fail(err, TW_ERR_INVALID, "%s[%zu]: standard error %g is negative", name, j,
                           b);
        if (s->dist == TW_DIST_UNIFORM && !(b >= a))
            return tw_fail(err, TW_ERR_INVALID, "%s[%zu]: empty range [%g, %g]", name, j, a, b);
    }
    return TW_OK;
}

/* Candidates per sector before a bounded draw gives up: the bound then cuts
 * off almost all of the distribution, which is a mistake in the inputs. */
enum { MAX_ATTEMPTS = 1000 };

tw_status tw_draw_elasticities_bounded(const tw_draw_spec *theta, const tw_draw_spec *psi, size_t J,
                                       double max_psi_theta, unsigned long long seed,
                                       unsigned long long k, double *theta_out, double *psi_out,
                                       unsigned long long *rejected, tw_error *err)
{
    if (rejected)
        *rejected = 0;
    if (!theta || !psi || !theta_out || !psi_out || J == 0)
        return tw_fail(err, TW_ERR_INVALID, "tw_draw_elasticities: missing argument");
    if (!(max_psi_theta > 0))
        return tw_fail(err, TW_ERR_INVALID, "the bound on psi*theta (%g) must be positive",
                       max_psi_theta);
    tw_status st = check_spec(theta, J, "theta", 1, err);
    if (st == TW_OK)
        st = check_spec(psi, J, "psi", 0, err);
    if (st != TW_OK)
        return st;
    for (size_t j = 0; j < J; j++) {
        /* Candidate a of sector j uses its own streams (a = 0: the unbounded
         * draw's), so rejection keeps a draw a function of its coordinates. */
        int a = 0;
        for (;; a++) {
            uint64_t off = 2 * (uint64_t)a * J;
            theta_out[j] = draw_one(theta, j, off, seed, k);
            psi_out[j] = draw_one(psi, j, off + J, seed, k);
            if (k == 0 || psi_out[j] * theta_out[j] < max_psi_theta)
                break;
            if (a + 1 == MAX_ATTEMPTS)
                return tw_fail(err, TW_ERR_INVALID,
                               "sector [%zu]: not one of %d draws has psi*theta below %g: "
                               "narrow the spread or move it down",
                               j, MAX_ATTEMPTS, max_psi_theta);
        }
        if (rejected)
            *rejected += (unsigned long long)a;
    }
    return TW_OK;
}

tw_status tw_draw_elasticities(const tw_draw_spec *theta, const tw_draw_spec *psi, size_t J,
                               unsigned long long seed, unsigned long long k, double *theta_out,
                               double *psi_out, tw_error *err)
{
    return tw_draw_elasticities_bounded(theta, psi, J, INFINITY, seed, k, theta_out, psi_out, NULL,
                                        err);
}

double tw_quantile_sorted(const double *sorted, size_t n, double p)
{
    if (!sorted || n == 0 || !(p >= 0 && p <= 1))
        return NAN;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    double frac = h - (double)lo;
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}
