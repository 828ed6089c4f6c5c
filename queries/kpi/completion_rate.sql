-- id: completion_rate
-- title_en: Completion rate
-- title_ms: Kadar penyempurnaan
-- unit: pct
-- grain: university, ptj, course, course_run
-- definition_en: Learners who completed, over all enrolments (every run). In runs with FutureLearn step data
--   (only they can tell who started), the same completions over those runs' enrolments and over the learners
--   who started (visited at least one step): one numerator, so the rate over starters is never below the rate
--   over those enrolments.
-- definition_ms: Pelajar yang menamatkan kursus, dibahagi semua pendaftaran (semua sesi). Dalam sesi dengan data
--   langkah FutureLearn (hanya sesi ini menunjukkan siapa yang bermula), penyempurnaan yang sama dibahagi
--   pendaftaran sesi itu dan dibahagi pelajar yang bermula (melawat sekurang-kurangnya satu langkah): pengangka
--   yang sama, jadi kadar atas pelajar yang bermula tidak pernah lebih rendah.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_enrolment, dim_ptj, dim_course, dim_course_run
-- suppress: enrolments, completed, enrolled_with_steps, starters, completed_starters
-- derived: completion_rate_pct, completion_rate_step_runs_pct, completion_rate_started_pct
-- rates: completion_rate_pct = 100 * completed / enrolments,
--   completion_rate_step_runs_pct = 100 * completed_starters / enrolled_with_steps,
--   completion_rate_started_pct = 100 * completed_starters / starters
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
        count(*) as enrolments,
        count(*) filter (where is_completed) as completed,
        -- Null, not 0, where no run in the group has step data (nobody can tell who started).
        case when count(has_started) > 0 then count(has_started) end as enrolled_with_steps,
        case when count(has_started) > 0 then count(*) filter (where has_started) end as starters,
        case when count(has_started) > 0 then count(*) filter (where has_started and is_completed) end
            as completed_starters,
    from enrolments
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.enrolments,
        grouped.completed,
        round(100.0 * grouped.completed / nullif(grouped.enrolments, 0), 1) as completion_rate_pct,
        grouped.enrolled_with_steps,
        grouped.completed_starters,
        round(100.0 * grouped.completed_starters / nullif(grouped.enrolled_with_steps, 0), 1)
            as completion_rate_step_runs_pct,
        grouped.starters,
        round(100.0 * grouped.completed_starters / nullif(grouped.starters, 0), 1) as completion_rate_started_pct,
    from grouped
    left join labels on labels.by_kind = $by and labels.group_key = grouped.group_key
)

select * from final
order by year, group_key
