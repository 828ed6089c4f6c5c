-- id: new_courses
-- title_en: New courses launched
-- title_ms: Kursus baharu dilancarkan
-- unit: count
-- grain: university, ptj
-- definition_en: Courses in the catalogue whose launch date falls in the year, split into MC courses and MOOCs.
-- definition_ms: Kursus dalam katalog yang tarikh pelancarannya jatuh pada tahun itu, dipecahkan kepada kursus
--   MC dan MOOC.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course, dim_ptj
-- suppress:
with

courses as (
    select * from dim_course
    where ($year is null or launch_year = $year)
        and ($date_from is null or launched_on >= $date_from)
        and ($date_to is null or launched_on <= $date_to)
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
        launch_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        count(*) as new_courses,
        count(*) filter (where mc_type <> 'mooc') as new_mc_courses,
        count(*) filter (where mc_type = 'mooc') as new_mooc_courses,
    from courses
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.new_courses,
        grouped.new_mc_courses,
        grouped.new_mooc_courses,
    from grouped
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grouped.group_key
)

select * from final
order by year, group_key
