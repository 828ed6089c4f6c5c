"""The CLI's consoles (rich). Messages name paths and tables hold run ids: never break them mid-line.

Rich fixes a console's width when it is made (at import) from COLUMNS or the terminal; these read COLUMNS at each
print, and without a terminal (cron, systemd, a pipe) they are wide, so a log line is never cut to 80 columns."""

from __future__ import annotations

import os

from rich.console import Console, ConsoleDimensions

PIPE_WIDTH = 160


class CliConsole(Console):
    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit():
            return ConsoleDimensions(int(columns), dims.height)
        if not self.is_terminal:
            return ConsoleDimensions(max(dims.width, PIPE_WIDTH), dims.height)
        return dims

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def cli_console(*, stderr: bool = False) -> Console:
    return CliConsole(stderr=stderr, soft_wrap=True)


__all__ = ["cli_console"]
