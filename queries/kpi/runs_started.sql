-- id: runs_started
-- title_en: Course runs started
-- title_ms: Larian kursus dimulakan
-- unit: count
-- grain: university, ptj, course
-- definition_en: Course runs whose start date falls in the year (scheduled runs later in the year included).
-- definition_ms: Larian kursus yang tarikh mulanya jatuh pada tahun itu (termasuk larian yang dijadualkan
--   kemudian pada tahun itu).
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course_run, dim_ptj, dim_course
-- suppress:
with

runs as (
    select * from dim_course_run
    where ($year is null or start_year = $year)
        and ($date_from is null or starts_on >= $date_from)
        and ($date_to is null or starts_on <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'course', course_code, course_title from dim_course
),

grouped as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code else 'ALL' end as group_key,
        count(*) as runs_started,
        count(*) filter (where mc_type <> 'mooc') as mc_runs,
        count(*) filter (where mc_type = 'mooc') as mooc_runs,
    from runs
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.runs_started,
        grouped.mc_runs,
        grouped.mooc_runs,
    from grouped
    left join labels on labels.by_kind = $by and labels.group_key = grouped.group_key
)

select * from final
order by year, group_key
