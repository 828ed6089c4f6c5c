-- One row per archetype-survey response per course run (FutureLearn).
with

responses as (
    select * from stg_futurelearn_archetype_survey
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
        responses.learner_key,
        responses.responded_at,
        responses.archetype,
    from responses
    inner join runs on runs.platform_run_label = responses.platform_run_label
)

select * from final
