-- One row per learner per course run, for learners enrolled in more than one run starting in the same term.
-- depends_on: fct_enrolment
-- Distinct learners over several runs (lecturer workload: learners taught per member of staff and term) are the
-- runs' learner counts less the repeats; this keeps the few learners who can repeat, so the KPI need not count
-- distinct keys over every enrolment of every run a lecturer taught.
with

enrolments as (
    select * from fct_enrolment
),

repeaters as (
    select
        term,
        learner_key,
    from enrolments
    group by term, learner_key
    having count(*) > 1
),

final as (
    select
        enrolments.term,
        enrolments.run_id,
        enrolments.learner_key,
    from enrolments
    semi join repeaters
        on enrolments.term = repeaters.term
        and enrolments.learner_key = repeaters.learner_key
)

select * from final
