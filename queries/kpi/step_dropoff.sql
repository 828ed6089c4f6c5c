-- id: step_dropoff
-- title_en: Step retention and drop-off
-- title_ms: Pengekalan langkah dan keciciran
-- unit: pct
-- grain: course_run
-- definition_en: For each step of a FutureLearn course run: of the learners who started (visited at least one
--   step), those who reached the step (visited it), and those whose furthest step (by week, then step) it is:
--   where leavers stop. Comparable across runs of a course.
-- definition_ms: Bagi setiap langkah larian kursus FutureLearn: daripada pelajar yang bermula (melawat
--   sekurang-kurangnya satu langkah), yang sampai ke langkah itu (melawatnya), dan yang langkah terjauhnya
--   (mengikut minggu, kemudian langkah) ialah langkah itu: tempat pelajar berhenti.
-- filters: year, ptj_codes, course_codes
-- sources: fct_step_progress, dim_course_run, dim_course
-- suppress: starters, learners_reached, learners_stopped
-- derived: reached_pct, stopped_pct
-- breakdowns: step
with

runs as (
    select runs.run_id, runs.start_year, runs.starts_on, runs.course_code, runs.ptj_code,
        coalesce(courses.course_title, runs.course_code) || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')' as group_label,
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
    where ($year is null or runs.start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, runs.ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, runs.course_code))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, runs.ptj_code))
),

progress as (
    select progress.* from fct_step_progress as progress
    inner join runs on runs.run_id = progress.run_id
    where progress.first_visited_at is not null
),

steps as (
    select distinct run_id, step, week_number, step_number from progress
),


reached as (
    -- fct_step_progress holds one row per run, learner and step (its unique_combination_of_columns test), so the
    -- learners who reached a step are its rows: no distinct count (5.3 s of the query at 10M enrolments).
    select run_id, step, count(*) as learners_reached from progress group by all
),

-- Each learner's furthest step: the highest week, then the highest step number in it.
furthest as (
    select run_id, learner_key, arg_max(step, week_number * 1000 + step_number) as step
    from progress
    group by all
),

starters as (
    -- furthest has one row per run and learner who visited a step: the starters, without a distinct count.
    select run_id, count(*) as starters from furthest group by all
),

stopped as (
    select run_id, step, count(*) as learners_stopped from furthest group by all
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        steps.step,
        steps.week_number,
        steps.step_number,
        starters.starters,
        coalesce(reached.learners_reached, 0) as learners_reached,
        coalesce(stopped.learners_stopped, 0) as learners_stopped,
        round(100.0 * coalesce(reached.learners_reached, 0) / starters.starters, 1) as reached_pct,
        round(100.0 * coalesce(stopped.learners_stopped, 0) / starters.starters, 1) as stopped_pct,
    from steps
    inner join runs on runs.run_id = steps.run_id
    inner join starters on starters.run_id = steps.run_id
    left join reached on reached.run_id = steps.run_id and reached.step = steps.step
    left join stopped on stopped.run_id = steps.run_id and stopped.step = steps.step
)

select * from final
order by year, group_key, week_number, step_number
