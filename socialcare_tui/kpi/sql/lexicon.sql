-- Temp tables the customer-voice and work-mix KPIs read (filled by kpi/lexicon.py;
-- vader_lexicon: store/lexicon.py).

-- name: create_topic_rules
CREATE OR REPLACE TEMP TABLE kpi_topic_rules (
    rule_no INTEGER, topic VARCHAR, subtopic VARCHAR, pattern VARCHAR
)

-- name: insert_topic_rules
-- all the rules in one statement (lists of the same length, in rule order)
INSERT INTO kpi_topic_rules
SELECT unnest($rule_nos), unnest($topics), unnest($subtopics), unnest($patterns)

-- name: set_topic_rules
-- The patterns in rule order, and all of them as one alternation (a message that
-- matches no rule is passed over with one scan): topic_rule_no() reads them with
-- constant indexes, so DuckDB compiles each pattern once per statement, not per row.
SET VARIABLE topic_rules = $patterns

-- name: set_topic_any
SET VARIABLE topic_any = $any

-- name: check_topic_any
-- the alternation the statements use, checked once (a pattern alone can fail where the
-- alternation compiles, e.g. `a)(b` inside `(?:a)(b)`: config.py checks each alone)
SELECT regexp_matches('', getvariable('topic_any'), 'i')

-- name: check_pattern
-- Compiles the pattern with DuckDB's regex engine (RE2), which lacks some
-- Python features such as look-ahead.
SELECT regexp_matches('', $pattern, 'i')

-- name: create_costs
CREATE OR REPLACE TEMP TABLE kpi_costs (channel VARCHAR, cost DOUBLE)

-- name: insert_cost
INSERT INTO kpi_costs VALUES ($channel, $cost)
