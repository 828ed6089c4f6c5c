-- fct_enrolment has exactly one row per learner enrolment of staging resolved to a course run, per source (no fan-out from joins, none lost).
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

facts as (
    select * from fct_enrolment
),

expected as (
    select
        'futurelearn' as source,
        count(*) as count_rows,
    from futurelearn_enrolments
    where role = 'learner'
        and platform_run_label in (select platform_run_label from runs)

    union all
    select
        'enrolments' as source,
        count(*) as count_rows,
    from enrolments
    where run_id in (select run_id from runs)
),

actual as (
    select
        source,
        count(*) as count_rows,
    from facts
    group by source
),

final as (
    select
        expected.source,
        expected.count_rows as expected_rows,
        coalesce(actual.count_rows, 0) as actual_rows,
    from expected
    left join actual
        on expected.source = actual.source
    where expected.count_rows <> coalesce(actual.count_rows, 0)
)

select * from final
