-- A learner's pathway adds up: courses counted toward the MMS never exceed those needed, the eligible have met
-- every requirement on the day they became eligible, and badge states are in their allowed set.
with

progress as (
    select * from fct_programme_progress
),

badges as (
    select * from fct_badge
),

problems as (
    select 'fct_programme_progress' as model, learner_key as key, 'courses done above needed' as problem
    from progress
    where count_courses_done > count_courses_needed
    union all
    select 'fct_programme_progress', learner_key, 'eligible without every requirement'
    from progress
    where is_eligible
        and (count_required_done <> count_required or count_electives_done < electives_needed or eligible_on is null)
    union all
    select 'fct_badge', badge_id, 'state not allowed'
    from badges
    where state not in ('pending', 'accepted', 'rejected', 'revoked', 'issued')
)

select * from problems
