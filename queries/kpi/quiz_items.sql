-- id: quiz_items
-- title_en: Quiz item analysis
-- title_ms: Analisis item kuiz
-- unit: pct
-- grain: course_run
-- definition_en: Per quiz question of a FutureLearn course run: learners answering, the share whose first attempt
--   (earliest submission) was correct, attempts per learner, and the most chosen wrong option (an option label,
--   never free text). Questions answered by at least the configured number of learners are flagged too easy or
--   too hard by the configured first-attempt thresholds. Answers without a learner id count as answers only.
-- definition_ms: Bagi setiap soalan kuiz larian kursus FutureLearn: pelajar yang menjawab, peratus yang betul pada
--   cubaan pertama (hantaran terawal), cubaan bagi setiap pelajar, dan pilihan salah yang paling kerap dipilih
--   (label pilihan sahaja, bukan teks bebas). Soalan yang dijawab oleh sekurang-kurangnya bilangan pelajar yang
--   ditetapkan ditanda terlalu mudah atau terlalu sukar mengikut ambang cubaan pertama yang ditetapkan.
-- filters: year, ptj_codes, course_codes
-- sources: fct_quiz_response, dim_course_run, dim_course
-- suppress: learners, first_attempt_correct
-- derived: first_attempt_correct_pct, attempts_per_learner
-- breakdowns: quiz_question
with

runs as (
    select runs.run_id, runs.start_year, runs.starts_on, runs.course_code, runs.ptj_code,
        coalesce(courses.course_title, runs.course_code) || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')' as group_label,
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
    where ($year is null or runs.start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, runs.ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, runs.course_code))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, runs.ptj_code))
),

answers as (
    select answers.* from fct_quiz_response as answers
    inner join runs on runs.run_id = answers.run_id
),

questions as (
    select
        run_id,
        quiz_question,
        any_value(week_number) as week_number,
        any_value(step_number) as step_number,
        any_value(question_number) as question_number,
        count(*) as answers,
        count(distinct learner_key) as learners,
        count(*) filter (where is_first_attempt and is_correct) as first_attempt_correct,
        count(*) filter (where learner_key is not null) as learner_answers,
    from answers
    group by all
),

-- Wrong answers per option, only where the response is an option label (multiple choice: 1 or 1,3).
wrong as (
    select run_id, quiz_question, response, count(distinct learner_key) as learners_chose
    from answers
    where not is_correct
        and learner_key is not null
        and question_type is distinct from 'FreeText'
        -- option labels only (1 or 1,3): digits and single commas between them (no anchors: the same SQL on Spark)
        and length(response) > 0
        and not regexp_matches(response, '[^0-9,]')
        and response not like ',%' and response not like '%,' and response not like '%,,%'
    group by all
),

-- The most chosen wrong response per question (ties: the first label); a window, not an ordered aggregate, so the
-- same SQL runs on Spark.
ranked_wrong as (
    select
        run_id,
        quiz_question,
        response,
        row_number() over (partition by run_id, quiz_question order by learners_chose desc, response) as rank_chosen
    from wrong
),

most_wrong as (
    select
        run_id,
        quiz_question,
        response as most_chosen_wrong_response
    from ranked_wrong
    where rank_chosen = 1
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        questions.quiz_question,
        questions.week_number,
        questions.step_number,
        questions.question_number,
        questions.answers,
        questions.learners,
        questions.first_attempt_correct,
        round(100.0 * questions.first_attempt_correct / nullif(questions.learners, 0), 2) as first_attempt_correct_pct,
        round(questions.learner_answers / nullif(questions.learners, 0), 2) as attempts_per_learner,
        most_wrong.most_chosen_wrong_response,
        case
            when questions.learners < $quiz_min_learners then null
            when 100.0 * questions.first_attempt_correct / questions.learners <= $quiz_too_hard_pct then 'too_hard'
            when 100.0 * questions.first_attempt_correct / questions.learners >= $quiz_too_easy_pct then 'too_easy'
        end as difficulty_flag,
        -- 1 = hardest question of the run among those answered by enough learners (exact rate, then question).
        case when questions.learners >= $quiz_min_learners then
            row_number() over (
                partition by runs.run_id, questions.learners >= $quiz_min_learners
                order by questions.first_attempt_correct::double / questions.learners, questions.quiz_question
            )
        end as hardest_rank,
    from questions
    inner join runs on runs.run_id = questions.run_id
    left join most_wrong on most_wrong.run_id = questions.run_id and most_wrong.quiz_question = questions.quiz_question
)

select * from final
order by year, group_key, week_number, step_number, question_number
