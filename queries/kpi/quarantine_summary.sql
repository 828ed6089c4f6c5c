-- id: quarantine_summary
-- title_en: Quarantined rows
-- title_ms: Baris dikuarantin
-- unit: count
-- grain: university
-- definition_en: Rows the ETL set aside because they broke a rule, by source, column and reason (the rows
--   themselves are in the quarantine table; no learner data is shown here).
-- definition_ms: Baris yang diketepikan oleh ETL kerana melanggar peraturan, mengikut sumber, lajur dan sebab
--   (baris itu sendiri ada dalam jadual kuarantin; tiada data pelajar ditunjukkan di sini).
-- filters:
-- sources: quarantine
-- suppress:
-- breakdowns: source, column_name, reason
with

quarantined as (
    select * from quarantine
),

final as (
    select
        source,
        column_name,
        reason,
        count(*) as rows_quarantined,
        count(distinct file_id) as files,
        max(run_id) as last_run_id,
    from quarantined
    group by all
)

select * from final
order by source, column_name, reason
