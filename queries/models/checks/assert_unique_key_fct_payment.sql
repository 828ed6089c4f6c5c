-- receipt_id is never null and unique in fct_payment.
select
    receipt_id,
    count(*) as count_rows,
from fct_payment
group by all
having receipt_id is null or count(*) > 1
