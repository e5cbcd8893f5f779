"""A scoring problem's score: the verdicts of its tests added up group by group, as
problemtools' default grader does (pure; the rules are in docs/problems.md).

Each folder of data/ is a group whose children are its tests and subgroups, by name. A test
scores the group's accept_score when accepted, else its reject_score (legacy), or a share of the
group's max_score (2023-07 and later: all of it under min/max/pass-fail, max_score / tests under
sum). `on_reject: break` stops a group at its first failing child; what was not judged counts
for nothing. A group's score aggregates its children's (sum, min, max, avg); `pass-fail` scores
its max_score only if every child in it passed. Its verdict: the worst error (or the first,
or always AC, as its flags say). The problem's maximum is the score of all tests accepted.
"""

from __future__ import annotations

from pydantic import BaseModel

from arena.judge.verdicts import Verdict
from arena.problems.model import Problem, ScoreGroup

# problemtools' order, worst first (JE, RTE, MLE, TLE, OLE, WA, AC)
_WORST_FIRST = (Verdict.IE, Verdict.RE, Verdict.MLE, Verdict.TLE, Verdict.OLE, Verdict.WA, Verdict.AC)


class GroupScore(BaseModel):
    group: str  # its folder under data/, e.g. "secret/group1"
    verdict: Verdict
    score: float
    max_score: float | None = None  # the group's score with every test accepted (None: older verdicts)


class Scored(BaseModel):
    verdict: Verdict  # AC only with the full score
    score: float
    max_score: float
    groups: list[GroupScore]


def score_submission(problem: Problem, verdicts: list[Verdict | None]) -> Scored:
    """verdicts: one per test of problem.all_tests, None where the test was not run."""
    tree = _Tree(problem)
    full_groups: list[GroupScore] = []
    _, full = tree.evaluate("", [Verdict.AC] * len(tree.paths), full_groups)
    most = {group.group: group.score for group in full_groups}
    groups: list[GroupScore] = []
    verdict, score = tree.evaluate("", verdicts, groups)
    groups = [group.model_copy(update={"max_score": most.get(group.group)}) for group in groups]
    if verdict is None:
        return Scored(verdict=Verdict.IE, score=0, max_score=full, groups=groups)
    if verdict is Verdict.AC and score < full - 1e-9:
        verdict = Verdict.WA  # accepted in arena means the whole score
    return Scored(verdict=verdict, score=score, max_score=full, groups=groups)


class _Tree:
    def __init__(self, problem: Problem) -> None:
        self.groups = {g.path: g for g in problem.scoring}
        self.paths = [f"sample/{t.name}" for t in problem.samples] + [f"secret/{t.name}" for t in problem.tests]
        self.children: dict[str, list[tuple[str, int | None]]] = {path: [] for path in self.groups}
        for path in self.groups:
            if path:
                self.children.setdefault(_parent(path), []).append((path, None))
        for index, path in enumerate(self.paths):
            self.children.setdefault(_parent(path), []).append((path, index))
        for items in self.children.values():
            items.sort(key=lambda item: item[0].rsplit("/", 1)[-1])

    def evaluate(self, path: str, verdicts: list[Verdict | None],
                 out: list[GroupScore]) -> tuple[Verdict | None, float]:
        group = self.groups.get(path, ScoreGroup(path=path))
        items = [(p, i) for p, i in self.children.get(path, []) if not (group.ignore_sample and p == "sample")]
        tests = sum(1 for _, index in items if index is not None)
        results: list[tuple[Verdict, float]] = []
        for child, index in items:
            if index is None:
                verdict, score = self.evaluate(child, verdicts, out)
            else:
                verdict = verdicts[index] if index < len(verdicts) else None
                score = _test_score(group, verdict, tests)
            if verdict is None:
                continue
            results.append((verdict, score))
            if group.on_reject == "break" and verdict is not Verdict.AC:
                break
        if not results:
            return None, 0.0
        verdict = _verdict(group.verdict, [v for v, _ in results])
        score = _aggregate(group, results, complete=len(results) == len(items))
        if path:
            out.append(GroupScore(group=path, verdict=verdict, score=score))
        return verdict, score


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _test_score(group: ScoreGroup, verdict: Verdict | None, tests: int) -> float:
    if group.max_score is not None:
        share = group.max_score / tests if group.aggregation == "sum" else group.max_score
        return share if verdict is Verdict.AC else 0.0
    return group.accept_score if verdict is Verdict.AC else group.reject_score


def _verdict(mode: str, verdicts: list[Verdict]) -> Verdict:
    if mode == "always_accept" or mode == "accept_if_any_accepted" and Verdict.AC in verdicts:
        return Verdict.AC
    if mode == "first_error":
        return next((v for v in verdicts if v is not Verdict.AC), Verdict.AC)
    return min(verdicts, key=lambda v: _WORST_FIRST.index(v) if v in _WORST_FIRST else 0)


def _aggregate(group: ScoreGroup, results: list[tuple[Verdict, float]], complete: bool) -> float:
    scores = [score for _, score in results]
    if group.aggregation == "pass-fail":
        passed = complete and all(v is Verdict.AC for v, _ in results)
        return (group.max_score if group.max_score is not None else sum(scores)) if passed else 0.0
    if group.aggregation == "min":
        return min(scores)
    if group.aggregation == "max":
        return max(scores)
    if group.aggregation == "avg":
        return sum(scores) / len(scores)
    return sum(scores)
