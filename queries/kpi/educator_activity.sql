-- id: educator_activity
-- title_en: Educators' platform activity
-- title_ms: Aktiviti platform pendidik
-- unit: count
-- grain: course_run
-- definition_en: Per FutureLearn course run and member of the course team (team-members): comments and replies posted, linked to the member of HR staff where the name matched (for lecturer workload).
-- definition_ms: Bagi setiap larian kursus FutureLearn dan ahli pasukan kursus (team-members): komen dan balasan yang disiarkan, dikaitkan dengan kakitangan HR jika nama sepadan (untuk beban tugas pensyarah).
-- filters: year, ptj_codes, course_codes
-- sources: dim_team_member, fct_comment, dim_staff, dim_course_run, dim_course
-- suppress: 
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

members as (
    select members.* from dim_team_member as members
    inner join runs on runs.run_id = members.run_id
),

activity as (
    select run_id, author_key, count(*) as comments, count(*) filter (where is_reply) as replies
    from fct_comment
    where is_by_team_member
    group by all
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        members.team_role,
        members.staff_id,
        coalesce(staff.staff_name, '(not matched to HR staff)') as staff_name,
        coalesce(activity.comments, 0) as comments,
        coalesce(activity.replies, 0) as replies,
    from members
    inner join runs on runs.run_id = members.run_id
    left join activity on activity.run_id = members.run_id and activity.author_key = members.member_key
    left join dim_staff as staff on staff.staff_id = members.staff_id
)

select * from final
order by year, group_key, replies desc, staff_name
