-- What a scope needs from the database (kpi/scope.py): the newest and oldest
-- event (the default as_of, the start of the data) and the values a filter can
-- match (--channel/--queue/--agent/--tag), so an unknown one is named with the
-- known ones instead of an empty report.

-- name: newest_event
SELECT max(ts) FROM events;

-- name: oldest_event
SELECT min(ts) FROM events;

-- name: known_channels
SELECT DISTINCT channel AS v FROM events WHERE channel IS NOT NULL ORDER BY v;

-- name: known_queues
-- a conversation without a queue is in its channel's (the conv view: coalesce(last_queue, channel))
SELECT DISTINCT coalesce(queue, channel) AS v FROM events
WHERE coalesce(queue, channel) IS NOT NULL ORDER BY v;

-- name: known_agents
-- an agent is an assignee or the author of a human reply (not automated)
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
