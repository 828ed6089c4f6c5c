-- One row per comment per course run (FutureLearn comments; by a team member when the author is in team-members).
-- depends_on: dim_team_member
with

comments as (
    select * from stg_futurelearn_comments
),

runs as (
    select * from dim_course_run
),

team as (
    select * from dim_team_member
),

final as (
    select
        runs.run_id,
        runs.course_code,
        runs.ptj_code,
        runs.start_year,
        comments.comment_id,
        comments.author_key,
        comments.parent_comment_id,
        comments.is_reply,
        comments.step,
        comments.week_number,
        comments.step_number,
        comments.commented_at,
        coalesce(comments.count_likes, 0) as count_likes,
        comments.text_length,
        team.member_key is not null as is_by_team_member,
        team.team_role,
        team.staff_id,
    from comments
    inner join runs on runs.platform_run_label = comments.platform_run_label
    left join team on team.run_id = runs.run_id and team.member_key = comments.author_key
)

select * from final
