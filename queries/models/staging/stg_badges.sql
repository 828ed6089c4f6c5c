-- One row per digital badge issued (Credly-style export).
with

source as (
    select * from raw_badges
),

renamed as (
    select
        cast(badge_id as varchar) as badge_id,
        cast(badge_name as varchar) as badge_name,
        cast(course_code as varchar) as course_code,
        cast(learner_key as varchar) as learner_key,
        cast(issued_at as timestamp) as issued_at,
        cast(accepted_at as timestamp) as accepted_at,
        cast(state as varchar) as state,
        cast(shares as bigint) as shares,
        cast(views as bigint) as views,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
