-- Temp tables the customer-voice and work-mix KPIs read (filled by kpi/lexicon.py;
-- vader_lexicon: store/lexicon.py).

-- name: create_topic_rules
CREATE OR REPLACE TEMP TABLE kpi_topic_rules (
    rule_no INTEGER, topic VARCHAR, subtopic VARCHAR, pattern VARCHAR
)

-- name: insert_topic_rule
INSERT INTO kpi_topic_rules VALUES ($rule_no, $topic, $subtopic, $pattern)

-- name: check_pattern
-- Compiles the pattern with DuckDB's regex engine (RE2), which lacks some
-- Python features such as look-ahead.
SELECT regexp_matches('', $pattern, 'i')

-- name: create_costs
CREATE OR REPLACE TEMP TABLE kpi_costs (channel VARCHAR, cost DOUBLE)

-- name: insert_cost
INSERT INTO kpi_costs VALUES ($channel, $cost)
