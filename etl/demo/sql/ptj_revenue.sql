select r.ptj_code, p.year, sum(case when p.payment_kind = 'refund' then -p.amount_rm else p.amount_rm end) as rm,
from payments as p
join runs as r using (run_idx)
group by all
order by all
