-- id: courses_offered
-- title_en: Courses offered
-- title_ms: Kursus ditawarkan
-- unit: count
-- grain: university, ptj
-- definition_en: Distinct courses with at least one run starting in the year, split into microcredential (MC)
--   courses and MOOCs.
-- definition_ms: Kursus berbeza yang mempunyai sekurang-kurangnya satu larian bermula pada tahun itu,
--   dipecahkan kepada kursus mikrokredensial (MC) dan MOOC.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course_run, dim_ptj
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

grouped as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        count(distinct course_code) as courses_offered,
        count(distinct course_code) filter (where mc_type <> 'mooc') as mc_courses,
        count(distinct course_code) filter (where mc_type = 'mooc') as mooc_courses,
    from runs
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.courses_offered,
        grouped.mc_courses,
        grouped.mooc_courses,
    from grouped
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grouped.group_key
)

select * from final
order by year, group_key
