-- One row per archetype-survey response in a FutureLearn export.
with

source as (
    select * from raw_futurelearn_archetype_survey
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(id as varchar) as response_id,
        cast(learner_key as varchar) as learner_key,
        cast(responded_at as timestamp) as responded_at,
        cast(archetype as varchar) as archetype,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
