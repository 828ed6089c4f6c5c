-- learner_key is never null and unique in dim_learner.
select
    learner_key,
    count(*) as count_rows,
from dim_learner
group by all
having learner_key is null or count(*) > 1
