-- One row per credit transfer or APEL C application.
with

source as (
    select * from raw_credit_applications
),

renamed as (
    select
        cast(application_id as varchar) as application_id,
        cast(learner_key as varchar) as learner_key,
        cast(application_kind as varchar) as application_kind,
        cast(course_code as varchar) as course_code,
        cast(programme_code as varchar) as programme_code,
        cast(applied_on as date) as applied_on,
        cast(decided_on as date) as decided_on,
        cast(outcome as varchar) as outcome,
        cast(credits_granted as bigint) as credits_granted,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
