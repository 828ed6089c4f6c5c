-- id: badges
-- title_en: Digital badges
-- title_ms: Lencana digital
-- unit: count
-- grain: university, ptj, course, programme
-- definition_en: Digital badges issued in the year (Credly-style export and Open Badges assertions), those with a
--   known acceptance state (the Credly-style export; Open Badges carry none), accepted, shared at least once,
--   revoked, and their views. Acceptance rate = accepted over badges with a known state; share rate = shared over
--   accepted. A revoked badge counts as issued and revoked, never as accepted. By programme: a badge counts in every
--   programme that stacks its course.
-- definition_ms: Lencana digital dikeluarkan pada tahun itu (eksport gaya Credly dan penegasan Open Badges), yang
--   status penerimaannya diketahui (eksport gaya Credly; Open Badges tiada), diterima, dikongsi sekurang-kurangnya
--   sekali, dibatalkan, dan tontonannya. Kadar penerimaan = diterima dibahagi lencana berstatus diketahui; kadar
--   perkongsian = dikongsi dibahagi diterima. Lencana dibatalkan dikira dikeluarkan dan dibatalkan, bukan diterima.
--   Mengikut program: lencana dikira dalam setiap program yang menindan kursusnya.
-- filters: year, ptj_codes, course_codes, mqa_categories, platforms, mc_types
-- sources: fct_badge, dim_programme_course, dim_mc_programme, dim_ptj, dim_course
-- suppress: issued, tracked, accepted, shared, revoked
-- derived: acceptance_rate_pct, share_rate_pct
-- rates: acceptance_rate_pct = 100 * accepted / tracked, share_rate_pct = 100 * shared / accepted
with

badges as (
    select * from fct_badge
    where ($year is null or issue_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

programme_courses as (
    select * from dim_programme_course
),

-- One row per badge, or per badge per programme stacking its course when broken down by programme.
grouped as (
    select badges.*, 'ALL' as programme_code from badges where $by <> 'programme'
    union all
    select badges.*, programme_courses.programme_code
    from badges
    inner join programme_courses on badges.course_code = programme_courses.course_code
    where $by = 'programme'
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'course', course_code, course_title from dim_course
    union all
    select 'programme', programme_code, programme_title_en from dim_mc_programme
),

counts as (
    select
        issue_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code when 'programme' then programme_code
            else 'ALL' end as group_key,
        count(*) as issued,
        count(*) filter (where is_state_tracked) as tracked,
        count(*) filter (where is_accepted) as accepted,
        count(*) filter (where is_shared) as shared,
        count(*) filter (where is_revoked) as revoked,
        coalesce(sum(views), 0)::bigint as views,
    from grouped
    group by all
),

final as (
    select
        counts.year,
        counts.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else counts.group_key end)
            as group_label,
        counts.issued,
        counts.tracked,
        counts.accepted,
        round(100.0 * counts.accepted / nullif(counts.tracked, 0), 2) as acceptance_rate_pct,
        counts.shared,
        round(100.0 * counts.shared / nullif(counts.accepted, 0), 2) as share_rate_pct,
        counts.revoked,
        counts.views,
    from counts
    left join labels on labels.by_kind = $by and labels.group_key = counts.group_key
)

select * from final
order by year, group_key
