-- The stored tables. Times are TIMESTAMP holding UTC.

CREATE TABLE sources (
    source_id     BIGINT PRIMARY KEY,
    path          VARCHAR NOT NULL,
    size          BIGINT,
    mtime         TIMESTAMP,
    content_hash  VARCHAR,
    format        VARCHAR NOT NULL,
    namespace     VARCHAR NOT NULL,
    started_at    TIMESTAMP,
    finished_at   TIMESTAMP,
    rows_read     BIGINT DEFAULT 0,
    imported      BIGINT DEFAULT 0,
    duplicates    BIGINT DEFAULT 0,
    rejected      BIGINT DEFAULT 0,
    byte_offset   BIGINT DEFAULT 0
);

-- One row per imported event; key (namespace, event_id), kept unique by the
-- importer's anti-join (an ART index would slow bulk imports several-fold).
CREATE TABLE events (
    namespace        VARCHAR NOT NULL,   -- format name or --namespace
    event_id         VARCHAR NOT NULL,
    conv_key         VARCHAR,            -- conversation namespace || ':' || conversation_id; NULL for a survey with no conversation
    conversation_id  VARCHAR,
    ts               TIMESTAMP NOT NULL, -- event time, UTC (input column `at`)
    type             VARCHAR NOT NULL,   -- message, status, assign, tag, csat, nps
    channel          VARCHAR,            -- normalised, lower case
    queue            VARCHAR,
    direction        VARCHAR,            -- 'in' or 'out' for messages
    author           VARCHAR,
    automated        BOOLEAN NOT NULL DEFAULT false,
    text             VARCHAR,
    value            VARCHAR,            -- status (open/pending/resolved), assignee, tag, score
    scale_max        DOUBLE,             -- csat scale
    quick_reply      VARCHAR,
    sentiment        DOUBLE,
    talk_seconds     DOUBLE,
    hold_seconds     DOUBLE,
    wrap_seconds     DOUBLE,
    handle_seconds   DOUBLE,
    reply_count      INTEGER,            -- tickets: human replies reported by the export
    origin           VARCHAR NOT NULL DEFAULT 'log',  -- 'log' (event-level data), 'ticket' (synthesised), 'survey'
    extra            JSON,               -- unknown input columns, never dropped
    source_id        BIGINT,
    line             BIGINT              -- row number in the source file (file order)
);

CREATE TABLE rejects (
    source_id  BIGINT,
    path       VARCHAR,
    line       BIGINT,
    reason     VARCHAR NOT NULL,
    raw        VARCHAR
);
