"""Problems: Markdown documents with YAML front matter, stored content-addressed."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from arena.api.auth import admin_only
from arena.api.views import problem_info_view, problem_view
from arena.bootstrap import Arena
from arena.problems.model import ProblemFormatError

MARKDOWN_TYPES = ("text/markdown", "text/plain", "text/x-markdown", "application/octet-stream", "")


class ProblemController(Controller):
    path = "/problems"
    tags = ["problems"]

    @post("/", guards=[admin_only])
    async def upload(self, request: Request, arena: Arena) -> Response[dict[str, Any]]:
        """Uploads a problem: the raw Markdown document as the body (Content-Type text/markdown).
        201 when stored, 200 when the same document was already there."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in MARKDOWN_TYPES:
            raise HTTPException(status_code=415, detail=f"send the Markdown document as text/markdown, not {media_type}")
        document = await request.body()
        if not document.strip():
            raise ProblemFormatError("document", "the body is empty")
        try:
            document.decode("utf-8")
        except UnicodeDecodeError:
            raise ProblemFormatError("document", "not UTF-8 text") from None
        info, created = await _in_thread(arena.problems.upload, document)
        return Response(problem_info_view(info), status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/", sync_to_thread=True)
    def index(self, arena: Arena) -> list[dict[str, Any]]:
        return [problem_info_view(info) for info in arena.problems.list()]

    @get("/{slug:str}", sync_to_thread=True)
    def show(self, slug: str, request: Request, arena: Arena) -> dict[str, Any]:
        """The statement, limits and samples; hidden tests only for admins."""
        info, problem = arena.problems.read(slug)
        return problem_view(info, problem, with_hidden_tests=request.user.is_admin)

    @delete("/{slug:str}", guards=[admin_only], status_code=HTTP_204_NO_CONTENT, sync_to_thread=True)
    def remove(self, slug: str, arena: Arena) -> None:
        """Removes the slug from the catalog; 409 while a battle that has not ended uses it."""
        arena.problems.delete(slug)


async def _in_thread(function, *args):
    from anyio import to_thread

    return await to_thread.run_sync(function, *args)
