"""Interactive packages (legacy `validation: custom interactive` and 2023-07 `type: interactive`)
judged for real: the interactor and the submission in two bwrap sessions joined by pipes."""

from pathlib import Path

from arena.problems.importing import read_problem_dir
from arena.problems.verify_report import verify_package

from judge_helpers import judged

# Guess a number in 1..100 in at most 10 questions; the secret is the test's input.
INTERACTOR = r"""import sys
secret = int(open(sys.argv[1]).read())
def reject(why):
    with open(sys.argv[3] + "judgemessage.txt", "w") as message:
        message.write(why)
    sys.exit(43)
for _ in range(10):
    line = sys.stdin.readline()
    if not line:
        reject("the submission stopped talking")
    guess = int(line)
    if guess == secret:
        print("correct", flush=True)
        sys.exit(42)
    print("higher" if guess < secret else "lower", flush=True)
reject("out of guesses")
"""
BINARY_SEARCH = """low, high = 1, 100
while True:
    guess = (low + high) // 2
    print(guess, flush=True)
    reply = input()
    if reply == "correct":
        break
    low, high = (guess + 1, high) if reply == "higher" else (low, guess - 1)
"""
ALWAYS_ONE = "while True:\n    print(1, flush=True)\n    input()\n"
# Block-buffered and never flushed (input() would flush): the guess is never sent.
NEVER_FLUSHES = "import sys\nsys.stdout.write('50\\n')\nsys.stdin.readline()\n"
CRASHES = "print(50, flush=True)\nraise SystemExit(3)\n"
DATA = {"data/sample/1.in": "37\n", "data/sample/1.ans": "\n",
        "data/secret/1.in": "100\n", "data/secret/1.ans": "\n",
        "data/secret/2.in": "1\n", "data/secret/2.ans": "\n"}


def package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


async def test_a_legacy_interactive_package_gets_every_verdict_its_submission_folders_name(
        judge, tmp_path):
    root = package(tmp_path / "guess", {
        "problem.yaml": "name: Guess\nvalidation: custom interactive\nlimits:\n  time_limit: 1\n",
        **DATA, "output_validators/guess/guess.py": INTERACTOR,
        "submissions/accepted/search.py": BINARY_SEARCH,
        "submissions/wrong_answer/always_one.py": ALWAYS_ONE,
        "submissions/time_limit_exceeded/never_flushes.py": NEVER_FLUSHES,
        "submissions/run_time_error/crashes.py": CRASHES})
    read = read_problem_dir(root)
    assert read.problem.interactive

    verification = await verify_package(judge, read)

    got = {row.path.split("/")[1]: row.got for row in verification.rows}
    assert got == {"accepted": "AC", "wrong_answer": "WA", "time_limit_exceeded": "TLE",
                   "run_time_error": "RE"}, verification.rows


async def test_a_wrong_answer_carries_the_interactors_message_and_a_2023_package_is_interactive(
        judge, tmp_path):
    problem = read_problem_dir(package(tmp_path / "guess", {
        "problem.yaml": "problem_format_version: 2023-07-draft\nname: Guess\ntype: interactive\n"
                        "limits:\n  time_limit: 1\n",
        **DATA, "output_validator/guess.py": INTERACTOR})).problem

    accepted = await judged(judge, "python", BINARY_SEARCH, problem)
    wrong = await judged(judge, "python", ALWAYS_ONE, problem)
    compile_error = await judged(judge, "c", "int main(void) { return }\n", problem)

    assert accepted.verdict == "AC" and len(accepted.tests) == 3, accepted.model_dump()
    assert wrong.verdict == "WA" and wrong.tests[0].feedback == "out of guesses", wrong.model_dump()
    assert compile_error.verdict == "CE", compile_error.model_dump()


async def test_a_submission_that_never_flushes_is_a_time_limit_not_a_hung_judge(judge, tmp_path):
    problem = read_problem_dir(package(tmp_path / "guess", {
        "problem.yaml": "name: Guess\nvalidation: custom interactive\nlimits:\n  time_limit: 1\n",
        **DATA, "output_validators/guess/guess.py": INTERACTOR})).problem

    result = await judged(judge, "python", NEVER_FLUSHES, problem)

    assert result.verdict == "TLE" and result.tests[0].verdict == "TLE", result.model_dump()
