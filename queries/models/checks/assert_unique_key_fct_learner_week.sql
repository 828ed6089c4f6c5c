-- (run_id, learner_key, week_number) is never null and unique in fct_learner_week.
select
    run_id,
    learner_key,
    week_number,
    count(*) as count_rows,
from fct_learner_week
group by all
having run_id is null or learner_key is null or week_number is null or count(*) > 1
