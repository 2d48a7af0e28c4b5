"""Properties of the whole KPI engine over random small event sets (hypothesis).

For each drawn event set and as_of T (and optional window):
- every ratio KPI is in [0, 1] (NPS in [-100, 100], sentiment in [-1, 1]), in total and per group;
- every count KPI (and the additive count parts) summed over `--by channel` equals the total;
- the report as of T equals the report of a database holding only the events up to T.
Two reports per example, so max_examples stays small.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import kpi_helpers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_helpers import add, same

from socialcare_tui.config import KpiConfig
from socialcare_tui.kpi import registry
from socialcare_tui.kpi.scope import Scope
from socialcare_tui.store import open_db

BASE = datetime(2024, 1, 1)
CHANNELS = ("twitter", "facebook", "email", "phone")
TEXTS = ("Thanks for reaching out! ^AB", "I love it", "terrible :(", "refund please", None)
CONFIG = KpiConfig(topic_rules={"refunds": "refund"},
                   cost_per_conversation={"phone": 12.0, "twitter": 1.0, "email": 4.0})
KINDS = ("in", "in", "out", "out", "bot", "tag", "csat", "nps", "resolved", "assign", "orphan_csat")
# count parts that partition like the value (each row belongs to one channel)
ADDITIVE_PARTS = {
    "new_conversations": ("brand_initiated",),
    "replies": ("automated",),
    "backlog": ("unassigned", "open", "pending", "resolved"),
}

event = st.tuples(
    st.integers(0, 4),                # conversation
    st.integers(0, 2 * 24 * 60),      # minute after BASE
    st.sampled_from(KINDS),
    st.integers(0, 2),                # who / variant
    st.sampled_from(TEXTS),
    st.integers(0, 10),               # score
)


def _insert(con, events) -> None:
    for conv, minute, kind, who, text, score in events:
        ts = BASE + timedelta(minutes=minute)
        common = {"conv": f"c{conv}", "ts": ts, "channel": CHANNELS[conv % len(CHANNELS)]}
        if kind == "in":
            add(con, **common, direction="in", author=(None, "u1", "u2")[who], text=text)
        elif kind in ("out", "bot"):
            add(con, **common, direction="out", author=("alice", "bob", None)[who], text=text,
                automated=kind == "bot")
        elif kind == "tag":
            add(con, **common, type="tag", value=("billing/refund", "login", "billing")[who])
        elif kind == "csat":
            scale = (5, 10, 100)[who]
            add(con, **common, type="csat", value=str(score * scale // 10), scale_max=scale)
        elif kind == "nps":
            add(con, **common, type="nps", value=str(score))
        elif kind == "resolved":
            add(con, **common, type="status", value="resolved")
        elif kind == "assign":
            add(con, **common, type="assign", value=("alice", "bob", "")[who])
        else:  # a survey answer with no conversation
            add(con, None, ts, "csat", channel=CHANNELS[who], value=str(score // 2), scale_max=5)


def _check_ranges(kpis: dict, where: str) -> None:
    for kpi_id, result in kpis.items():
        value = result["value"]
        if value is None:
            assert result.get("reason"), f"{where} {kpi_id}: null without a reason"
            continue
        unit = registry.get(kpi_id).unit
        if unit == "ratio":
            assert 0 <= value <= 1, f"{where} {kpi_id} = {value}"
        elif kpi_id == "nps":
            assert -100 <= value <= 100, f"{where} nps = {value}"
        elif kpi_id == "sentiment":
            assert -1 <= value <= 1, f"{where} sentiment = {value}"


def _check_additive(report: dict) -> None:
    groups = [g["kpis"] for g in report["groups"]]
    for kpi_id, total in report["kpis"].items():
        if registry.get(kpi_id).unit != "count" or total["value"] is None:
            continue
        for part in ("value", *ADDITIVE_PARTS.get(kpi_id, ())):
            summed = sum(g[kpi_id][part] for g in groups if kpi_id in g and g[kpi_id]["value"] is not None)
            assert summed == total[part], f"{kpi_id}.{part}: groups {summed} != total {total[part]}"
    # every group lists every KPI; one without rows for it has value null and no parts
    hours = [g["inbound_volume"]["by_hour"] for g in groups if g["inbound_volume"]["value"] is not None]
    assert [sum(h[i] for h in hours) for i in range(24)] == report["kpis"]["inbound_volume"]["by_hour"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(event, min_size=1, max_size=14),
       cut=st.integers(0, 2 * 24 * 60),
       window_hours=st.sampled_from([None, 6, 24]))
def test_engine_properties(events, cut, window_hours):
    as_of = BASE + timedelta(minutes=cut)
    scope = Scope(as_of=as_of, window=timedelta(hours=window_hours) if window_hours else None)
    with tempfile.TemporaryDirectory() as folder:
        full = open_db(Path(folder) / "full.duckdb")
        upto = open_db(Path(folder) / "upto.duckdb")
        try:
            _insert(full, events)
            _insert(upto, [e for e in events if BASE + timedelta(minutes=e[1]) <= as_of])
            report = kpi_helpers.report(full, scope, CONFIG, by="channel")
            cut_report = kpi_helpers.report(upto, scope, CONFIG, by="channel")
        finally:
            full.close()
            upto.close()
    _check_ranges(report["kpis"], "total")
    for group in report["groups"]:
        _check_ranges(group["kpis"], str(group["key"]))
    _check_additive(report)
    assert same(report, cut_report)  # events after as_of change nothing


# (conversation, minute, kind, who, text, score): a fixed mix touching every KPI of
# volume, customer voice and work mix
FIXED = [
    (0, 0, "in", 1, "I love it", 9), (0, 5, "bot", 2, None, 0), (0, 30, "out", 0, TEXTS[0], 0),
    (0, 40, "csat", 0, None, 9), (0, 41, "nps", 0, None, 9), (0, 50, "tag", 0, None, 0),
    (1, 60, "in", 2, "refund please", 0), (1, 90, "out", 1, TEXTS[0], 0),
    (1, 95, "out", 0, TEXTS[0], 0), (1, 99, "resolved", 0, None, 0), (1, 120, "csat", 1, None, 3),
    (2, 200, "out", 0, "Hello from us", 0), (2, 210, "in", 1, "terrible :(", 0),
    (3, 1500, "in", 1, "I love it", 0), (3, 1501, "assign", 1, None, 0),
    (4, 1600, "in", 0, None, 0), (4, 1610, "orphan_csat", 2, None, 8),
    (4, 1620, "nps", 0, None, 2), (4, 1630, "out", 1, TEXTS[0], 0),
    (5, -2000, "in", 1, "hello", 0), (5, -1990, "in", 2, "hi", 0),  # previous window: u1, u2
]
# `sample` rows of a KPI whose value is not a count equal another figure of the report
SAMPLE_SIZE = {"peak_hour": ("inbound_volume", "value"), "cost": ("new_conversations", "value"),
               "csat": ("csat", "n"), "nps": ("nps", "n"), "sentiment": ("sentiment", "n")}


def test_explain_rows_count_exactly_to_each_value(con):
    _insert(con, FIXED)
    scope = Scope(as_of=BASE + timedelta(minutes=1700), window=timedelta(hours=48))
    families = ("volume", "customer_voice", "work_mix")
    kpis = [k for k in registry.all_kpis() if k.family in families]
    report = kpi_helpers.report(con, scope, CONFIG, kpis=[k.id for k in kpis])["kpis"]
    assert report["csat"]["n"] == 3 and report["customer_retention"]["denominator"] == 2
    for kpi in kpis:
        for part in kpi.parts:
            listed = kpi_helpers.explain(con, scope, CONFIG, kpi.id, part)["rows"]
            source, name = SAMPLE_SIZE.get(kpi.id, (kpi.id, "value")) if part == "sample" else (kpi.id, part)
            assert len(listed) == report[source][name], f"{kpi.id} --part {part}"
        # every count KPI has a `sample` part (its value's rows; backlog and replies list more)
        assert kpi.unit != "count" or "sample" in kpi.parts, kpi.id
