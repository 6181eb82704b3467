/*
 * game_internal.h - instruments, welfare gradients and the workspaces of the
 * strategic layer (gradient.c, game.c). Not installed.
 */
#ifndef TW_GAME_INTERNAL_H
#define TW_GAME_INTERNAL_H

#include "solver_internal.h"

/* One optimisation variable: `count` policy cells that move together (one
 * cell, or all partners' tariffs in one sector under MFN). */
typedef struct tw_var {
    int kind;     /* TW_INSTRUMENT_* */
    size_t first; /* index into cells */
    size_t count;
} tw_var;

/* A country's instruments: variables over policy cells (N*N*J indices for
 * tariffs and export taxes, N*J indices for subsidies). */
typedef struct tw_instruments {
    size_t country;
    size_t nvars, ncells;
    tw_var *vars;
    size_t *cells;
} tw_instruments;

tw_instruments *tw__instruments_create(const tw_model *m, size_t country,
                                       const tw_optimal_options *o);
void tw__instruments_free(tw_instruments *ins);
void tw__instruments_get(const tw_instruments *ins, const tw_policy *p, double *v);
void tw__instruments_set(const tw_instruments *ins, tw_policy *p, const double *v);

/* Seeds per reverse pass of the evaluation (gradient.c): the adjoint arrays
 * hold VB values per entry, so the inner loops run over a fixed short block. */
#define TW_VJP_BLOCK 8

/* The adjoint arrays of one reverse pass, slot b of entry e at [e * TW_VJP_BLOCK + b]. */
typedef struct tw_vjp_ws {
    double *ub;                   /* nu: over the unknowns */
    double *inc, *ld;             /* N: incomes, labour demand */
    double *Yb, *ESb, *Sb, *zb;   /* N*J */
    double *ab, *fpb, *ftb, *feb; /* N*N*J: over the policy factors of each cell */
    double *subb;                 /* N*J */
} tw_vjp_ws;

typedef struct tw_gradient_ws {
    size_t nu, nobj;
    double *w0;  /* objectives at the point */
    double *jac; /* nu*nu, column-major: the transpose of F_u */
    int *ipiv;
    double *mu, *u;
    double *seed; /* nu*TW_VJP_BLOCK seeds of a reverse pass */
    tw_vjp_ws vjp;
    int have_lu;                           /* jac holds the LU factors of some point's F_u' */
    long factorisations, krylov;           /* F_u' factored; GMRES solves that sufficed */
    double *kv, *hh, *cs, *sn, *gg, *zbuf; /* GMRES on F_u', TW_VJP_BLOCK sides at once */
    double *income0;                       /* N base incomes */
    double *v;                             /* instrument values */
} tw_gradient_ws;

tw_gradient_ws *tw__gradient_ws_create(const tw_solver *s, size_t nvars, size_t nobj);
void tw__gradient_ws_free(tw_gradient_ws *g);

/* Objectives q = 0..nobj-1, each sum_n weights[q*N + n] W_hat[n], and their
 * gradients over ins (grads[q*K + k]) at the equilibrium u_star of policy p
 * (the solver's policy factors must be set for p). */
tw_status tw__gradient(tw_solver *s, tw_policy *p, const tw_instruments *ins, const double *weights,
                       size_t nobj, tw_gradient_ws *g, const double *u_star, double *values,
                       double *grads);
/* F_u' (the transpose of the residual's Jacobian over the unknowns) into
 * g->jac, exact, at the point of the last tw__evaluate(u). */
void tw__jacobian_transposed(const tw_solver *s, const double *u, tw_gradient_ws *g);
/* Instruments of several countries together (for talks): each country's
 * instruments on the other listed countries unless o->partners says otherwise. */
tw_instruments *tw__instruments_create_multi(const tw_model *m, const size_t *countries, size_t n,
                                             const tw_optimal_options *o);
double tw__objective_at(tw_solver *s, const double *u, const double *weight, const double *income0);

/* From equilibrium.c: the Newton residual at u into f (nu doubles); 0 or -1. */
int tw__residual_vec(tw_solver *s, const double *u, double *f);
/* From equilibrium.c: refresh the policy factors of one N*N*J cell. */
void tw__policy_cell(tw_solver *s, const tw_policy *p, size_t x);

#endif
