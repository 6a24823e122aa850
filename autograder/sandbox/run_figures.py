"""Inside a figures sandbox: draw the specs of students' figures. No student code runs here, only matplotlib on
checked data; a spec that fails or takes too long is said, and the rest go on."""

from __future__ import annotations

import base64

from autograder.sandbox.figures import draw
from autograder.sandbox.protocol import send
from autograder.sandbox.run_cells import SandboxTimeout, alarm, read_job


def serve(channel: int, limits) -> None:
    """Inside the figures sandbox: draw each checked figure spec of the job and send its PNG (None for a spec that
    cannot be drawn within the cell time limit), then "done". No student code runs here."""
    job = read_job(channel)
    for index, spec in enumerate(job["specs"]):
        try:
            with alarm(limits.cell_seconds):
                image = base64.b64encode(draw(spec)).decode()
            send(channel, {"type": "figure", "index": index, "png": image})
        except (Exception, SandboxTimeout):  # noqa: BLE001  (a spec matplotlib cannot draw: that figure is not drawn)
            send(channel, {"type": "figure", "index": index, "png": None})
    send(channel, {"type": "done"})
