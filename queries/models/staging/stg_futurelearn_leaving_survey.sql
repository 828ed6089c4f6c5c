-- One row per leaving-survey response in a FutureLearn export.
with

source as (
    select * from raw_futurelearn_leaving_survey
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(id as varchar) as response_id,
        cast(learner_key as varchar) as learner_key,
        cast(left_at as timestamp) as left_at,
        cast(leaving_reason as varchar) as leaving_reason,
        cast(last_completed_step as varchar) as last_completed_step,
        cast(last_completed_week_number as integer) as last_completed_week_number,
        cast(last_completed_step_number as integer) as last_completed_step_number,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
