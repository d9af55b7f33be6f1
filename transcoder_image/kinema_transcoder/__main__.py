"""``python -m kinema_transcoder transcode|package|subtitles|probe ...``.

The same commands as ``kinema transcode`` without loading every other component's
commands first: what a transcode Job's container runs, where start-up time is paid per
chunk pod.
"""

from __future__ import annotations

import typer

from kinema_transcoder.cli import register


def main() -> None:
    app = typer.Typer(
        name="kinema", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False
    )
    register(app)
    app()


if __name__ == "__main__":
    main()
