-- One row per weekly-sentiment response per course run (FutureLearn; not linked to a learner).
with

responses as (
    select * from stg_futurelearn_sentiment_survey
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
        responses.response_id,
        responses.responded_at,
        responses.week_number,
        responses.experience_rating,
        responses.has_reason,
    from responses
    inner join runs on runs.platform_run_label = responses.platform_run_label
)

select * from final
