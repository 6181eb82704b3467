/*
 * solver_internal.h - the solver workspace and the result storage, shared by
 * equilibrium.c (the equilibrium map and KINSOL driver), results.c (outcomes,
 * checks) and baseline.c. Not installed.
 */
#ifndef TW_SOLVER_INTERNAL_H
#define TW_SOLVER_INTERNAL_H

#include "internal.h"

#include <kinsol/kinsol.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_spgmr.h>

/*
 * Unknowns u (all relative to the base, so "no change" is u = (0, 0, x0, 0)):
 *   lw[i]    = log w_hat[i]                         N
 *   lp[n,j]  = log P_hat[n,j]                       N*J
 *   x[n,j]   = E'[n,j] / S0[n]  (spending, scaled)   N*J
 *   lL[i,j]  = log L_hat[i,j]  (only with psi > 0)  N*J
 */
struct tw_solver {
    const tw_model *m;
    tw_solver_options opt;
    size_t N, J, nu;
    int has_scale; /* any psi > 0: employment by sector is an unknown */

    /* base economy, fixed for the model */
    double *theta, *psi; /* J elasticities: the model's unless tw_solver_set_elasticities */
    double *alpha;       /* N*J   final shares, rescaled to sum exactly to one */
    double *gam;         /* N*J*J input shares, each column rescaled to sum exactly to one */
    double *lambda0;     /* N*N*J import shares of spending (tariff inclusive) */
    double *E0;          /* N*J spending */
    double *Y0;          /* N*J gross output */
    double *ell0;        /* N*J employment shares */
    double *wL0;         /* N   labour income */
    double *S0;          /* N   total spending (scale of x) */
    double *mu;          /* N   wage step of the fixed-point map */
    double wL_world;

    /* policy factors, set at the start of each solve */
    double *a;      /* N*N*J lambda0 * kappa_hat^-theta (0 for a banned flow) */
    double *f_prod; /* N*N*J producer revenue per unit of spending: (1+s')/((1+t')(1+e')) */
    double *f_tar;  /* N*N*J tariff revenue per unit of spending: t'/(1+t') */
    double *f_etax; /* N*N*J export-tax revenue per unit of spending: e'/((1+t')(1+e')) */
    double *sub;    /* N*J   subsidy outlay per unit of gross output: s'/(1+s') */
    double *D;      /* N     deficits */

    /* work arrays filled by evaluate() */
    double *w, *lc, *z, *S, *lp_new, *ES, *Y, *R, *XT, *LD, *PI, *SUB, *income, *E_new, *lL_new,
        *ex;
    double *gainL; /* N*J: d lL_new / d lL on the diagonal, for the scale block's step */
    double *inter; /* J: intermediate spending of the using sectors that buy inputs */
    size_t *buyer; /* J: which sectors those are */
    double numeraire_gap;

    /* start point */
    double *u0;
    int warm;

    /* base-stability estimate (tw_solver_base_stability), allocated on first use */
    double *kry;     /* (STAB_M + 1) * nu Krylov basis, then the map at the base and a trial */
    double *hess;    /* (STAB_M + 1) * STAB_M Hessenberg matrix */
    tw_policy *none; /* "no change" */

    /* KINSOL */
    SUNContext ctx;
    N_Vector u, scale;
    void *kin_fp, *kin_nk;
    SUNLinearSolver ls;
    long nfe;
    int nonfinite;
    /* progress (tw_solver_options.progress): the solve's start, the method
       running, evaluations seen, 1 once the callback asked to stop */
    double solve_t0;
    tw_method running;
    long progress_nfe;
    int stopped;
    char kin_msg[256];
};

/* Krylov vectors of the base-stability estimate: its cost in map evaluations. */
#define STAB_M 30

struct tw_result {
    size_t N, J, nu;
    int has_scale;
    tw_solver_stats stats;
    double *u;     /* unknowns at the answer */
    double *w_hat; /* N */
    double *p_hat; /* N*J */
    double *L_hat; /* N*J */
    double *c_hat; /* N*J */
    double *E;     /* N*J spending, counterfactual */
    double *flows; /* N*N*J counterfactual flows before tariffs */
    double *country[TW_C_COUNT];
    double *sector[TW_CS_COUNT];
};

/* Evaluate every equilibrium relation at u (fills the work arrays). Returns 0,
 * or -1 when a value is not finite. */
int tw__evaluate(tw_solver *s, const double *u);
/* Max scaled residual of the equilibrium conditions after tw__evaluate(u). */
double tw__residual(const tw_solver *s, const double *u);
/* Fill the result's outcomes from the work arrays after tw__evaluate(u). */
void tw__fill_result(const tw_solver *s, const tw_policy *p, const double *u, tw_result *r);

#endif
