-- (run_id, learner_key, step) is never null and unique in fct_step_progress.
select
    run_id,
    learner_key,
    step,
    count(*) as count_rows,
from fct_step_progress
group by all
having run_id is null or learner_key is null or step is null or count(*) > 1
