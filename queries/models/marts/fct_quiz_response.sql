-- One row per quiz answer per course run (FutureLearn question-response; attempts numbered per learner and question).
with

answers as (
    select * from stg_futurelearn_question_response
),

runs as (
    select * from dim_course_run
),

numbered as (
    select
        answers.*,
        -- Earliest submitted_at first; equal times in file order (the export's order).
        case when answers.learner_key is not null then
            row_number() over (
                partition by answers.platform_run_label, answers.learner_key, answers.quiz_question
                order by answers.submitted_at, answers._file_id, answers._line
            )
        end as attempt_number,
    from answers
),

final as (
    select
        runs.run_id,
        runs.course_code,
        runs.ptj_code,
        runs.start_year,
        numbered.learner_key,
        numbered.quiz_question,
        numbered.week_number,
        numbered.step_number,
        numbered.question_number,
        numbered.question_type,
        numbered.response,
        numbered.submitted_at,
        numbered.is_correct,
        numbered.attempt_number,
        numbered.attempt_number = 1 as is_first_attempt,
    from numbered
    inner join runs on runs.platform_run_label = numbered.platform_run_label
)

select * from final
