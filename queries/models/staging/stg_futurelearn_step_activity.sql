-- One row per FutureLearn learner per run export per step (step is text: 1.1 and 1.10 differ).
with

source as (
    select * from raw_futurelearn_step_activity
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(learner_key as varchar) as learner_key,
        cast(step as varchar) as step,
        cast(week_number as integer) as week_number,
        cast(step_number as integer) as step_number,
        cast(first_visited_at as timestamp) as first_visited_at,
        cast(last_completed_at as timestamp) as last_completed_at,
        last_completed_at is not null as is_completed,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
