"""Demo data: a past training (ended ten days ago, people checked in) with its materials and a recording.

Idempotent: looked up by title first. Called by one line of `eventapp/demo.py`, after the network,
the journalists and the site staff exist; `past_training()` finds it again (evaluations' demo).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from openpyxl import Workbook

from eventapp.calendar import recurrence
from eventapp.demo_content import TRAINING_AGENDA
from eventapp.directory.models import Organisation, OrganisationKind, Person, Site
from eventapp.events.models import AgendaItem, Event, EventKind, EventMode, EventSite, EventStatus
from eventapp.events.models import SiteParticipationStatus as SiteStatus
from eventapp.extensions import db
from eventapp.materials import storage
from eventapp.materials.models import Audience, EventLink, LinkKind, Material
from eventapp.registrations.models import (
    CheckinMethod,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)

TZ = "Asia/Ho_Chi_Minh"
TITLE = "Hội nghị Tập huấn kỹ năng truyền thông chính sách cho Mạng lưới truyền thông ngành TT&TT"
DESCRIPTION = ("Tập huấn trực tiếp tại Hà Nội và trực tuyến tới các điểm cầu Sở TT&TT về kỹ năng phát ngôn, "
               "truyền thông chính sách và an toàn thông tin. Tài liệu, bản ghi hình và phiếu đánh giá "
               "đã được gửi tới người tham dự.")
SITE_PEOPLE = (("P01", 6), ("P22", 6), ("P79", 5), ("P48", 4), ("BO-HN", 6))
JOURNALISTS = 14


def _stable(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big")


def past_training() -> Event | None:
    return db.session.scalar(sa.select(Event).where(Event.title == TITLE))


def _day(now: datetime) -> date:
    """A Friday about ten days ago."""
    day = recurrence.to_local(now, TZ).date() - timedelta(days=10)
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _ensure_event(now: datetime) -> Event:
    day = _day(now)

    def at(clock: str) -> datetime:
        return recurrence.to_utc(datetime.combine(day, time.fromisoformat(clock)), TZ)

    event = Event(kind=EventKind.TRAINING, title=TITLE, description=DESCRIPTION, tz=TZ, starts_at=at("08:00"),
                  ends_at=at("17:00"), mode=EventMode.HYBRID, venue="Trung tâm Thông tin, 18 Nguyễn Du, Hà Nội",
                  online_url="https://meet.example.gov.vn/tap-huan-truyen-thong", capacity=120,
                  status=EventStatus.PUBLISHED, published_at=at("08:00") - timedelta(days=30))
    db.session.add(event)
    db.session.flush()
    units = {o.name: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.MINISTRY_UNIT))}
    for position, item in enumerate(TRAINING_AGENDA):
        organisation = units.get(item["speaker_organisation"])
        event.agenda_items.append(AgendaItem(
            position=position, starts_at=at(item["start"]), ends_at=at(item["end"]), title=item["title"],
            speaker=item["speaker"] or None, speaker_organisation_id=organisation.id if organisation else None,
            speaker_organisation_name=item["speaker_organisation"]))
    # Every site was invited, as for the real trainings; those with people reported their room.
    for site in db.session.scalars(sa.select(Site).where(Site.is_active).order_by(Site.code)):
        event.sites.append(EventSite(site_id=site.id, quota=6))
    db.session.flush()
    return event


def _ensure_attendance(event: Event) -> None:
    """Site staff and journalists registered; most of them present (door scan or roll-call)."""
    people: list[tuple[Person, Site | None]] = []
    for code, count in SITE_PEOPLE:
        site = db.session.scalar(sa.select(Site).where(Site.code == code))
        for n in range(1, count + 1):
            person = db.session.scalar(sa.select(Person).where(
                Person.email_normalised == f"{code.lower()}.{n}@demo.eventapp.vn"))
            if person is not None and site is not None:
                people.append((person, site))
    for n in range(1, JOURNALISTS + 1):
        person = db.session.scalar(sa.select(Person).where(Person.email_normalised == f"nhabao{n:02d}@demo.eventapp.vn"))
        if person is not None:
            people.append((person, None))
    present_at: dict[int, int] = {}
    for person, site in people:
        present = _stable("present", person.id) % 10 < 8
        registration = Registration(
            event_id=event.id, person_id=person.id, site_id=site.id if site else None, status=RegistrationStatus.APPROVED,
            channel=RegistrationChannel.SITE if site else RegistrationChannel.PUBLIC,
            status_changed_at=event.starts_at - timedelta(days=7))
        if present:
            registration.checked_in_at = event.starts_at - timedelta(minutes=_stable("at", person.id) % 40)
            registration.checkin_method = CheckinMethod.ROLL_CALL if site else CheckinMethod.SCAN
            if site:
                present_at[site.id] = present_at.get(site.id, 0) + 1
        db.session.add(registration)
    for participation in event.sites:
        if participation.site_id in present_at:
            participation.status = SiteStatus.REPORTED
            participation.headcount = present_at[participation.site_id] + 3  # a few more in the room
            participation.connected_at = event.starts_at - timedelta(minutes=30)
            participation.reported_at = event.starts_at + timedelta(minutes=20)
            participation.report_locked = True
    db.session.flush()


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (ASCII text: the document's Vietnamese title is in its name)."""
    text = "BT /F1 16 Tf 56 780 Td (" + title + ") Tj ET " + " ".join(
        f"BT /F1 11 Tf 56 {750 - 18 * i} Td ({line}) Tj ET" for i, line in enumerate(lines))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    """A minimal Word document (Vietnamese text intact)."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + "</w:body></w:document>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml.encode("utf-8"))
    return buffer.getvalue()


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet("Số liệu", 0)
    del workbook[workbook.sheetnames[1]]  # the empty default sheet
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ensure_materials(event: Event) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Material).where(Material.event_id == event.id)):
        return
    talks = event.agenda_items
    files = (
        (None, "Chương trình hội nghị", "Chuong-trinh-hoi-nghi.pdf", "pdf", Audience.PUBLIC,
         _pdf("Chuong trinh hoi nghi tap huan", [item["title"].encode("ascii", "replace").decode()
                                                  for item in TRAINING_AGENDA[:8]]), 412),
        (talks[2].id, "Kỹ năng phát ngôn và cung cấp thông tin cho báo chí (bài trình bày)",
         "Ky-nang-phat-ngon.pdf", "pdf", Audience.REGISTRANTS,
         _pdf("Ky nang phat ngon", ["Nguyen tac phat ngon", "Chuan bi thong cao bao chi"]), 268),
        (talks[4].id, "Đề cương An toàn thông tin trong tình hình mới", "An-toan-thong-tin.docx", "docx",
         Audience.REGISTRANTS, _docx(["Đề cương tập huấn An toàn thông tin",
                                      "Nhận diện tin giả, lừa đảo trực tuyến và cách phòng tránh."]), 97),
        (None, "Hướng dẫn kỹ thuật kết nối điểm cầu", "Huong-dan-ket-noi-diem-cau.docx", "docx", Audience.SITES,
         _docx(["Hướng dẫn kiểm tra đường truyền, âm thanh và hình ảnh trước giờ khai mạc."]), 41),
        (None, "Số liệu khảo sát công tác truyền thông của các Sở", "So-lieu-khao-sat.xlsx", "xlsx",
         Audience.SITES, _xlsx([["Tỉnh/thành", "Số tin bài", "Tỷ lệ (%)"], ["Hà Nội", 1240, 96],
                                ["Quảng Ninh", 615, 91], ["Đà Nẵng", 588, 93]]), 23),
    )
    kinds = {"pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    for talk_id, title, filename, kind, audience, data, downloads in files:
        db.session.add(Material(
            event_id=event.id, agenda_item_id=talk_id, title=title, filename=filename, kind=kind,
            content_type=kinds[kind], size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
            storage_key=storage.save(data), audience=audience, download_count=downloads))
    db.session.add_all([
        EventLink(event_id=event.id, kind=LinkKind.RECORDING, title="Ghi hình toàn bộ hội nghị",
                  url="https://video.example.gov.vn/tap-huan-truyen-thong", audience=Audience.REGISTRANTS),
        EventLink(event_id=event.id, kind=LinkKind.RECORDING, title="Phiên khai mạc",
                  url="https://video.example.gov.vn/tap-huan-khai-mac", audience=Audience.PUBLIC),
    ])
    db.session.flush()


def load(now: datetime) -> Event:
    """The past training, its attendance and its materials (each made once)."""
    event = past_training()
    if event is None:
        event = _ensure_event(now)
        _ensure_attendance(event)
    _ensure_materials(event)
    return event
