-- One row per video step in a FutureLearn video-stats export (aggregates, no learners).
with

source as (
    select * from raw_futurelearn_video_stats
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(step_position as varchar) as step,
        cast(title as varchar) as video_title,
        cast(video_duration as integer) as video_duration_s,
        cast(total_views as bigint) as count_views,
        cast(total_downloads as bigint) as count_downloads,
        cast(total_caption_views as bigint) as count_caption_views,
        cast(total_transcript_views as bigint) as count_transcript_views,
        cast(viewed_hd as bigint) as count_hd_views,
        cast(viewed_five_percent as decimal(12,2)) as viewed_5_pct,
        cast(viewed_fifty_percent as decimal(12,2)) as viewed_50_pct,
        cast(viewed_ninetyfive_percent as decimal(12,2)) as viewed_95_pct,
        cast(viewed_onehundred_percent as decimal(12,2)) as viewed_100_pct,
        cast(desktop_device_percentage as decimal(12,2)) as desktop_pct,
        cast(mobile_device_percentage as decimal(12,2)) as mobile_pct,
        cast(tablet_device_percentage as decimal(12,2)) as tablet_pct,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
