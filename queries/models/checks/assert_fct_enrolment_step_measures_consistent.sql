-- fct_enrolment step measures are null exactly when the run has no step data, and the step flags agree with the counts.
select
    run_id,
    learner_key,
    count_steps_visited,
    count_steps_completed,
    run_count_steps,
    has_started,
    has_completed_50pct,
    has_completed_90pct,
    fully_participated_at,
from fct_enrolment
where (run_count_steps is null) <> (count_steps_visited is null)
    or (run_count_steps is null) <> (count_steps_completed is null)
    or (run_count_steps is null) <> (has_started is null)
    or (run_count_steps is null) <> (has_completed_50pct is null)
    or (run_count_steps is null) <> (has_completed_90pct is null)
    or count_steps_completed > count_steps_visited
    or count_steps_visited > run_count_steps
    or has_started <> (count_steps_visited >= 1 or fully_participated_at is not null)
    or (has_completed_90pct and not has_completed_50pct)
    or (has_completed_50pct and not has_started)
