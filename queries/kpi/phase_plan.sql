-- id: phase_plan
-- title_en: Phase plan progress
-- title_ms: Kemajuan pelan fasa
-- unit: count
-- grain: university, ptj
-- definition_en: Courses planned in each plan phase (immediate, Phase 2 short-term, Phase 3 long-term) and how
--   many of them had launched by the end of the year (by today when no year is chosen).
-- definition_ms: Kursus yang dirancang dalam setiap fasa pelan (segera, Fasa 2 jangka pendek, Fasa 3 jangka
--   panjang) dan bilangan yang telah dilancarkan menjelang akhir tahun itu (hingga hari ini jika tiada tahun).
-- filters: year, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course, dim_ptj
-- suppress:
-- breakdowns: plan_phase
with

courses as (
    select * from dim_course
    where (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

grouped as (
    select
        coalesce($year, year($as_of))::integer as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        plan_phase,
        count(*) as courses_planned,
        count(*) filter (
            where case when $year is null then launched_on <= $as_of else launch_year <= $year end
        ) as courses_launched,
    from courses
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.plan_phase,
        grouped.courses_planned,
        grouped.courses_launched,
        round(100.0 * grouped.courses_launched / grouped.courses_planned, 1) as launched_pct,
    from grouped
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grouped.group_key
)

select * from final
order by year, group_key, plan_phase
