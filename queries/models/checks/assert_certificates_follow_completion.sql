-- Certificates the university issues follow completion: a Certificate of Completion, a Certificate of Achievement
-- or a badge only for a completed (or passed) enrolment of that learner in that run, an MMS only for a learner
-- who passed. (FutureLearn statements bought are not here: FutureLearn sells them before completion too.)
with

certificates as (
    select * from fct_certificate
),

enrolments as (
    select * from fct_enrolment
),

final as (
    select
        certificates.run_id,
        certificates.learner_key,
        certificates.certificate_type,
        certificates.outcome,
        enrolments.is_completed,
    from certificates
    left join enrolments
        on certificates.run_id = enrolments.run_id
        and certificates.learner_key = enrolments.learner_key
    where certificates.outcome not in ('completed', 'passed')
        or (certificates.certificate_type = 'MMS' and certificates.outcome <> 'passed')
        -- A results row whose enrolment is not in the warehouse (another export's learner) is the references
        -- check's business, not this one's.
        or (certificates.certificate_type <> 'MMS' and enrolments.is_completed = false)
)

select * from final
