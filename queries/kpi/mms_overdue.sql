-- id: mms_overdue
-- title_en: MMS overdue
-- title_ms: MMS tertunggak
-- unit: count
-- grain: university, ptj, programme
-- definition_en: Learners eligible for a programme's MMS (by the year they became eligible) who have none on the
--   day the figure is for, and of them those eligible for more than the configured number of days
--   ([pathways] mms_overdue_days): the office's action list, as a count (never learner rows).
-- definition_ms: Pelajar yang layak menerima MMS sesuatu program (mengikut tahun mereka layak) yang belum
--   menerimanya pada tarikh angka itu, dan antaranya yang telah layak lebih daripada bilangan hari yang ditetapkan
--   ([pathways] mms_overdue_days): senarai tindakan pejabat, sebagai kiraan (tidak pernah baris pelajar).
-- filters: year, ptj_codes, mqa_categories
-- sources: fct_programme_progress, dim_mc_programme, dim_ptj
-- suppress: eligible_without_mms, overdue
with

progress as (
    select * from fct_programme_progress
    where is_eligible
        and eligible_on <= $as_of
        and (mms_issued_on is null or mms_issued_on > $as_of)
        and ($year is null or eligible_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'programme', programme_code, programme_title_en from dim_mc_programme
),

waiting as (
    select
        eligible_year as year,
        case $by when 'ptj' then ptj_code when 'programme' then programme_code else 'ALL' end as group_key,
        count(*) as eligible_without_mms,
        count(*) filter (where datediff('day', eligible_on, $as_of) > $mms_overdue_days) as overdue,
    from progress
    group by all
),

final as (
    select
        waiting.year,
        waiting.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else waiting.group_key end)
            as group_label,
        waiting.eligible_without_mms,
        waiting.overdue,
        $mms_overdue_days::integer as overdue_after_days,
    from waiting
    left join labels on labels.by_kind = $by and labels.group_key = waiting.group_key
)

select * from final
order by year, group_key
