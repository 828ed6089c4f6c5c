-- (learner_key, programme_code) is never null and unique in fct_programme_progress.
select
    learner_key,
    programme_code,
    count(*) as count_rows,
from fct_programme_progress
group by all
having learner_key is null or programme_code is null or count(*) > 1
