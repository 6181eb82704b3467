/*
 * synthetic.c - seeded synthetic economies for tests and benchmarks.
 *
 * The generator draws shares and elasticities from fixed distributions and
 * then computes the flows that make the economy an exact equilibrium with
 * balanced trade, so a no-change solve must return every hat equal to 1.
 *
 * Draws (u = uniform(0,1) from a splitmix64 stream seeded by `seed`):
 *   country size s_i = exp(3u); the first ceil(0.6 J) sectors are goods
 *   (tariffs apply), the rest services (low trade shares);
 *   theta_j = 2 + 10u; beta[i,j] = 0.25 + 0.5u; input and final shares are
 *   normalised u^3 (skewed, as real input-output tables are);
 *   home share of spending h = 0.5 + 0.45u (goods) or 0.9 + 0.09u (services),
 *   the rest split across exporters in proportion to s_i * (0.1 + 0.9u);
 *   tariffs 0.15u on goods, 0 on services and at home.
 * Spending E solves E = M E (money spent on a sector is paid to producers and
 * governments, who spend it on inputs and on final goods): the Perron vector
 * of a column-stochastic matrix, found by power iteration, scaled so world
 * spending is 1000 per country.
 */
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t state;
} rng64;

static double rng_uniform(rng64 *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static void draw_shares(rng64 *r, double *out, size_t len, size_t stride)
{
    double sum = 0;
    for (size_t k = 0; k < len; k++) {
        double u = rng_uniform(r);
        out[k * stride] = u * u * u + 1e-3;
        sum += out[k * stride];
    }
    for (size_t k = 0; k < len; k++)
        out[k * stride] /= sum;
}

/* One step E_new = M E with the model's shares and lambda (tariff inclusive). */
static void circulate(const tw_model *m, const double *lam, const double *E, double *Y, double *inc,
                      double *E_new)
{
    size_t N = m->N, J = m->J;
    const double *t = m->arr[TW_TARIFFS], *beta = m->arr[TW_VA_SHARES];
    const double *gam = m->arr[TW_IO_SHARES], *alpha = m->arr[TW_FINAL_SHARES];
    memset(Y, 0, N * J * sizeof(double));
    memset(inc, 0, N * sizeof(double));
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                double q = lam[x] * E[tw_idx2(J, n, j)];
                Y[tw_idx2(J, i, j)] += q / (1 + t[x]);
                inc[n] += q * t[x] / (1 + t[x]);
            }
    for (size_t n = 0; n < N; n++) {
        for (size_t j = 0; j < J; j++)
            inc[n] += beta[tw_idx2(J, n, j)] * Y[tw_idx2(J, n, j)];
        for (size_t j = 0; j < J; j++) {
            double acc = alpha[tw_idx2(J, n, j)] * inc[n];
            for (size_t k = 0; k < J; k++)
                acc += (1 - beta[tw_idx2(J, n, k)]) * gam[tw_idx3io(J, n, j, k)] *
                       Y[tw_idx2(J, n, k)];
            E_new[tw_idx2(J, n, j)] = acc;
        }
    }
}

static void draw_model(tw_model *m, rng64 *r, double *lam, double psi)
{
    size_t N = m->N, J = m->J, goods = (size_t)ceil(0.6 * (double)J);
    double *size = m->arr[TW_FLOWS]; /* scratch: overwritten with flows later */
    for (size_t i = 0; i < N; i++)
        size[i] = exp(3 * rng_uniform(r));
    for (size_t j = 0; j < J; j++) {
        m->arr[TW_THETA][j] = 2 + 10 * rng_uniform(r);
        m->arr[TW_PSI][j] = psi;
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < J; j++) {
            m->arr[TW_VA_SHARES][tw_idx2(J, i, j)] = 0.25 + 0.5 * rng_uniform(r);
            draw_shares(r, m->arr[TW_IO_SHARES] + tw_idx3io(J, i, 0, j), J, J);
        }
        draw_shares(r, m->arr[TW_FINAL_SHARES] + tw_idx2(J, i, 0), J, 1);
    }
    for (size_t n = 0; n < N; n++)
        for (size_t j = 0; j < J; j++) {
            int good = j < goods;
            double home = good ? 0.5 + 0.45 * rng_uniform(r) : 0.9 + 0.09 * rng_uniform(r);
            double sum = 0;
            for (size_t i = 0; i < N; i++) {
                size_t x = tw_idx3(N, J, i, n, j);
                lam[x] = i == n ? 0 : size[i] * (0.1 + 0.9 * rng_uniform(r));
                sum += lam[x];
                m->arr[TW_TARIFFS][x] = (good && i != n) ? 0.15 * rng_uniform(r) : 0;
            }
            for (size_t i = 0; i < N; i++) {
                size_t x = tw_idx3(N, J, i, n, j);
                lam[x] = i == n ? (N > 1 ? home : 1.0) : (1 - home) * lam[x] / sum;
            }
        }
}

tw_status tw_model_synthetic(size_t n_countries, size_t n_sectors, unsigned long seed, double psi,
                             tw_model **out, tw_error *err)
{
    if (!out || !(psi >= 0 && psi < 1))
        return tw_fail(err, TW_ERR_INVALID, "tw_model_synthetic: bad arguments");
    *out = NULL;
    tw_error e = {0};
    tw_model *m = tw_model_create(n_countries, n_sectors, &e);
    if (!m)
        return tw_fail(err, e.code, "%s", e.message);
    size_t N = m->N, J = m->J;
    double *lam = tw_calloc(N * N * J, sizeof(double));
    double *E = tw_calloc(N * J, sizeof(double)), *E2 = tw_calloc(N * J, sizeof(double));
    double *Y = tw_calloc(N * J, sizeof(double)), *inc = tw_calloc(N, sizeof(double));
    tw_status st = TW_OK;
    if (!lam || !E || !E2 || !Y || !inc) {
        st = tw_fail(err, TW_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < N; i++) {
        char code[16], name[32];
        snprintf(code, sizeof code, "C%03u", (unsigned)(i + 1) % 100000u);
        snprintf(name, sizeof name, "Country %zu", i + 1);
        tw_model_set_country(m, i, code, name, NULL);
    }
    for (size_t j = 0; j < J; j++) {
        char code[16], name[32];
        snprintf(code, sizeof code, "S%03u", (unsigned)(j + 1) % 100000u);
        snprintf(name, sizeof name, "Sector %zu", j + 1);
        tw_model_set_sector(m, j, code, name, NULL);
    }
    rng64 rng = {(uint64_t)seed * 0x2545F4914F6CDD1DULL + 1};
    draw_model(m, &rng, lam, psi);
    /* power iteration to the Perron vector, world spending fixed */
    double world = 1000.0 * (double)N;
    for (size_t x = 0; x < N * J; x++)
        E[x] = world / (double)(N * J);
    for (int it = 0; it < 20000; it++) {
        circulate(m, lam, E, Y, inc, E2);
        double sum = 0, diff = 0;
        for (size_t x = 0; x < N * J; x++)
            sum += E2[x];
        for (size_t x = 0; x < N * J; x++) {
            E2[x] *= world / sum;
            diff = fmax(diff, fabs(E2[x] - E[x]) / (E[x] + 1e-300));
        }
        memcpy(E, E2, N * J * sizeof(double));
        if (diff < 1e-13)
            break;
    }
    double *X = m->arr[TW_FLOWS];
    for (size_t i = 0; i < N; i++)
        for (size_t n = 0; n < N; n++)
            for (size_t j = 0; j < J; j++) {
                size_t x = tw_idx3(N, J, i, n, j);
                X[x] = lam[x] * E[tw_idx2(J, n, j)] / (1 + m->arr[TW_TARIFFS][x]);
            }
    st = tw_model_validate(m, err);
done:
    free(lam), free(E), free(E2), free(Y), free(inc);
    if (st != TW_OK)
        tw_model_free(m);
    else
        *out = m;
    return st;
}
