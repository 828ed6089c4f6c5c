-- fct_payment.amount_rm is positive and signed_amount_rm is -amount_rm for refunds, +amount_rm otherwise.
select
    receipt_id,
    payment_kind,
    amount_rm,
    signed_amount_rm,
from fct_payment
where amount_rm is null
    or amount_rm <= 0
    or signed_amount_rm is distinct from
        case when payment_kind = 'refund' then -amount_rm else amount_rm end
