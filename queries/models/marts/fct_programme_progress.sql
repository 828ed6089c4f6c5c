-- One row per learner per MC programme the learner enrolled in (any of its courses) or completed a course of.
-- depends_on: dim_mc_programme, dim_programme_course, fct_programme_course_completion, fct_certificate, fct_enrolment
with

programmes as (
    select * from dim_mc_programme
),

programme_courses as (
    select * from dim_programme_course
),

completions as (
    select * from fct_programme_course_completion
),

enrolments as (
    select * from fct_enrolment
),

certificates as (
    select * from fct_certificate
),

enrolled as (
    select
        enrolments.learner_key,
        programme_courses.programme_code,
        min(enrolments.enrolled_on) as first_enrolled_on,
    from enrolments
    inner join programme_courses on enrolments.course_code = programme_courses.course_code
    where enrolments.learner_key is not null
    group by all
),

done as (
    select
        learner_key,
        programme_code,
        count(*) filter (where is_required) as count_required_done,
        count(*) filter (where not is_required) as count_electives_done,
        count(*) filter (where counts_toward_mms) as count_courses_done,
        min(completed_on) as first_completed_on,
        max(completed_on) filter (where counts_toward_mms) as last_needed_completed_on,
    from completions
    group by all
),

-- An MMS is recorded in results on a run of one of the programme's courses.
mms as (
    select
        certificates.learner_key,
        programme_courses.programme_code,
        min(certificates.issued_on) as mms_issued_on,
    from certificates
    inner join programme_courses on certificates.course_code = programme_courses.course_code
    where certificates.certificate_type = 'MMS' and certificates.learner_key is not null
    group by all
),

learners as (
    select learner_key, programme_code from enrolled
    union
    select learner_key, programme_code from done
    union
    select learner_key, programme_code from mms
),

final as (
    select
        learners.learner_key,
        learners.programme_code,
        programmes.ptj_code,
        programmes.mqa_category,
        programmes.accredited_programme,
        programmes.count_required,
        programmes.electives_needed,
        programmes.count_courses_needed,
        coalesce(done.count_required_done, 0) as count_required_done,
        coalesce(done.count_electives_done, 0) as count_electives_done,
        coalesce(done.count_courses_done, 0) as count_courses_done,
        enrolled.first_enrolled_on,
        coalesce(year(enrolled.first_enrolled_on), year(done.first_completed_on), year(mms.mms_issued_on))::integer
            as start_year,
        done.first_completed_on,
        year(done.first_completed_on)::integer as first_completion_year,
        coalesce(done.count_required_done, 0) = programmes.count_required
            and coalesce(done.count_electives_done, 0) >= programmes.electives_needed
            and programmes.count_courses_needed > 0 as is_eligible,
        case
            when coalesce(done.count_required_done, 0) = programmes.count_required
                and coalesce(done.count_electives_done, 0) >= programmes.electives_needed
                and programmes.count_courses_needed > 0
                then done.last_needed_completed_on
        end as eligible_on,
        mms.mms_issued_on,
        mms.mms_issued_on is not null as has_mms,
    from learners
    inner join programmes on learners.programme_code = programmes.programme_code
    left join enrolled
        on learners.learner_key = enrolled.learner_key and learners.programme_code = enrolled.programme_code
    left join done on learners.learner_key = done.learner_key and learners.programme_code = done.programme_code
    left join mms on learners.learner_key = mms.learner_key and learners.programme_code = mms.programme_code
)

select
    *,
    year(eligible_on)::integer as eligible_year,
from final
