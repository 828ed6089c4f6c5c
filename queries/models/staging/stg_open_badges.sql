-- One row per Open Badges assertion (2.0) or credential (3.0).
with

source as (
    select * from raw_open_badges
),

renamed as (
    select
        cast(assertion_id as varchar) as assertion_id,
        cast(spec_version as varchar) as spec_version,
        cast(badge_name as varchar) as badge_name,
        cast(course_code as varchar) as course_code,
        cast(learner_key as varchar) as learner_key,
        cast(issued_at as timestamp) as issued_at,
        is_revoked = 'true' as is_revoked,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
