copy (
select
    printf('R%d-%06d', $year, row_number() over (order by p.paid_s, p.kind_order, p.e)) as receipt_id,
    p.learner_id,
    r.run_id,
    p.payment_kind,
    p.amount_rm::decimal(12, 2) as amount_rm,
    strftime(ts(p.paid_s), '%Y-%m-%d %H:%M:%S') as paid_at,
    r.ptj_code,
from payments as p
join runs as r using (run_idx)
where p.year = $year
order by p.paid_s, p.kind_order, p.e
) to $path (format csv, header, delimiter ',')
