-- Category columns of the facts hold only their allowed values (the sets in etl/contracts.py).
with

enrolments as (
    select * from fct_enrolment
),

certificates as (
    select * from fct_certificate
),

payments as (
    select * from fct_payment
),

teaching as (
    select * from fct_teaching
),

targets as (
    select * from fct_kpi_target
),

failures as (
    select
        'fct_enrolment' as table_name,
        'source' as column_name,
        run_id || ' / ' || learner_key as row_key,
        source as value,
    from enrolments
    where source is null or source not in ('futurelearn', 'enrolments')

    union all
    select 'fct_enrolment', 'outcome', run_id || ' / ' || learner_key, outcome,
    from enrolments
    where outcome not in ('completed', 'passed', 'failed', 'withdrawn')

    union all
    select 'fct_certificate', 'certificate_type', run_id || ' / ' || learner_key, certificate_type,
    from certificates
    where certificate_type is null or certificate_type not in ('COC', 'COA', 'MMS', 'badge')

    union all
    select 'fct_certificate', 'outcome', run_id || ' / ' || learner_key, outcome,
    from certificates
    where outcome is null or outcome not in ('completed', 'passed', 'failed', 'withdrawn')

    union all
    select 'fct_payment', 'payment_kind', receipt_id, payment_kind,
    from payments
    where payment_kind is null or payment_kind not in ('mc_fee', 'certificate', 'refund')

    union all
    select 'fct_teaching', 'teaching_role', staff_id || ' / ' || run_id, teaching_role,
    from teaching
    where teaching_role is null or teaching_role not in ('owner', 'lecturer', 'facilitator')

    union all
    select 'fct_kpi_target', 'scope', cast(year as varchar) || ' / ' || kpi_id, scope,
    from targets
    where scope is null or scope not in ('university', 'ptj')
),

final as (
    select * from failures
)

select * from final
