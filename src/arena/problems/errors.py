"""The one error a problem file or package can be refused with; the API answers it with a 422."""

from __future__ import annotations


class ProblemFormatError(ValueError):
    """The document is not a valid problem; `field` names the first offending field, or the path
    inside the package of the offending file. Neither ever names a path on the server."""

    def __init__(self, field: str, message: str) -> None:
        message = " ".join(message.split())  # one line: it ends up in logs and in a CLI's stderr
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
