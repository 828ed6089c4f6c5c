-- One row per learner per run start year: the whole university's distinct learners of each year.
-- depends_on: fct_enrolment
-- learners and learner_mix count distinct learners among every enrolment: at 10M enrolments that distinct count
-- was 0.3 s for a year and 1.2 s over every year, the ministry page's slowest figures. With no filter but the
-- year (the university's default view) they count this mart's rows instead, built once at publish; any other
-- selection still counts from fct_enrolment (issue 16).
with

enrolments as (
    select * from fct_enrolment
),

final as (
    select
        start_year,
        learner_number,
        count(*) as count_enrolments,
        -- As learner_mix decides it: internal when any enrolment says so, Malaysian when any known country is
        -- Malaysia, null when no country is known.
        bool_or(is_internal) as is_internal,
        bool_or(is_malaysian) as is_malaysian,
    from enrolments
    group by start_year, learner_number
)

select
    start_year,
    learner_number,
    count_enrolments,
    is_internal,
    is_malaysian,
from final
order by start_year, learner_number
