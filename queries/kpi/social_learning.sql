-- id: social_learning
-- title_en: Social learning
-- title_ms: Pembelajaran sosial
-- unit: pct
-- grain: course_run
-- definition_en: Per FutureLearn course run: learners who commented (course team aside) as a share of active learners (visited at least one step), comments and replies, and the course team's comments and replies.
-- definition_ms: Bagi setiap larian kursus FutureLearn: pelajar yang memberi komen (selain pasukan kursus) sebagai peratus pelajar aktif (melawat sekurang-kurangnya satu langkah), komen dan balasan, serta komen dan balasan pasukan kursus.
-- filters: year, ptj_codes, course_codes
-- sources: fct_comment, fct_enrolment, dim_course_run, dim_course
-- suppress: active_learners, commenters
-- derived: commenters_pct, comments_per_commenter
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

active as (
    select run_id, count(*) as active_learners from fct_enrolment
    where has_started and run_id in (select run_id from runs)
    group by all
),

by_run as (
    select
        run_id,
        count(distinct author_key) filter (where not is_by_team_member) as commenters,
        count(*) filter (where not is_by_team_member) as comments,
        count(*) filter (where not is_by_team_member and is_reply) as replies,
        count(*) filter (where is_by_team_member) as team_comments,
        count(*) filter (where is_by_team_member and is_reply) as team_replies,
        cast(sum(count_likes) as bigint) as likes,
        count(distinct step) as steps_with_comments,
    from comments
    group by all
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        coalesce(active.active_learners, 0) as active_learners,
        by_run.commenters,
        round(100.0 * by_run.commenters / nullif(active.active_learners, 0), 1) as commenters_pct,
        by_run.comments,
        by_run.replies,
        round(by_run.comments / nullif(by_run.commenters, 0), 1) as comments_per_commenter,
        by_run.team_comments,
        by_run.team_replies,
        by_run.likes,
        by_run.steps_with_comments,
    from by_run
    inner join runs on runs.run_id = by_run.run_id
    left join active on active.run_id = by_run.run_id
)

select * from final
order by year, group_key
