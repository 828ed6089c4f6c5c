-- One row per video step per course run (FutureLearn video-stats: aggregates, no learners).
with

responses as (
    select * from stg_futurelearn_video_stats
),

runs as (
    select * from dim_course_run
),

final as (
    select
        runs.run_id,
        runs.course_code,
        runs.ptj_code,
        runs.start_year,
        responses.step,
        responses.video_title,
        responses.video_duration_s,
        responses.count_views,
        responses.count_downloads,
        responses.count_caption_views,
        responses.count_transcript_views,
        responses.count_hd_views,
        responses.viewed_5_pct,
        responses.viewed_50_pct,
        responses.viewed_95_pct,
        responses.viewed_100_pct,
        responses.desktop_pct,
        responses.mobile_pct,
        responses.tablet_pct,
    from responses
    inner join runs on runs.platform_run_label = responses.platform_run_label
)

select * from final
