-- run_id is never null and unique in dim_course_run.
select
    run_id,
    count(*) as count_rows,
from dim_course_run
group by all
having run_id is null or count(*) > 1
