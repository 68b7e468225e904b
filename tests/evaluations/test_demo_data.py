"""`flask demo` includes a past training with materials (real files of their kind) and evaluation answers."""

from __future__ import annotations

import sqlalchemy as sa

from eventapp.documents.filetypes import detect
from eventapp.evaluations import results
from eventapp.evaluations.followup import queue_day_after
from eventapp.extensions import db
from eventapp.materials import storage
from eventapp.materials.demo import past_training
from eventapp.materials.models import Audience, Material


def test_the_demo_has_a_past_training_with_materials_and_answers(app) -> None:
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    event = past_training()
    assert event is not None and event.is_completed()
    files = db.session.scalars(sa.select(Material).where(Material.event_id == event.id)).all()
    assert {m.audience for m in files} == set(Audience) and {m.kind for m in files} >= {"pdf", "docx", "xlsx"}
    for material in files:  # every stored file is what its row says, by the same check as uploads
        assert detect(storage.path_of(material.storage_key).read_bytes(), material.filename).name == material.kind
    data = results.results(event)
    assert len(data.responses) >= 10 and data.talks and data.sites
    assert any(r.texts for r in data.questions)
    assert queue_day_after() == 0  # the demo's attendees had theirs
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert len(results.results(event).responses) == len(data.responses)
