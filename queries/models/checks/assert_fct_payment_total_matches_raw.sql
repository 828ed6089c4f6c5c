-- fct_payment has every receipt of raw_payments once: same row count and same total amount_rm.
with

raw_totals as (
    select
        count(*) as count_rows,
        coalesce(sum(amount_rm), 0) as total_rm,
    from raw_payments
),

fct_totals as (
    select
        count(*) as count_rows,
        coalesce(sum(amount_rm), 0) as total_rm,
    from fct_payment
),

final as (
    select
        raw_totals.count_rows as raw_rows,
        fct_totals.count_rows as fct_rows,
        raw_totals.total_rm as raw_total_rm,
        fct_totals.total_rm as fct_total_rm,
    from raw_totals
    cross join fct_totals
    where raw_totals.count_rows <> fct_totals.count_rows
        or raw_totals.total_rm <> fct_totals.total_rm
)

select * from final
