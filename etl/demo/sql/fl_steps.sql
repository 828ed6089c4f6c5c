copy (
    select * exclude (run_idx) from fl_steps_batch where run_idx = $run
) to $path (format csv, header, delimiter ',')
