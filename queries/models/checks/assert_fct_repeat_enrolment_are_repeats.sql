-- Every learner in fct_repeat_enrolment has at least two runs in that term, and every such learner is there.
with

expected as (
    select term, learner_key, count(*) as count_runs,
    from fct_enrolment
    group by all
    having count(*) > 1
),

found as (
    select term, learner_key, count(*) as count_runs,
    from fct_repeat_enrolment
    group by all
)

select
    coalesce(expected.term, found.term) as term,
    coalesce(expected.learner_key, found.learner_key) as learner_key,
    expected.count_runs as expected_runs,
    found.count_runs as found_runs,
from expected
full outer join found
    on expected.term = found.term and expected.learner_key = found.learner_key
where expected.count_runs is distinct from found.count_runs
