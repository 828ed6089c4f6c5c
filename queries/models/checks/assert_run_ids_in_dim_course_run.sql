-- Every run_id in a fact table is a run of dim_course_run.
with

runs as (
    select * from dim_course_run
),

fact_run_ids as (
    select distinct 'fct_enrolment' as table_name, run_id, from fct_enrolment
    union all
    select distinct 'fct_step_progress', run_id, from fct_step_progress
    union all
    select distinct 'fct_certificate', run_id, from fct_certificate
    union all
    select distinct 'fct_payment', run_id, from fct_payment
    union all
    select distinct 'fct_teaching', run_id, from fct_teaching
),

final as (
    select
        fact_run_ids.table_name,
        fact_run_ids.run_id,
    from fact_run_ids
    anti join runs
        on fact_run_ids.run_id = runs.run_id
)

select * from final
