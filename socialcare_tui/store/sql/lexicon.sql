-- The VADER lexicon as TEMP vader_lexicon(token, valence) (store/lexicon.py).

-- name: lexicon_loaded
SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'vader_lexicon'

-- name: load_lexicon
-- The VADER lexicon file: token TAB valence TAB sd TAB raw ratings. VADER looks
-- words up in lower case and its dict keeps the last of a repeated token, so do
-- the same (parallel=false keeps the file order for row_number).
CREATE OR REPLACE TEMP TABLE vader_lexicon AS
SELECT token, arg_max(valence, rn) AS valence
FROM (
    SELECT token, valence, row_number() OVER () AS rn
    FROM read_csv($path, delim = '\t', header = false, quote = '', escape = '',
                  parallel = false, auto_detect = false,
                  columns = {'token': 'VARCHAR', 'valence': 'DOUBLE',
                             'sd': 'DOUBLE', 'raw': 'VARCHAR'})
)
WHERE token = lower(token)
GROUP BY token
