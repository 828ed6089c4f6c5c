-- The completion funnel's stages are nested for every enrolment: started >= 50% of steps >= 90% of steps, fully
-- participated (FutureLearn: more than half the steps and every test) inside the 50% stage, and every completion
-- of a run with step data by a learner who started.
select
    run_id,
    learner_key,
    has_started,
    has_completed_50pct,
    has_completed_90pct,
    is_fully_participated,
    is_completed,
from fct_enrolment
where (run_count_steps is not null and is_fully_participated and not has_completed_50pct)
    or (has_completed_90pct and not has_completed_50pct)
    or (has_completed_50pct and not has_started)
    or (run_count_steps is not null and is_fully_participated and not has_started)
