"""tradewar: counterfactual equilibria, optimal policies and games of trade
wars, from Python. A thin layer over the C library (libtradewar): every
number is computed there; this package converts to and from numpy arrays and
pandas DataFrames and turns failed calls into exceptions that carry the
library's message (file, line and value for bad data).

    import tradewar as tw
    raw = tw.Model.load("data/cp1993")
    sc = tw.Scenario.load("scenarios/cp2015-nafta.yaml")
    base = raw.baseline(sc.deficits)
    res = tw.solve(base, sc.policy(base))
    res.countries.loc[["MEX", "CAN", "USA"], "cp_welfare_pct"]

Long calls run without the GIL (cffi releases it around every call into the
library), so Python threads can solve in parallel.
"""
from tradewar._api import (Model, Policy, Result, Scenario, Solver, SweepResult, TradewarError,
                           DataError, NonConvergenceWarning, compare, cooperate, bargain, enforce, optimal,
                           solve, sweep, version, war)

__all__ = ["Model", "Policy", "Result", "Scenario", "Solver", "SweepResult", "TradewarError",
           "DataError",
           "NonConvergenceWarning",
           "compare", "cooperate", "bargain", "enforce", "optimal", "solve", "sweep",
           "version", "war"]
__version__ = version()
