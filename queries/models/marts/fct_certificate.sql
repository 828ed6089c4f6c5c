-- One row per certificate issued (results rows with a certificate_type).
with

results as (
    select * from stg_results
),

runs as (
    select * from dim_course_run
),

certificates as (
    select * from results
    where certificate_type is not null
),

final as (
    select
        certificates.run_id,
        runs.course_code,
        runs.ptj_code,
        runs.mqa_category,
        runs.mc_type,
        runs.delivery_mode,
        runs.platform,
        runs.start_year,
        certificates.learner_key,
        certificates.certificate_type,
        certificates.outcome,
        certificates.issued_at,
        cast(certificates.issued_at as date) as issued_on,
        year(certificates.issued_at)::integer as issue_year,
    from certificates
    left join runs
        on certificates.run_id = runs.run_id
)

select * from final
