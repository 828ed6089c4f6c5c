-- One row per MC programme per course it stacks.
with

source as (
    select * from raw_mc_programme_courses
),

renamed as (
    select
        cast(programme_code as varchar) as programme_code,
        cast(course_code as varchar) as course_code,
        cast(course_role as varchar) as course_role,
        cast(required_certificate as varchar) as required_certificate,
        cast(stack_order as bigint) as stack_order,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
