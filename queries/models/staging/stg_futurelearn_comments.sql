-- One row per comment in a FutureLearn comments export (the text only when [insights] store_free_text allowed it).
with

source as (
    select * from raw_futurelearn_comments
),

renamed as (
    select
        cast(platform_run_label as varchar) as platform_run_label,
        cast(id as varchar) as comment_id,
        cast(learner_key as varchar) as author_key,
        cast(parent_id as varchar) as parent_comment_id,
        cast(step as varchar) as step,
        cast(week_number as integer) as week_number,
        cast(step_number as integer) as step_number,
        cast("timestamp" as timestamp) as commented_at,
        cast(likes as integer) as count_likes,
        cast(text_length as integer) as text_length,
        cast(moderated as timestamp) as moderated_at,
        parent_id is not null as is_reply,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
