"""Temp tables that the sentiment, topics and cost KPIs read.

`prepare(cur, config)` must run on a cursor before the KPI statements:
- `kpi_topic_rules(rule_no, topic, subtopic, pattern)`: config `topic_rules`,
  a name `topic/subtopic` split at the first `/`;
- `kpi_costs(channel, cost)`: config `cost_per_conversation`, channels in lower case.
Config values go in as bound parameters only.
"""

from __future__ import annotations

import duckdb

from socialcare_tui import sqlfiles
from socialcare_tui.config import Config
from socialcare_tui.errors import UserError
from socialcare_tui.store.lexicon import lexicon_path, load_lexicon  # noqa: F401 (re-exported)

_PACKAGE = "socialcare_tui.kpi"
_FILE = "lexicon.sql"


def _sql(name: str) -> str:
    return sqlfiles.statement(_PACKAGE, _FILE, name)


def load_topic_rules(cur: duckdb.DuckDBPyConnection, rules: dict[str, str]) -> None:
    cur.execute(_sql("create_topic_rules"))
    for rule_no, (name, pattern) in enumerate(rules.items(), start=1):
        try:
            cur.execute(_sql("check_pattern"), {"pattern": pattern})
        except duckdb.Error as err:
            first_line = str(err).splitlines()[0]
            raise UserError(
                f"config: topic_rules.{name}: DuckDB cannot use this regular expression ({first_line})"
            ) from None
        topic, _, subtopic = name.partition("/")
        params = {"rule_no": rule_no, "topic": topic.strip(), "subtopic": subtopic.strip() or None,
                  "pattern": pattern}
        cur.execute(_sql("insert_topic_rule"), params)


def load_costs(cur: duckdb.DuckDBPyConnection, costs: dict[str, float]) -> None:
    cur.execute(_sql("create_costs"))
    for channel, cost in costs.items():
        cur.execute(_sql("insert_cost"), {"channel": channel.strip().lower(), "cost": float(cost)})


def prepare(cur: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Everything the customer-voice and work-mix SQL needs besides the base tables."""
    load_topic_rules(cur, config.topic_rules)
    load_costs(cur, config.cost_per_conversation)
