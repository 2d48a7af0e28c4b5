"""Temp tables that the sentiment, topics and cost KPIs read.

`prepare(cur, config)` must run on a cursor before the KPI statements:
- `kpi_topic_rules(rule_no, topic, subtopic, pattern)`: config `topic_rules`,
  a name `topic/subtopic` split at the first `/`;
- `kpi_costs(channel, cost)`: config `cost_per_conversation`, channels in lower case.
Config values go in as bound parameters only.
"""

from __future__ import annotations

import functools

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import KpiConfig
from socialcare_tui.errors import UserError

_PACKAGE = "socialcare_tui.kpi.sql"
_FILE = "lexicon.sql"


def _sql(name: str) -> str:
    return sqlfiles.statement(_PACKAGE, _FILE, name)


def load_topic_rules(cur: duckdb.DuckDBPyConnection, rules: dict[str, str]) -> None:
    """TEMP `kpi_topic_rules` and the macro `topic_rule_no(text)`: the number of the
    first rule (config order) whose pattern matches `text`, NULL when none does."""
    cur.execute(_sql("create_topic_rules"))
    patterns = list(rules.values())
    cur.execute(_sql("set_topic_rules"), {"patterns": patterns})
    cur.execute(_sql("set_topic_any"), {"any": "|".join(f"(?:{p})" for p in patterns)})
    if patterns:
        try:
            cur.execute(_sql("check_topic_any"))
        except duckdb.Error:
            _name_the_bad_rule(cur, rules)
            raise
        names = [name.partition("/") for name in rules]
        cur.execute(_sql("insert_topic_rules"), {
            "rule_nos": list(range(1, len(patterns) + 1)),
            "topics": [topic.strip() for topic, _, _ in names],
            "subtopics": [subtopic.strip() or None for _, _, subtopic in names],
            "patterns": patterns,
        })
    cur.execute(_rule_macro(len(patterns)))


def _name_the_bad_rule(cur: duckdb.DuckDBPyConnection, rules: dict[str, str]) -> None:
    for name, pattern in rules.items():
        try:
            cur.execute(_sql("check_pattern"), {"pattern": pattern})
        except duckdb.Error as err:
            first_line = str(err).splitlines()[0]
            raise UserError(
                f"config: topic_rules.{name}: DuckDB cannot use this regular expression ({first_line})"
            ) from None


@functools.lru_cache(maxsize=8)
def _rule_macro(count: int) -> str:
    """CREATE MACRO topic_rule_no: a CASE over the rules in order. Only rule numbers are
    written into the SQL; the patterns stay in the variables set by bound parameters.
    (DuckDB takes no parameters inside a macro, and a pattern read from a table column
    would be compiled again for every row: 28 ms per rule per 10k events.)"""
    if count == 0:
        return "CREATE OR REPLACE TEMP MACRO topic_rule_no(t) AS CAST(NULL AS INTEGER)"
    branches = " ".join(
        f"WHEN regexp_matches(t, getvariable('topic_rules')[{n}], 'i') THEN {n}" for n in range(1, count + 1)
    )
    return ("CREATE OR REPLACE TEMP MACRO topic_rule_no(t) AS "
            f"CASE WHEN NOT regexp_matches(t, getvariable('topic_any'), 'i') THEN NULL {branches} END")


def load_costs(cur: duckdb.DuckDBPyConnection, costs: dict[str, float]) -> None:
    cur.execute(_sql("create_costs"))
    for channel, cost in costs.items():
        cur.execute(_sql("insert_cost"), {"channel": channel.strip().lower(), "cost": float(cost)})


def prepare(cur: duckdb.DuckDBPyConnection, config: KpiConfig) -> None:
    """Everything the customer-voice and work-mix SQL needs besides the base tables."""
    load_topic_rules(cur, config.topic_rules)
    load_costs(cur, config.cost_per_conversation)
