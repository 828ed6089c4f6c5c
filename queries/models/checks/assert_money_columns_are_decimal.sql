-- Money columns (*_rm) of the marts are decimal(12,2), never floating point.
select
    table_name,
    column_name,
    data_type,
from information_schema.columns
where table_schema = current_schema()
    and table_catalog = current_database()
    and (table_name like 'dim\_%' escape '\' or table_name like 'fct\_%' escape '\')
    and column_name like '%\_rm' escape '\'
    and data_type <> 'DECIMAL(12,2)'
