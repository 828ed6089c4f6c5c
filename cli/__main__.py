"""`python -m cli ...` is `mckpi ...`."""

from cli.main import main

main()
