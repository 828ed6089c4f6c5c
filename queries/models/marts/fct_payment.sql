-- One row per receipt (money stays decimal(12,2); refunds are negative in signed_amount_rm).
with

payments as (
    select * from stg_payments
),

runs as (
    select * from dim_course_run
),

final as (
    select
        payments.receipt_id,
        payments.run_id,
        runs.course_code,
        payments.ptj_code,
        runs.ptj_code as course_ptj_code,
        runs.mqa_category,
        runs.mc_type,
        runs.delivery_mode,
        runs.platform,
        payments.learner_key,
        payments.payment_kind,
        payments.amount_rm,
        cast(
            case when payments.payment_kind = 'refund' then -payments.amount_rm else payments.amount_rm end
            as decimal(12, 2)
        ) as signed_amount_rm,
        payments.paid_at,
        cast(payments.paid_at as date) as paid_on,
        year(payments.paid_at)::integer as paid_year,
        cast(date_trunc('month', payments.paid_at) as date) as paid_month,
    from payments
    left join runs
        on payments.run_id = runs.run_id
)

select * from final
