-- fct_certificate has exactly one row per results row with a certificate_type (no fan-out, none lost).
with

expected as (
    select count(*) as count_rows,
    from stg_results
    where certificate_type is not null
),

actual as (
    select count(*) as count_rows,
    from fct_certificate
),

final as (
    select
        expected.count_rows as expected_rows,
        actual.count_rows as actual_rows,
    from expected
    cross join actual
    where expected.count_rows <> actual.count_rows
)

select * from final
