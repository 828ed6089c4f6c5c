-- One row per weekly-sentiment response in a FutureLearn export (not linked to a learner).
with

source as (
    select * from raw_futurelearn_sentiment_survey
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(id as varchar) as response_id,
        cast(responded_at as timestamp) as responded_at,
        cast(week_number as integer) as week_number,
        cast(experience_rating as integer) as experience_rating,
        coalesce(reason_length, 0) > 0 as has_reason,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
