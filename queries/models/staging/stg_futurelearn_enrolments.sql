-- One row per FutureLearn account per run export (learners and organisation admins; role tells them apart).
with

source as (
    select * from raw_futurelearn_enrolments
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(learner_key as varchar) as learner_key,
        cast(enrolled_at as timestamp) as enrolled_at,
        cast(unenrolled_at as timestamp) as unenrolled_at,
        cast(role as varchar) as role,
        cast(fully_participated_at as timestamp) as fully_participated_at,
        cast(purchased_statement_at as timestamp) as purchased_statement_at,
        -- FutureLearn writes 'Unknown' when the learner did not answer the profile survey.
        cast(nullif(gender, 'Unknown') as varchar) as gender,
        -- Country codes stay text: 'NA' is Namibia, not a missing value.
        cast(nullif(country, 'Unknown') as varchar) as country_code,
        cast(nullif(age_range, 'Unknown') as varchar) as age_band,
        cast(nullif(highest_education_level, 'Unknown') as varchar) as highest_education_level,
        cast(nullif(employment_status, 'Unknown') as varchar) as employment_status,
        cast(nullif(employment_area, 'Unknown') as varchar) as employment_area,
        -- '--' = FutureLearn could not detect a country from the IP address.
        cast(nullif(nullif(detected_country, '--'), 'Unknown') as varchar) as detected_country_code,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
