-- One row per quiz answer in a FutureLearn question-response export (learner_key null: FutureLearn gave no learner id).
with

source as (
    select * from raw_futurelearn_question_response
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(learner_key as varchar) as learner_key,
        cast(quiz_question as varchar) as quiz_question,
        cast(question_type as varchar) as question_type,
        cast(week_number as integer) as week_number,
        cast(step_number as integer) as step_number,
        cast(question_number as integer) as question_number,
        cast(response as varchar) as response,
        cast(submitted_at as timestamp) as submitted_at,
        correct = 'true' as is_correct,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
