-- One row per learner per course run on the other platforms (OpenLearning, LMS, other).
with

source as (
    select * from raw_enrolments
),

renamed as (
    select
        cast(run_id as varchar) as run_id,
        cast(learner_key as varchar) as learner_key,
        cast(enrolled_at as timestamp) as enrolled_at,
        cast(unenrolled_at as timestamp) as unenrolled_at,
        cast(learner_type as varchar) as learner_type,
        learner_type = 'internal' as is_internal,
        -- Country codes stay text: 'NA' is Namibia, not a missing value.
        cast(country_code as varchar) as country_code,
        cast(age_band as varchar) as age_band,
        cast(employment_status as varchar) as employment_status,
        cast(gender as varchar) as gender,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
