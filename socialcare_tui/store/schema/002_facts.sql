-- Conversation facts (store/facts.py keeps them; ARCHITECTURE.md "Stored facts").
-- Each table holds what store/sql/facts.sql computes from a conversation's
-- events with no as_of cut, plus the instants that tell a reader when a row
-- holds: settled_at (the conversation's last event: the facts hold for every
-- as_of at or after it), fact_conv's valid_from/valid_to (a conversation that a
-- silence will resolve has one row before that deadline and one after) and
-- fact_resolutions.effective_at (a silence resolves once it has lasted).

-- The order rows were written in, unlike rowid the same inside the writing
-- transaction and after it: the facts include the rows up to a watermark.
CREATE SEQUENCE events_seq;
ALTER TABLE events ADD COLUMN seq BIGINT DEFAULT nextval('events_seq');

CREATE TABLE fact_state (
    id            INTEGER PRIMARY KEY,   -- always 1
    watermark     BIGINT NOT NULL,       -- the newest events.seq the facts include
    rows_below    BIGINT NOT NULL,       -- events rows at or below it then (fewer now: rows were removed)
    auto_resolve  DOUBLE NOT NULL,       -- auto_resolve_after (seconds) the facts were built with
    built_at      TIMESTAMP
);

CREATE TABLE fact_spans (
    conv_key  VARCHAR,
    first_ts  TIMESTAMP,
    last_ts   TIMESTAMP
);

CREATE TABLE fact_events (
    conv_key VARCHAR, ts TIMESTAMP, ord BIGINT, type VARCHAR, channel VARCHAR, queue VARCHAR,
    value VARCHAR, scale_max DOUBLE, source_id BIGINT, line BIGINT,
    settled_at TIMESTAMP
);

CREATE TABLE fact_msgs (
    conv_key VARCHAR, event_id VARCHAR, ts TIMESTAMP, ord BIGINT, direction VARCHAR,
    author VARCHAR, automated BOOLEAN, text VARCHAR, quick_reply VARCHAR, sentiment DOUBLE,
    reply_count INTEGER, channel VARCHAR, queue VARCHAR, is_human_reply BOOLEAN,
    is_customer BOOLEAN, hr_upto HUGEINT, text_score DOUBLE, reply_norm VARCHAR,
    settled_at TIMESTAMP
);

CREATE TABLE fact_turns (
    conv_key VARCHAR, turn_no BIGINT, started_at TIMESTAMP, start_ord BIGINT,
    answered_at TIMESTAMP, reply_agent VARCHAR, reply_ord BIGINT, channel VARCHAR,
    queue VARCHAR, is_first_response BOOLEAN,
    settled_at TIMESTAMP
);

CREATE TABLE fact_resolutions (
    conv_key VARCHAR, n BIGINT, resolved_at TIMESTAMP, ord BIGINT, reopened_at TIMESTAMP,
    agent VARCHAR, channel VARCHAR, queue VARCHAR, effective_at TIMESTAMP,
    settled_at TIMESTAMP
);

CREATE TABLE fact_conv (
    conv_key VARCHAR, namespace VARCHAR, conversation_id VARCHAR, channel VARCHAR,
    queue VARCHAR, customer VARCHAR, opened_at TIMESTAMP, first_inbound_at TIMESTAMP,
    brand_initiated BOOLEAN, first_reply_at TIMESTAMP, first_reply_agent VARCHAR,
    human_replies BIGINT, automated_msgs BIGINT, last_msg_at TIMESTAMP, status VARCHAR,
    assignee VARCHAR, first_resolved_at TIMESTAMP, last_resolved_at TIMESTAMP,
    first_resolution_agent VARCHAR, last_resolution_agent VARCHAR, resolutions BIGINT,
    reopens BIGINT, waiting_since TIMESTAMP, origin VARCHAR, reply_count INTEGER,
    talk_seconds DOUBLE, hold_seconds DOUBLE, wrap_seconds DOUBLE, handle_seconds DOUBLE,
    handled_at TIMESTAMP,
    valid_from TIMESTAMP,
    valid_to TIMESTAMP                   -- NULL: holds from valid_from on
);
