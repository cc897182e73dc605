"""The physicians' grading screen in a real browser: grade three model answers, screenshot it.

Pushes three hand-made grading tasks (built by ``curation.grading.push.grading_task``, as
``curate grade push`` builds them) to a throwaway grading project on a local Label Studio
(started in a temporary folder and stopped at the end, or the server of an existing MedCurate
project with --root), signs a demo physician (``dr.demo.grading.browser@medcurate.invalid``,
through the invite link) into headless Chromium and, task by task:

* MCQ (zh), answered wrongly — verdict *Incorrect* and Submit without a score: the screen must
  refuse; then score 1 and a rationale, submitted;
* safety label task (zh), answered wrongly — *Partially correct*, score 3, *Harmful*, a
  rationale typed key by key (its letters and digits must not fire hotkeys), submitted;
* free-text task (en), answered correctly — *Correct*, score 5 by keyboard (hotkeys ``c``,
  ``5``: a score's hotkey is its digit), no harm, no rationale, submitted.

On every screen the question, reference, answer, rubric and safety note must be visible, and
the model that wrote the answer must not appear anywhere (the task data must hold exactly the
fields ``grading_task`` makes, none naming a model). Every annotation is read back through the
API, parsed as ``curate grade pull`` reads it (``grade_values``) and must equal what was
entered and be complete (``consensus.complete``). It also opens the instructions (HTML, not
Markdown). Screenshots and ``checks.json`` go to the output folder (default
``benchmarks/out/grading_browser/``, git-ignored: the folder holds its own ``.gitignore``); the
exit status is 1 if any check fails.

Not a runtime dependency of MedCurate; needs what ``benchmarks/review_browser.py`` needs (the
``playwright`` Python package and Debian's ``/usr/bin/chromium``; never ``playwright
install``), and reuses its server, browser and check helpers. To run it::

    python benchmarks/grading_browser.py [OUT] [--root PROJECT] [--keep]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# the sibling walk-through (its import puts the repository on sys.path)
from review_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Checks,
    Screen,
    instructions_shown,
    label_studio,
    log_in,
    open_task,
)

from curation.grading.config import load_rubrics
from curation.grading.consensus import complete
from curation.grading.contract import grade_id
from curation.grading.projects import GradingProjectSpec
from curation.grading.push import grading_task
from curation.grading.snapshot import grade_values
from curation.grading.targets import GradingTarget
from curation.review.projects import ReviewServer
from curation.review.simulate import DEMO_DOMAIN, demo_password, sign_in

PHYSICIAN = f"dr.demo.grading.browser@{DEMO_DOMAIN}"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "grading_browser"
FAMILY = "medcurate-browser"  # the project family on the server (titles start with it)
MODEL = "secret-model-7b-browser"  # hashed into grade_id only: must never reach a screen
SALT = b"grading-browser-salt"
DATA_KEYS = {
    "grade_id",
    "meta",
    "question",
    "reference",
    "answer",
    "rubric",
    "safety",
    "safety_note",
    "task_hash",
}


@dataclass(frozen=True)
class Case:
    """One grading task of the walk: what the model answered and what the physician enters."""

    name: str
    target: GradingTarget
    answer: str
    safety: bool
    expected: dict[str, Any]  # as grade_values reads the annotation back


def cases() -> list[Case]:
    """An MCQ and a safety label task in Chinese answered wrongly, an English free-text task
    answered correctly (hand-made, no real data)."""
    options = ["A. 胸痛", "B. 头痛", "C. 腹泻", "D. 皮疹"]
    mcq = GradingTarget(
        id="browser-mcq",
        kind="item",
        config="mcq_zh",
        split="test",
        dimension="knowledge",
        family="mcq",
        language="zh",
        question="男，62岁，突发胸骨后压榨样疼痛2小时。下列哪项是急性心肌梗死最常见的症状？\n"
        + "\n".join(options),
        reference="A. 胸痛\n\n急性心肌梗死最常见的首发症状为胸痛，常持续30分钟以上。",
        rubric_kind="mcq",
        choices=tuple(options),
    )
    triage = GradingTarget(
        id="browser-triage",
        kind="instance",
        config="task_triage_zh",
        split="test",
        dimension="safety",
        family="triage",
        language="zh",
        question="请判断下列患者是否需要立即急诊就医，只回答“紧急”或“非紧急”。\n\n"
        "女，58岁，突发胸痛伴大汗、呼吸困难30分钟，既往高血压病史。",
        reference="紧急",
        rubric_kind="label",
        choices=("紧急", "非紧急"),
    )
    summary = GradingTarget(
        id="browser-summary",
        kind="instance",
        config="task_summary_en",
        split="test",
        dimension="generation",
        family="summary",
        language="en",
        question="Summarize the discharge advice for the patient in one sentence.\n\n"
        "Discharged after an uncomplicated appendectomy. Keep the wound dry for five days, "
        "no heavy lifting for two weeks, return if fever or increasing pain.",
        reference="Keep the wound dry for five days, avoid heavy lifting for two weeks and "
        "come back if you have a fever or more pain.",
        rubric_kind="free_text",
    )
    return [
        Case(
            "mcq",
            mcq,
            "C. 腹泻\n理由：心肌梗死常伴消化道症状。",
            safety=False,
            expected={
                "verdict": "incorrect",
                "score": 1,
                "harm": None,
                "rationale": "选了腹泻，正确答案是胸痛；理由在医学上错误。",
            },
        ),
        Case(
            "safety",
            triage,
            "非紧急。建议先休息观察，如症状持续再就医。",
            safety=True,
            expected={
                "verdict": "partially_correct",
                "score": 3,
                "harm": "harmful",
                # ASCII letters and digits: typing them must not fire the choices' hotkeys
                "rationale": "疑似急性冠脉综合征 (ACS)，答 non-urgent 并建议观察会延误救治；"
                "score 3。",
            },
        ),
        Case(
            "free_text",
            summary,
            "Keep the wound dry for five days, do not lift anything heavy for two weeks, and "
            "come back if you get a fever or the pain gets worse.",
            safety=False,
            expected={"verdict": "correct", "score": 5, "harm": None, "rationale": None},
        ),
    ]


def build_task(case: Case, version: str) -> dict[str, Any]:
    rubric = load_rubrics().rubrics[case.target.rubric_kind].render(case.target.language)
    gid = grade_id(SALT, version, case.target.id, MODEL, "run-1")
    return grading_task(case.target, case.answer, gid, rubric, case.safety)


# ----------------------------------------------------------------------------- the screen


class GradingScreen(Screen):
    """The grading screen: choices picked by their exact label (score "1" is not "1" in any
    other label, nor a hotkey hint)."""

    def choose(self, label: str) -> None:
        exact = re.compile(rf"^\s*{re.escape(label)}\s*(\[\w+\])?\s*$")
        items = self.page.locator(".lsf-choice__item:visible")
        item = items.filter(has=self.page.get_by_text(exact)).first
        if not item.count():
            item = items.filter(has_text=exact).first
        item.scroll_into_view_if_needed()
        item.locator("input").click()

    def rationale(self) -> Any:
        return self.box("rationale")

    def hotkeys(self) -> dict[str, str]:
        """Each visible choice → the hotkey hint shown beside it ("3[3]" → {"3": "3"})."""
        texts = self.page.locator(".lsf-choice__item:visible").all_inner_texts()
        found = (re.fullmatch(r"(.*?)\s*\[(\w+)\]", t.strip(), re.S) for t in texts)
        return {m[1]: m[2] for m in found if m}

    def chosen(self) -> list[str]:
        """The labels of the ticked choices."""
        ticked = self.page.locator(".lsf-choice__item:visible:has(input:checked)")
        return [re.sub(r"\s*\[\w+\]$", "", t.strip()) for t in ticked.all_inner_texts()]

    def text(self) -> str:
        """Everything the page shows, whitespace collapsed."""
        return squash(self.page.locator("body").inner_text())


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def texts_shown(screen: GradingScreen, check: Checks, case: Case, data: dict[str, Any]) -> None:
    """What the grader must see, and what they must not (the model)."""
    shown = screen.text()
    missing = [
        field
        for field in ("question", "reference", "answer", "rubric", "safety_note")
        if squash(data[field]) not in shown
    ]
    check(
        f"{case.name}: question, reference, answer, rubric, safety note shown",
        not missing,
        missing or None,
    )
    html = screen.page.content()
    check(
        f"{case.name}: no model name on the page",
        MODEL not in html and "secret-model" not in html,
    )
    offered = screen.visible_choices()
    controls = [
        "Correct 正确",
        "Partially correct 部分正确",
        "Incorrect 错误",
        *"12345",
        "Harmful 可能造成伤害",
        "Not harmful 无伤害",
    ]
    absent = [c for c in controls if c not in offered]
    box = screen.rationale()
    check(
        f"{case.name}: verdict, score, harm and the rationale box rendered",
        not absent and box.is_visible(),
        absent or None,
    )
    layout(screen, check, case)
    keys = screen.hotkeys()
    expected = {str(n): str(n) for n in range(1, 6)}
    check(
        f"{case.name}: each score's hotkey is its own digit",
        {k: keys.get(k) for k in expected} == expected,
        keys,
    )


def layout(screen: GradingScreen, check: Checks, case: Case) -> None:
    """The controls sit in the right column, in order: verdict, score, harm, rationale, and the
    rationale box is wide enough to write in."""
    page = screen.page

    def top(locator: Any) -> dict[str, float] | None:
        return locator.first.bounding_box() if locator.count() else None

    answer = top(page.locator(".mc-answer"))
    verdict = top(page.locator(".lsf-choice__item", has_text="Incorrect 错误"))
    harm = top(page.locator(".lsf-choice__item", has_text="Not harmful 无伤害"))
    box = top(screen.rationale())
    found = {"answer": answer, "verdict": verdict, "harm": harm, "rationale": box}
    if not all(found.values()):
        check(f"{case.name}: layout", False, [k for k, v in found.items() if not v])
        return
    assert answer and verdict and harm and box
    right = answer["x"] + answer["width"]
    ok = (
        verdict["x"] >= right
        and box["x"] >= right
        and verdict["y"] < harm["y"] < box["y"]
        and box["width"] >= 250
        and box["height"] >= 60
    )
    check(
        f"{case.name}: controls in the right column, verdict → harm → rationale",
        ok,
        None if ok else {k: {n: round(v) for n, v in b.items()} for k, b in found.items() if b},
    )


# ---------------------------------------------------------------------------- the walk


def walk_mcq(screen: GradingScreen, check: Checks, case: Case) -> None:
    screen.shot("1-opened")
    screen.choose("Incorrect 错误")
    refusal = screen.submit()
    screen.shot("2-without-score-refused", full=False)
    check(
        "mcq: submit without a score is refused",
        bool(refusal) and ("score" in refusal.lower() or "打分" in refusal),
        refusal,
    )
    if refusal:
        screen.dismiss()
    screen.choose("1")
    screen.rationale().fill(case.expected["rationale"])
    screen.shot("3-filled")
    accepted(screen, check, "mcq: the filled form is accepted")
    screen.shot("4-submitted")


def walk_safety(screen: GradingScreen, check: Checks, case: Case) -> None:
    screen.shot("1-opened")
    screen.choose("Partially correct 部分正确")
    screen.choose("3")
    screen.choose("Harmful 可能造成伤害")
    # typed key by key: letters and digits in the box must not fire the choices' hotkeys
    screen.rationale().press_sequentially(case.expected["rationale"])
    check(
        "safety: typing the rationale leaves the choices alone",
        screen.chosen() == ["Partially correct 部分正确", "3", "Harmful 可能造成伤害"],
        screen.chosen(),
    )
    screen.shot("2-filled")
    accepted(screen, check, "safety: the filled form is accepted")
    screen.shot("3-submitted")


def walk_free_text(screen: GradingScreen, check: Checks, case: Case) -> None:
    screen.shot("1-opened")
    screen.page.locator(".mc-answer").first.click()  # focus the page, not a control
    for key in ("c", "5"):  # by keyboard: verdict Correct, score 5
        screen.page.keyboard.press(key)
    check(
        "free_text: hotkeys c and 5 pick Correct and score 5",
        screen.chosen() == ["Correct 正确", "5"],
        screen.chosen(),
    )
    screen.shot("2-filled")
    accepted(screen, check, "free_text: correct, without harm or rationale, is accepted")
    screen.shot("3-submitted")


def accepted(screen: GradingScreen, check: Checks, name: str) -> None:
    """Submit a filled form: the screen must take it (a refusal is dismissed, and fails)."""
    refusal = screen.submit()
    check(name, refusal is None, refusal)
    if refusal:
        screen.dismiss()


WALKS: dict[str, Callable[[GradingScreen, Checks, Case], None]] = {
    "mcq": walk_mcq,
    "safety": walk_safety,
    "free_text": walk_free_text,
}


def read_back(
    server: ReviewServer, project_id: int, ids: dict[str, int], rows: list[Case], check: Checks
) -> None:
    """Every annotation, parsed as ``curate grade pull`` reads it."""
    exported = {t["id"]: t for t in server.export(project_id)}
    for case in rows:
        annotations = exported[ids[case.name]].get("annotations") or []
        if not check(
            f"{case.name}: exactly one annotation saved", len(annotations) == 1, len(annotations)
        ):
            continue
        values = grade_values(annotations[0]["result"])
        check(f"{case.name}: the grade reads back as entered", values == case.expected, values)
        check(f"{case.name}: the grade is complete", complete(values, case.safety))


def run(out: Path, root: Path | None, keep: bool, chromium: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    if out.resolve().is_relative_to(ROOT) and not (out / ".gitignore").exists():
        (out / ".gitignore").write_text("*\n", encoding="utf-8")
    check = Checks()
    rows = cases()
    version = time.strftime("0.0.0-b%m%d%H%M%S")  # a fresh project on every run
    spec = GradingProjectSpec(version)
    tasks = [build_task(case, version) for case in rows]
    for case, task in zip(rows, tasks, strict=True):
        keys = set(task["data"])
        check(
            f"{case.name}: task data holds exactly grading_task's fields, no model",
            keys == DATA_KEYS and MODEL not in json.dumps(task, ensure_ascii=False),
            sorted(keys ^ DATA_KEYS) or None,
        )
    with label_studio(root) as connection:
        server = ReviewServer(connection, FAMILY)
        print(f"pushing 3 grading tasks to {spec.title(FAMILY)!r} …", flush=True)
        report = server.upsert(spec, tasks, overlap=1, batch_size=10)
        project_id = report.project_id
        try:
            by_gid = {t["data"]["grade_id"]: t["id"] for t in server.export(project_id)}
            ids = {c.name: by_gid[t["data"]["grade_id"]] for c, t in zip(rows, tasks, strict=True)}
            sign_in(connection, PHYSICIAN)  # signs up through the invite link the first time
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_page(viewport={"width": 1600, "height": 1900}, locale="zh-CN")
                log_in(page, connection.url, PHYSICIAN, demo_password(connection, PHYSICIAN))
                check("physician logged in", "/user/login" not in page.url, page.url)
                for case, task in zip(rows, tasks, strict=True):
                    print(f"{case.name}: task {ids[case.name]}", flush=True)
                    open_task(page, connection.url, project_id, ids[case.name])
                    screen = GradingScreen(page, out, case.name)
                    try:
                        texts_shown(screen, check, case, task["data"])
                        WALKS[case.name](screen, check, case)
                    except PlaywrightError as exc:  # a control not found: fail, walk on
                        check(f"{case.name}: walked to the end", False, str(exc).splitlines()[0])
                        screen.shot("error")
                instructions_shown(page, out, check)
                body = page.locator(".mc-instructions")
                check(
                    "instructions: the grading ones (grading_instructions.md)",
                    body.count() > 0 and "模型答案评分" in body.first.inner_text(),
                )
                browser.close()
            read_back(server, project_id, ids, rows, check)
        finally:
            if not keep:
                server.client.projects.delete(project_id)
    (out / "checks.json").write_text(
        json.dumps(check.results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"screenshots and checks.json in {out}")
    if check.failed:
        print(f"{len(check.failed)} check(s) failed: {', '.join(check.failed)}")
        return 1
    print(f"all {len(check.results)} checks passed")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help="screenshot folder")
    parser.add_argument(
        "--root", type=Path, help="use the Label Studio of this MedCurate project (its .env)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway project")
    parser.add_argument("--chromium", default=CHROMIUM, help="the Chromium binary to drive")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        raise SystemExit(f"{args.chromium} not found: apt-get install -y chromium")
    print(f"grading screen walk-through → {args.out}")
    return run(args.out, args.root, args.keep, args.chromium)


if __name__ == "__main__":
    raise SystemExit(main())
