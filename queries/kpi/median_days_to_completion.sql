-- id: median_days_to_completion
-- title_en: Median days to completion
-- title_ms: Median hari untuk tamat
-- unit: days
-- grain: university, ptj, course, course_run
-- definition_en: For completions in course runs starting in the year: the median number of days from the day the
--   learner could start (the later of enrolment and run start) to completion (fully participated, or the first
--   completion certificate); completions without a date are left out.
-- definition_ms: Bagi penyempurnaan dalam larian kursus yang bermula pada tahun itu: median bilangan hari dari
--   hari pelajar boleh bermula (yang lewat antara pendaftaran dan mula larian) hingga tamat (penyertaan penuh,
--   atau sijil penyempurnaan pertama); penyempurnaan tanpa tarikh tidak dikira.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_enrolment, dim_course_run, dim_ptj, dim_course
-- suppress: completions, completions_timed
-- derived: median_days, min_days, max_days
with

completions as (
    select
        fct_enrolment.*,
        date_diff(
            'day', greatest(fct_enrolment.enrolled_on, runs.starts_on), cast(fct_enrolment.completed_at as date)
        ) as days_to_completion,
    from fct_enrolment
    inner join dim_course_run as runs on fct_enrolment.run_id = runs.run_id
    where fct_enrolment.is_completed
        and ($year is null or fct_enrolment.start_year = $year)
        and ($date_from is null or fct_enrolment.enrolled_on >= $date_from)
        and ($date_to is null or fct_enrolment.enrolled_on <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, fct_enrolment.ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, fct_enrolment.course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, fct_enrolment.mqa_category))
        and (len($modes) = 0 or list_contains($modes, fct_enrolment.delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, fct_enrolment.platform))
        and (len($mc_types) = 0 or list_contains($mc_types, fct_enrolment.mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, fct_enrolment.ptj_code))
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
        count(*) as completions,
        count(days_to_completion) as completions_timed,
        round(median(days_to_completion)::double, 1) as median_days,
        min(days_to_completion) as min_days,
        max(days_to_completion) as max_days,
    from completions
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.completions,
        grouped.completions_timed,
        grouped.median_days,
        grouped.min_days,
        grouped.max_days,
    from grouped
    left join labels on labels.by_kind = $by and labels.group_key = grouped.group_key
)

select * from final
order by year, group_key
