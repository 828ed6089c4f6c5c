-- One row per learner per course run per certificate (certificate_type null = an outcome without a certificate).
with

source as (
    select * from raw_results
),

renamed as (
    select
        cast(run_id as varchar) as run_id,
        cast(learner_key as varchar) as learner_key,
        cast(outcome as varchar) as outcome,
        cast(certificate_type as varchar) as certificate_type,
        cast(issued_at as timestamp) as issued_at,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
