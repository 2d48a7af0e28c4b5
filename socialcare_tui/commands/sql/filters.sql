-- The values a filter can match (--channel/--queue/--agent/--tag), so an unknown
-- one is named with the known ones instead of an empty report
-- (commands/_scope_args.check_filters).

-- name: known_channels
SELECT DISTINCT channel AS v FROM events WHERE channel IS NOT NULL ORDER BY v;

-- name: known_queues
-- a conversation without a queue is in its channel's (base.sql: coalesce(last_queue, channel))
SELECT DISTINCT coalesce(queue, channel) AS v FROM events
WHERE coalesce(queue, channel) IS NOT NULL ORDER BY v;

-- name: known_agents
-- an agent is an assignee or the author of a human reply (base.sql: is_human_reply)
SELECT DISTINCT v FROM (
    SELECT value AS v FROM events WHERE type = 'assign'
    UNION ALL
    SELECT author FROM events WHERE type = 'message' AND direction = 'out' AND NOT automated
) WHERE v IS NOT NULL AND v <> '' ORDER BY v;

-- name: known_tags
-- a tag filter matches the whole tag or its part before the first '/'
SELECT DISTINCT v FROM (
    SELECT value AS v FROM events WHERE type = 'tag'
    UNION ALL
    SELECT split_part(value, '/', 1) FROM events WHERE type = 'tag'
) WHERE v IS NOT NULL AND v <> '' ORDER BY v;
