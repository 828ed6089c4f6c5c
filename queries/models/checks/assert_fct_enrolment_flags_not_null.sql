-- Every fct_enrolment row has its run attributes, enrolled_at and all its yes/no flags (only the step flags may be null).
select
    run_id,
    learner_key,
from fct_enrolment
where course_code is null
    or ptj_code is null
    or start_year is null
    or term is null
    or source is null
    or enrolled_at is null
    or is_withdrawn is null
    or is_internal is null
    or is_fully_participated is null
    or has_purchased_certificate is null
    or is_completed is null
    or is_passed is null
    or is_certified is null
