-- staff_id is never null and unique in dim_staff.
select
    staff_id,
    count(*) as count_rows,
from dim_staff
group by all
having staff_id is null or count(*) > 1
