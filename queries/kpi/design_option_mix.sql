-- id: design_option_mix
-- title_en: Design option mix
-- title_ms: Campuran pilihan reka bentuk
-- unit: count
-- grain: university, ptj
-- definition_en: Courses offered in the year (with a run starting in it) and enrolments in those runs, by
--   MC@UM design option (A blended, B1 one 14-week MOOC, B2 several MOOCs, none).
-- definition_ms: Kursus yang ditawarkan pada tahun itu (dengan larian yang bermula pada tahun itu) dan pendaftaran
--   dalam larian tersebut, mengikut pilihan reka bentuk MC@UM (A teradun, B1 satu MOOC 14 minggu,
--   B2 beberapa MOOC, tiada).
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course_run, fct_enrolment, dim_ptj
-- suppress: enrolments
-- breakdowns: design_option
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

enrolments as (
    select fct_enrolment.* from fct_enrolment
    inner join runs on fct_enrolment.run_id = runs.run_id
),

courses as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        design_option,
        count(distinct course_code) as courses,
    from runs
    group by all
),

course_totals as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        count(distinct course_code) as courses_offered,
    from runs
    group by all
),

enrolment_counts as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        design_option,
        count(*) as enrolments,
    from enrolments
    group by all
),

final as (
    select
        courses.year,
        courses.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else courses.group_key end)
            as group_label,
        courses.design_option,
        courses.courses,
        round(100.0 * courses.courses / course_totals.courses_offered, 1) as share_pct,
        coalesce(enrolment_counts.enrolments, 0) as enrolments,
    from courses
    inner join course_totals
        on course_totals.year = courses.year and course_totals.group_key = courses.group_key
    left join enrolment_counts
        on enrolment_counts.year = courses.year
        and enrolment_counts.group_key = courses.group_key
        and enrolment_counts.design_option = courses.design_option
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = courses.group_key
)

select * from final
order by year, group_key, design_option
