"""The physicians' review screen in a real browser: fill it in as a physician would, screenshot it.

Pushes three synthetic items — a multiple-choice question, a record and a dialogue — to a
throwaway project family on a local Label Studio (started in a temporary folder and stopped at
the end, or the server of an existing MedCurate project with --root), signs a demo physician
(``dr.demo.browser@medcurate.invalid``, through the invite link) into headless Chromium and, task
by task:

* MCQ — rejects without a reason (the screen must refuse), then accepts with edits: the edit
  boxes must come pre-filled per field; corrects option B, marks the key wrong and submits
  without the correct answer (refused), picks it, searches the specialty tree, rates, submits;
* record — rejects: the reasons must be a record's (no "answer key wrong"), picks one, submits;
* dialogue — accepts with edits, corrects one turn where it stands, submits.

It also opens the instructions (HTML, not Markdown). Every submitted annotation is read back
through the API and parsed as the merge reads it. Screenshots and ``checks.json`` go to the
output folder (default ``benchmarks/out/review_browser/``, git-ignored: the folder holds its own
``.gitignore``); the exit status is 1 if any check fails.

Not a runtime dependency of MedCurate. To run it::

    pip install playwright              # the Python package only (a wheel)
    apt-get install -y chromium         # the browser it drives: /usr/bin/chromium
    python benchmarks/review_browser.py [OUT] [--root PROJECT] [--keep]

Never run ``playwright install``: no browser is downloaded; Debian's Chromium is launched
offline (no sync, no component updates, no background networking).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curation.commands.review import (  # noqa: E402
    run_adjudicate,
    run_merge,
    run_pull,
    run_push,
    server_for,
)
from curation.params import Params, load_params  # noqa: E402
from curation.paths import ProjectPaths  # noqa: E402
from curation.review.configs import ALL_PROJECTS, ProjectSpec, ReviewKind, Role  # noqa: E402
from curation.review.connection import Connection  # noqa: E402
from curation.review.labels import ReviewLabels, parse_result, to_result  # noqa: E402
from curation.review.projects import ReviewServer  # noqa: E402
from curation.review.server import KEY_VAR, URL_VAR, LocalServer, free_port  # noqa: E402
from curation.review.simulate import DEMO_DOMAIN, demo_password, sign_in  # noqa: E402
from curation.review.tasks import edit_fields  # noqa: E402
from curation.taxonomy import load_taxonomy  # noqa: E402
from tests.review_fixtures import make_item, review_project  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHYSICIAN = f"dr.demo.browser@{DEMO_DOMAIN}"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "review_browser"
TAXONOMY = load_taxonomy()


def items() -> dict[str, dict[str, Any]]:
    """One synthetic item per review kind (built by code, no real data)."""
    mcq = make_item(
        "browser-mcq",
        question="患者[姓名]，男，62岁，突发胸骨后压榨样疼痛2小时。下列哪项是急性心肌梗死最常见的症状？",
        options=[("A", "胸痛"), ("B", "头疼"), ("C", "腹泻"), ("D", "皮疹")],
        answer=["C"],  # wrong on purpose: the physician corrects it
        marks=[{"field": "question", "start": 2, "end": 6, "category": "NAME"}],
    ) | {"explanation": "急性心肌梗死最常见的首发症状为胸痛，常持续30分钟以上。"}
    context = (
        "主诉：反复胸闷、气促2年，加重3天。\n现病史：患者[姓名]，女，71岁，于[日期]因劳累后"
        "出现胸闷、气促，休息后可缓解。3天前症状加重，夜间不能平卧。\n既往史：高血压病史10年。"
    )
    name, date = context.index("[姓名]"), context.index("[日期]")
    record = make_item(
        "browser-record",
        kind="record",
        context=context,
        specialty="03.04",
        marks=[
            {"field": "context", "start": name, "end": name + 4, "category": "NAME"},
            {"field": "context", "start": date, "end": date + 4, "category": "DATE"},
        ],
    )
    turns = [
        ("患者", "医生您好，我最近三天一直头痛，晚上睡不好。"),
        ("医生", "头痛是哪个部位？有没有发烧或者呕吐？"),
        ("患者", "主要是两边太阳穴，没有发烧，也没有吐。"),
        ("医生", "建议先测一下血压，如果持续头痛需要做头颅CT。"),
    ]
    dialogue = make_item(  # the tagger's specialty (allergy) is wrong: the physician changes it
        "browser-dialogue", kind="dialogue", context="…", turns=turns, specialty="03.09"
    ) | {"context": None}  # shown turn by turn
    return {"mcq": mcq, "record": record, "dialogue": dialogue}


# ------------------------------------------------------------------------------ the server


@contextmanager
def label_studio(root: Path | None) -> Iterator[Connection]:
    """The server of the project at `root`, else a throwaway one (stopped and removed after)."""
    if root is not None:
        yield Connection.from_project(root)
        return
    folder = Path(tempfile.mkdtemp(prefix="medcurate-browser-ls-"))
    server = LocalServer(folder)
    server.ensure_secrets(port=free_port(0))
    try:
        print(f"starting a throwaway Label Studio in {folder} …", flush=True)
        if not server.up():
            raise SystemExit(f"Label Studio did not start; see {server.log_file}")
        env = server.env_values()
        yield Connection(env[URL_VAR], env[KEY_VAR])
    finally:
        server.down()
        shutil.rmtree(folder, ignore_errors=True)


class Checks:
    """Named pass/fail checks, printed as they happen and written to checks.json."""

    def __init__(self) -> None:
        self.results: list[dict[str, Any]] = []

    def __call__(self, name: str, ok: bool, detail: Any = None) -> bool:
        self.results.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"  {'ok  ' if ok else 'FAIL'} {name}" + (f" — {detail}" if detail else ""))
        return bool(ok)

    @property
    def failed(self) -> list[str]:
        return [r["check"] for r in self.results if not r["ok"]]


# ----------------------------------------------------------------------------- the browser


class Screen:
    """Label Studio's labeling screen for one task, driven like a physician would."""

    def __init__(self, page: Any, out: Path, prefix: str) -> None:
        self.page, self.out, self.prefix = page, out, prefix

    def shot(self, name: str, full: bool = True) -> str:
        path = self.out / f"{self.prefix}-{name}.png"
        self.page.wait_for_timeout(400)
        self.page.screenshot(path=str(path), full_page=full)
        return path.name

    def choose(self, label: str) -> None:
        """Click a choice (radio or checkbox) by its visible label, as a physician would."""
        item = self.page.locator(".lsf-choice__item:visible", has_text=label).first
        item.scroll_into_view_if_needed()
        item.locator("input").click()

    def visible_choices(self) -> list[str]:
        """The labels of the choices on screen (without their hotkey hints, '[w]')."""
        texts = self.page.locator(".lsf-choice__item:visible").all_inner_texts()
        return [re.sub(r"\s*\[\w\]$", "", t.strip()) for t in texts if t.strip()]

    def submit(self) -> str | None:
        """Press Submit; the refusal message if the screen refuses (then dismissed), else None."""
        self.page.get_by_role("button", name="Submit").first.click()
        modal = self.page.locator(".ant-modal-confirm-content")
        try:
            modal.first.wait_for(state="visible", timeout=4000)
        except PlaywrightTimeout:  # no refusal: the annotation was sent
            self.page.wait_for_timeout(1500)
            return None
        message = modal.first.inner_text()
        return message

    def dismiss(self) -> None:
        self.page.locator(".ant-modal-confirm-btns button").first.click()
        self.page.locator(".ant-modal-confirm-content").first.wait_for(state="hidden")

    def box(self, name_prefix: str, nth: int = 0) -> Any:
        """The nth edit box (TextArea) of a control, by its name attribute."""
        return self.page.locator(
            f"[data-testid='textarea-control'] textarea[name^='{name_prefix}'], "
            f"[data-testid='textarea-control'] input[name^='{name_prefix}']"
        ).nth(nth)


def log_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/user/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def open_task(page: Any, url: str, project_id: int, task_id: int) -> None:
    page.goto(f"{url}/projects/{project_id}/data?task={task_id}")
    page.locator(".lsf-choice__item").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1500)  # dynamic choices and pre-annotations settle


# ---------------------------------------------------------------------------- the walk


def run(out: Path, root: Path | None, keep: bool, chromium: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    if (out.resolve().is_relative_to(ROOT)) and not (out / ".gitignore").exists():
        (out / ".gitignore").write_text("*\n", encoding="utf-8")
    check = Checks()
    rows = items()
    with label_studio(root) as connection, tempfile.TemporaryDirectory() as work:
        env = {URL_VAR: connection.url, KEY_VAR: connection.api_key}
        paths = review_project(Path(work), list(rows.values()), env, bootstrap=0)
        params = load_params(paths.params_file)
        server = server_for(paths, params)
        print(f"pushing 3 items to project family {params.project.name!r} …", flush=True)
        run_push(paths, params)
        tasks = {}
        for kind in ReviewKind:
            project_id = server.find(ProjectSpec(Role.REVIEW, kind))
            for task in server.export(project_id):
                tasks[task["data"]["kind"]] = (project_id, task)
        sign_in(connection, PHYSICIAN)  # signs up through the invite link the first time
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_page(viewport={"width": 1600, "height": 1900}, locale="zh-CN")
                log_in(page, connection.url, PHYSICIAN, demo_password(connection, PHYSICIAN))
                check("physician logged in", "/user/login" not in page.url, page.url)
                walks: dict[str, Callable[..., None]] = {
                    "mcq": walk_mcq,
                    "record": walk_record,
                    "dialogue": walk_dialogue,
                }
                for kind, walk in walks.items():
                    project_id, task = tasks[kind]
                    print(f"{kind}: task {task['id']}", flush=True)
                    open_task(page, connection.url, project_id, task["id"])
                    walk(Screen(page, out, kind), check, rows[kind], task)
                    read_back(server, project_id, task, rows[kind], kind, check)
                instructions_shown(page, out, check)
                print("adjudication: a second review through the API, then the panel", flush=True)
                adjudication(page, paths, params, server, tasks, out, check)
                browser.close()
        finally:
            if not keep:
                for spec in ALL_PROJECTS:
                    if (project_id := server.find(spec)) is not None:
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


def adjudication(
    page: Any,
    paths: ProjectPaths,
    params: Params,
    server: ReviewServer,
    tasks: dict[str, tuple[int, dict[str, Any]]],
    out: Path,
    check: Checks,
) -> None:
    """A second physician reviews through the API — disagreeing on the MCQ, rejecting the record
    without a reason (the API does not require one) — then snapshot, merge, adjudication: the
    senior physician's panel must read in words, not codes."""
    second = f"dr.demo.browser2@{DEMO_DOMAIN}"
    token = sign_in(server.connection, second)
    reviews = {
        "mcq": ReviewLabels(second, "reject", ("ambiguous", "residual_phi"), specialty="03.04"),
        "record": ReviewLabels(second, "reject", specialty="03.04"),  # incomplete
        "dialogue": ReviewLabels(
            second,
            "accept_with_edits",
            specialty="03.03",
            edits=(("turns.3", "建议先测一下血压；如头痛持续或加重，需做头颅CT。"),),
        ),
    }
    client = LabelStudio(base_url=server.connection.url, api_key=token)
    for kind, labels in reviews.items():
        _, task = tasks[kind]
        client.annotations.create(task["id"], result=to_result(labels, task["data"]["text"]))
    first = params.model_copy(update={"review": params.review.model_copy(update={"snapshot": 1})})
    run_pull(paths, first)
    report = run_merge(paths, first.review)
    check(
        "merge: the agreed dialogue edit applied, two items to adjudicate",
        report.details["by_status"] == {"final": 1, "needs_adjudication": 2}
        and report.details["changes"].get("field_edited") == 1,
        report.details["by_status"] | report.details["changes"],
    )
    run_adjudicate(paths, first)
    project_id = server.find(ProjectSpec(Role.ADJUDICATION, ReviewKind.TEXT))
    if not check("adjudication: the record is queued", project_id is not None):
        return
    task = server.export(project_id)[0]
    panel = task["data"]["reviews"]
    open_task(page, server.connection.url, project_id, task["id"])
    Screen(page, out, "adjudication").shot("record-panel")
    shown = page.locator(".lsf-richtext, [class*='richtext']").all_inner_texts()
    codes = [
        c for c in ("residual_phi", "reject_reason", "incomplete:", "accept_with") if c in panel
    ]
    check(
        "adjudication: the panel says what is missing, in words",
        "rejected without a reason 拒绝但未填写原因" in panel
        and "Incomplete or truncated 内容不完整或被截断" in panel
        and not codes
        and any("拒绝但未填写原因" in x for x in shown),
        panel.splitlines()[0],
    )


def walk_mcq(screen: Screen, check: Checks, row: dict[str, Any], task: dict[str, Any]) -> None:
    page = screen.page
    screen.shot("1-opened")
    check(
        "MCQ: specialty pre-selected in the tree",
        page.locator(".htx-taxonomy", has_text="03.04").count() > 0,
    )
    screen.choose("Reject 拒绝")
    offered = screen.visible_choices()
    check("MCQ: reasons include 'answer key wrong'", "Answer key wrong 答案错误" in offered)
    refusal = screen.submit()
    screen.shot("2-reject-without-reason-refused", full=False)
    check("MCQ: reject without a reason is refused", refusal and "reason" in refusal, refusal)
    if refusal:
        screen.dismiss()
    screen.choose("Accept with edits 修改后接受")
    question, option_b = screen.box("edit_question"), screen.box("edit_option_", 1)
    check(
        "MCQ: edit boxes pre-filled per field",
        question.input_value() == row["question"] and option_b.input_value() == "头疼",
        {"question": question.input_value()[:20], "option B": option_b.input_value()},
    )
    option_b.fill("头痛")  # the typo fixed where it stands
    screen.choose("Key is wrong 答案错误")
    screen.shot("3-edits-and-key-wrong")
    refusal = screen.submit()
    screen.shot("4-key-wrong-without-answer-refused", full=False)
    check(
        "MCQ: a wrong key without the correct answer is refused",
        refusal and "correct answer" in refusal,
        refusal,
    )
    if refusal:
        screen.dismiss()
    screen.choose("A. 胸痛")
    specialty_search(screen, check, "cardio", "03.04 心血管内科专业")
    screen.shot("5-specialty-search", full=False)
    close_dropdown(screen)
    page.locator(".ant-rate-star").nth(2).click()
    screen.shot("6-filled")
    refusal = screen.submit()
    check("MCQ: the filled form is accepted", refusal is None, refusal)
    screen.shot("7-submitted")


def specialty_search(screen: Screen, check: Checks, query: str, expect: str) -> list[str]:
    """Open the specialty tree, search it; the visible matches (the dropdown stays open)."""
    page = screen.page
    page.locator(".htx-taxonomy").first.click()
    search = page.locator(".htx-taxonomy-dropdown input").first
    search.wait_for(state="visible")
    search.fill(query)
    page.wait_for_timeout(600)
    titles = page.locator(".htx-taxonomy-dropdown .ant-select-tree-title:visible")
    found = [t.strip() for t in titles.all_inner_texts()]
    check(
        f"specialty: typing {query!r} narrows the {len(TAXONOMY.specialties)} specialties",
        0 < len(found) < 10 and any(expect in x for x in found),
        found,
    )
    return found


def close_dropdown(screen: Screen) -> None:
    screen.page.keyboard.press("Escape")
    screen.page.wait_for_timeout(300)


def walk_record(screen: Screen, check: Checks, row: dict[str, Any], task: dict[str, Any]) -> None:
    screen.shot("1-opened")
    screen.choose("Reject 拒绝")
    offered = screen.visible_choices()
    check(
        "record: no 'answer key wrong' among the reasons",
        "Answer key wrong 答案错误" not in offered
        and "Incomplete or truncated 内容不完整或被截断" in offered,
        [x for x in offered if "拒绝" not in x and "接受" not in x],
    )
    screen.choose("Incomplete or truncated 内容不完整或被截断")
    screen.shot("2-rejected-with-reason")
    refusal = screen.submit()
    check("record: a rejection with a reason is accepted", refusal is None, refusal)
    screen.shot("3-submitted")


def walk_dialogue(screen: Screen, check: Checks, row: dict[str, Any], task: dict[str, Any]) -> None:
    screen.shot("1-opened")
    screen.choose("Accept with edits 修改后接受")
    turn = screen.box("edit_turn_", 3)
    before = turn.input_value()
    check("dialogue: one pre-filled box per turn", before == row["turns"][3]["text"], before)
    turn.fill("建议先测一下血压；如头痛持续或加重，需做头颅CT。")
    page = screen.page  # the tagger said allergy: untick it, search neurology, tick it
    page.locator(".htx-taxonomy .ant-select-selection-item-remove").first.click()
    specialty_search(screen, check, "神经", "03.03 神经内科专业")
    row = page.locator(".htx-taxonomy-dropdown .ant-select-tree-treenode:visible")
    row.filter(has_text="03.03 神经内科专业").locator(".ant-select-tree-checkbox").first.click()
    screen.shot("2-specialty-changed", full=False)
    close_dropdown(screen)
    screen.shot("3-turn-edited")
    refusal = screen.submit()
    check("dialogue: accept with edits is accepted", refusal is None, refusal)
    screen.shot("4-submitted")


def read_back(
    server: ReviewServer,
    project_id: int,
    task: dict[str, Any],
    row: dict[str, Any],
    kind: str,
    check: Checks,
) -> None:
    """The submitted annotation, parsed as the merge reads it (unchanged boxes dropped)."""
    exported = {t["id"]: t for t in server.export(project_id)}[task["id"]]
    annotations = exported.get("annotations") or []
    if not check(f"{kind}: exactly one annotation saved", len(annotations) == 1, len(annotations)):
        return
    shown = edit_fields(task["data"])  # what the edit boxes were pre-filled with
    labels = parse_result(PHYSICIAN, annotations[0]["result"], task["data"]["text"], shown)
    expected = {
        "mcq": ("accept_with_edits", (("options.1", "头痛"),), ("A",), (), "03.04"),
        "record": ("reject", (), (), ("incomplete",), "03.04"),
        "dialogue": (
            "accept_with_edits",
            (("turns.3", "建议先测一下血压；如头痛持续或加重，需做头颅CT。"),),
            (),
            (),
            "03.03",
        ),
    }[kind]
    got = (
        labels.verdict,
        labels.edits,
        labels.corrected_answer,
        labels.reject_reasons,
        labels.specialty,
    )
    check(f"{kind}: the annotation reads back as filled in", got == expected, got)
    check(f"{kind}: the annotation is complete", labels.missing == (), labels.missing)


def instructions_shown(page: Any, out: Path, check: Checks) -> None:
    """The project's instructions, as the physician opens them from the labeling screen."""
    page.get_by_role("button", name="Instructions").first.click()
    body = page.locator(".mc-instructions")
    with contextlib.suppress(PlaywrightTimeout):  # reported as a failed check below
        body.first.wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "instructions.png"))
    html = body.first.inner_html() if body.count() else ""
    lists = page.evaluate(
        "() => [...document.querySelectorAll('.mc-instructions ol')]"
        ".map(e => getComputedStyle(e).listStyleType)"
    )
    check(
        "instructions: rendered HTML, not Markdown, numbered lists",
        "<li>" in html and "**" not in html and "<strong>" in html and "decimal" in lists,
        f"{len(html)} characters of HTML, lists {lists}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help="screenshot folder")
    parser.add_argument(
        "--root", type=Path, help="use the Label Studio of this MedCurate project (its .env)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway projects")
    parser.add_argument("--chromium", default=CHROMIUM, help="the Chromium binary to drive")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        raise SystemExit(f"{args.chromium} not found: apt-get install -y chromium")
    print(f"review screen walk-through → {args.out}")
    return run(args.out, args.root, args.keep, args.chromium)


if __name__ == "__main__":
    raise SystemExit(main())
