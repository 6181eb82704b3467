"""The Python face of libtradewar. Every computation is a call into the C
library; this module only moves numbers between numpy/pandas and C, and turns
a failed call's status into an exception with the library's message."""
import os
import warnings

import numpy as np
import pandas as pd

from tradewar._tradewar import ffi, lib

_DATA_ERRORS = {lib.TW_ERR_IO, lib.TW_ERR_PARSE, lib.TW_ERR_DATA, lib.TW_ERR_UNKNOWN_NAME}


class TradewarError(Exception):
    """A call into the library failed. `status` is the library's status name
    (e.g. "TW_ERR_INVALID"), `code` its number; the message is the library's."""

    def __init__(self, code, message):
        self.code = int(code)
        self.status = ffi.string(ffi.cast("tw_status", code))
        super().__init__(message)


class DataError(TradewarError):
    """Bad input: a file that cannot be read, malformed or invalid data, an
    unknown country, sector or group. The message names the file, line and value."""


class NonConvergenceWarning(UserWarning):
    """A solve, an optimisation, a war or a bargain ended without converging;
    the result holds the last point and its `outcome` says how it ended."""


def _outcome(o):
    """The library's stable key of an outcome ("converged", "iteration-limit",
    "stalled", "non-finite", "solver-failed", "infeasible",
    "inner-not-converged", "stopped")."""
    return ffi.string(lib.tw_outcome_name(o)).decode()


def _warn_outcome(what, outcome, err, stacklevel=3):
    """Warn when a call ran but did not converge (the library's message says why)."""
    if outcome != "converged":
        detail = ffi.string(err.message).decode() if err is not None else ""
        warnings.warn(f"{what}: {outcome}" + (f" ({detail})" if detail else ""),
                      NonConvergenceWarning, stacklevel=stacklevel + 1)


def version():
    """The C library's version string."""
    return ffi.string(lib.tw_version()).decode()


def _raise(status, err):
    message = ffi.string(err.message).decode(errors="replace") if err is not None else ""
    if not message:
        message = ffi.string(lib.tw_strerror(status)).decode()
    cls = DataError if status in _DATA_ERRORS else TradewarError
    raise cls(status, message)


def _check(status, err):
    if status != lib.TW_OK:
        _raise(status, err)


def _new_error():
    return ffi.new("tw_error *")


def _made(ptr, err):
    """A constructor's handle, or its reason (err) raised when it is NULL."""
    if ptr == ffi.NULL:
        _raise(err.code or lib.TW_ERR_NOMEM, err)
    return ptr


def _doubles(values, length, what):
    """A C array of `length` doubles from anything numpy can read."""
    a = np.ascontiguousarray(values, dtype=np.float64).ravel()
    if a.size != length:
        raise ValueError(f"{what}: {a.size} values, expected {length}")
    return a, ffi.cast("const double *", ffi.from_buffer(a))


def _copy(ptr, shape):
    n = int(np.prod(shape))
    return np.frombuffer(ffi.buffer(ptr, n * 8), dtype=np.float64).reshape(shape).copy()


# ---------------------------------------------------------------- models ----

def _array_names():
    return {ffi.string(lib.tw_array_name(k)).decode(): k for k in range(lib.TW_ARRAY_COUNT)}


_DERIVED = {"gross_output": lib.TW_DERIVED_GROSS_OUTPUT, "spending": lib.TW_DERIVED_SPENDING,
            "value_added": lib.TW_DERIVED_VALUE_ADDED,
            "tariff_revenue": lib.TW_DERIVED_TARIFF_REVENUE, "income": lib.TW_DERIVED_INCOME,
            "deficit": lib.TW_DERIVED_DEFICIT, "exports": lib.TW_DERIVED_EXPORTS,
            "imports": lib.TW_DERIVED_IMPORTS}


class Model:
    """A base-year economy: N countries, J sectors, flows, shares, elasticities
    and the base policy. Arrays come back as numpy copies shaped (N, N, J) for
    bilateral ones ([exporter, importer, sector]), (N, J), (N, J, J) for
    input-output shares ([country, input, sector]) and (J,) for elasticities."""

    def __init__(self, ptr):
        if ptr == ffi.NULL:
            raise MemoryError("tradewar: out of memory")
        self._p = ffi.gc(ptr, lib.tw_model_free)
        self.baseline_report = None

    # -- construction
    @classmethod
    def load(cls, path):
        """Load a data set folder in any layout tradewar reads (native
        manifest + CSV, cp1993, ossa2007, us-china-2017)."""
        out, err = ffi.new("tw_model **"), _new_error()
        _check(lib.tw_load_any(os.fsencode(path), out, err), err)
        return cls(out[0])

    @classmethod
    def from_arrays(cls, countries, sectors, *, flows, va_shares, io_shares, final_shares,
                    theta, psi=None, markup=None, tariffs=None, export_taxes=None,
                    trade_costs=None, subsidies=None, country_names=None, sector_names=None):
        """Build a model from codes and numpy arrays (flows before tariffs,
        [exporter, importer, sector]); checked with the library's validator."""
        N, J = len(countries), len(sectors)
        err = _new_error()
        m = cls(_made(lib.tw_model_create(N, J, err), err))
        for i, code in enumerate(countries):
            name = country_names[i] if country_names is not None else None
            _check(lib.tw_model_set_country(m._p, i, code.encode(),
                                            name.encode() if name else ffi.NULL, err), err)
        for j, code in enumerate(sectors):
            name = sector_names[j] if sector_names is not None else None
            _check(lib.tw_model_set_sector(m._p, j, code.encode(),
                                           name.encode() if name else ffi.NULL, err), err)
        given = {"flows": flows, "va_shares": va_shares, "io_shares": io_shares,
                 "final_shares": final_shares, "theta": theta, "psi": psi, "markup": markup,
                 "tariffs": tariffs, "export_taxes": export_taxes, "trade_costs": trade_costs,
                 "subsidies": subsidies}
        names = _array_names()
        for key, values in given.items():
            if values is None:
                continue
            which = names[key]
            length = lib.tw_model_array_length(m._p, which)
            _, ptr = _doubles(values, length, key)
            _check(lib.tw_model_set(m._p, which, ptr, length, err), err)
        m.validate()
        return m

    def copy(self):
        err = _new_error()
        return Model(_made(lib.tw_model_clone(self._p, err), err))

    # -- dimensions and names
    @property
    def N(self):
        return lib.tw_model_countries(self._p)

    @property
    def J(self):
        return lib.tw_model_sectors(self._p)

    @property
    def countries(self):
        return [ffi.string(lib.tw_model_country_code(self._p, i)).decode() for i in range(self.N)]

    @property
    def country_names(self):
        return [ffi.string(lib.tw_model_country_name(self._p, i)).decode() for i in range(self.N)]

    @property
    def sectors(self):
        return [ffi.string(lib.tw_model_sector_code(self._p, j)).decode() for j in range(self.J)]

    @property
    def sector_names(self):
        return [ffi.string(lib.tw_model_sector_name(self._p, j)).decode() for j in range(self.J)]

    def country_index(self, country):
        if isinstance(country, (int, np.integer)):
            if not 0 <= country < self.N:
                raise IndexError(f"country index {country} out of range (N = {self.N})")
            return int(country)
        k = lib.tw_model_find_country(self._p, str(country).encode())
        if k < 0:
            raise DataError(lib.TW_ERR_UNKNOWN_NAME, f"unknown country '{country}' "
                            f"(known: {', '.join(self.countries)})")
        return k

    def sector_index(self, sector):
        if isinstance(sector, (int, np.integer)):
            if not 0 <= sector < self.J:
                raise IndexError(f"sector index {sector} out of range (J = {self.J})")
            return int(sector)
        k = lib.tw_model_find_sector(self._p, str(sector).encode())
        if k < 0:
            raise DataError(lib.TW_ERR_UNKNOWN_NAME, f"unknown sector '{sector}'")
        return k

    # -- data
    def _shape(self, length):
        N, J = self.N, self.J
        for shape in ((N, N, J), (N, J, J), (N, J), (N,), (J,)):
            if int(np.prod(shape)) == length:
                return shape
        return (length,)

    def array(self, name):
        """A copy of one of the model's arrays: flows, tariffs, export_taxes,
        trade_costs, subsidies, va_shares, final_shares, io_shares, theta, psi, markup."""
        names = _array_names()
        if name not in names:
            raise KeyError(f"no array '{name}' (arrays: {', '.join(names)})")
        which = names[name]
        length = lib.tw_model_array_length(self._p, which)
        if name in ("theta", "psi", "markup"):
            shape = (self.J,)
        elif name in ("va_shares", "final_shares", "subsidies"):
            shape = (self.N, self.J)
        elif name == "io_shares":
            shape = (self.N, self.J, self.J)
        else:
            shape = (self.N, self.N, self.J)
        assert int(np.prod(shape)) == length
        return _copy(lib.tw_model_get(self._p, which), shape)

    def derived(self, name):
        """Base-year quantities the model implies: gross_output and spending
        (N, J); value_added, tariff_revenue, income, deficit, exports, imports (N,)."""
        which = _DERIVED[name]
        length = lib.tw_model_derived_length(self._p, which)
        out = np.zeros(length)
        lib.tw_model_derive(self._p, which, ffi.cast("double *", ffi.from_buffer(out)), length)
        return out.reshape((self.N, self.J)) if length == self.N * self.J and name in (
            "gross_output", "spending") else out

    @property
    def checksum(self):
        buf = ffi.new("char[17]")
        lib.tw_model_checksum(self._p, buf)
        return ffi.string(buf).decode()

    def validate(self):
        err = _new_error()
        _check(lib.tw_model_validate(self._p, err), err)

    def write(self, folder):
        """Write as a native tradewar data set (manifest + CSV)."""
        err = _new_error()
        _check(lib.tw_write_dataset(self._p, os.fsencode(folder), err), err)

    def baseline(self, deficits="fixed", **solver_options):
        """The base equilibrium counterfactuals start from: the raw data
        calibrated to an exact equilibrium, with trade deficits kept
        ("fixed", Caliendo-Parro) or removed first ("balanced", Ossa)."""
        mode = {"fixed": lib.TW_DEFICIT_FIXED, "balanced": lib.TW_DEFICIT_BALANCED}[deficits]
        opt = _solver_options(solver_options)
        out, rep, err = ffi.new("tw_model **"), ffi.new("tw_baseline_report *"), _new_error()
        _check(lib.tw_baseline_build(self._p, mode, opt, out, rep, err), err)
        base = Model(out[0])
        base.baseline_report = {"calibrated": bool(rep.calibrated),
                                "calibration_gap": rep.calibration_gap,
                                "balanced": bool(rep.balanced)}
        return base

    def policy(self):
        """A policy equal to this model's base policy (no change)."""
        return Policy(self)

    def __repr__(self):
        return f"<tradewar.Model {self.N} countries x {self.J} sectors, checksum {self.checksum}>"


# -------------------------------------------------------------- policies ----

class Policy:
    """Tariffs, export taxes, subsidies, trade-cost changes and deficits for
    one model, starting at its base policy. Countries and sectors are given by
    code or index; rates are fractions (0.25 is 25%)."""

    def __init__(self, model, _ptr=None):
        self.model = model  # the model must outlive the policy
        err = _new_error()
        ptr = _ptr if _ptr is not None else _made(lib.tw_policy_create(model._p, err), err)
        self._p = ffi.gc(ptr, lib.tw_policy_free)

    def copy(self):
        err = _new_error()
        return Policy(self.model, _made(lib.tw_policy_clone(self._p, err), err))

    def reset(self):
        lib.tw_policy_reset(self._p)

    @property
    def is_base(self):
        return bool(lib.tw_policy_is_base(self._p))

    def _ins(self, setter, *args):
        status = setter(self._p, *args)
        if status != lib.TW_OK:
            raise TradewarError(status, f"{setter.__name__}{args}: "
                                f"{ffi.string(lib.tw_strerror(status)).decode()} "
                                "(indices out of range, or a rate <= -1)")

    def set_tariff(self, exporter, importer, sector, rate):
        m = self.model
        self._ins(lib.tw_policy_set_tariff, m.country_index(exporter), m.country_index(importer),
                  m.sector_index(sector), float(rate))

    def tariff(self, exporter, importer, sector):
        m = self.model
        return lib.tw_policy_tariff(self._p, m.country_index(exporter), m.country_index(importer),
                                    m.sector_index(sector))

    def set_export_tax(self, exporter, importer, sector, rate):
        m = self.model
        self._ins(lib.tw_policy_set_export_tax, m.country_index(exporter),
                  m.country_index(importer), m.sector_index(sector), float(rate))

    def set_subsidy(self, country, sector, rate):
        m = self.model
        self._ins(lib.tw_policy_set_subsidy, m.country_index(country), m.sector_index(sector),
                  float(rate))

    def set_trade_cost_change(self, exporter, importer, sector, change):
        m = self.model
        self._ins(lib.tw_policy_set_trade_cost_change, m.country_index(exporter),
                  m.country_index(importer), m.sector_index(sector), float(change))

    def set_deficit(self, country, deficit):
        self._ins(lib.tw_policy_set_deficit, self.model.country_index(country), float(deficit))

    def _get(self, which, shape):
        return _copy(lib.tw_policy_get(self._p, which), shape)

    @property
    def tariffs(self):
        """(N, N, J) [exporter, importer, sector], a copy."""
        m = self.model
        return self._get(lib.TW_TARIFFS, (m.N, m.N, m.J))

    @tariffs.setter
    def tariffs(self, values):
        m = self.model
        a = np.asarray(values, dtype=float).reshape((m.N, m.N, m.J))
        for (i, n, j), rate in np.ndenumerate(a):
            self._ins(lib.tw_policy_set_tariff, i, n, j, float(rate))

    @property
    def export_taxes(self):
        m = self.model
        return self._get(lib.TW_EXPORT_TAXES, (m.N, m.N, m.J))

    @property
    def subsidies(self):
        m = self.model
        return self._get(lib.TW_SUBSIDIES, (m.N, m.J))

    @property
    def trade_cost_changes(self):
        m = self.model
        return self._get(lib.TW_TRADE_COSTS, (m.N, m.N, m.J))


# ------------------------------------------------------------- scenarios ----

class Scenario:
    """A scenario file (YAML): options, groups and stages of policy rules."""

    def __init__(self, ptr):
        self._p = ffi.gc(ptr, lib.tw_scenario_free)

    @classmethod
    def load(cls, path):
        out, err = ffi.new("tw_scenario **"), _new_error()
        _check(lib.tw_scenario_load(os.fsencode(path), out, err), err)
        return cls(out[0])

    @classmethod
    def parse(cls, text, name="<string>"):
        data = text.encode()
        out, err = ffi.new("tw_scenario **"), _new_error()
        _check(lib.tw_scenario_parse(data, len(data), name.encode(), out, err), err)
        return cls(out[0])

    @property
    def name(self):
        return ffi.string(lib.tw_scenario_name(self._p)).decode()

    @property
    def description(self):
        return ffi.string(lib.tw_scenario_description(self._p)).decode()

    @property
    def stages(self):
        """[(name, date)] in order."""
        return [(ffi.string(lib.tw_scenario_stage_name(self._p, k)).decode(),
                 ffi.string(lib.tw_scenario_stage_date(self._p, k)).decode())
                for k in range(lib.tw_scenario_stage_count(self._p))]

    def _options(self):
        opt, mode = ffi.new("tw_solver_options *"), ffi.new("tw_deficit_mode *")
        lib.tw_solver_options_default(opt)
        mode[0] = lib.TW_DEFICIT_FIXED
        lib.tw_scenario_apply_options(self._p, opt, mode)
        return opt, mode[0]

    @property
    def deficits(self):
        """"fixed" or "balanced", as the file's options say (default fixed)."""
        return "balanced" if self._options()[1] == lib.TW_DEFICIT_BALANCED else "fixed"

    @property
    def solver_options(self):
        opt, _ = self._options()
        return {"method": "newton-krylov" if opt.method == lib.TW_METHOD_NEWTON_KRYLOV
                else "anderson", "tol": opt.tol, "max_iter": opt.max_iter,
                "anderson_depth": opt.anderson_depth, "damping": opt.damping,
                "fallback": bool(opt.fallback)}

    def policy(self, model, stage=-1):
        """The cumulative policy after `stage` (default: the last) on `model`."""
        count = lib.tw_scenario_stage_count(self._p)
        k = stage if stage >= 0 else count + stage
        if not 0 <= k < count:
            raise IndexError(f"stage {stage} out of range ({count} stages)")
        p, err = Policy(model), _new_error()
        _check(lib.tw_scenario_policy(self._p, k, model._p, p._p, err), err)
        return p


# --------------------------------------------------------------- solving ----

def _solver_options(kw):
    opt = ffi.new("tw_solver_options *")
    lib.tw_solver_options_default(opt)
    for key, value in kw.items():
        if key == "method":
            opt.method = {"anderson": lib.TW_METHOD_ANDERSON,
                          "newton-krylov": lib.TW_METHOD_NEWTON_KRYLOV}[value]
        elif key in ("tol", "damping"):
            setattr(opt, key, float(value))
        elif key in ("max_iter", "anderson_depth", "fallback"):
            setattr(opt, key, int(value))
        else:
            raise TypeError(f"unknown solver option '{key}'")
    return opt


def _stats(st):
    outcome = _outcome(st.outcome)
    return {"converged": outcome == "converged", "outcome": outcome,
            "method": "newton-krylov" if st.method == lib.TW_METHOD_NEWTON_KRYLOV else "anderson",
            "iterations": st.iterations, "evaluations": st.evaluations,
            "residual": st.residual, "seconds": st.seconds}


class Result:
    """A counterfactual equilibrium: `countries` and `sectors` DataFrames (the
    library's outcome keys as columns), `flows` (N, N, J), the hats of the
    unknowns, `stats` (converged, outcome, iterations, residual) and
    `outcome`, how the solve ended ("converged", "iteration-limit", ...)."""

    def __init__(self, model):
        self.model = model
        err = _new_error()
        ptr = _made(lib.tw_result_create(model._p, err), err)
        self._p = ffi.gc(ptr, lib.tw_result_free)

    @property
    def stats(self):
        return _stats(lib.tw_result_stats(self._p))

    @property
    def converged(self):
        return self.stats["converged"]

    @property
    def outcome(self):
        """How the solve ended: the library's outcome key ("converged", ...)."""
        return self.stats["outcome"]

    @property
    def countries(self):
        m = self.model
        cols = {}
        for k in range(lib.TW_C_COUNT):
            key = ffi.string(lib.tw_country_output_key(k)).decode()
            cols[key] = _copy(lib.tw_result_country(self._p, k), (m.N,))
        df = pd.DataFrame(cols, index=pd.Index(m.countries, name="country"))
        df.insert(0, "name", m.country_names)
        return df

    @property
    def sectors(self):
        m = self.model
        cols = {}
        for k in range(lib.TW_CS_COUNT):
            key = ffi.string(lib.tw_sector_output_key(k)).decode()
            cols[key] = _copy(lib.tw_result_sector(self._p, k), (m.N * m.J,))
        index = pd.MultiIndex.from_product([m.countries, m.sectors], names=["country", "sector"])
        return pd.DataFrame(cols, index=index)

    @property
    def flows(self):
        """Counterfactual flows before tariffs, (N, N, J) [exporter, importer, sector]."""
        m = self.model
        return _copy(lib.tw_result_flows(self._p), (m.N, m.N, m.J))

    @property
    def bilateral(self):
        """Flows long: exporter, importer, sector, base and counterfactual value."""
        m = self.model
        index = pd.MultiIndex.from_product([m.countries, m.countries, m.sectors],
                                           names=["exporter", "importer", "sector"])
        return pd.DataFrame({"base": m.array("flows").ravel(), "value": self.flows.ravel()},
                            index=index)

    @property
    def wage_hat(self):
        return _copy(lib.tw_result_wage_hat(self._p), (self.model.N,))

    @property
    def price_hat(self):
        m = self.model
        return _copy(lib.tw_result_price_hat(self._p), (m.N, m.J))

    @property
    def employment_hat(self):
        m = self.model
        return _copy(lib.tw_result_employment_hat(self._p), (m.N, m.J))

    def check(self, policy):
        """Every equilibrium condition recomputed independently: {name: max relative error}."""
        out = ffi.new("double[]", lib.TW_CHECK_COUNT)
        status = lib.tw_result_check(self._p, self.model._p, policy._p, out)
        _check(status, None)
        return {ffi.string(lib.tw_check_name(k)).decode(): out[k]
                for k in range(lib.TW_CHECK_COUNT)}


def _warn_unconverged(what, stats):
    warnings.warn(f"{what} did not converge ({stats['outcome']} after {stats['iterations']} "
                  f"iterations, residual {stats['residual']:.3g})", NonConvergenceWarning,
                  stacklevel=3)


class Solver:
    """A workspace to solve counterfactuals of one model (allocated once)."""

    def __init__(self, model, **solver_options):
        self.model = model
        err = _new_error()
        ptr = lib.tw_solver_create(model._p, _solver_options(solver_options), err)
        if ptr == ffi.NULL:
            _raise(err.code or lib.TW_ERR_NOMEM, err)
        self._p = ffi.gc(ptr, lib.tw_solver_free)

    def solve(self, policy):
        """The counterfactual equilibrium of `policy`. A solve that stops
        without converging returns its last iterate with result.converged
        False and a NonConvergenceWarning; other failures raise."""
        res, err = Result(self.model), _new_error()
        _check(lib.tw_solve(self._p, policy._p, res._p, err), err)
        if not res.converged:
            _warn_unconverged("the equilibrium", res.stats)
        return res

    def set_elasticities(self, theta=None, psi=None):
        """Replace theta and/or psi (J values each) without rebuilding."""
        J, err = self.model.J, _new_error()
        tp = _doubles(theta, J, "theta") if theta is not None else (None, ffi.NULL)
        pp = _doubles(psi, J, "psi") if psi is not None else (None, ffi.NULL)
        _check(lib.tw_solver_set_elasticities(self._p, tp[1], pp[1], err), err)

    def base_stability(self):
        """Largest real part of the estimated eigenvalues of the fixed-point
        map's Jacobian at the base: below 1 the base equilibrium is stable."""
        growth, err = ffi.new("double *"), _new_error()
        _check(lib.tw_solver_base_stability(self._p, growth, err), err)
        return growth[0]


def solve(model, policy, **solver_options):
    """One counterfactual: Solver(model, **solver_options).solve(policy)."""
    return Solver(model, **solver_options).solve(policy)


def compare(model, from_policy, to_policy, **solver_options):
    """Moving from one policy to another (e.g. stage k-1 to stage k): the
    result's model is `from`'s equilibrium, so every change is relative to it."""
    rebased, res, err = ffi.new("tw_model **"), ffi.new("tw_result **"), _new_error()
    status = lib.tw_compare(model._p, _solver_options(solver_options), from_policy._p,
                            to_policy._p, rebased, res, err)
    _check(status, err)
    base = Model(rebased[0])
    out = Result.__new__(Result)
    out.model = base
    out._p = ffi.gc(res[0], lib.tw_result_free)
    if not out.converged:
        _warn_unconverged("the equilibrium", out.stats)
    return out


# ------------------------------------------------------------- strategy -----

_INSTRUMENTS = {"tariffs": lib.TW_INSTRUMENT_IMPORT_TARIFFS,
                "export_taxes": lib.TW_INSTRUMENT_EXPORT_TAXES,
                "subsidies": lib.TW_INSTRUMENT_SUBSIDIES}


def _optimal_options(model, instruments=("tariffs",), mfn=False, lower=0.0, upper=10.0,
                     partners=None, sectors=None, xtol_rel=None, ftol_rel=None, gtol=None,
                     max_eval=None):
    o = ffi.new("tw_optimal_options *")
    lib.tw_optimal_options_default(o)
    flags = 0
    for name in instruments:
        if name not in _INSTRUMENTS:
            raise ValueError(f"unknown instrument '{name}' (known: {', '.join(_INSTRUMENTS)})")
        flags |= _INSTRUMENTS[name]
    o.instruments = flags
    o.mfn = int(bool(mfn))
    o.lower, o.upper = float(lower), float(upper)
    keep = []  # C arrays the options point to, kept alive with them
    if partners is not None:
        mask = ffi.new("unsigned char[]", model.N)
        for c in partners:
            mask[model.country_index(c)] = 1
        o.partners = mask
        keep.append(mask)
    if sectors is not None:
        mask = ffi.new("unsigned char[]", model.J)
        for s in sectors:
            mask[model.sector_index(s)] = 1
        o.sectors = mask
        keep.append(mask)
    for key, value in (("xtol_rel", xtol_rel), ("ftol_rel", ftol_rel), ("gtol", gtol)):
        if value is not None:
            setattr(o, key, float(value))
    if max_eval is not None:
        o.max_eval = int(max_eval)
    return o, keep


def _optimal_report(rep):
    outcome = _outcome(rep.outcome)
    return {"converged": outcome == "converged", "outcome": outcome,
            "evaluations": rep.evaluations,
            "variables": rep.variables, "objective": rep.objective,
            "projected_gradient": rep.projected_gradient, "seconds": rep.seconds}


def _optimise(call, what, model, policy, solver_options):
    solver = Solver(model, **solver_options)
    policy = policy.copy() if policy is not None else Policy(model)
    res, rep, err = Result(model), ffi.new("tw_optimal_report *"), _new_error()
    _check(call(solver._p, policy._p, res._p, rep, err), err)
    report = _optimal_report(rep)
    _warn_outcome(what, report["outcome"], err)
    return policy, res, report


def optimal(model, country, policy=None, solver_options=None, warmup=True, **options):
    """`country`'s best response: the instruments (tariffs by default) that
    maximise its real income, others' policies as in `policy` (default: base).
    With `warmup` (the default, as the program does) the MFN optimum comes
    first and the bilateral one starts from it (tw_optimal); the report then
    carries the warm-up's report under "warmup". Returns (policy at the
    optimum, its Result, report dict)."""
    o, keep = _optimal_options(model, **options)
    k = model.country_index(country)
    warm = ffi.new("tw_optimal_report *")
    policy, res, report = _optimise(
        lambda s, p, r, rep, e: lib.tw_optimal(s, k, o, int(bool(warmup)), p, r, rep, warm, e),
        f"optimal policy of {country}", model, policy, solver_options or {})
    report["warmup"] = _optimal_report(warm) if warm.outcome != lib.TW_OUTCOME_NONE else None
    return policy, res, report


def _players(model, players):
    codes = players if players is not None else model.countries
    arr = ffi.new("size_t[]", [model.country_index(c) for c in codes])
    return arr, len(codes)


def cooperate(model, players, weights=None, policy=None, solver_options=None, **options):
    """The players' instruments on each other that maximise the weighted sum
    of their real incomes (equal weights by default)."""
    o, keep = _optimal_options(model, **options)
    arr, n = _players(model, players)
    w = _doubles(weights, n, "weights") if weights is not None else (None, ffi.NULL)
    return _optimise(lambda s, p, r, rep, e: lib.tw_cooperate(s, arr, n, w[1], o, p, r, rep, e),
                     "cooperation", model, policy, solver_options or {})


def bargain(model, players, threat, policy=None, solver_options=None, **options):
    """Nash bargaining over the players' instruments, `threat` their welfare
    hats at the threat point (e.g. the war's: 1 + welfare_pct / 100)."""
    o, keep = _optimal_options(model, **options)
    arr, n = _players(model, players)
    t = _doubles(threat, n, "threat")
    return _optimise(lambda s, p, r, rep, e: lib.tw_bargain(s, arr, n, t[1], o, p, r, rep, e),
                     "bargaining", model, policy, solver_options or {})


def war(model, players=None, policy=None, threads=1, tol=1e-6, max_rounds=100,
        solver_options=None, warmup=True, **options):
    """The Nash equilibrium of a tariff war among `players` (default: all):
    iterated simultaneous best responses from `policy` (default: base). With
    `warmup` (the default, as the program does) the war in MFN tariffs comes
    first and the bilateral war starts from its equilibrium (tw_war); the
    report then carries the MFN war's report under "warmup". Returns
    (equilibrium policy, its Result, report dict)."""
    go = ffi.new("tw_game_options *")
    lib.tw_game_options_default(go)
    o, keep = _optimal_options(model, **options)
    go.best = o[0]
    go.tol, go.max_rounds, go.threads = float(tol), int(max_rounds), int(threads)
    arr, n = _players(model, players)
    policy = policy.copy() if policy is not None else Policy(model)
    res, rep, err = Result(model), ffi.new("tw_game_report *"), _new_error()
    warm = ffi.new("tw_game_report *")
    status = lib.tw_war(model._p, _solver_options(solver_options or {}), arr, n, go,
                        int(bool(warmup)), policy._p, res._p, rep, warm, err)
    _check(status, err)

    def game_report(r):
        outcome = _outcome(r.outcome)
        return {"converged": outcome == "converged", "outcome": outcome, "rounds": r.rounds,
                "change": r.change, "evaluations": r.evaluations, "seconds": r.seconds,
                "best_responses_not_converged": r.best_responses_not_converged}

    report = game_report(rep)
    report["warmup"] = game_report(warm) if warm.outcome != lib.TW_OUTCOME_NONE else None
    outcome = report["outcome"]
    _warn_outcome("the war", outcome, err, stacklevel=2)
    return policy, res, report


def enforce(model, players, agreement, punishment, solver_options=None, **options):
    """Whether `agreement` enforces itself when `punishment` (e.g. the war)
    follows a deviation: per player, the one-shot gain from deviating, the
    per-period loss under punishment and the critical discount factor."""
    o, keep = _optimal_options(model, **options)
    arr, n = _players(model, players)
    solver = Solver(model, **(solver_options or {}))
    out, err = ffi.new("tw_enforcement[]", n), _new_error()
    _check(lib.tw_enforce(solver._p, arr, n, o, agreement._p, punishment._p, out, err), err)
    fields = ("agreement_welfare", "deviation_welfare", "punishment_welfare", "deviation_gain",
              "punishment_loss", "critical_discount")
    codes = [model.countries[arr[k]] for k in range(n)]
    table = pd.DataFrame({f: [getattr(out[k], f) for k in range(n)] for f in fields},
                         index=pd.Index(codes, name="country"))
    for f in ("agreement_outcome", "deviation_outcome", "punishment_outcome"):
        table[f] = [_outcome(getattr(out[k], f)) for k in range(n)]
    table["outcome"] = [_outcome(lib.tw_enforcement_outcome(out + k)) for k in range(n)]
    for k in range(n):
        _warn_outcome(f"enforcement for {codes[k]}", table["outcome"].iloc[k], None)
    return table


# ---------------------------------------------------------------- sweeps ----

class SweepResult:
    """What tw_sweep_run computed. Arrays over (point, draw), draw 0 being the
    central solve (the model's elasticities):
      values      (points, draws + 1, V) every kept value (NaN: failed or not solved),
                  named by `value_names` (output, country, sector)
      status      (points, draws + 1) "converged", "retried", "failed" or "" (not solved)
      iterations, residual, growth (the base's stability estimate), redraws
      welfare     DataFrame (point, draw) x country of welfare_pct
      summary     DataFrame: per point and value, central, mean, sd, the
                  quantiles and n (over the draws that converged)
      counts      dict: solved, converged, retried, failed, and the draws' domain
      outcome     "converged" (every solve done) or "stopped"
      stopped     True when the progress callback stopped the run (run the
                  same sweep with the same store to finish it)"""

    def __repr__(self):
        c = self.counts
        return (f"<SweepResult {self.values.shape[0]} point(s) x {self.values.shape[1] - 1} "
                f"draws: {c['solved']} solved, {c['retried']} retried, {c['failed']} failed>")


def _sector_output_code(name):
    for k in range(lib.TW_CS_COUNT):
        if ffi.string(lib.tw_sector_output_key(k)).decode() == name:
            return k
    raise ValueError(f"unknown sector output '{name}'")


def sweep(model, policies, draws=100, theta_sd=0.2, psi_sd=None, seed=1, max_psi_theta=1.0,
          keep_unstable=False, threads=0, quantiles=(0.05, 0.5, 0.95), sector_outputs=(),
          store=None, progress=None, progress_interval=0.2, solver_options=None):
    """The library's sweep runner (tw_sweep, as `tradewar sweep` uses it):
    each policy (a Policy or a list of them, the "points") solved under the
    model's elasticities and under `draws` Monte Carlo draws, theta normal
    around the model's values with standard error theta_sd times them (psi
    likewise when psi_sd is given), truncated to psi*theta < max_psi_theta
    (None: no bound); with scale economies a draw under which the base is
    unstable is replaced unless keep_unstable. Draws are warm-started from
    their point's central solution on `threads` threads (0: every core) and
    retried once with safer options when they fail; the answers do not
    depend on the threads. `store`: a directory (created) whose records.twr
    keeps every finished solve, so that the same call resumes where a stopped
    or killed one ended. `progress(done, total, seconds_left)` is called
    during the run, at most every `progress_interval` seconds (0: as each
    solve ends); a true return stops it (result.stopped). Returns a
    SweepResult."""
    if isinstance(policies, Policy):
        policies = [policies]
    policies = list(policies)
    if not policies:
        raise ValueError("sweep: no policies")
    J = model.J
    theta, psi = model.array("theta"), model.array("psi")
    theta_se = np.ascontiguousarray(theta * float(theta_sd))
    psi_se = np.ascontiguousarray(psi * float(psi_sd) if psi_sd is not None else np.zeros(J))
    keys = [_sector_output_code(k) for k in sector_outputs]
    keep = [theta_se, psi_se]
    o = ffi.new("tw_sweep_options *")
    lib.tw_sweep_options_default(o)
    o.draws = int(draws)
    o.seed = int(seed)
    o.theta.dist = lib.TW_DIST_NORMAL if draws and theta_sd else lib.TW_DIST_FIXED
    o.theta.b = ffi.cast("const double *", ffi.from_buffer(theta_se))
    o.psi.dist = lib.TW_DIST_NORMAL if psi_sd is not None else lib.TW_DIST_FIXED
    o.psi.b = ffi.cast("const double *", ffi.from_buffer(psi_se))
    o.max_psi_theta = float("inf") if max_psi_theta is None else float(max_psi_theta)
    o.keep_unstable = 1 if keep_unstable else 0
    o.solver = _solver_options(solver_options or {})[0]
    ckeys = ffi.new("tw_sector_output[]", keys or [0])
    o.sector_outputs = ckeys
    o.n_sector_outputs = len(keys)
    o.threads = int(threads)
    callback = None
    if progress is not None:
        def _progress(user, p):
            left = p.seconds_left if p.seconds_left == p.seconds_left else None
            return 1 if progress(p.done, p.total, left) and not p.final else 0
        callback = ffi.callback("int(void *, const tw_sweep_progress *)", _progress,
                                onerror=lambda *exc: 1)
        o.progress = callback
        o.progress_interval = float(progress_interval)
    points = ffi.new("const tw_policy *[]", [p._p for p in policies])
    err = _new_error()
    ptr = lib.tw_sweep_create(model._p, points, len(policies), o, err)
    if ptr == ffi.NULL:
        _raise(err.code or lib.TW_ERR_NOMEM, err)
    sw = ffi.gc(ptr, lib.tw_sweep_free)
    if store is not None:
        os.makedirs(store, exist_ok=True)
        _check(lib.tw_sweep_open_store(sw, os.fsencode(store), ffi.NULL, err), err)
    outcome = ffi.new("tw_outcome *")
    _check(lib.tw_sweep_run(sw, outcome, err), err)
    out = _sweep_result(model, sw, len(policies), int(draws), keys, quantiles)
    out.stopped = outcome[0] == lib.TW_OUTCOME_STOPPED
    out.outcome = ffi.string(lib.tw_outcome_name(outcome[0])).decode()
    del keep, callback, points, ckeys
    return out


def _sweep_names(model, keys):
    """(output, country, sector) of each of a sweep's values."""
    names = []
    for c in range(lib.TW_C_COUNT):
        key = ffi.string(lib.tw_country_output_key(c)).decode()
        names += [(key, country, "") for country in model.countries]
    for k in keys:
        key = ffi.string(lib.tw_sector_output_key(k)).decode()
        names += [(key, country, sector) for country in model.countries for sector in model.sectors]
    names += [("theta", "", sector) for sector in model.sectors]
    names += [("psi", "", sector) for sector in model.sectors]
    return names


def _sweep_result(model, sw, P, D, keys, quantiles):
    V = lib.tw_sweep_value_count(sw)
    values = np.full((P, D + 1, V), np.nan)
    status = np.full((P, D + 1), "", dtype=object)
    iterations = np.zeros((P, D + 1), dtype=np.int64)
    residual = np.full((P, D + 1), np.nan)
    growth = np.full((P, D + 1), np.nan)
    redraws = np.zeros((P, D + 1), dtype=np.int64)
    solve = ffi.new("tw_sweep_solve *")
    for pt in range(P):
        for k in range(D + 1):
            lib.tw_sweep_get_solve(sw, pt, k, solve)
            if not solve.done:
                continue
            values[pt, k] = np.frombuffer(ffi.buffer(lib.tw_sweep_values(sw, pt, k), V * 8))
            status[pt, k] = ffi.string(lib.tw_sweep_status_name(solve.status)).decode()
            iterations[pt, k], residual[pt, k] = solve.iterations, solve.residual
            growth[pt, k], redraws[pt, k] = solve.growth, solve.redraws
    names = _sweep_names(model, keys)
    qs = np.ascontiguousarray(quantiles, dtype=np.float64)
    stats, qv, err = ffi.new("tw_sweep_stat[]", V), ffi.new("double[]", max(1, V * len(qs))), \
        _new_error()
    qcols = [f"q{100 * q:.10g}" for q in qs]
    rows = []
    for pt in range(P):
        _check(lib.tw_sweep_summarise(sw, pt, ffi.cast("const double *", ffi.from_buffer(qs)),
                                      len(qs), stats, qv, err), err)
        for v, (key, country, sector) in enumerate(names):
            row = {"point": pt, "output": key, "country": country, "sector": sector,
                   "central": stats[v].central, "mean": stats[v].mean, "sd": stats[v].sd}
            row.update({c: qv[v * len(qs) + i] for i, c in enumerate(qcols)})
            row["n"] = stats[v].n
            rows.append(row)
    c = ffi.new("tw_sweep_counts *")
    lib.tw_sweep_get_counts(sw, c)
    out = SweepResult()
    out.values, out.status, out.iterations = values, status, iterations
    out.residual, out.growth, out.redraws = residual, growth, redraws
    out.value_names = names
    w = lib.TW_C_WELFARE_PCT * model.N
    index = pd.MultiIndex.from_product([range(P), range(D + 1)], names=["point", "draw"])
    out.welfare = pd.DataFrame(values[:, :, w:w + model.N].reshape(P * (D + 1), model.N),
                               index=index, columns=model.countries)
    out.summary = pd.DataFrame(rows)
    out.counts = {k: getattr(c, k) for k in ("solved", "converged", "retried", "failed",
                                             "redrawn_pairs", "draws_redrawn",
                                             "unstable_set_aside", "unstable_kept")}
    return out
