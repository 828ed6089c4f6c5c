-- One row per learner (pseudonymous learner_key), over every enrolment resolved to a course run.
with

futurelearn_enrolments as (
    select * from stg_futurelearn_enrolments
),

enrolments as (
    select * from stg_enrolments
),

runs as (
    select * from stg_course_runs
),

-- The same enrolments as fct_enrolment: FutureLearn learners (not organisation admins) whose run label is a
-- known course run, and the other platforms' enrolments whose run is known.
futurelearn_learners as (
    select
        futurelearn_enrolments.learner_key,
        futurelearn_enrolments.enrolled_at,
        false as is_internal,
        coalesce(
            futurelearn_enrolments.country_code,
            futurelearn_enrolments.detected_country_code
        ) = 'MY' as is_malaysian,
    from futurelearn_enrolments
    inner join runs
        on futurelearn_enrolments.platform_run_label = runs.platform_run_label
    where futurelearn_enrolments.role = 'learner'
),

platform_learners as (
    select
        enrolments.learner_key,
        enrolments.enrolled_at,
        enrolments.is_internal,
        enrolments.country_code = 'MY' as is_malaysian,
    from enrolments
    inner join runs
        on enrolments.run_id = runs.run_id
),

all_enrolments as (
    select * from futurelearn_learners
    union all
    select * from platform_learners
),

final as (
    select
        learner_key,
        min(enrolled_at) as first_enrolled_at,
        count(*)::integer as count_enrolments,
        -- Internal when any enrolment says so; Malaysian when any known country says so (null = never known).
        bool_or(is_internal) as is_internal,
        bool_or(is_malaysian) as is_malaysian,
    from all_enrolments
    group by learner_key
)

select * from final
