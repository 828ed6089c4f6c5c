-- One row per course run per week of the run in which at least one of its starters visited a step.
-- depends_on: fct_enrolment, fct_step_progress
-- What weekly retention counts (issue 16: it read one row per learner, run and visited week, ~1 s at 10M
-- enrolments for a year). By course, a learner who started two runs of one course in one year and visited week k
-- in both is one learner of that course's week k: `learners_visited_first_of_course` counts the learners for whom
-- this run is the first (by run id) of the course that year in which they visited the week. Every filter weekly
-- retention takes is a course-level attribute or the year, so summing either count over whole courses is exact.
with

step_progress as (
    select * from fct_step_progress
),

starters as (
    select * from fct_enrolment
    where has_started
),

runs as (
    select * from dim_course_run
),

visited_weeks as (
    select distinct
        run_id,
        learner_key,
        week_number,
    from step_progress
    where first_visited_at is not null
),

learner_weeks as (
    select
        starters.run_id,
        starters.start_year,
        starters.course_code,
        starters.learner_number,
        visited_weeks.week_number,
    from visited_weeks
    inner join starters
        on visited_weeks.run_id = starters.run_id
        and visited_weeks.learner_key = starters.learner_key
),

run_weeks as (
    select
        run_id,
        week_number,
        count(*) as learners_visited,
    from learner_weeks
    group by run_id, week_number
),

-- Each learner's week of a course and year, at the first run in which they visited it.
course_weeks_first_visited as (
    select
        min(run_id) as run_id,
        week_number,
    from learner_weeks
    group by start_year, course_code, learner_number, week_number
),

first_of_course as (
    select
        run_id,
        week_number,
        count(*) as learners_visited_first_of_course,
    from course_weeks_first_visited
    group by run_id, week_number
),

final as (
    select
        run_weeks.run_id,
        run_weeks.week_number,
        runs.course_code,
        runs.ptj_code,
        runs.mqa_category,
        runs.mc_type,
        runs.delivery_mode,
        runs.platform,
        runs.start_year,
        run_weeks.learners_visited,
        coalesce(first_of_course.learners_visited_first_of_course, 0) as learners_visited_first_of_course,
    from run_weeks
    inner join runs
        on run_weeks.run_id = runs.run_id
    left join first_of_course
        on run_weeks.run_id = first_of_course.run_id
        and run_weeks.week_number = first_of_course.week_number
)

select * from final
order by run_id, week_number
