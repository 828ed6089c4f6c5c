-- One row per course team member (educator, mentor, host ...) per course run (FutureLearn team-members; no names).
with

members as (
    select * from stg_futurelearn_team_members
),

runs as (
    select * from dim_course_run
),

final as (
    select
        runs.run_id,
        runs.course_code,
        runs.ptj_code,
        members.member_key,
        members.team_role,
        members.user_role,
        members.staff_id,
    from members
    inner join runs on runs.platform_run_label = members.platform_run_label
)

select * from final
