-- id: completion_funnel
-- title_en: Completion funnel
-- title_ms: Corong penyempurnaan
-- unit: count
-- grain: university, ptj, course, course_run
-- definition_en: For course runs starting in the year: enrolled, enrolled in runs with step data, started
--   (visited a step), completed at least 50% and 90% of the steps, fully participated (FutureLearn), completed,
--   and certified (a certificate issued or bought). Step measures are empty where no run has step data.
-- definition_ms: Bagi larian kursus yang bermula pada tahun itu: mendaftar, mendaftar dalam larian dengan data
--   langkah, bermula (melawat satu langkah), menamatkan sekurang-kurangnya 50% dan 90% langkah, penyertaan
--   penuh (FutureLearn), tamat, dan mendapat sijil (dikeluarkan atau dibeli).
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_enrolment, dim_ptj, dim_course, dim_course_run
-- suppress: enrolled, enrolled_with_steps, started, completed_50pct, completed_90pct, fully_participated,
--   completed, certified
with

enrolments as (
    select * from fct_enrolment
    where ($year is null or start_year = $year)
        and ($date_from is null or enrolled_on >= $date_from)
        and ($date_to is null or enrolled_on <= $date_to)
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
    union all
    select 'course_run', runs.run_id, courses.course_title || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')'
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
),

grouped as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code when 'course_run' then run_id
            else 'ALL' end as group_key,
        count(*) as enrolled,
        count(has_started) as enrolled_with_steps,
        case when count(has_started) > 0 then count(*) filter (where has_started) end as started,
        case when count(has_started) > 0 then count(*) filter (where has_completed_50pct) end as completed_50pct,
        case when count(has_started) > 0 then count(*) filter (where has_completed_90pct) end as completed_90pct,
        case when count(*) filter (where source = 'futurelearn') > 0
            then count(*) filter (where is_fully_participated) end as fully_participated,
        count(*) filter (where is_completed) as completed,
        count(*) filter (where is_certified) as certified,
    from enrolments
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.enrolled,
        grouped.enrolled_with_steps,
        grouped.started,
        grouped.completed_50pct,
        grouped.completed_90pct,
        grouped.fully_participated,
        grouped.completed,
        grouped.certified,
    from grouped
    left join labels on labels.by_kind = $by and labels.group_key = grouped.group_key
)

select * from final
order by year, group_key
