-- One row per learner per accredited programme admitted to.
with

intake as (
    select * from stg_programme_intake
),

final as (
    select
        learner_key,
        accredited_programme,
        intake_term,
        admitted_on,
        year(admitted_on)::integer as intake_year,
        tuition_fee_rm,
    from intake
)

select * from final
