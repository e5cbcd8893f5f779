"""Problems: Markdown documents with YAML front matter, stored content-addressed."""

from __future__ import annotations

from anyio import to_thread
from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from arena.api.auth import admin_only
from arena.api.deadline import DEADLINE
from arena.api.error_responses import errors
from arena.api.response_models import ProblemInfoView, ProblemUploaded, ProblemView, VerificationView
from arena.api.views import problem_info_view, problem_view, verification_view
from arena.bootstrap import Arena
from arena.problems.importing import read_problem_zip
from arena.problems.kattis import KattisPackage
from arena.problems.model import ProblemFormatError
from arena.problems.verifications import PENDING
from arena.projections.battles import problem_has_started

MARKDOWN_TYPES = ("text/markdown", "text/plain", "text/x-markdown", "")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
UPLOAD_DEADLINE_S = 60.0


class ProblemController(Controller):
    path = "/problems"
    tags = ["problems"]

    # Problems have their own limit (ARENA_MAX_PROBLEM_BYTES), checked while reading the stream;
    # and their own deadline: reading and unpacking a package of tens of MB takes seconds.
    @post("/", guards=[admin_only], request_max_body_size=None, opt={DEADLINE: UPLOAD_DEADLINE_S})
    async def upload(self, request: Request, arena: Arena, verify: bool = True,
                     force: bool = False) -> Response[ProblemUploaded]:
        """Uploads a problem: a Markdown document (Content-Type text/markdown) or a zip of a
        Kattis/ICPC package or of a Markdown problem with its tests folder (application/zip).
        201 when stored, 200 when the same document was already there; `ignored` lists the
        parts of a package that are not supported yet (empty for Markdown).

        A package's submissions (submissions/<verdict>/) are judged by the judge tier, which
        also derives the time limit where the package sets none: `verification` says it is
        pending and where to read its report. `verify=false` judges nothing (a package without
        a time limit gets 1 s); `force=true` makes a mismatch a warning instead of a failure.
        A battle's lobby opens only once its problems' verifications passed."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in MARKDOWN_TYPES + ZIP_TYPES:
            raise HTTPException(status_code=415, detail=f"send text/markdown or application/zip, not {media_type}")
        body = await _read_limited(request, arena.settings.max_problem_bytes)
        if not body.strip():
            raise ProblemFormatError("document", "the body is empty")
        ignored: tuple[str, ...] = ()
        verification = None
        if media_type in ZIP_TYPES:
            package = await to_thread.run_sync(read_problem_zip, body)
            info, created, verification = await to_thread.run_sync(
                lambda: arena.problems.import_package(package, body, verify=verify, force=force))
            ignored = package.ignored + _not_verified(package, verify)
            if verification is not None and verification.status == PENDING and arena.judge is not None:
                arena.judge.verify_packages()  # the embedded default's judge; else `arena judge` polls
        else:
            info, created = await to_thread.run_sync(arena.problems.upload, body)
        return Response(problem_info_view(info) | {"ignored": list(ignored), "verification": (
                            None if verification is None else verification_view(verification))},
                        status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/{slug:str}/verification", guards=[admin_only], sync_to_thread=True, responses=errors(403, 404))
    def verification(self, slug: str, arena: Arena) -> VerificationView:
        """The latest verification of the problem's uploaded package: pending, passed, failed
        (a submission got another verdict than its folder names) or skipped (verify=false), with
        the report (per file: expected, got, time) once the judge tier has judged it."""
        return verification_view(arena.problems.verifications.latest(slug))

    @get("/", sync_to_thread=True)
    def index(self, arena: Arena) -> list[ProblemInfoView]:
        """The catalog: every problem's slug, hash, title and points."""
        return [problem_info_view(info) for info in arena.problems.list()]

    @get("/{slug:str}", sync_to_thread=True, responses=errors(403))
    def show(self, slug: str, request: Request, arena: Arena) -> ProblemView:
        """The statement, limits and samples; hidden tests only for admins. A player reads it
        once a battle that uses it has started, or at once if the problem is public."""
        info, problem = arena.problems.read(slug)
        staff = request.user.is_admin or request.user.is_auditor
        if not (staff or problem.public or problem_has_started(arena.engine, slug)):
            raise PermissionDeniedException("this statement is shown once a battle that uses it has started")
        return problem_view(info, problem, with_hidden_tests=request.user.is_admin)

    @delete("/{slug:str}", guards=[admin_only], status_code=HTTP_204_NO_CONTENT, sync_to_thread=True)
    def remove(self, slug: str, arena: Arena) -> None:
        """Removes the slug from the catalog; 409 while a battle that has not ended uses it."""
        arena.problems.delete(slug)


def _not_verified(package: KattisPackage, verify: bool) -> tuple[str, ...]:
    if verify:
        return ()
    return tuple(line for line, holds in (
        ("submissions/: not judged (verify=false)", bool(package.expected)),
        (f"limits.time_limit: not set and not derived (verify=false): "
         f"{package.problem.time_limit_ms / 1000:g} s", package.time_rule is not None)) if holds)


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"a problem upload may be at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status_code=413, detail=f"a problem upload may be at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
