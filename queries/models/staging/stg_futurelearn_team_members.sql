-- One row per course team member in a FutureLearn team-members export (no names).
with

source as (
    select * from raw_futurelearn_team_members
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(learner_key as varchar) as member_key,
        cast(team_role as varchar) as team_role,
        cast(user_role as varchar) as user_role,
        cast(staff_id as varchar) as staff_id,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
