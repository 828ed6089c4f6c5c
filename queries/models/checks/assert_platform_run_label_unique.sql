-- A platform_run_label names at most one course run (else FutureLearn rows would fan out over runs).
select
    platform_run_label,
    count(*) as count_runs,
    string_agg(run_id, ', ' order by run_id) as run_ids,
from dim_course_run
where platform_run_label is not null
group by platform_run_label
having count(*) > 1
