-- id: video_viewing
-- title_en: Video viewing
-- title_ms: Tontonan video
-- unit: pct
-- grain: course_run
-- definition_en: Per video step of a FutureLearn course run (FutureLearn's aggregate video statistics): views, downloads, caption and transcript views, and the share of views that reached 50%, 95% and 100% of the video.
-- definition_ms: Bagi setiap langkah video larian kursus FutureLearn (statistik video agregat FutureLearn): tontonan, muat turun, tontonan sari kata dan transkrip, dan peratus tontonan yang sampai 50%, 95% dan 100% video.
-- filters: year, ptj_codes, course_codes
-- sources: fct_video_step, dim_course_run, dim_course
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

videos as (
    select videos.* from fct_video_step as videos
    inner join runs on runs.run_id = videos.run_id
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        videos.step,
        try_cast(split_part(videos.step, '.', 1) as integer) as week_number,
        try_cast(split_part(videos.step, '.', 2) as integer) as step_number,
        videos.video_title,
        videos.video_duration_s,
        videos.count_views,
        videos.count_downloads,
        videos.count_caption_views,
        videos.count_transcript_views,
        videos.viewed_50_pct,
        videos.viewed_95_pct,
        videos.viewed_100_pct,
    from videos
    inner join runs on runs.run_id = videos.run_id
)

select * from final
order by year, group_key, week_number, step_number, video_title
