-- One row per finance receipt (fees, certificate sales and refunds; amounts are positive).
with

source as (
    select * from raw_payments
),

renamed as (
    select
        cast(receipt_id as varchar) as receipt_id,
        cast(learner_key as varchar) as learner_key,
        cast(run_id as varchar) as run_id,
        cast(payment_kind as varchar) as payment_kind,
        cast(amount_rm as decimal(12, 2)) as amount_rm,
        cast(paid_at as timestamp) as paid_at,
        cast(ptj_code as varchar) as ptj_code,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
