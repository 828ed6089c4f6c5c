-- One row per learner per accredited programme admitted to.
with

source as (
    select * from raw_programme_intake
),

renamed as (
    select
        cast(learner_key as varchar) as learner_key,
        cast(accredited_programme as varchar) as accredited_programme,
        cast(intake_term as varchar) as intake_term,
        cast(admitted_on as date) as admitted_on,
        cast(tuition_fee_rm as decimal(12, 2)) as tuition_fee_rm,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
