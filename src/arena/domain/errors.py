"""Domain errors. The API maps DomainError to 409, NotFound to 404, InvalidInput to 422,
NotAllowed to 403."""


class DomainError(Exception):
    """A command that the current state refuses."""


class NotFound(DomainError):
    """The thing named does not exist."""


class NotAllowed(DomainError):
    """The caller may not do this to this thing, whatever its state."""


class InvalidInput(DomainError):
    """The command's data is wrong whatever the state; `field` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
