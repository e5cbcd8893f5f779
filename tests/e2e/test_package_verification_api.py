"""Issue 15, item 2, through HTTP in the embedded default (the e2e API runs its judge in process):
an uploaded package's submissions are judged by the judge tier, not by the API; the answer says
the verification is pending, GET .../verification reads its report, and a lobby refuses a
problem whose verification failed."""

from __future__ import annotations

import time
import uuid

from helpers import assert_problem_details, unique
from test_problem_packages import zipped

SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
# ~0.3 s of CPU: x the legacy multiplier 5 = 1.5 s, rounded up to 2 s (not the unverified 1 s)
SLOW_SUM = ("import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.3:\n    pass\n"
            + SUM)
WRONG = "a, b = map(int, input().split())\nprint(a + b + 1)\n"
ZIP = {"Content-Type": "application/zip"}


def package(slug: str, time_limit: str = "", **submissions: str) -> bytes:
    limits = f"limits:\n  time_limit: {time_limit}\n" if time_limit else ""
    return zipped({
        f"{slug}/problem.yaml": f"name: Sum {slug}\n{limits}",
        f"{slug}/data/sample/1.in": "1 2\n", f"{slug}/data/sample/1.ans": "3\n",
        f"{slug}/data/secret/1.in": "20 22\n", f"{slug}/data/secret/1.ans": "42\n",
        **{f"{slug}/submissions/{path}": source for path, source in submissions.items()}})


def upload(api, content: bytes, query: str = "") -> dict:
    response = api.post(f"/problems{query}", user="root", role="admin", content=content, headers=ZIP)
    assert response.status_code in (200, 201), response.text
    return response.json()


def verified(api, slug: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while (found := api.get(f"/problems/{slug}/verification", user="root", role="admin").json())["status"] == "pending":
        assert time.monotonic() < deadline, "the judge tier did not verify the package"
        time.sleep(0.2)
    return found


def open_lobby_with(api, slug: str):
    battle = api.post("/battles", user="root", role="admin",
                      json={"title": unique("battle"), "languages": ["python"]}).json()["id"]
    attached = api.post(f"/battles/{battle}/problems", user="root", role="admin", json={"slug": slug})
    assert attached.status_code == 200, attached.text
    return api.post(f"/battles/{battle}/lobby", user="root", role="admin")


def test_a_package_whose_submissions_match_is_verified_with_a_derived_time_limit(api) -> None:
    slug = f"sum-{uuid.uuid4().hex[:8]}"
    answer = upload(api, package(slug, **{"accepted/sum.py": SUM, "accepted/slow.py": SLOW_SUM,
                                          "wrong_answer/off.py": WRONG}))
    assert answer["verification"]["status"] == "pending"
    assert answer["verification"]["href"] == f"/api/v2/problems/{slug}/verification"
    assert not any("submissions" in line for line in answer["ignored"]), answer["ignored"]

    report = verified(api, slug)

    assert report["status"] == "passed", report
    rows = {row["path"]: (row["expected"], row["got"], row["ok"]) for row in report["report"]["rows"]}
    assert rows == {"submissions/accepted/sum.py": ("AC", "AC", True),
                    "submissions/accepted/slow.py": ("AC", "AC", True),
                    "submissions/wrong_answer/off.py": ("WA", "WA", True)}
    assert report["report"]["derived"]["slowest"] == "submissions/accepted/slow.py"
    assert report["time_limit_ms"] == 2000
    shown = api.get(f"/problems/{slug}", user="root", role="admin").json()
    assert shown["sha256"] == report["verified_sha256"] != report["problem_sha256"]
    assert shown["time_limit_ms"] == 2000  # the verified version is the catalog's now
    assert open_lobby_with(api, slug).status_code == 200


def test_a_mismatch_fails_the_verification_and_the_lobby_refuses_the_problem(api) -> None:
    slug = f"mislabelled-{uuid.uuid4().hex[:8]}"
    upload(api, package(slug, time_limit="2", **{"accepted/sum.py": SUM, "wrong_answer/right.py": SUM}))

    report = verified(api, slug)

    assert report["status"] == "failed", report
    [mismatch] = [row for row in report["report"]["rows"] if not row["ok"]]
    assert (mismatch["path"], mismatch["expected"], mismatch["got"]) == (
        "submissions/wrong_answer/right.py", "WA", "AC")
    assert report["time_limit_ms"] == 2000  # the package's own
    refused = assert_problem_details(open_lobby_with(api, slug), 409)
    assert slug in refused["detail"] and "failed" in refused["detail"]


def test_the_same_mismatch_with_force_passes_and_keeps_it_as_a_warning(api) -> None:
    slug = f"forced-{uuid.uuid4().hex[:8]}"
    upload(api, package(slug, time_limit="2", **{"accepted/sum.py": SUM, "wrong_answer/right.py": SUM}),
           "?force=true")

    report = verified(api, slug)

    assert report["status"] == "passed" and report["force"], report
    assert any("submissions/wrong_answer/right.py" in line for line in report["report"]["warnings"])
    assert [row["ok"] for row in report["report"]["rows"]].count(False) == 1
    assert open_lobby_with(api, slug).status_code == 200


def test_verify_false_judges_nothing_and_says_so(api) -> None:
    slug = f"unverified-{uuid.uuid4().hex[:8]}"
    answer = upload(api, package(slug, **{"wrong_answer/right.py": SUM}), "?verify=false")

    assert answer["verification"]["status"] == "skipped"
    assert "submissions/: not judged (verify=false)" in answer["ignored"]
    assert any(line.startswith("limits.time_limit: not set") for line in answer["ignored"])
    assert verified(api, slug)["report"] is None
    assert open_lobby_with(api, slug).status_code == 200


def test_a_verification_is_admin_only_and_404_for_a_problem_never_verified(api) -> None:
    assert_problem_details(api.get("/problems/anything/verification", user="ada"), 403)
    assert_problem_details(api.get(f"/problems/{unique('none')}/verification", user="root", role="admin"), 404)
