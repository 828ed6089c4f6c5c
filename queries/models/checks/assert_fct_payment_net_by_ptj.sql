-- Per credited PTj, the sum of fct_payment.signed_amount_rm equals fees + certificates - refunds in raw_payments.
with

raw_by_ptj as (
    select
        ptj_code,
        coalesce(sum(amount_rm) filter (where payment_kind = 'mc_fee'), 0) as fees_rm,
        coalesce(sum(amount_rm) filter (where payment_kind = 'certificate'), 0) as certificates_rm,
        coalesce(sum(amount_rm) filter (where payment_kind = 'refund'), 0) as refunds_rm,
    from raw_payments
    group by ptj_code
),

fct_by_ptj as (
    select
        ptj_code,
        sum(signed_amount_rm) as net_rm,
    from fct_payment
    group by ptj_code
),

final as (
    select
        coalesce(raw_by_ptj.ptj_code, fct_by_ptj.ptj_code) as ptj_code,
        raw_by_ptj.fees_rm,
        raw_by_ptj.certificates_rm,
        raw_by_ptj.refunds_rm,
        fct_by_ptj.net_rm,
    from raw_by_ptj
    full outer join fct_by_ptj
        on raw_by_ptj.ptj_code is not distinct from fct_by_ptj.ptj_code
    where fct_by_ptj.net_rm is distinct from
        raw_by_ptj.fees_rm + raw_by_ptj.certificates_rm - raw_by_ptj.refunds_rm
)

select * from final
