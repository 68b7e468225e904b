"""axe-core (vendored through npm, run in Chromium) finds no WCAG 2.1 A/AA violations on the screens
people use under pressure: the public form, the ticket, the check-in desk, the roll-call and the board."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from eventapp.accounts.models import Role
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.events.models import EventMode, SiteParticipationStatus
from eventapp.extensions import db
from eventapp.registrations.tickets import issue_ticket
from tests.browser.test_attendance import _fresh_rate_limits, sign_in  # noqa: F401 - an autouse fixture
from tests.conftest import REQUIRE_BROWSER_ENV, _skip_or_fail

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# No rule is switched off. (Should one ever need to be, name it here with the reason.)
DISABLED_RULES: dict[str, str] = {}
SIZES = ({"width": 390, "height": 844}, {"width": 1366, "height": 768})

RUN_AXE = """async ([tags, disabled]) => {
  const rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, rules: rules});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " ")).slice(0, 5),
  }));
}"""


@pytest.fixture
def audit(browser, live_server):
    """audit(path, viewport, signed_in_as=None) -> the axe violations of that page at that size."""
    if not AXE.is_file():
        _skip_or_fail("node_modules/axe-core is missing (run `npm ci`)", REQUIRE_BROWSER_ENV)
    contexts = []

    def run(path: str, viewport: dict, email: str | None = None, ready: str | None = None,
            act=None) -> list[dict]:  # act(page) brings the page into the state to check
        # The page's own CSP forbids inline scripts; only this test context may add axe's.
        context = browser.new_context(locale="vi-VN", viewport=viewport, bypass_csp=True,
                                      timezone_id="Asia/Ho_Chi_Minh")
        contexts.append(context)
        page = context.new_page()
        if email:
            sign_in(page, live_server.url, email)
        page.goto(live_server.url + path)
        if ready:
            page.wait_for_selector(ready)
        if act:
            act(page)
        page.add_script_tag(path=str(AXE))
        return page.evaluate(RUN_AXE, [WCAG_AA, list(DISABLED_RULES)])

    yield run
    for context in contexts:
        context.close()


def assert_no_violations(violations: list[dict], where: str) -> None:
    report = "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
                       for v in violations)
    assert not violations, f"{where}:\n{report}"


@pytest.fixture
def scene(make_event, make_site, add_site_to_event, make_person, make_registration, make_user):
    """A hybrid event under way with sites in every state, a journalist's ticket and the staff."""
    event = make_event(title="Hội nghị tập huấn công tác truyền thông", mode=EventMode.HYBRID,
                       starts_in=timedelta(minutes=-10), capacity=100)
    db.session.add(Organisation(kind=OrganisationKind.PRESS_OUTLET, name="Báo Tuổi Trẻ"))
    sites = [make_site(name=f"Sở TT&TT {name}") for name in ("Hà Giang", "Cà Mau", "Lào Cai", "Nghệ An")]
    for site, status in zip(sites, [SiteParticipationStatus.INVITED, SiteParticipationStatus.CONNECTED,
                                    SiteParticipationStatus.REPORTED, SiteParticipationStatus.CONNECTED],
                            strict=True):
        add_site_to_event(event, site).status = status
    for name in ("Nguyễn Văn An", "Trần Thị Bích Ngọc"):
        make_registration(event, site=sites[1], person=make_person(name, position="Chuyên viên"))
    token = issue_ticket(make_registration(event, person=make_person("Phạm Thu Hà")))
    briefing = make_event(title="Họp báo Chính phủ thường kỳ", capacity=50)
    users = {"desk": make_user(Role.CHECKIN_STAFF, email="desk@example.vn"),
             "organiser": make_user(Role.ORGANISER, email="tochuc@example.vn"),
             "coordinator": make_user(Role.SITE_COORDINATOR, email="camau@example.vn", site=sites[1])}
    db.session.commit()
    return {"event": event, "briefing": briefing, "site": sites[1], "invited_site": sites[0], "token": token,
            "users": users}


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "laptop"])
def test_public_form_and_ticket(audit, scene, viewport) -> None:
    assert_no_violations(audit(f"/events/{scene['briefing'].id}/register", viewport), "registration form")
    assert_no_violations(audit(f"/ticket/{scene['token']}", viewport, ready="[data-qr] svg"), "ticket")


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "laptop"])
def test_desk_and_roll_call(audit, scene, viewport) -> None:
    event, site = scene["event"], scene["site"]

    def scan_and_search(page) -> None:  # the desk as it looks in use
        page.locator("#scan-input").fill(scene["token"])
        page.keyboard.press("Enter")
        page.wait_for_selector('#scan-result[data-code="checked_in"]')
        page.locator("#search-input").fill("nguyen")
        page.locator("#search-results li").first.wait_for()

    assert_no_violations(audit(f"/console/attendance/events/{event.id}/desk", viewport,
                               scene["users"]["desk"].email), "check-in desk")
    assert_no_violations(audit(f"/console/attendance/events/{event.id}/desk", viewport,
                               scene["users"]["desk"].email, act=scan_and_search), "check-in desk in use")
    assert_no_violations(audit(f"/console/rollcall/events/{event.id}/sites/{site.id}", viewport,
                               scene["users"]["coordinator"].email), "roll-call")
    invited = scene["invited_site"]  # its connection step, as an organiser sees it
    assert_no_violations(audit(f"/console/rollcall/events/{event.id}/sites/{invited.id}", viewport,
                               scene["users"]["organiser"].email), "roll-call, not yet connected")


@pytest.mark.parametrize("viewport", [{"width": 1920, "height": 1080}, SIZES[1]], ids=["projector", "laptop"])
def test_site_board(audit, scene, viewport) -> None:
    assert_no_violations(audit(f"/console/attendance/events/{scene['event'].id}/board", viewport,
                               scene["users"]["organiser"].email), "site board")


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "laptop"])
def test_evaluation_form_and_materials(audit, scene, viewport) -> None:
    """After the talk: the ticket with its materials and evaluation cards, the evaluation form, and
    the organiser's materials and results screens."""
    from datetime import UTC, datetime

    from eventapp.evaluations import services as evaluations
    from eventapp.evaluations.models import QuestionKind
    from eventapp.materials import services as materials
    from eventapp.materials.models import Audience
    from eventapp.registrations.tickets import find_by_token

    event, organiser = scene["event"], scene["users"]["organiser"]
    event.ends_at = datetime.now(UTC).replace(microsecond=0)
    registration = find_by_token(scene["token"])
    registration.checked_in_at = event.starts_at
    materials.add_material(event, data=b"%PDF-1.4\n%%EOF\n", filename="chuong-trinh.pdf", title="Chương trình",
                           audience=Audience.REGISTRANTS, agenda_item_id=None, actor=organiser)
    evaluations.add_question(event, kind=QuestionKind.RATING, prompt="Đánh giá chung", actor=organiser)
    evaluations.add_question(event, kind=QuestionKind.CHOICE, prompt="Hình thức?", options="Trực tiếp\nTrực tuyến",
                             actor=organiser)
    evaluations.add_question(event, kind=QuestionKind.TEXT, prompt="Góp ý", actor=organiser)
    db.session.commit()
    token = scene["token"]
    assert_no_violations(audit(f"/ticket/{token}", viewport, ready="[data-ticket-evaluation]"), "ticket after")
    assert_no_violations(audit(f"/ticket/{token}/evaluation", viewport), "evaluation form")
    assert_no_violations(audit(f"/console/materials/events/{event.id}", viewport, organiser.email), "materials")
    assert_no_violations(audit(f"/console/evaluations/events/{event.id}", viewport, organiser.email), "questions")
    assert_no_violations(audit(f"/console/evaluations/events/{event.id}/results", viewport, organiser.email),
                         "results")
