"""Tests of the Python binding. They check published numbers (Caliendo-Parro's
Table 2), agreement with the program's own output (List 3), identities of the
model, and that errors carry the library's message.

Run from anywhere: TRADEWAR_SOURCE_DIR (default: this file's repository) gives
the data and scenarios; TRADEWAR_CLI (optional) the program to compare with.
"""
import json
import os
import subprocess
import threading
import warnings

import numpy as np
import pandas as pd
import pytest

import tradewar as tw

SRC = os.environ.get("TRADEWAR_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CLI = os.environ.get("TRADEWAR_CLI", os.path.join(SRC, "build", "tradewar"))


def path(*parts):
    return os.path.join(SRC, *parts)


@pytest.fixture(scope="module")
def uschina():
    return tw.Model.load(path("data", "us-china-2017")).baseline("fixed")


@pytest.fixture(scope="module")
def toy():
    return tw.Model.load(path("data", "ossa2007", "toy")).baseline("balanced")


def test_nafta_table2():
    """Caliendo & Parro (2015), Table 2: Mexico 1.31, Canada -0.06, USA 0.08."""
    sc = tw.Scenario.load(path("scenarios", "cp2015-nafta.yaml"))
    assert sc.deficits == "balanced"
    base = tw.Model.load(path("data", "cp1993")).baseline(sc.deficits)
    res = tw.solve(base, sc.policy(base))
    assert res.converged
    cp = res.countries["cp_welfare_pct"]
    assert round(cp["MEX"], 2) == 1.31
    assert round(cp["CAN"], 2) == -0.06
    assert round(cp["USA"], 2) == 0.08
    # the decomposition adds up: welfare = terms of trade + volume of trade
    c = res.countries
    np.testing.assert_allclose(c["cp_welfare_pct"], c["tot_pct"] + c["vot_pct"], atol=1e-9)


def test_list3_matches_the_program(uschina):
    """List 3 from 10% to 25%: the same numbers as `tradewar report`."""
    sc = tw.Scenario.load(path("scenarios", "us-china", "list3-25.yaml"))
    before, after = sc.policy(uschina, 0), sc.policy(uschina, 1)
    res = tw.compare(uschina, before, after)
    w = res.countries["welfare_pct"]
    assert w["CHN"] < 0 < w["USA"]  # a large country's tariff: it gains, the target loses
    if not os.access(CLI, os.X_OK):
        pytest.skip(f"no program at {CLI} to compare with")
    out = subprocess.run([CLI, "report", "-q", "--format", "json",
                          path("scenarios", "us-china", "list3-25.yaml")],
                         check=True, capture_output=True, text=True).stdout
    first = json.loads(out)["comparisons"][0]
    for c in first["countries"]:
        assert w[c["code"]] == pytest.approx(c["welfare_pct"], abs=1e-9), c["code"]


def test_no_change_is_the_base(uschina):
    res = tw.solve(uschina, uschina.policy())
    assert res.stats["converged"] and res.stats["outcome"] == "converged"
    assert res.outcome == "converged"
    np.testing.assert_allclose(res.wage_hat, 1, atol=1e-10)
    np.testing.assert_allclose(res.countries["welfare_pct"], 0, atol=1e-8)
    np.testing.assert_allclose(res.flows, uschina.array("flows"), rtol=1e-8)


def test_equilibrium_conditions_hold(uschina):
    p = uschina.policy()
    p.set_tariff("CHN", "USA", "computers", 0.25)
    res = tw.solve(uschina, p)
    checks = res.check(p)
    assert len(checks) == 6
    assert max(checks.values()) < 1e-8
    # bilateral long table agrees with the flows array
    b = res.bilateral
    assert b.loc[("CHN", "USA", "computers"), "value"] == pytest.approx(
        res.flows[uschina.country_index("CHN"), uschina.country_index("USA"),
                  uschina.sector_index("computers")])
    assert b.loc[("CHN", "USA", "computers"), "value"] < b.loc[("CHN", "USA", "computers"), "base"]
    sectors = res.sectors
    assert isinstance(sectors.index, pd.MultiIndex) and len(sectors) == uschina.N * uschina.J


def one_sector(theta=4.0):
    """Two countries, one sector, no inputs, balanced trade."""
    flows = np.array([[[80.0], [20.0]], [[20.0], [130.0]]])
    return tw.Model.from_arrays(["HOME", "FOR"], ["goods"], flows=flows,
                                va_shares=np.ones((2, 1)), io_shares=np.ones((2, 1, 1)),
                                final_shares=np.ones((2, 1)), theta=[theta],
                                country_names=["Home", "Foreign"])


def test_from_arrays_and_the_acr_formula(tmp_path):
    """One sector, no tariffs to start: a trade-cost change moves welfare by
    the Arkolakis-Costinot-Rodriguez-Clare formula, (lambda'/lambda)^(-1/theta)."""
    m = one_sector()
    assert m.countries == ["HOME", "FOR"] and m.country_names == ["Home", "Foreign"]
    p = m.policy()
    p.set_trade_cost_change("FOR", "HOME", "goods", 1.3)
    res = tw.solve(m, p)
    lam0 = m.array("flows")[0, 0, 0] / m.array("flows")[:, 0, 0].sum()
    lam1 = res.flows[0, 0, 0] / res.flows[:, 0, 0].sum()
    assert res.countries.loc["HOME", "welfare_pct"] == pytest.approx(
        100 * ((lam1 / lam0) ** (-1 / 4.0) - 1), rel=1e-7)
    # written and read back: the same model
    m.write(tmp_path / "two")
    assert tw.Model.load(tmp_path / "two").checksum == m.checksum


def test_bad_data_raises_with_file_and_line(tmp_path):
    m = one_sector()
    m.write(tmp_path / "bad")
    flows = (tmp_path / "bad" / "flows.csv").read_text().splitlines()
    line = next(k for k, row in enumerate(flows) if row.startswith("FOR,HOME,"))
    flows[line] = "FOR,HOME,goods,-3.25"
    (tmp_path / "bad" / "flows.csv").write_text("\n".join(flows) + "\n")
    with pytest.raises(tw.DataError) as e:
        tw.Model.load(tmp_path / "bad")
    assert f"flows.csv:{line + 1}" in str(e.value) and "-3.25" in str(e.value)
    assert e.value.status == "TW_ERR_DATA" or e.value.status.startswith("TW_ERR")
    with pytest.raises(tw.DataError, match="nowhere"):
        tw.Model.load(tmp_path / "nowhere")
    with pytest.raises(tw.DataError, match="unknown country"):
        m.policy().set_tariff("XXX", "HOME", "goods", 0.1)


def test_scenario_errors_carry_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\npolicies:\n  - tariff: {improter: USA, exporter: CHN, add: 0.1}\n")
    with pytest.raises(tw.TradewarError, match=r"bad\.yaml:3"):
        tw.Scenario.load(bad)


def test_optimal_tariffs_gain(toy):
    policy, res, rep = tw.optimal(toy, "Country3")
    assert rep["converged"] and rep["variables"] == 18
    assert res.countries.loc["Country3", "welfare_pct"] > 0
    t = policy.tariffs[:, toy.country_index("Country3"), :]
    assert (t[np.arange(toy.N) != toy.country_index("Country3")] > 0).all()


def test_war_is_a_fixed_point_and_costs_the_world(toy):
    policy, res, rep = tw.war(toy, threads=2)
    assert rep["converged"]
    assert res.countries["welfare_pct"].sum() < 0
    # no player gains by moving alone from the war's tariffs
    for c in ("Country1", "Country5"):
        _, best, _ = tw.optimal(toy, c, policy=policy, warmup=False)
        assert best.countries.loc[c, "welfare_pct"] == pytest.approx(
            res.countries.loc[c, "welfare_pct"], abs=1e-4)


def test_enforce_free_trade_under_the_war(toy):
    war_policy, _, _ = tw.war(toy)
    free = toy.policy()
    free.tariffs = np.zeros((toy.N, toy.N, toy.J))
    players = ["Country1", "Country2"]
    table = tw.enforce(toy, players, free, war_policy)
    assert list(table.index) == players
    assert (table["deviation_gain"] > 0).all()
    assert (table["outcome"] == "converged").all()
    np.testing.assert_allclose(table["critical_discount"],
                               table["deviation_gain"] / (table["deviation_gain"] + table["punishment_loss"]))


def test_threads_solve_at_once(uschina):
    """The GIL is released in the library: threads solve side by side, with
    the same answers as one after the other."""
    policies = []
    for rate in (0.1, 0.2, 0.3, 0.4):
        p = uschina.policy()
        p.set_tariff("CHN", "USA", "machinery", rate)
        policies.append(p)
    alone = [tw.solve(uschina, p).countries["welfare_pct"].to_numpy() for p in policies]
    together = [None] * len(policies)

    def work(k):
        together[k] = tw.solve(uschina, policies[k]).countries["welfare_pct"].to_numpy()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(policies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a, b)


def test_sweep_draw_zero_is_the_central_answer(uschina):
    p = uschina.policy()
    p.set_tariff("CHN", "USA", "machinery", 0.25)
    r = tw.sweep(uschina, p, draws=5, theta_sd=0.1, seed=7, threads=2)
    assert r.values.shape == (1, 6, len(r.value_names)) and not r.stopped
    assert (r.status != "failed").all() and r.counts["solved"] == 6
    central = tw.solve(uschina, p).countries["welfare_pct"]
    assert r.welfare.loc[(0, 0), "USA"] == pytest.approx(central["USA"], abs=1e-9)
    assert r.welfare.loc[0, "USA"].std() > 0
    again = tw.sweep(uschina, p, draws=5, theta_sd=0.1, seed=7, threads=1)
    pd.testing.assert_frame_equal(r.welfare, again.welfare)
    # the summary against numpy over the draws
    row = r.summary.query("output == 'welfare_pct' and country == 'USA'").iloc[0]
    usa = r.welfare.loc[0, "USA"].to_numpy()[1:]
    assert row["mean"] == pytest.approx(usa.mean(), rel=1e-12)
    assert row["sd"] == pytest.approx(usa.std(ddof=1), rel=1e-9)
    assert row["q50"] == pytest.approx(np.quantile(usa, 0.5), rel=1e-12)
    assert row["central"] == r.welfare.loc[(0, 0), "USA"] and row["n"] == 5


def test_sweep_equals_the_program(uschina, tmp_path):
    """The library's sweep from Python gives the program's draws.csv (to round-off: the
    program's base economy and policy are its own, built the same way)."""
    if not os.access(CLI, os.X_OK):
        pytest.skip(f"no program at {CLI} to compare with")
    scenario = path("tests", "data", "sweep", "war-fixed.yaml")
    subprocess.run([CLI, "sweep", "-q", scenario, "--draws", "8", "--seed", "5", "--theta-se",
                    "0.05x", "--no-chart", "--threads", "2", "--output", str(tmp_path / "cli")],
                   check=True, capture_output=True)
    cli = pd.read_csv(tmp_path / "cli" / "draws.csv", comment="#")
    sc = tw.Scenario.load(scenario)
    r = tw.sweep(uschina, sc.policy(uschina), draws=8, theta_sd=0.05, seed=5, threads=3)
    for c in uschina.countries:
        np.testing.assert_allclose(cli[f"welfare_pct:{c}"].to_numpy(),
                                   r.welfare.loc[0, c].to_numpy(), rtol=1e-12, atol=1e-15,
                                   err_msg=c)
    assert list(cli["status"]) == list(r.status[0])


def test_sweep_stop_and_resume(uschina, tmp_path):
    """A sweep stopped by its progress callback keeps what it did in its
    store; the same call finishes it, with the uninterrupted answer."""
    p = uschina.policy()
    p.set_tariff("CHN", "USA", "machinery", 0.25)
    seen = []

    def stop_soon(done, total, seconds_left):
        seen.append((done, total))
        return done >= 3

    args = dict(draws=40, theta_sd=0.1, seed=11, threads=1, store=str(tmp_path / "run"))
    # progress_interval 0: called as each solve ends, so the stop comes after
    # three solves however fast the machine (at 0.2 s a quiet machine can
    # finish all 41 before the first call)
    first = tw.sweep(uschina, [p], progress=stop_soon, progress_interval=0, **args)
    assert first.stopped and first.outcome == "stopped" and seen
    assert 3 <= first.counts["solved"] < 41
    rest = tw.sweep(uschina, [p], **args)
    assert not rest.stopped and rest.outcome == "converged" and rest.counts["solved"] == 41
    whole = tw.sweep(uschina, p, draws=40, theta_sd=0.1, seed=11, threads=2)
    np.testing.assert_array_equal(rest.values, whole.values)


def test_non_convergence_is_a_warning_not_an_error(uschina):
    p = uschina.policy()
    p.set_tariff("CHN", "USA", "machinery", 2.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = tw.Solver(uschina, max_iter=1, fallback=False).solve(p)
    assert not res.converged and res.outcome == "iteration-limit"
    assert any(issubclass(w.category, tw.NonConvergenceWarning) for w in caught)


def test_outcomes_are_keys_not_errors(toy):
    """How a call ended is an outcome key in its report, with a warning when
    it did not converge; the call itself succeeds."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, _, rep = tw.optimal(toy, "Country3", max_eval=2)
    assert rep["outcome"] == "iteration-limit" and not rep["converged"]
    assert any(issubclass(w.category, tw.NonConvergenceWarning) for w in caught)
    # a threat point above everything feasible: no agreement, outcome "infeasible"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, _, rep = tw.bargain(toy, ["Country1", "Country2"], [2.0, 2.0], max_eval=50)
    assert rep["outcome"] == "infeasible"
    assert any("threat point" in str(w.message) for w in caught)
    with pytest.warns(tw.NonConvergenceWarning, match="did not settle"):
        _, _, rep = tw.war(toy, max_rounds=1)  # cut at the round limit
    assert rep["outcome"] == "iteration-limit" and rep["rounds"] == 1


def test_war_warms_up_as_the_program_does(toy):
    """tw.war starts with the MFN war, as `tradewar war` does: the same
    equilibrium as the program's, to the digits of its JSON."""
    policy, res, rep = tw.war(toy, threads=2)
    assert rep["warmup"] is not None and rep["warmup"]["outcome"] == "converged"
    if not os.access(CLI, os.X_OK):
        pytest.skip(f"no program at {CLI} to compare with")
    out = subprocess.run([CLI, "war", "-q", "--data", path("data", "ossa2007", "toy"),
                          "--format", "json"], capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    assert d["solver"]["warmup"] is not None
    for c in d["countries"]:
        assert res.countries.loc[c["code"], "welfare_pct"] == pytest.approx(
            c["welfare_pct"], abs=1e-9)
    _, cold, cold_rep = tw.war(toy, threads=2, warmup=False)
    assert cold_rep["warmup"] is None
