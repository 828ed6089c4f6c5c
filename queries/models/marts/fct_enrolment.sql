-- One row per learner per course run (role = learner only; FutureLearn organisation_admin rows stay in staging).
with

futurelearn_enrolments as (
    select * from stg_futurelearn_enrolments
),

enrolments as (
    select * from stg_enrolments
),

step_activity as (
    select * from stg_futurelearn_step_activity
),

results as (
    select * from stg_results
),

runs as (
    select * from dim_course_run
),

-- FutureLearn exports name the run by its label; resolve it to our run_id.
futurelearn_learners as (
    select
        runs.run_id,
        futurelearn_enrolments.learner_key,
        'futurelearn' as source,
        futurelearn_enrolments.enrolled_at,
        futurelearn_enrolments.unenrolled_at,
        false as is_internal,
        -- The learner's own answer first, else the country detected from the IP address.
        coalesce(
            futurelearn_enrolments.country_code,
            futurelearn_enrolments.detected_country_code
        ) as country_code,
        futurelearn_enrolments.age_band,
        futurelearn_enrolments.employment_status,
        futurelearn_enrolments.gender,
        futurelearn_enrolments.fully_participated_at,
        futurelearn_enrolments.purchased_statement_at,
    from futurelearn_enrolments
    inner join runs
        on futurelearn_enrolments.platform_run_label = runs.platform_run_label
    where futurelearn_enrolments.role = 'learner'
),

platform_learners as (
    select
        run_id,
        learner_key,
        'enrolments' as source,
        enrolled_at,
        unenrolled_at,
        is_internal,
        country_code,
        age_band,
        employment_status,
        gender,
        cast(null as timestamp) as fully_participated_at,
        cast(null as timestamp) as purchased_statement_at,
    from enrolments
),

all_enrolments as (
    select * from futurelearn_learners
    union all by name
    select * from platform_learners
),

-- Step activity aggregated once, per learner and run label (the label is mapped to run_id afterwards,
-- on the much smaller result).
learner_steps_by_label as (
    select
        platform_run_label,
        learner_key,
        count(*) filter (where first_visited_at is not null) as count_steps_visited,
        count(*) filter (where last_completed_at is not null) as count_steps_completed,
    from step_activity
    group by platform_run_label, learner_key
),

learner_steps as (
    select
        runs.run_id,
        learner_steps_by_label.learner_key,
        learner_steps_by_label.count_steps_visited,
        learner_steps_by_label.count_steps_completed,
    from learner_steps_by_label
    inner join runs
        on learner_steps_by_label.platform_run_label = runs.platform_run_label
),

-- Results: one row per certificate, so aggregate to the learner and run before joining (no fan-out).
learner_results as (
    select
        run_id,
        learner_key,
        max(
            case outcome
                when 'passed' then 4
                when 'completed' then 3
                when 'failed' then 2
                when 'withdrawn' then 1
            end
        ) as best_outcome_rank,
        bool_or(certificate_type is not null) as has_certificate,
        min(issued_at) filter (where outcome in ('completed', 'passed')) as first_completion_issued_at,
    from results
    group by run_id, learner_key
),

joined as (
    select
        all_enrolments.*,
        runs.course_code,
        runs.ptj_code,
        runs.mqa_category,
        runs.mc_type,
        runs.delivery_mode,
        runs.design_option,
        runs.platform,
        runs.start_year,
        runs.term,
        runs.count_steps as run_count_steps,
        -- No step data for the run: the step measures stay null; step data but none for this learner: 0.
        case
            when runs.count_steps is not null then coalesce(learner_steps.count_steps_visited, 0)
        end as count_steps_visited,
        case
            when runs.count_steps is not null then coalesce(learner_steps.count_steps_completed, 0)
        end as count_steps_completed,
        case learner_results.best_outcome_rank
            when 4 then 'passed'
            when 3 then 'completed'
            when 2 then 'failed'
            when 1 then 'withdrawn'
        end as outcome,
        coalesce(learner_results.has_certificate, false) as has_certificate,
        learner_results.first_completion_issued_at,
    from all_enrolments
    inner join runs
        on all_enrolments.run_id = runs.run_id
    left join learner_steps
        on all_enrolments.run_id = learner_steps.run_id
        and all_enrolments.learner_key = learner_steps.learner_key
    left join learner_results
        on all_enrolments.run_id = learner_results.run_id
        and all_enrolments.learner_key = learner_results.learner_key
),

final as (
    select
        run_id,
        course_code,
        ptj_code,
        mqa_category,
        mc_type,
        delivery_mode,
        design_option,
        platform,
        start_year,
        term,
        learner_key,
        -- The key is 16 hex digits (etl/pseudonym.py), so this is a bijection onto UBIGINT: distinct counts and
        -- groupings by learner over a fixed-width integer instead of a varchar (issue 16).
        ('0x' || learner_key)::ubigint as learner_number,
        source,
        enrolled_at,
        cast(enrolled_at as date) as enrolled_on,
        year(enrolled_at)::integer as enrol_year,
        unenrolled_at,
        unenrolled_at is not null or coalesce(outcome = 'withdrawn', false) as is_withdrawn,
        is_internal,
        country_code = 'MY' as is_malaysian,
        country_code,
        age_band,
        employment_status,
        gender,
        count_steps_visited::integer as count_steps_visited,
        count_steps_completed::integer as count_steps_completed,
        run_count_steps,
        round(100.0 * count_steps_completed / run_count_steps, 1) as step_completion_pct,
        -- FutureLearn's fully participated means more than half the steps marked complete and every test: its
        -- own record counts as started and as the 50% stage, even where the step-activity export holds fewer
        -- completed steps for the learner (it does, for 5 learners of the public cyber-security runs 6 and 7),
        -- so the funnel stages stay nested (check assert_fct_enrolment_stages_nested).
        case
            when run_count_steps is not null then count_steps_visited >= 1 or fully_participated_at is not null
        end as has_started,
        case
            when run_count_steps is not null
                then count_steps_completed * 2 >= run_count_steps or fully_participated_at is not null
        end as has_completed_50pct,
        count_steps_completed * 10 >= 9 * run_count_steps as has_completed_90pct,
        fully_participated_at,
        fully_participated_at is not null as is_fully_participated,
        purchased_statement_at,
        purchased_statement_at is not null as has_purchased_certificate,
        outcome,
        coalesce(outcome in ('completed', 'passed'), false) or fully_participated_at is not null as is_completed,
        coalesce(outcome = 'passed', false) as is_passed,
        case
            when coalesce(outcome in ('completed', 'passed'), false) or fully_participated_at is not null
                then least(fully_participated_at, first_completion_issued_at)
        end as completed_at,
        has_certificate or purchased_statement_at is not null as is_certified,
    from joined
)

select * from final
