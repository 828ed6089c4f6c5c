-- id: orphaned_courses
-- title_en: Courses whose owner has left
-- title_ms: Kursus yang pemiliknya telah berhenti
-- unit: count
-- grain: course
-- definition_en: Courses with a run running today or starting later whose owner (the academic responsible) has
--   left the university, so the PTj must name another academic to keep offering them. The next run is the first
--   that starts on or after the data's as-of date (empty when only a run already under way is left).
-- definition_ms: Kursus dengan larian yang sedang berjalan hari ini atau akan bermula kemudian yang pemiliknya
--   (ahli akademik yang bertanggungjawab) telah meninggalkan universiti; PTj perlu menamakan ahli akademik lain.
--   Sesi seterusnya ialah sesi pertama yang bermula pada atau selepas tarikh data (kosong jika hanya sesi yang
--   sedang berjalan tinggal).
-- filters: ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course, dim_course_run, dim_staff, dim_ptj
-- suppress:
with

courses as (
    select * from dim_course
    where owner_has_left
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

live_runs as (
    select
        course_code,
        count(*) as runs_running_or_upcoming,
        -- The next run is one that starts on or after the as-of date; a run already under way is not "next".
        arg_min(run_id, starts_on) filter (where starts_on >= $as_of) as next_run_id,
        min(starts_on) filter (where starts_on >= $as_of) as next_run_starts_on,
    from dim_course_run
    where starts_on >= $as_of or (starts_on <= $as_of and ends_on >= $as_of)
    group by course_code
),

final as (
    select
        courses.course_code as group_key,
        courses.course_title as group_label,
        courses.course_code,
        courses.course_title,
        courses.ptj_code,
        dim_ptj.ptj_name_en,
        courses.owner_staff_id,
        owners.staff_name as owner_name,
        courses.owner_left_on,
        live_runs.next_run_id,
        live_runs.next_run_starts_on,
        live_runs.runs_running_or_upcoming,
    from courses
    inner join live_runs on live_runs.course_code = courses.course_code
    left join dim_staff as owners on owners.staff_id = courses.owner_staff_id
    left join dim_ptj on dim_ptj.ptj_code = courses.ptj_code
)

select * from final
order by next_run_starts_on nulls first, course_code  -- a course with only a run under way first
