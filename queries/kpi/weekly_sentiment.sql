-- id: weekly_sentiment
-- title_en: Weekly sentiment
-- title_ms: Sentimen mingguan
-- unit: pct
-- grain: course_run
-- definition_en: Per week of a FutureLearn course run: weekly-sentiment survey responses by experience rating (1 bad, 2 neutral, 3 good), the mean rating and the share rating it good. Responses are not linked to learners.
-- definition_ms: Bagi setiap minggu larian kursus FutureLearn: jawapan tinjauan sentimen mingguan mengikut penilaian pengalaman (1 buruk, 2 neutral, 3 baik), purata penilaian dan peratus yang menilai baik. Jawapan tidak dikaitkan dengan pelajar.
-- filters: year, ptj_codes, course_codes
-- sources: fct_sentiment_response, dim_course_run, dim_course
-- suppress: responses, rated_bad, rated_neutral, rated_good
-- derived: mean_rating, good_pct
-- breakdowns: week_number
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

responses as (
    select responses.* from fct_sentiment_response as responses
    inner join runs on runs.run_id = responses.run_id
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        responses.week_number,
        count(*) as responses,
        count(*) filter (where responses.experience_rating = 1) as rated_bad,
        count(*) filter (where responses.experience_rating = 2) as rated_neutral,
        count(*) filter (where responses.experience_rating = 3) as rated_good,
        round(avg(responses.experience_rating), 2) as mean_rating,
        round(100.0 * count(*) filter (where responses.experience_rating = 3) / count(*), 1) as good_pct,
    from responses
    inner join runs on runs.run_id = responses.run_id
    group by all
)

select * from final
order by year, group_key, week_number
