-- id: etl_history
-- title_en: Data refresh history
-- title_ms: Sejarah kemas kini data
-- unit: count
-- grain: university
-- definition_en: ETL runs recorded in the published warehouse, newest first: status, files loaded and skipped,
--   rows read, loaded and quarantined, and how long each run took.
-- definition_ms: Larian ETL yang direkodkan dalam gudang data yang diterbitkan, terbaru dahulu: status, fail
--   dimuatkan dan dilangkau, baris dibaca, dimuatkan dan dikuarantin, dan tempoh setiap larian.
-- filters:
-- sources: etl_runs
-- suppress:
with

runs as (
    select * from etl_runs
),

final as (
    select
        run_id,
        started_at,
        finished_at,
        status,
        message,
        files_loaded,
        files_skipped,
        rows_read,
        rows_loaded,
        rows_quarantined,
        round(date_diff('millisecond', started_at, finished_at) / 1000.0, 1) as duration_s,
    from runs
)

select * from final
order by started_at desc
