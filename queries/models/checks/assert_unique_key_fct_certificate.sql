-- (run_id, learner_key, certificate_type) is never null and unique in fct_certificate.
select
    run_id,
    learner_key,
    certificate_type,
    count(*) as count_rows,
from fct_certificate
group by all
having run_id is null or learner_key is null or certificate_type is null or count(*) > 1
