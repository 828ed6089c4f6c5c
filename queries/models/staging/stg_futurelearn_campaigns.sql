-- One row per campaign line in a FutureLearn campaigns export.
with

source as (
    select * from raw_futurelearn_campaigns
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(utm_source as varchar) as utm_source,
        cast(utm_campaign as varchar) as utm_campaign,
        cast(utm_medium as varchar) as utm_medium,
        cast(domain as varchar) as referrer_domain,
        cast(enrolments as bigint) as count_enrolments,
        cast(active_learners as bigint) as count_active_learners,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
