-- One row per learner per course run per step (FutureLearn step activity; organisation admins left out).
with

step_activity as (
    select * from stg_futurelearn_step_activity
),

futurelearn_enrolments as (
    select * from stg_futurelearn_enrolments
),

runs as (
    select * from dim_course_run
),

organisation_admins as (
    select distinct
        platform_run_label,
        learner_key,
    from futurelearn_enrolments
    where role <> 'learner'
),

final as (
    select
        runs.run_id,
        step_activity.learner_key,
        step_activity.step,
        step_activity.week_number,
        step_activity.step_number,
        step_activity.first_visited_at,
        step_activity.last_completed_at,
        step_activity.is_completed,
    from step_activity
    inner join runs
        on step_activity.platform_run_label = runs.platform_run_label
    anti join organisation_admins
        on step_activity.platform_run_label = organisation_admins.platform_run_label
        and step_activity.learner_key = organisation_admins.learner_key
)

select * from final
