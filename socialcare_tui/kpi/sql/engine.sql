-- The engine's own statements around every KPI: `kpi_rows` is the KPI's rows
-- (kpi_base) once with grp NULL (the total) and, with --by, once more under the
-- group key the engine computed into kpi_group_key_.

-- name: kpi_rows_total
CREATE OR REPLACE TEMP VIEW kpi_rows AS
SELECT NULL::VARCHAR AS grp, * FROM kpi_base;

-- name: kpi_rows_grouped
CREATE OR REPLACE TEMP VIEW kpi_rows AS
SELECT NULL::VARCHAR AS grp, * EXCLUDE (kpi_group_key_) FROM kpi_base
UNION ALL
SELECT kpi_group_key_ AS grp, * EXCLUDE (kpi_group_key_) FROM kpi_base;

-- name: kpi_rows_count
SELECT count(*) FROM kpi_base;

-- name: explain_rows
SELECT * EXCLUDE (grp) FROM kpi_rows ORDER BY moment NULLS LAST, conv_key;
