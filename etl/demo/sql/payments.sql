create table payments as
with all_payments as (
    select run_idx, e, learner_id, 1 as kind_order, 'mc_fee' as payment_kind, fee as amount_rm,
        fee_paid_s as paid_s,
    from enrol
    where fee_paid_s is not null
    union all
    select run_idx, e, learner_id, 2, 'certificate', cert_price, purchase_s,
    from enrol
    where purchase_s is not null
    union all
    select run_idx, e, learner_id, 3, 'refund', refund_rm, refund_s,
    from enrol
    where refund_s is not null
)

select *, year(ts(paid_s)) as year,
from all_payments
