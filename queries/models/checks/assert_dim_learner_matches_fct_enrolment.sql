-- dim_learner has one row per learner_key of fct_enrolment, and its count_enrolments equals that learner's fct_enrolment rows.
with

learners as (
    select * from dim_learner
),

enrolments as (
    select * from fct_enrolment
),

enrolments_per_learner as (
    select
        learner_key,
        count(*) as count_enrolments,
        min(enrolled_at) as first_enrolled_at,
    from enrolments
    group by learner_key
),

final as (
    select
        coalesce(learners.learner_key, enrolments_per_learner.learner_key) as learner_key,
        learners.count_enrolments as dim_count_enrolments,
        enrolments_per_learner.count_enrolments as fct_count_enrolments,
    from learners
    full outer join enrolments_per_learner
        on learners.learner_key = enrolments_per_learner.learner_key
    where learners.count_enrolments is distinct from enrolments_per_learner.count_enrolments
        or learners.first_enrolled_at is distinct from enrolments_per_learner.first_enrolled_at
)

select * from final
