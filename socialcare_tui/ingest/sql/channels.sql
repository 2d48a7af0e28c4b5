-- Channel names as exports spell them, normalised (import-formats.md §1).
-- The key ignores case, spaces, hyphens and underscores.

-- name: create_aliases
CREATE OR REPLACE TEMP TABLE channel_alias (key VARCHAR, channel VARCHAR);

-- name: key_macro
CREATE OR REPLACE TEMP MACRO sc_channel_key(c) AS lower(regexp_replace(c, '[\s_-]+', '', 'g'));

-- name: add_alias
INSERT INTO channel_alias VALUES (sc_channel_key($alias), lower(trim($channel)));

-- name: channel_macro
-- sc_channel(raw): the canonical channel, or NULL when raw is empty.
CREATE OR REPLACE TEMP MACRO sc_channel(c) AS (
    CASE WHEN c IS NULL OR trim(c) = '' THEN NULL
         ELSE coalesce((SELECT a.channel FROM channel_alias a WHERE a.key = sc_channel_key(c)),
                       lower(trim(c)))
    END
);
