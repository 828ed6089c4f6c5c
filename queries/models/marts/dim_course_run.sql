-- One row per course run.
with

runs as (
    select * from stg_course_runs
),

courses as (
    select * from stg_courses
),

step_activity as (
    select * from stg_futurelearn_step_activity
),

run_steps as (
    select
        platform_run_label,
        count(distinct step)::integer as count_steps,
    from step_activity
    group by platform_run_label
),

final as (
    select
        runs.run_id,
        runs.course_code,
        courses.ptj_code,
        courses.mqa_category,
        courses.mc_type,
        courses.delivery_mode,
        courses.design_option,
        courses.platform,
        runs.starts_on,
        runs.starts_on + cast(7 * runs.weeks - 1 as integer) as ends_on,
        runs.weeks,
        year(runs.starts_on)::integer as start_year,
        year(runs.starts_on)::varchar
            || case when month(runs.starts_on) <= 6 then '-S1' else '-S2' end as term,
        runs.platform_run_label,
        run_steps.count_steps,
    from runs
    left join courses
        on runs.course_code = courses.course_code
    left join run_steps
        on runs.platform_run_label = run_steps.platform_run_label
)

select * from final
