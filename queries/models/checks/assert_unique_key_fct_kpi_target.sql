-- (year, kpi_id, scope, ptj_code) is unique in fct_kpi_target; year, kpi_id and scope are never null, and a PTj target has a ptj_code.
select
    year,
    kpi_id,
    scope,
    ptj_code,
    count(*) as count_rows,
from fct_kpi_target
group by all
having year is null
    or kpi_id is null
    or scope is null
    or (scope = 'ptj' and ptj_code is null)
    or count(*) > 1
