-- One row per credit transfer or APEL C application.
-- depends_on: dim_mc_programme, dim_course
with

applications as (
    select * from stg_credit_applications
),

programmes as (
    select * from dim_mc_programme
),

courses as (
    select * from dim_course
),

final as (
    select
        applications.application_id,
        applications.application_kind,
        applications.learner_key,
        applications.course_code,
        applications.programme_code,
        coalesce(programmes.ptj_code, courses.ptj_code) as ptj_code,
        coalesce(programmes.mqa_category, courses.mqa_category) as mqa_category,
        applications.applied_on,
        year(applications.applied_on)::integer as apply_year,
        applications.decided_on,
        year(applications.decided_on)::integer as decision_year,
        applications.outcome,
        applications.outcome in ('approved', 'rejected') as is_decided,
        applications.outcome = 'approved' as is_approved,
        coalesce(applications.credits_granted, 0) as credits_granted,
        case when applications.outcome in ('approved', 'rejected')
            then datediff('day', applications.applied_on, applications.decided_on) end as days_to_decision,
    from applications
    left join programmes on applications.programme_code = programmes.programme_code
    left join courses on applications.course_code = courses.course_code
)

select * from final
