-- ptj_code is never null and unique in dim_ptj.
select
    ptj_code,
    count(*) as count_rows,
from dim_ptj
group by all
having ptj_code is null or count(*) > 1
