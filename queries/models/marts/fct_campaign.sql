-- One row per campaign line per course run (FutureLearn campaigns: where enrolments came from).
with

responses as (
    select * from stg_futurelearn_campaigns
),

runs as (
    select * from dim_course_run
),

final as (
    select
        runs.run_id,
        runs.course_code,
        runs.ptj_code,
        runs.start_year,
        responses.utm_source,
        responses.utm_campaign,
        responses.utm_medium,
        responses.referrer_domain,
        responses.count_enrolments,
        responses.count_active_learners,
    from responses
    inner join runs on runs.platform_run_label = responses.platform_run_label
)

select * from final
