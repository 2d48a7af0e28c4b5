-- Channel names as exports spell them, normalised.
-- The key ignores case, spaces, hyphens and underscores.

-- name: create_aliases
CREATE OR REPLACE TEMP TABLE channel_alias (key VARCHAR, channel VARCHAR);

-- name: key_macro
-- (plain replace() is several times cheaper than a regular expression per row)
CREATE OR REPLACE TEMP MACRO sc_channel_key(c) AS
    lower(replace(replace(replace(c, ' ', ''), '-', ''), '_', ''));

-- name: add_alias
INSERT INTO channel_alias VALUES (sc_channel_key($alias), lower(trim($channel)));

-- name: alias_map
-- The whole table as one MAP: an uncorrelated subquery is computed once per
-- statement, then each row is a map lookup (no join).
CREATE OR REPLACE TEMP TABLE channel_alias_map AS
SELECT map(coalesce(list(key), []), coalesce(list(channel), [])) AS m FROM channel_alias;

-- name: channel_macro
-- sc_channel(raw): the canonical channel, or NULL when raw is empty.
CREATE OR REPLACE TEMP MACRO sc_channel(c) AS (
    CASE WHEN c IS NULL OR trim(c) = '' THEN NULL
         ELSE coalesce((SELECT m FROM channel_alias_map)[sc_channel_key(c)], lower(trim(c)))
    END
);
