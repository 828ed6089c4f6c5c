-- id: comments_by_step
-- title_en: Comments per step
-- title_ms: Komen setiap langkah
-- unit: count
-- grain: course_run
-- definition_en: Per step of a FutureLearn course run: comments and replies by learners, learners commenting, and the course team's replies.
-- definition_ms: Bagi setiap langkah larian kursus FutureLearn: komen dan balasan oleh pelajar, pelajar yang memberi komen, dan balasan pasukan kursus.
-- filters: year, ptj_codes, course_codes
-- sources: fct_comment, dim_course_run, dim_course
-- suppress: commenters
-- breakdowns: step
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

comments as (
    select comments.* from fct_comment as comments
    inner join runs on runs.run_id = comments.run_id
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        comments.step,
        any_value(comments.week_number) as week_number,
        any_value(comments.step_number) as step_number,
        count(*) filter (where not comments.is_by_team_member) as comments,
        count(*) filter (where not comments.is_by_team_member and comments.is_reply) as replies,
        count(distinct comments.author_key) filter (where not comments.is_by_team_member) as commenters,
        count(*) filter (where comments.is_by_team_member and comments.is_reply) as team_replies,
    from comments
    inner join runs on runs.run_id = comments.run_id
    group by all
)

select * from final
order by year, group_key, week_number, step_number
