-- One row per learner per course run per week of the run in which the learner visited at least one step.
-- depends_on: fct_enrolment, fct_step_progress
-- Weekly retention reads this instead of the step rows (a tenth of them), and it carries the run's filter
-- columns so the KPI needs no join. A learner who started two runs of one course in one year is one learner of
-- that course: `is_first_run_of_course_week` marks one row per (start year, course, learner, week), and every
-- filter the KPIs take is a course-level attribute or the year, so counting the marked rows stays exact.
with

step_progress as (
    select * from fct_step_progress
),

starters as (
    select * from fct_enrolment
    where has_started
),

visited_weeks as (
    select distinct
        run_id,
        learner_key,
        week_number,
    from step_progress
    where first_visited_at is not null
),

final as (
    select
        starters.run_id,
        starters.learner_key,
        visited_weeks.week_number,
        starters.course_code,
        starters.ptj_code,
        starters.mqa_category,
        starters.mc_type,
        starters.delivery_mode,
        starters.platform,
        starters.start_year,
        row_number() over (
            partition by starters.start_year, starters.course_code, starters.learner_key, visited_weeks.week_number
            order by starters.run_id
        ) = 1 as is_first_run_of_course_week,
    from visited_weeks
    inner join starters
        on visited_weeks.run_id = starters.run_id
        and visited_weeks.learner_key = starters.learner_key
)

select * from final
