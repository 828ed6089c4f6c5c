-- (run_id, learner_key) is never null and unique in fct_enrolment.
select
    run_id,
    learner_key,
    count(*) as count_rows,
from fct_enrolment
group by all
having run_id is null or learner_key is null or count(*) > 1
