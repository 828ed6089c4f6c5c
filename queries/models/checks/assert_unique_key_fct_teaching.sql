-- (staff_id, run_id, teaching_role) is never null and unique in fct_teaching.
select
    staff_id,
    run_id,
    teaching_role,
    count(*) as count_rows,
from fct_teaching
group by all
having staff_id is null or run_id is null or teaching_role is null or count(*) > 1
