-- One row per digital badge issued (Credly-style CSV and Open Badges assertions together).
with

credly as (
    select * from stg_badges
),

open_badges as (
    select * from stg_open_badges
),

courses as (
    select * from dim_course
),

badges as (
    select
        'credly' as badge_source,
        badge_id,
        badge_name,
        course_code,
        learner_key,
        issued_at,
        accepted_at,
        state,
        true as is_state_tracked,
        shares,
        views,
    from credly
    union all
    select
        'open_badges' as badge_source,
        assertion_id as badge_id,
        badge_name,
        course_code,
        learner_key,
        issued_at,
        null::timestamp as accepted_at,
        case when is_revoked then 'revoked' else 'issued' end as state,
        false as is_state_tracked,
        null::bigint as shares,
        null::bigint as views,
    from open_badges
),

final as (
    select
        badges.badge_source,
        badges.badge_id,
        badges.badge_name,
        badges.course_code,
        courses.ptj_code,
        courses.mqa_category,
        courses.mc_type,
        courses.delivery_mode,
        courses.platform,
        badges.learner_key,
        badges.issued_at,
        cast(badges.issued_at as date) as issued_on,
        year(badges.issued_at)::integer as issue_year,
        badges.state,
        badges.is_state_tracked,
        badges.accepted_at,
        badges.state = 'accepted' as is_accepted,
        badges.state = 'revoked' as is_revoked,
        badges.shares,
        badges.views,
        coalesce(badges.shares, 0) > 0 as is_shared,
    from badges
    left join courses on badges.course_code = courses.course_code
)

select * from final
