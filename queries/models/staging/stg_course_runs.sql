-- One row per course run.
with

source as (
    select * from raw_course_runs
),

renamed as (
    select
        cast(run_id as varchar) as run_id,
        cast(course_code as varchar) as course_code,
        cast(starts_on as date) as starts_on,
        cast(weeks as integer) as weeks,
        cast(platform_run_label as varchar) as platform_run_label,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
